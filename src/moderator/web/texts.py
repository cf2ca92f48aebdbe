"""The pages' own words in German and English (user text is never translated)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "overlay_title": "Frage auf Sendung",
        "stage_title": "Bühne",
        "on_air": "Auf Sendung",
        "next": "Als Nächstes",
        "none": "Gerade keine Frage auf Sendung",
        "empty": "—",
        "presenting": "Jetzt: {name}",
        "askers_one": "1 Person fragt das",
        "askers_many": "{n} Personen fragen das",
        "stale": "Keine Verbindung – zu sehen ist der letzte Stand",
        "forbidden": "Zugang nur mit dem Link, den moderator beim Start ausgegeben hat.",
        "bad_look": "Ungültige Einstellung: {reason}",
    },
    "en": {
        "overlay_title": "Question on air",
        "stage_title": "Stage",
        "on_air": "On air",
        "next": "Next",
        "none": "No question on air right now",
        "empty": "—",
        "presenting": "Now: {name}",
        "askers_one": "1 person asks this",
        "askers_many": "{n} people ask this",
        "stale": "No connection – showing the last known state",
        "forbidden": "Access only with the link moderator printed when it started.",
        "bad_look": "Invalid setting: {reason}",
    },
}


def texts(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["de"])
