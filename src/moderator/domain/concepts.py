"""A small German concept lexicon for civic question-and-answer events.

Citizens ask the same thing in different words: "Was kostet das?" / "Muss ich etwas
bezahlen?" / "Ist das kostenlos?", or "Wie kann ich mitmachen?" / "Wie kann ich mich
beteiligen?". Each class below lists words of one such meaning, written from general
knowledge of how people ask about public projects (not from one event's questions). A token
belongs to a class when it starts with one of the class's stems (stems are stemmed like
tokens; stems of five letters or more also count inside a compound: "liefergebuehr" has
"gebuehr").

Pure Python. Works on the content tokens of `moderator.domain.normalize.tokens` (lowercase,
umlauts spelled out, lightly stemmed).
"""

from __future__ import annotations

from moderator.domain.normalize import stem

__all__ = ["CONCEPT_CLASSES", "concepts"]

#: Concept name -> stems (prefixes, umlaut-free). Short entries (< 5 letters) only match as a
#: whole word or a word start; longer ones also match inside compounds.
CONCEPT_CLASSES: dict[str, tuple[str, ...]] = {
    "cost": (
        "kost",
        "teuer",
        "preis",
        "bezahl",
        "gebuehr",
        "geld",
        "guenstig",
        "billig",
        "gratis",
        "umsonst",
        "entgelt",
        "finanziell",
        "aufpreis",
        "zahlen",
        "zahlt",
    ),
    "participate": (
        "mitmach",
        "beteilig",
        "einbring",
        "teilnehm",
        "teilnahm",
        "mitwirk",
        "engagier",
        "mitgestalt",
        "mitred",
        "partizip",
        "mitarbeit",
        "mitentscheid",
        "einbind",
        "eingebund",
        "einbez",
        "involv",
    ),
    "elderly": ("aelter", "senior", "rentner", "hochbetagt", "betagt", "alte", "alten"),
    "young": ("jugend", "kinder", "kind", "schueler", "junge", "jungen", "teenager"),
    "feedback": (
        "feedback",
        "rueckmeld",
        "anregung",
        "vorschlag",
        "idee",
        "kritik",
        "meinung",
        "beschwerde",
        "hinweis",
        "wunsch",
        "wuensch",
        "einreich",
        "meld",
    ),
    "schedule": (
        "termin",
        "zeitplan",
        "start",
        "beginn",
        "zeitpunkt",
        "datum",
        "losgeh",
        "fertig",
        "abgeschloss",
        "zeitraum",
        "frist",
        "zeitlich",
        "demnaechst",
        "startet",
    ),
    "privacy": (
        "datenschutz",
        "dsgvo",
        "privatsphaer",
        "personenbezog",
        "anonym",
        "ueberwach",
        "tracking",
        "gespeichert",
        "speicher",
        "verpixel",
        "unkenntlich",
        "privat",
    ),
    "online": ("internet", "online", "digital", "web", "netz", "virtuell", "elektronisch"),
    "device": ("smartphone", "handy", "mobiltelefon", "tablet", "iphone", "android"),
    "broadcast": (
        "livestream",
        "stream",
        "live",
        "uebertrag",
        "video",
        "mitschnitt",
        "aufzeichn",
        "mitverfolg",
        "verfolg",
        "zuschau",
        "anseh",
        "anschau",
    ),
    "access": (
        "veroeffentlich",
        "einseh",
        "nachles",
        "zugaeng",
        "zugriff",
        "abruf",
        "bereitstell",
        "bereitgestellt",
        "verfueg",
        "freigab",
        "freigegeb",
        "herunterlad",
        "download",
        "open",
        "zugang",
    ),
    "citizens": (
        "buerg",
        "einwohner",
        "anwohner",
        "bevoelker",
        "oeffentlichkeit",
        "menschen",
        "leute",
        "personen",
        "bewohner",
    ),
    "disability": (
        "behindert",
        "barriere",
        "blind",
        "sehbehind",
        "rollstuhl",
        "inklusi",
        "handicap",
        "augen",
        "gehbehind",
        "rollator",
    ),
    "administration": ("verwaltung", "rathaus", "kommune", "behoerde", "amt", "aemter"),
    "council": ("stadtrat", "gemeinderat", "ratssitzung", "ratsmitglied", "politik"),
    "location": (
        "standort",
        "ort",
        "orte",
        "adresse",
        "stadtteil",
        "viertel",
        "quartier",
        "platzier",
        "aufgestellt",
        "aufstell",
    ),
    "quantity": ("anzahl", "menge", "viele", "wieviel"),
    "continuation": (
        "weiterfuehr",
        "weitergefuehr",
        "fortsetz",
        "fortgesetz",
        "fortfuehr",
        "verstetig",
        "danach",
        "langfristig",
        "dauerhaft",
        "weiterlauf",
        "weitergeh",
        "nachhaltig",
    ),
    "funding": (
        "foerder",
        "zuschuss",
        "subvention",
        "finanzier",
        "budget",
        "bundesmittel",
    ),
    "end": ("ende", "auslauf", "laeuft aus", "aufhoer", "enden", "abschluss", "endet"),
    "safety": ("sicher", "gefahr", "gefaehr", "risiko", "risik", "unfall", "schutz"),
    "health": ("gesundheit", "strahl", "krank", "schaedlich", "belastung", "gesund"),
    "car": ("auto", "pkw", "fahrzeug", "kfz", "wagen"),
    "parking": ("parkplatz", "parkplaetz", "parken", "stellplatz", "parkraum", "parkhaus"),
    "bicycle": ("fahrrad", "rad", "radweg", "lastenrad", "radfahr"),
    "public_transport": ("bus", "busse", "oepnv", "nahverkehr", "bahn", "haltestell", "tram"),
    "delivery": ("liefer", "zustell", "versand", "versend", "verschick", "bringdienst", "paket"),
    "retail": (
        "haendler",
        "geschaeft",
        "laden",
        "laeden",
        "einzelhandel",
        "shop",
        "gewerbe",
        "betrieb",
        "firmen",
        "unternehm",
        "kaufleut",
    ),
    "camera": ("kamera", "gefilmt", "filmen", "aufnahm", "fotografier", "foto", "bilder"),
    "energy": ("strom", "energie", "verbrauch", "solar", "photovoltaik"),
    "environment": ("umwelt", "klima", "co2", "emission", "oekolog"),
    "duration": ("dauer", "dauert", "laufzeit", "befristet", "lange"),
    "evaluation": (
        "erfolg",
        "evaluation",
        "evaluier",
        "auswert",
        "messen",
        "gemessen",
        "wirkung",
        "bilanz",
        "ergebnis",
        "bewert",
        "kennzahl",
    ),
    "responsible": (
        "verantwortlich",
        "zustaendig",
        "ansprechpartn",
        "ansprechperson",
        "kontakt",
        "betreib",
        "leitet",
        "steuert",
        "koordinier",
        "wenden",
    ),
    "support": (
        "hilfe",
        "helfen",
        "hilft",
        "unterstuetz",
        "begleit",
        "schulung",
        "kurs",
        "workshop",
        "erklaer",
        "anleitung",
        "beratung",
    ),
    "usage": ("nutz", "verwend", "einsetz", "einsatz", "anwend", "gebrauch", "benutz"),
    "build": (
        "bau",
        "gebaut",
        "errichte",
        "install",
        "einricht",
        "eingerichtet",
        "entsteh",
        "schaff",
        "umsetz",
        "umgesetz",
        "realisier",
    ),
    "expand": (
        "ausweit",
        "ausgeweitet",
        "ausbau",
        "ausgebaut",
        "erweiter",
        "flaechendeck",
        "ausrollen",
    ),
    "other_cities": (
        "kommunen",
        "staedte",
        "gemeinden",
        "andere",
        "anderen",
        "uebertragbar",
        "nachnutz",
    ),
    "registration": ("anmeld", "angemeld", "registrier", "account", "konto", "login"),
    "software": ("app", "apps", "anwendung", "software", "programm", "plattform", "portal"),
    "language": ("sprache", "englisch", "uebersetz", "fremdsprach", "leichte"),
    "opening_hours": (
        "oeffnungszeit",
        "geoeffnet",
        "uhrzeit",
        "abends",
        "wochenend",
        "rund um die uhr",
        "nachts",
    ),
    "noise": ("laerm", "laut", "geraeusch"),
    "wireless": (
        "wlan",
        "wifi",
        "hotspot",
        "funknetz",
        "5g",
        "mobilfunk",
        "netzabdeck",
        "empfang",
        "lorawan",
    ),
    "data": ("daten", "information", "info", "infos", "datensatz", "datenbank"),
}

_SHORT = 5  # entries shorter than this match only at a word start


def _build() -> tuple[dict[str, frozenset[str]], list[tuple[str, str]]]:
    by_prefix: dict[str, set[str]] = {}
    inner: list[tuple[str, str]] = []
    for name, stems in CONCEPT_CLASSES.items():
        for s in stems:
            s = stem(s.replace(" ", ""))
            by_prefix.setdefault(s, set()).add(name)
            if len(s) >= _SHORT:
                inner.append((s, name))
    return {k: frozenset(v) for k, v in by_prefix.items()}, inner


_BY_PREFIX, _INNER = _build()
_MAX_PREFIX = max(len(k) for k in _BY_PREFIX)
_cache: dict[str, frozenset[str]] = {}
_EMPTY: frozenset[str] = frozenset()


def concepts(token: str) -> frozenset[str]:
    """Names of the concept classes `token` belongs to (empty if none)."""
    found = _cache.get(token)
    if found is not None:
        return found
    names: set[str] = set()
    for end in range(2, min(len(token), _MAX_PREFIX) + 1):
        hit = _BY_PREFIX.get(token[:end])
        if hit:
            names.update(hit)
    if len(token) > _SHORT:
        for s, name in _INNER:
            if s in token:
                names.add(name)
    found = frozenset(names) if names else _EMPTY
    if len(_cache) < 200_000:
        _cache[token] = found
    return found
