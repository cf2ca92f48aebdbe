"""Time every export format for 10,000 question groups (generated German text).

    PYTHONPATH=src python benchmarks/bench_export.py [--groups 10000] [--repeat 3]

Prints the median time per format and the total; the target is under 5 s for all four.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from moderator.domain.models import (
    GENERAL_KEY,
    Channel,
    Event,
    Group,
    Kind,
    Message,
    Project,
    QueueState,
)
from moderator.export import (
    ExportData,
    ExportOptions,
    render_csv,
    render_html,
    render_markdown,
    write_xlsx,
)

PROJECTS = (
    Project("dialog", "Dialog Zivilgesellschaft", "1", 1),
    Project("logistik", "Lokale Logistik", "2", 2),
    Project("dritter-ort", "Dritter Ort", "3", 3),
    Project("cim", "City Information Modelling", "4", 4),
    Project("mobilitaet", "Städtebauliche Wirkung neuer Mobilität", "5", 5),
    Project("lotsen", "Lotsensystem für Sehbehinderte und Blinde", "6", 6),
    Project("infrastruktur", "Smart City Infrastructure", "7", 7),
    Project("datenplattform", "Urbane Datenplattform", "8", 8),
    Project(GENERAL_KEY, "Allgemeine Fragen", "0", 0, general=True),
)
STARTS = ("Wann", "Wie", "Warum", "Wo", "Wer", "Ab wann", "Wie viel", "Inwiefern")
VERBS = ("kommt", "startet", "kostet", "funktioniert", "hilft", "ändert sich", "endet")
THINGS = (
    "der autonome Bus",
    "die Paketstation in der Innenstadt",
    "der Livestream der Stadtratssitzung",
    "das LoRaWAN-Netz",
    "die Urbane Datenplattform",
    "der digitale Zwilling",
    "das Lotsensystem für Blinde",
    "die Beteiligung der Bürger/-innen",
    "die Ladesäule in Erfenbach",
    "der Dritte Ort am Stiftsplatz",
)
TAILS = ("", " für ältere Menschen", " im Westen der Stadt", " – und was kostet das?", " 👍")
ANSWER = (
    "Die Stadt prüft das gemeinsam mit KL.digital. Erste Ergebnisse stellen wir im "
    "Herbst vor; Details unter https://www.kaiserslautern.de/smartcity."
)


def build(count: int, seed: int = 7) -> ExportData:
    rng = random.Random(seed)
    start = datetime(2025, 3, 4, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    keys = [p.key for p in PROJECTS] + [None]
    groups = []
    message_id = 1
    for group_id in range(1, count + 1):
        members = []
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            text = (
                f"{rng.choice(STARTS)} {rng.choice(VERBS)} {rng.choice(THINGS)}{rng.choice(TAILS)}?"
            )
            members.append(
                Message(
                    id=message_id,
                    event_id=1,
                    source_key=f"m{message_id}",
                    channel=rng.choice((Channel.CHAT, Channel.CHAT, Channel.EMAIL)),
                    kind=Kind.QUESTION,
                    text=text,
                    original=text,
                    author=f"Person {message_id}",
                    author_email=None,
                    received_at=start + timedelta(seconds=rng.randrange(5400)),
                    private=False,
                    group_id=group_id,
                )
            )
            message_id += 1
        answered = rng.random() < 0.4
        groups.append(
            Group(
                id=group_id,
                event_id=1,
                title=members[0].text,
                state=QueueState.ANSWERED_WRITING if answered else QueueState.LATER,
                position=None,
                project_key=rng.choice(keys),
                project_confirmed=True,
                suggested_project=None,
                suggested_confidence=0.0,
                answer=ANSWER if answered else "",
                version=1,
                created_at=start,
                members=tuple(members),
                votes=rng.randrange(6),
            )
        )
    event = Event(1, "bench", "Web-Seminar „Modellprojekt Smart Cities“", start)
    return ExportData(event=event, projects=PROJECTS, groups=tuple(groups))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = build(args.groups)
    options = ExportOptions(generated_at=datetime(2025, 3, 12, 9, 30), chart=True)
    formats = {
        "md": lambda: render_markdown(data, options),
        "html": lambda: render_html(data, options),
        "csv": lambda: render_csv(data, options),
        "xlsx": lambda: write_xlsx(data, options, io.BytesIO()),
    }
    members = sum(len(g.members) for g in data.groups)
    print(f"{args.groups} groups, {members} wordings, median of {args.repeat} runs")
    total = 0.0
    for name, run in formats.items():
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            run()
            times.append(time.perf_counter() - began)
        median = statistics.median(times)
        total += median
        print(f"  {name:5s} {median:7.3f} s")
    print(f"  total {total:7.3f} s  (target < 5 s)")


if __name__ == "__main__":
    main()
