from __future__ import annotations

from pathlib import Path

import pytest

from moderator.config import ConfigError, load_config, load_default_config, parse_config


def test_default_config_has_eight_projects_and_general_last() -> None:
    config = load_default_config()
    assert len(config.projects) == 9
    assert config.projects[-1].general and config.projects[-1].name == "Allgemeine Fragen"
    assert [p.hotkey for p in config.projects] == ["1", "2", "3", "4", "5", "6", "7", "8", "0"]
    assert config.by_hotkey("6").name == "Lotsensystem für Sehbehinderte und Blinde"


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "event.toml"
    path.write_text('[event]\nslug = "x"\n\n[[projects]]\nkey = "a"\nname = \n', "utf-8")
    with pytest.raises(ConfigError, match=r"event\.toml:6: invalid TOML: .*line 6"):
        load_config(path)


def test_missing_name_names_project_line() -> None:
    text = '[event]\nslug = "x"\n[[projects]]\nkey = "a"\nname = "A"\n[[projects]]\nkey = "b"\n'
    with pytest.raises(ConfigError, match=r"cfg:6: project #2 has no 'name'"):
        parse_config(text, source="cfg")


def test_duplicate_hotkey_and_bad_keywords() -> None:
    text = (
        '[[projects]]\nkey = "a"\nname = "A"\nhotkey = "1"\n'
        '[[projects]]\nkey = "b"\nname = "B"\nhotkey = "1"\n'
    )
    with pytest.raises(ConfigError, match="cfg:5: hotkey '1' is used twice"):
        parse_config(text, source="cfg")
    with pytest.raises(ConfigError, match="keywords"):
        parse_config('[[projects]]\nkey = "a"\nname = "A"\nkeywords = "x"\n', source="cfg")


def test_general_block_is_added_when_missing() -> None:
    config = parse_config('[[projects]]\nkey = "a"\nname = "A"\nhotkey = "1"\n', source="cfg")
    assert config.projects[-1].general and config.projects[-1].hotkey == "0"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "e.toml"
    path.write_bytes(b'[event]\ntitle = "M\xfcnchen"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_keymap_file(tmp_path: Path) -> None:
    from moderator.config import load_keymap

    assert load_keymap(tmp_path / "missing.toml") == {}
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"queue.live" = "L"\n"undo" = "ctrl+z,u"\n', "utf-8")
    assert load_keymap(path) == {"queue.live": "L", "undo": "ctrl+z,u"}
    path.write_text('"queue.live" = 3\n', "utf-8")
    with pytest.raises(ConfigError, match="binding-id"):
        load_keymap(path)


PROJECT = '[[projects]]\nkey = "a"\nname = "A"\nhotkey = "1"\n'


@pytest.mark.parametrize(
    ("event", "project", "message"),
    [
        ('title = "Web\\u0000seminar"', "", r"cfg:2: title holds a NUL character"),
        ('slug = "' + "s" * 201 + '"', "", r"cfg:2: slug is 201 characters long \(at most 200\)"),
        ('title = "' + "T" * 501 + '"', "", r"cfg:2: title is 501 characters long \(at most 500\)"),
        ('title = "W"', 'description = "S\\u0000"', r"cfg:3: description of project 'a' holds"),
        ('title = "W"', 'keywords = ["LoRa\\u0000WAN"]', r"cfg:3: keywords of project 'a' hold a"),
        ('hosts = ["Moderation\\u0000"]', "", r"cfg:2: hosts hold a NUL character"),
    ],
)
def test_labels_that_no_database_column_holds_are_refused(
    event: str, project: str, message: str
) -> None:
    """PostgreSQL refuses NUL and strings longer than their column (SQLite takes both):
    the configuration says so on every backend, naming the line, before anything is stored."""
    text = f"[event]\n{event}\n{PROJECT.replace('hotkey', project + chr(10) + 'hotkey')}"
    with pytest.raises(ConfigError, match=message):
        parse_config(text, source="cfg")


def test_project_key_and_name_lengths_are_checked() -> None:
    long_key = PROJECT.replace('key = "a"', 'key = "' + "k" * 101 + '"')
    with pytest.raises(ConfigError, match=r"cfg:1: key of project 'k+' is 101 characters"):
        parse_config(long_key, source="cfg")
    long_name = PROJECT.replace('name = "A"', 'name = "' + "N" * 301 + '"')
    with pytest.raises(ConfigError, match=r"cfg:1: name of project 'a' is 301 characters"):
        parse_config(long_name, source="cfg")
