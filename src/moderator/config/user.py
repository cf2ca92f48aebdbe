"""This laptop's settings: settings.toml (moderator name, database URL, IMAP password),
keymap.toml, and where the data lives (platformdirs)."""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

from moderator.config.errors import ConfigError, TomlDetail

APP_NAME = "moderator"
log = logging.getLogger(__name__)
DB_ENV = "MODERATOR_DB"
NAME_ENV = "MODERATOR_NAME"
IMAP_PASSWORD_ENV = "MODERATOR_IMAP_PASSWORD"


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False, ensure_exists=True)


def _user_toml(path: Path, key: str) -> dict:
    """A TOML file of the user's; missing means empty, broken is a `ConfigError` naming the
    file (and, for bad TOML, the line)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(key=key, path=path, detail=TomlDetail(str(exc))) from None


SETTINGS_FILE = "settings.toml"
SETTINGS_KEYS = frozenset({"name", "db", "imap_password"})


def settings_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / SETTINGS_FILE


def load_settings(path: Path | None = None) -> dict[str, str]:
    """This laptop's settings: `name` (the moderator's name in the action log), `db`
    (the database URL, e.g. the team's PostgreSQL server), so neither has to be given with
    every command, and `imap_password` (for `watch imap://…`).

    Read from `settings.toml` in the user configuration directory; a missing file means
    none, a broken one is a `ConfigError` naming the file (and the line, for bad TOML).
    """
    path = path or settings_path()
    data = _user_toml(path, "config.bad_settings")
    unknown = sorted(set(data) - SETTINGS_KEYS)
    if unknown:
        known = ", ".join(sorted(SETTINGS_KEYS))
        names = ", ".join(unknown)
        raise ConfigError(key="config.unknown_setting", path=path, names=names, known=known)
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key="config.setting_text", path=path, setting=key)
    # A password is taken as written; names and URLs without stray blanks.
    return {key: value if key == "imap_password" else value.strip() for key, value in data.items()}


def _environment_or_settings(variable: str, setting: str) -> str | None:
    """The environment variable `variable` if set, else `setting` of the settings file."""
    return os.environ.get(variable) or load_settings().get(setting) or None


def default_db_url() -> str:
    """`$MODERATOR_DB`, else `db` from the settings file, else a SQLite file in the user
    data directory."""
    given = _environment_or_settings(DB_ENV, "db")
    if given:
        return given
    return f"sqlite:///{data_dir() / 'moderator.db'}"


def imap_password(user: str, host: str) -> str | None:
    """The IMAP password for `user` at `host`, never from a command line:
    `$MODERATOR_IMAP_PASSWORD`, else `imap_password` in the settings file, else the system
    keyring (service "moderator", account "imap://user@host") when the `keyring` package is
    installed. None when none of them has it (the command line then asks)."""
    given = _environment_or_settings(IMAP_PASSWORD_ENV, "imap_password")
    if given:
        return given
    try:
        import keyring
    except ImportError:
        return None
    try:
        return keyring.get_password(APP_NAME, f"imap://{user}@{host}")
    except Exception as exc:  # keyring backends raise their own kinds (no backend, locked)
        log.info("keyring has no IMAP password for %s@%s: %s", user, host, exc)
        return None


def moderator_name(explicit: str | None = None) -> str:
    """`--as`, else `$MODERATOR_NAME`, else `name` from the settings file, else the login."""
    if explicit:
        return explicit
    given = _environment_or_settings(NAME_ENV, "name")
    if given:
        return given
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER", "moderator")


KEYMAP_FILE = "keymap.toml"


def keymap_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / KEYMAP_FILE


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Key remapping by binding id, e.g. `"queue.live" = "L"` or `"undo" = "ctrl+z,u"`.

    Read from `keymap.toml` in the user configuration directory; a missing file means no
    changes, a broken one is a `ConfigError` naming the file.
    """
    path = path or keymap_path()
    data = _user_toml(path, "config.bad_keymap")
    keymap = data.get("keys", data)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        raise ConfigError(key="config.keymap_entry", path=path)
    return dict(keymap)
