"""Event configuration (TOML), thresholds and where data lives, in rooms:

* `event`: the event file (`parse_config`, `EventConfig`, `MatchingSettings`, the agenda,
  the language);
* `overlay`: how the browser overlay looks (`OverlaySettings` and its checks);
* `user`: this laptop's settings.toml and keymap.toml, the data directory, the moderator's
  name and the IMAP password;
* `errors`: `ConfigError`, the line a problem is on and the TOML parser's words in German.

Everything a caller needs is imported from here (`from moderator.config import X`).
"""

from moderator.config.errors import ConfigError
from moderator.config.event import (
    DEFAULT_TIMEZONE,
    EventConfig,
    MatchingSettings,
    default_config_text,
    default_language,
    load_config,
    load_default_config,
    parse_config,
)
from moderator.config.overlay import OVERLAY_POSITIONS, OverlaySettings
from moderator.config.user import (
    APP_NAME,
    DB_ENV,
    IMAP_PASSWORD_ENV,
    KEYMAP_FILE,
    NAME_ENV,
    SETTINGS_FILE,
    SETTINGS_KEYS,
    data_dir,
    default_db_url,
    imap_password,
    keymap_path,
    load_keymap,
    load_settings,
    moderator_name,
    settings_path,
)

__all__ = [
    "APP_NAME",
    "DB_ENV",
    "DEFAULT_TIMEZONE",
    "IMAP_PASSWORD_ENV",
    "KEYMAP_FILE",
    "NAME_ENV",
    "OVERLAY_POSITIONS",
    "SETTINGS_FILE",
    "SETTINGS_KEYS",
    "ConfigError",
    "EventConfig",
    "MatchingSettings",
    "OverlaySettings",
    "data_dir",
    "default_config_text",
    "default_db_url",
    "default_language",
    "imap_password",
    "keymap_path",
    "load_config",
    "load_default_config",
    "load_keymap",
    "load_settings",
    "moderator_name",
    "parse_config",
    "settings_path",
]
