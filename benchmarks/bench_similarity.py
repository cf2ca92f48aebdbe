"""Benchmark duplicate lookup: DuplicateIndex.query against a naive rapidfuzz full scan.

Usage: PYTHONPATH=src python benchmarks/bench_similarity.py [--sizes 10000 100000]
       [--queries 1000] [--scan-sample 50] [--seed 7]

Generates realistic German webinar questions (templates x project vocabulary, greetings,
chat-style lower case, ae/oe/ue spellings, random typos; seeded RNG), builds an index of
N existing questions, then times `query` for new questions (one core, wall clock per call).
The naive baseline scores every existing question with `fuzz.token_set_ratio` on
normalised text via `process.extract`; it is timed on a sample of queries only.
Targets: p95 <= 5 ms at 10k, <= 20 ms at 100k.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from rapidfuzz import fuzz, process

from moderator.domain.duplicate_index import DuplicateIndex
from moderator.domain.normalize import normalize

SUBJECTS = {
    "dialog": [
        "die Stadtratssitzungen",
        "das Jugendparlament",
        "die Bürgerbeteiligung",
        "die Beteiligungsplattform",
        "die Bürgerversammlung",
        "die Protokolle des Stadtrats",
        "der Livestream aus dem Rathaus",
        "die Feedback-Runde",
    ],
    "logistik": [
        "die Paketstationen",
        "die Alzura-Local-App",
        "die lokale Lieferung",
        "die Lastenräder",
        "der Lieferdienst",
        "die teilnehmenden Händler",
        "die Abholstation am Bahnhof",
        "der Einzelhandel in der Innenstadt",
    ],
    "dritter-ort": [
        "die Dritten Orte",
        "das Quartiersmanagement",
        "die Leerstände in der Fußgängerzone",
        "der Treffpunkt am Stiftsplatz",
        "Stadt.Raum.Wir.",
        "die Begegnungsorte",
    ],
    "cim": [
        "der digitale Zwilling",
        "das 3D-Stadtmodell",
        "die Panoramabilder",
        "die Geodaten",
        "die Bauleitplanung",
        "die Simulationen",
    ],
    "mobilitaet": [
        "der autonome Bus",
        "die Ladesäulen",
        "die Radwege",
        "die E-Scooter",
        "das Carsharing",
        "der Arbeitskreis Mobilität",
        "die Parkplätze",
        "der ÖPNV",
    ],
    "lotsen": [
        "das Lotsensystem",
        "die Beacons",
        "die Navigations-App für Blinde",
        "der Inklusionsbeirat",
        "das Leitsystem",
    ],
    "infrastruktur": [
        "das LoRaWAN-Netz",
        "das freie WLAN",
        "die smarten Straßenlaternen",
        "die Sensoren",
        "das 5G-Netz",
        "die Glasfaser",
    ],
    "plattform": [
        "die Urbane Datenplattform",
        "die Open Data",
        "die Verkehrsdaten",
        "die Sensordaten",
        "die Datenhoheit",
        "die Open-Source-Software",
    ],
    "general": [
        "das Modellprojekt",
        "die Förderung",
        "die Digitalstrategie",
        "die Folien",
        "die Aufzeichnung",
        "die Online-Dienste der Verwaltung",
    ],
}
TEMPLATES = [
    "Wo {verb} {subject}?",
    "Wann {verb} {subject}?",
    "Wer {verb} {subject}?",
    "Wie viel kostet {subject}?",
    "Wie funktioniert {subject} genau?",
    "Was passiert mit {subject} nach der Förderung?",
    "Gibt es für {subject} schon einen Zeitplan?",
    "Wie können Bürger*innen bei {subject} mitreden?",
    "Ist {subject} auch barrierefrei?",
    "Welche Daten sammelt {subject}?",
    "Warum braucht die Stadt {subject}?",
    "Können Senioren {subject} auch nutzen?",
    "Wird {subject} auch in den Stadtteilen {verb}?",
    "Wie sicher ist {subject}?",
    "Wer bezahlt {subject} eigentlich?",
]
VERBS = [
    "eingeführt",
    "aufgestellt",
    "gebaut",
    "betrieben",
    "finanziert",
    "geplant",
    "erweitert",
    "kommen",
    "stehen",
    "starten",
]
PREFIXES = [
    "",
    "",
    "",
    "Hallo, ",
    "Guten Abend! ",
    "Ich hätte eine Frage: ",
    "mich würde interessieren: ",
]
SUFFIXES = ["", "", "", " Danke!", " Vielen Dank.", " :)", "??"]
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
LETTERS = "abcdefghijklmnopqrstuvwxyzäöü"


def typo(text: str, rng: random.Random) -> str:
    """One random keyboard slip: drop, double, swap or replace a letter."""
    i = rng.randrange(len(text))
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice(LETTERS) + text[i + 1 :]


def make_question(rng: random.Random) -> str:
    project = rng.choice(list(SUBJECTS))
    subject = rng.choice(SUBJECTS[project])
    text = rng.choice(TEMPLATES).format(verb=rng.choice(VERBS), subject=subject)
    text = text[0].upper() + text[1:]
    text = rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    if rng.random() < 0.3:
        text = text.lower().rstrip("?!.")
    if rng.random() < 0.2:
        text = text.translate(UMLAUTS)
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        text = typo(text, rng)
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(size: int, queries: int, scan_sample: int, seed: int) -> None:
    rng = random.Random(seed)
    existing = [make_question(rng) for _ in range(size)]
    new = [make_question(rng) for _ in range(queries)]

    index = DuplicateIndex()
    start = time.perf_counter()
    for item_id, text in enumerate(existing):
        index.add(item_id, text)
    build = time.perf_counter() - start

    latencies = []
    for text in new:
        t0 = time.perf_counter()
        index.query(text, limit=5)
        latencies.append((time.perf_counter() - t0) * 1000)

    normalized = [normalize(t) for t in existing]
    scan = []
    for text in new[:scan_sample]:
        t0 = time.perf_counter()
        process.extract(normalize(text), normalized, scorer=fuzz.token_set_ratio, limit=5)
        scan.append((time.perf_counter() - t0) * 1000)

    med, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    scan_med = statistics.median(scan)
    print(
        f"N={size:>7,}  build {build:6.2f} s ({build / size * 1e6:5.1f} µs/question)  "
        f"query median {med:6.2f} ms  p95 {p95:6.2f} ms  max {max(latencies):6.2f} ms  "
        f"| full scan token_set_ratio median {scan_med:7.2f} ms "
        f"(n={len(scan)})  speed-up x{scan_med / med:5.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--scan-sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print("examples:", *(repr(make_question(rng)) for _ in range(4)), sep="\n  ")
    for size in args.sizes:
        bench(size, args.queries, args.scan_sample, args.seed)


if __name__ == "__main__":
    main()
