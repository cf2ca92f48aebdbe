"""Hand-built domain objects for the export tests: a realistic city webinar Q&A."""

from __future__ import annotations

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

TZ = timezone(timedelta(hours=1))
START = datetime(2025, 3, 4, 18, 0, tzinfo=TZ)
GENERATED = datetime(2025, 3, 12, 9, 30, tzinfo=TZ)

EVENT = Event(
    id=1,
    slug="smart-cities-kl",
    title="Web-Seminar „Modellprojekt Smart Cities“ Kaiserslautern",
    starts_at=START,
)

PROJECTS: tuple[Project, ...] = (
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

_message_ids = iter(range(100, 10_000))


def message(
    group_id: int,
    text: str,
    author: str | None,
    minutes: int,
    channel: Channel = Channel.CHAT,
    email: str | None = None,
) -> Message:
    message_id = next(_message_ids)
    return Message(
        id=message_id,
        event_id=1,
        source_key=f"src-{message_id}",
        channel=channel,
        kind=Kind.QUESTION,
        text=text,
        original=text,
        author=author,
        author_email=email,
        received_at=START + timedelta(minutes=minutes),
        private=False,
        group_id=group_id,
    )


def group(
    group_id: int,
    project: str | None,
    members: list[tuple[str, str | None, int]] | list[Message],
    answer: str = "",
    state: QueueState = QueueState.LATER,
    supporters: int = 0,
    suggested: str | None = None,
    title: str | None = None,
) -> Group:
    built = tuple(
        m if isinstance(m, Message) else message(group_id, m[0], m[1], m[2]) for m in members
    )
    return Group(
        id=group_id,
        event_id=1,
        title=title if title is not None else built[0].text,
        state=state,
        position=None,
        project_key=project,
        project_confirmed=project is not None,
        suggested_project=suggested,
        suggested_confidence=0.8 if suggested else 0.0,
        answer=answer,
        version=1,
        created_at=START,
        members=built,
        # As the repository counts them: every asker plus the "+1"s and reactions.
        votes=len(built) + supporters,
        extra_votes=supporters,
    )


def realistic_groups() -> tuple[Group, ...]:
    """About twenty questions as they arrive in such a webinar, several answered."""
    email = Channel.EMAIL
    return (
        group(
            1,
            "dialog",
            [
                (
                    "Werden die Stadtratssitzungen künftig per Livestream übertragen?",
                    "Anna Beispiel",
                    12,
                ),
                ("Gibt es bald einen Livestream vom Stadtrat?", "Bernd Muster", 14),
                ("Livestream der Ratssitzungen – wann kommt das?", "Clara Probe", 15),
            ],
            answer=(
                "Der Stadtrat hat im Februar beschlossen, seine Sitzungen ab Herbst als "
                "Livestream zu übertragen. Die Aufzeichnungen stehen danach eine Woche lang "
                "in der Mediathek.\n\nMehr dazu: https://www.kaiserslautern.de/stadtrat"
            ),
            state=QueueState.ANSWERED_WRITING,
            supporters=1,
        ),
        group(
            2,
            "dialog",
            [("Wie können sich Jugendliche an den Projekten beteiligen?", "Dana Test", 31)],
            answer=(
                "Über das Jugendparlament und eigene Workshops an Schulen. Die Termine "
                "veröffentlichen wir auf herzlich-digital.de."
            ),
            state=QueueState.ANSWERED_WRITING,
        ),
        group(
            3,
            "logistik",
            [
                (
                    "Welche Händler machen bei der Paketstation in der Innenstadt mit?",
                    "Emil E.",
                    20,
                ),
                (
                    "Kann ich als kleiner Laden ohne eigenen Onlineshop teilnehmen?",
                    "Frieda Fischer",
                    22,
                ),
            ],
            answer=(
                "Teilnehmen kann jedes Geschäft mit Sitz in Kaiserslautern. Ein eigener "
                "Onlineshop ist nicht nötig: die Bestellung läuft über die App Alzura Local."
            ),
            state=QueueState.ANSWERED_WRITING,
        ),
        group(
            4,
            "logistik",
            [("Was kostet die Nutzung der Abholstation für Kundinnen und Kunden?", "Gustav", 40)],
        ),
        group(
            5,
            None,
            [("Wo genau sollen die Dritten Orte entstehen? Gibt es schon Vorschläge?", None, 25)],
            suggested="dritter-ort",
            answer=(
                "Vorschläge sammeln wir bis Ende April über die Beteiligungsplattform. Im "
                "Gespräch sind unter anderem leerstehende Ladenlokale in der Fackelstraße."
            ),
            state=QueueState.ANSWERED_WRITING,
        ),
        group(
            6,
            "dritter-ort",
            [("Was passiert mit dem Quartiersmanagement im Westen der Stadt?", "Hanna", 44)],
            state=QueueState.ANSWERED_LIVE,
        ),
        # cim: no questions -> section left out
        group(
            7,
            "mobilitaet",
            [
                ("Wann fährt der autonome Bus und auf welcher Strecke?", "Ingo", 18),
                ("Autonomer Bus: ab wann und wo?", "Jana", 19),
                ("Gibt es schon einen Termin für das autonome Shuttle?", "Kai", 21),
                ("Wo soll der selbstfahrende Bus fahren?", None, 23),
            ],
            answer=(
                "Die Testphase auf dem Gelände der Universität beginnt im Sommer. Eine "
                "Strecke durch die Innenstadt wird im Arbeitskreis Mobilität geprüft."
            ),
            state=QueueState.ANSWERED_WRITING,
            supporters=2,
        ),
        group(
            8,
            "mobilitaet",
            [
                (
                    "Werden in den Stadtteilen mehr Ladesäulen gebaut?\n"
                    "In Erfenbach gibt es bisher keine einzige.",
                    "Lena",
                    52,
                )
            ],
            supporters=1,
        ),
        group(
            9,
            "lotsen",
            [
                (
                    "Funktioniert das Lotsensystem auch ohne Smartphone, zum Beispiel mit "
                    "einem Blindenstock-Sender?",
                    "Max",
                    33,
                )
            ],
            answer=(
                "Zum Start braucht man ein Smartphone. Gemeinsam mit dem Inklusionsbeirat "
                "prüfen wir, ob zusätzlich akustische Signale an Ampeln eingebunden werden."
            ),
            state=QueueState.ANSWERED_WRITING,
        ),
        group(
            10,
            "infrastruktur",
            [("Wie hoch ist die Strahlenbelastung durch die neuen Sensoren?", "Nora", 28)],
            supporters=2,
        ),
        group(
            11,
            "infrastruktur",
            [("Wird LoRaWAN auch für Privatleute geöffnet?", "Otto", 47)],
        ),
        group(
            12,
            "datenplattform",
            [
                message(12, "Welche Daten werden auf der Plattform veröffentlicht?", "Paula", 35),
                message(
                    12,
                    "Sind die Daten der Urbanen Datenplattform als Open Data verfügbar?",
                    "Quentin",
                    -1440,
                    email,
                    "quentin@example.org",
                ),
            ],
            answer=(
                "Ja. Alle Daten ohne Personenbezug werden unter einer offenen Lizenz "
                "veröffentlicht, zum Beispiel Verkehrszählungen und Umweltmessungen."
            ),
            state=QueueState.ANSWERED_WRITING,
        ),
        group(
            13,
            GENERAL_KEY,
            [
                message(
                    13,
                    "Was kostet das ganze Programm und wer bezahlt es?",
                    "Rita Rechner",
                    -2880,
                    email,
                    "rita@example.org",
                )
            ],
            answer=(
                "Der Bund fördert das Modellprojekt mit bis zu 65 Prozent der Kosten; den "
                "Rest trägt die Stadt."
            ),
            state=QueueState.ANSWERED_WRITING,
            supporters=4,
        ),
        group(
            14,
            None,
            [("Wie kann ich als Bürgerin konkret mitmachen?", "Sabine", 55)],
        ),
        group(
            15,
            "unbekanntes-projekt",
            [("Welche Risiken sehen Sie bei der Digitalisierung der Verwaltung?", "Tom", 58)],
        ),
    )


def realistic_data(groups: tuple[Group, ...] | None = None) -> object:
    from moderator.export.base import ExportData

    return ExportData(
        event=EVENT,
        projects=PROJECTS,
        groups=groups if groups is not None else realistic_groups(),
    )


HOSTILE_TEXTS = (
    "<script>alert(1)</script>",
    "&amp; &lt;b&gt;",
    "# Überschrift",
    "*fett* und _kursiv_",
    "| a | b |\n|---|---|",
    "`code` ```block```",
    "=cmd|' /C calc'!A0",
    "+49 631 365-0",
    "-1",
    "@SUM(A1)",
    "Erste Zeile\nZweite Zeile\n\nDritte Zeile",
    "Emoji 👍🏽 und „Anführungszeichen“ – Bürger/-innen",
    "\x1b[2J Bildschirm gelöscht?",
    "Null\x00Byte",
    "1. Aufzählung\n- Strich\n+ Plus\n> Zitat\n===",
    "[Link](javascript:alert(1)) <b>fett</b> ![x](y)",
)
