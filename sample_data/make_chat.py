"""Generate the chat sample files, phone.txt and expected.md from one annotated source.

Run from the repository root:  python sample_data/make_mail.py && python sample_data/make_chat.py

The message texts below are the sample content; the annotations (kind, project, duplicate of,
vote for) are the ground truth written to expected.md. Everything is fictional.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_mail import MAILS  # noqa: E402

ZOOM_DIR = HERE / "zoom" / "2020-06-19 18.00.00 Web-Seminar Smart Cities"
ZOOM_FILE = ZOOM_DIR / "meeting_saved_chat.txt"
BBB_FILE = HERE / "bbb" / "bbb-Smart-Cities-Sprechstunde[public-chat]_2020-06-26_18-00.txt"
PHONE_FILE = HERE / "phone.txt"
EXPECTED_FILE = HERE / "expected.md"

MOD = "Moderation KL.digital"
PROJECT_ORDER = [
    "dialog",
    "logistik",
    "dritter-ort",
    "cim",
    "mobilitaet",
    "lotsen",
    "infrastruktur",
    "datenplattform",
    "general",
]

Q, V, C = "question", "vote", "chatter"


@dataclass
class Msg:
    time: str
    author: str
    text: str
    kind: str
    project: str | None = None
    ref: str | None = None  # label of this question, used by dup/vote/reply/react
    dup: str | None = None  # label of the question this one duplicates
    vote: str | None = None  # label of the question this vote counts for
    reply: str | None = None  # label of the parent (Zoom reply)
    react: str | None = None  # label of the parent (Zoom reaction)
    to: str = "Everyone"
    note: str = ""


# --------------------------------------------------------------------------------------------
# Zoom, 19 June 2020, 18:00-19:05 (wall clock of the moderator's PC, who saved the chat)
# --------------------------------------------------------------------------------------------
ZOOM: list[Msg] = [
    Msg(
        "18:00:12",
        MOD,
        "Herzlich willkommen zum Web-Seminar „Modellprojekt Smart Cities“! "
        "Wir starten um 18:05 Uhr. Ihre Fragen können Sie jederzeit hier in den Chat "
        "schreiben – wir sammeln sie und ordnen sie den Projekten zu.",
        C,
        note="announcement",
    ),
    Msg("18:00:41", "Petra Kühn", "Guten Abend zusammen!", C, note="greeting"),
    Msg("18:00:58", "Ursula Brandt", "Hallo aus dem Betzenberg 👋", C, note="greeting"),
    Msg(
        "18:01:47",
        "Bäckerei an der Lauter",
        "Guten Abend aus der Innenstadt! Wir sind gespannt, was für uns Einzelhändler dabei ist.",
        C,
        note='greeting; display name contains " an "',
    ),
    Msg("18:02:05", "Hans-Peter Lehmann", "ich höre nichts", C, note="tech trouble"),
    Msg(
        "18:02:19",
        "Gabriele Hahn",
        "Hallo, ist das hier schon live? Ich sehe nur ein schwarzes Bild",
        C,
        note="tech trouble with a question mark",
    ),
    Msg(
        "18:02:33",
        MOD,
        "@Hans-Peter Lehmann: Bitte unten links bei „Audio“ prüfen, ob der "
        "richtige Lautsprecher ausgewählt ist. @Gabriele Hahn: Wir beginnen um 18:05 Uhr.",
        C,
        note="moderator answers tech trouble",
    ),
    Msg("18:02:58", "Hans-Peter Lehmann", "jetzt gehts, danke!", C, note="tech trouble solved"),
    Msg("18:03:30", "Fatma Yilmaz", "Guten Abend aus Kaiserslautern-West", C, note="greeting"),
    Msg(
        "18:04:10",
        "iPad von Sabine",
        "Hallo, hier ist Sabine Hoffmann, mein Name wird komisch angezeigt 😅",
        C,
        note="greeting; device name as display name",
    ),
    Msg(
        "18:05:02",
        MOD,
        "Los geht’s! Folien und Aufzeichnung finden Sie im Anschluss hier: "
        "https://www.example.de/smart-cities/webseminar?datum=2020-06-19&folien=1",
        C,
        note="announcement with link containing ? and &",
    ),
    Msg(
        "18:06:14",
        "Anja Götz",
        "Folien sind nicht zu sehen, nur der Sprecher",
        C,
        note="tech trouble",
    ),
    Msg(
        "18:06:30",
        "Rainer Schwab",
        "bei mir auch keine folien",
        C,
        note='tech trouble ("bei mir auch" is not a vote)',
    ),
    Msg(
        "18:06:55",
        MOD,
        "Danke für den Hinweis, die Bildschirmfreigabe ist jetzt aktiv.",
        C,
        note="moderator",
    ),
    Msg("18:07:20", "Helga Neumann", "Ton ist weg", C, note="tech trouble"),
    Msg(
        "18:08:40",
        "Wolfgang Reiß",
        "Warum steht im Link [bold] und <b>? In der Einladungsmail sah der noch normal aus.",
        C,
        note="tech trouble; looks like markup, must be shown literally",
    ),
    Msg(
        "18:09:05",
        MOD,
        "Wir starten mit Projekt 1 „Dialog Zivilgesellschaft“. Gern den "
        "Projektnamen zur Frage dazuschreiben 🙂",
        C,
        note="announcement",
    ),
    # --- 1 Dialog Zivilgesellschaft
    Msg(
        "18:10:22",
        "Ursula Brandt",
        "Werden die Sitzungen des Stadtrats künftig per "
        "Livestream übertragen? In anderen Städten gibt es das längst, und gerade jetzt in "
        "Corona-Zeiten kann nicht jeder in den Ratssaal kommen.",
        Q,
        "dialog",
        ref="Z-dialog-1",
    ),
    Msg("18:10:40", "Dieter Lang", "+1", V, vote="Z-dialog-1"),
    Msg(
        "18:11:35",
        "Claudia Wirth",
        "Wie genau sollen Bürgerinnen und Bürger beteiligt "
        "werden – nur online, oder gibt es auch Veranstaltungen vor Ort für Menschen, die "
        "nicht so internetaffin sind?",
        Q,
        "dialog",
        ref="Z-dialog-2",
    ),
    Msg(
        "18:12:48",
        "Kevin Roth",
        "kommt jetzt endlich der livestream vom stadtrat?? wird seit jahren versprochen",
        Q,
        "dialog",
        ref="Z-dialog-3",
        dup="Z-dialog-1",
    ),
    Msg(
        "18:13:30",
        "Lea Fuchs",
        "Wird das Jugendparlament bei den Smart-City-Projekten "
        "eingebunden? Viele Jugendliche haben richtig gute Ideen, werden aber selten "
        "gefragt.",
        Q,
        "dialog",
        ref="Z-dialog-4",
    ),
    Msg("18:13:52", "Moritz Engel", "", V, react="Z-dialog-4", vote="Z-dialog-4"),
    Msg(
        "18:14:20",
        "Marion Seibert",
        "Zum Thema Dialog hätte ich zwei Fragen:\n"
        "1. Wie erfährt man als Bürgerin rechtzeitig von Beteiligungsmöglichkeiten, wenn man "
        "nicht auf Facebook ist?\n"
        "2. Bekommt man eine Rückmeldung, was aus den eigenen Vorschlägen geworden ist?",
        Q,
        "dialog",
        ref="Z-dialog-5",
        note="multi-line, two numbered questions in one message",
    ),
    # --- 2 Lokale Logistik
    Msg("18:15:02", MOD, "Weiter geht’s mit Projekt 2 „Lokale Logistik“.", C, note="announcement"),
    Msg(
        "18:15:48",
        "Jonas Weber",
        "Wird es eine Liste der Händler geben, die bei der Lokalen "
        "Logistik mitmachen?\nIch habe selbst einen Laden in der Innenstadt.",
        Q,
        "logistik",
        ref="Z-logistik-1",
        note="two lines",
    ),
    Msg(
        "18:16:30",
        "Bäckerei an der Lauter",
        "Was kostet die Teilnahme an der Lieferlogistik "
        "für einen kleinen Betrieb wie unseren? Und müssen wir dafür die Alzura-App nutzen "
        "oder geht auch unser eigener Webshop?",
        Q,
        "logistik",
        ref="Z-logistik-2",
        note='two questions in one; author name contains " an "',
    ),
    Msg(
        "18:17:05",
        "Stefanie Jung",
        "Wo sollen die Paketstationen aufgestellt werden? Am "
        "Hauptbahnhof wäre super, da komme ich jeden Tag vorbei.",
        Q,
        "logistik",
        ref="Z-logistik-3",
    ),
    Msg(
        "18:17:40",
        "Markus Groß",
        "welche geschaefte machen den bei der lokalen logistik mit, gibts da ne liste?",
        Q,
        "logistik",
        ref="Z-logistik-4",
        dup="Z-logistik-1",
        note="lowercase, ae for ä, typo den/denn",
    ),
    Msg("18:17:58", "Petra Kühn", "", V, react="Z-logistik-1", vote="Z-logistik-1"),
    Msg(
        "18:18:45",
        "Ömer Demir",
        "Können auch Händler außerhalb der Innenstadt mitmachen, "
        "z. B. in Hohenecken oder auf dem Einsiedlerhof? Und werden die Lieferungen mit "
        "E-Lastenrädern gemacht?",
        Q,
        "logistik",
        ref="Z-logistik-5",
        note="near miss of Z-logistik-1 (not a duplicate)",
    ),
    Msg(
        "18:19:10",
        "Karl-Heinz Becker",
        "Das würde mich auch interessieren",
        V,
        reply="Z-logistik-1",
        vote="Z-logistik-1",
        note="reply that only agrees",
    ),
    # --- 3 Dritter Ort
    Msg(
        "18:20:05",
        MOD,
        "Projekt 3: „Dritter Ort“ – öffentliche, nichtkommerzielle Orte der "
        "Begegnung in der Innenstadt.",
        C,
        note="announcement",
    ),
    Msg(
        "18:20:50",
        "Nina Bauer",
        "Wo genau sollen die Dritten Orte entstehen? Gibt es schon "
        "konkrete Standorte, zum Beispiel leerstehende Ladenlokale in der Fackelstraße?",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-1",
    ),
    Msg(
        "18:21:40",
        "Frank Dietz",
        "Was ist eigentlich mit „Dritter Ort“ gemeint? Der erste "
        "ist das Zuhause, der zweite die Arbeit – aber wer entscheidet, was der dritte wird?",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-2",
    ),
    Msg(
        "18:22:25",
        "Julia Brenner",
        "an welchen stellen in der innenstadt soll der dritte ort den hinkommen?",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-3",
        dup="Z-dritter-ort-1",
        note="lowercase, typo den/denn",
    ),
    Msg(
        "18:23:10",
        "Lea Fuchs",
        "Wird es in den Dritten Orten auch Angebote am Abend und "
        "am Wochenende geben, oder nur zu Bürozeiten? Und muss man dort etwas konsumieren?",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-4",
    ),
    Msg(
        "18:24:02",
        "Gabriele Hahn",
        "Wie hängt der Dritte Ort mit dem Quartiersmanagement "
        "in der Innenstadt-West zusammen? Dort gibt es ja schon Treffpunkte.",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-5",
    ),
    Msg(
        "18:24:30", "Birgit Kaiser", "Das würde mich auch interessieren", V, vote="Z-dritter-ort-5"
    ),
    # --- 4 City Information Modelling
    Msg(
        "18:25:04",
        MOD,
        "Projekt 4: „City Information Modelling“ – der digitale Zwilling der Stadt.",
        C,
        note="announcement",
    ),
    Msg(
        "18:25:55",
        "Miriam Schäfer",
        "Wird das digitale Stadtmodell öffentlich zugänglich "
        "sein, also kann ich als Bürgerin selbst darin herumklicken und z. B. geplante "
        "Bauprojekte ansehen?",
        Q,
        "cim",
        ref="Z-cim-1",
    ),
    Msg(
        "18:26:40",
        "Georg Adam",
        "Mit welcher Software wird der digitale Zwilling gebaut, "
        "und werden die 3D-Daten als Open Data veröffentlicht?",
        Q,
        "cim",
        ref="Z-cim-2",
        note="mentions Open Data but belongs to CIM",
    ),
    Msg(
        "18:27:33",
        "Elke Schuster",
        "kann man den digitalen zwilling als buerger selber "
        "anschauen oder ist das nur fuer die verwaltung?",
        Q,
        "cim",
        ref="Z-cim-3",
        dup="Z-cim-1",
        note="lowercase, ue for ü",
    ),
    Msg(
        "18:28:20",
        "Helga Neumann",
        "Werden für die Panoramabilder wieder Autos durch die "
        "Straßen fahren wie bei Google Street View? Werden Gesichter und Kennzeichen "
        "verpixelt?",
        Q,
        "cim",
        ref="Z-cim-4",
    ),
    Msg(
        "18:29:10",
        "Frank Dietz",
        "Kann man mit dem Stadtmodell simulieren, wie sich ein "
        "Neubau auf Verschattung und Frischluftschneisen auswirkt?",
        Q,
        "cim",
        ref="Z-cim-5",
    ),
    # --- 5 Städtebauliche Wirkung neuer Mobilität
    Msg(
        "18:30:02",
        MOD,
        "Projekt 5: „Städtebauliche Wirkung neuer Mobilität“.",
        C,
        note="announcement",
    ),
    Msg(
        "18:30:45",
        "Timo Krämer",
        "Wann fahren die ersten autonomen Busse in "
        "Kaiserslautern, und auf welcher Strecke sollen sie eingesetzt werden?",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-1",
    ),
    Msg("18:31:02", "Lukas Zimmermann", "+1", V, vote="Z-mobilitaet-1"),
    Msg(
        "18:31:50",
        "Sophie Keller",
        "Wie viele öffentliche Ladesäulen für E-Autos sind "
        "geplant? In unserer Straße auf dem Kotten gibt es keine einzige, und ohne Garage "
        "kann man nicht laden.",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-2",
    ),
    Msg(
        "18:32:40",
        "Yvonne Kurz",
        "ab wann gibts die selbstfahrenden busse und wo fahren die lang?",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-3",
        dup="Z-mobilitaet-1",
        note="lowercase, other words",
    ),
    Msg(
        "18:33:25",
        "Herbert Vogt",
        "Mich würde interessieren, wie verhindert wird, dass "
        "durch neue Mobilitätsangebote noch mehr Verkehr durch die Wohngebiete rollt, etwa "
        "in der Pariser Straße.",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-4",
        note='question without "?" ("Mich würde interessieren, ...")',
    ),
    Msg(
        "18:34:15",
        "Stefanie Jung",
        "Kann man sich im Arbeitskreis Mobilität als "
        "Bürgerin beteiligen, und wann trifft der sich?",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-5",
    ),
    Msg(
        "18:34:50",
        "Mehmet Aydın",
        "Werden die autonomen Busse schon dieses Jahr getestet? Auf welcher Linie?",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-6",
        dup="Z-mobilitaet-1",
        note="author name with dotless ı",
    ),
    # --- 6 Lotsensystem für Sehbehinderte und Blinde
    Msg(
        "18:35:03",
        MOD,
        "Projekt 6: „Lotsensystem für Sehbehinderte und Blinde“.",
        C,
        note="announcement",
    ),
    Msg(
        "18:35:50",
        "Herbert Vogt",
        "Ist der Inklusionsbeirat beim Lotsensystem für Blinde "
        "mit im Boot? Die Betroffenen sollten von Anfang an mitreden.",
        Q,
        "lotsen",
        ref="Z-lotsen-1",
    ),
    Msg(
        "18:36:40",
        "iPad von Sabine",
        "Funktioniert das Lotsensystem auch ohne Smartphone? "
        "Viele ältere blinde Menschen haben keins oder kommen mit der Sprachausgabe nicht "
        "klar.",
        Q,
        "lotsen",
        ref="Z-lotsen-2",
    ),
    Msg(
        "18:37:30",
        "Claudia Wirth",
        "braucht man fuer das lotsensytem zwingend ein "
        "smartphone? meine mutter ist blind und hat nur ein altes handy mit tasten",
        Q,
        "lotsen",
        ref="Z-lotsen-3",
        dup="Z-lotsen-2",
        note="lowercase, ue, typo lotsensytem",
    ),
    Msg(
        "18:38:15",
        "Anja Götz",
        "Wie genau funktionieren die Beacons – muss man dafür "
        "Bluetooth dauerhaft anhaben, und was passiert mit den Bewegungsdaten?",
        Q,
        "lotsen",
        ref="Z-lotsen-4",
    ),
    Msg(
        "18:39:05",
        "Fatma Yilmaz",
        "Und wer bezahlt eigentlich die Wartung der Beacons, wenn die Förderung ausläuft?",
        Q,
        "lotsen",
        ref="Z-lotsen-5",
        reply="Z-lotsen-4",
        note="reply that adds a follow-up question (new question, not a duplicate)",
    ),
    # --- 7 Smart City Infrastructure
    Msg(
        "18:40:02",
        MOD,
        "Projekt 7: „Smart City Infrastructure“ – Sensoren, Netze, Straßenbeleuchtung.",
        C,
        note="announcement",
    ),
    Msg(
        "18:40:50",
        "Wolfgang Reiß",
        "Wie sieht es mit der Strahlenbelastung durch die vielen "
        "neuen Sensoren und das 5G-Netz aus? Gibt es dazu unabhängige Messungen?",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-1",
    ),
    Msg(
        "18:41:35",
        "Moritz Engel",
        "Wird das LoRaWAN-Netz auch für Bürgerinnen, Vereine "
        "und Schulen offen sein, damit man eigene Sensoren anschließen kann?",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-2",
    ),
    Msg(
        "18:42:20",
        "Rainer Schwab",
        "sind die sensoren und das 5g gesundheitlich unbedenklich?? stichwort strahlung",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-3",
        dup="Z-infrastruktur-1",
        note="lowercase, other words",
    ),
    Msg(
        "18:43:00",
        "Stefanie Jung",
        "Werden die smarten Straßenlaternen nachts gedimmt, "
        "wenn niemand unterwegs ist? Das würde Strom sparen und Insekten schützen.",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-4",
    ),
    Msg(
        "18:43:50",
        "Bäckerei an der Lauter",
        "Gibt es bald kostenloses WLAN in der Fußgängerzone? Unsere Kundschaft fragt öfter danach.",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-5",
    ),
    Msg("18:44:10", "Nina Bauer", "+1 fürs WLAN", V, vote="Z-infrastruktur-5"),
    Msg(
        "18:44:40",
        "Kevin Roth",
        "wann kommt glasfaser nach morlautern?",
        Q,
        "infrastruktur",
        ref="Z-infrastruktur-6",
        note="short, lowercase",
    ),
    # --- 8 Urbane Datenplattform
    Msg("18:45:02", MOD, "Projekt 8: „Urbane Datenplattform“.", C, note="announcement"),
    Msg(
        "18:45:40",
        "Miriam Schäfer",
        "Ist die Datenplattform Open Source? Ich frage lieber "
        "privat, ich arbeite bei einem Softwarehaus.",
        Q,
        "datenplattform",
        ref="Z-datenplattform-1",
        to=f"{MOD}(Direct Message)",
        note="direct message to the moderator (private)",
    ),
    Msg(
        "18:46:30",
        "Hans-Peter Lehmann",
        "Wem gehören die Daten auf der Plattform, und wer "
        "hat alles Zugriff darauf? Werden die Daten an Firmen verkauft?",
        Q,
        "datenplattform",
        ref="Z-datenplattform-2",
    ),
    Msg(
        "18:47:15",
        "Moritz Engel",
        "Wird die Software der Datenplattform als Open Source "
        "veröffentlicht, damit andere Kommunen sie nachnutzen können?",
        Q,
        "datenplattform",
        ref="Z-datenplattform-3",
        dup="Z-datenplattform-1",
        note="public duplicate of the private DM",
    ),
    Msg(
        "18:48:00",
        "Lea Fuchs",
        "wer hat den zugriff auf die ganzen daten? und was ist mit datenschutz??",
        Q,
        "datenplattform",
        ref="Z-datenplattform-4",
        dup="Z-datenplattform-2",
        note="lowercase, typo den/denn",
    ),
    Msg(
        "18:48:45",
        "Georg Adam",
        "Wird es eine offene Schnittstelle (API) geben, über die "
        "man z. B. die Parkhausbelegung oder die Luftqualität abrufen kann?",
        Q,
        "datenplattform",
        ref="Z-datenplattform-5",
    ),
    Msg(
        "18:49:10",
        "Frank Dietz",
        "Schließe mich der Frage von Georg Adam an",
        V,
        vote="Z-datenplattform-5",
        note="vote naming the asker",
    ),
    # --- questions and answers, general
    Msg(
        "18:50:05",
        MOD,
        "Vielen Dank für die vielen Fragen! Wir beantworten jetzt so viele "
        "wie möglich live. Was offen bleibt, beantworten wir schriftlich auf "
        "https://www.example.de/smart-cities/fragen",
        C,
        note="announcement with link",
    ),
    Msg(
        "18:50:50",
        "Marion Seibert",
        "Was kostet das ganze Modellprojekt, und wie hoch ist "
        "der Eigenanteil der Stadt? Das Geld fehlt dann doch woanders, etwa bei den Schulen.",
        Q,
        "general",
        ref="Z-general-1",
    ),
    Msg(
        "18:51:40",
        "Dieter Lang",
        "Welche Risiken sehen Sie bei der Digitalisierung der "
        "Stadt – Stichwort Hackerangriffe auf die Verwaltung?",
        Q,
        "general",
        ref="Z-general-2",
    ),
    Msg(
        "18:52:30",
        "Julia Brenner",
        "Wie kann ich mich als Bürgerin konkret einbringen, wenn "
        "ich bei einem der Projekte mitmachen möchte?",
        Q,
        "general",
        ref="Z-general-3",
    ),
    Msg(
        "18:53:15",
        "Ömer Demir",
        "wie hoch is denn der eigenanteil der stadt bei den foerdergeldern",
        Q,
        "general",
        ref="Z-general-4",
        dup="Z-general-1",
        note='lowercase, oe for ö, typo is/ist, no "?"',
    ),
    Msg(
        "18:54:00",
        "Elke Schuster",
        "Wann kann ich endlich einen Termin im Bürgercenter "
        "online buchen oder meinen Personalausweis online beantragen?",
        Q,
        "general",
        ref="Z-general-5",
    ),
    Msg(
        "18:54:45",
        "Sophie Keller",
        "wo kann man sich melden wenn man mitmachen will? gibts ne mailadresse?",
        Q,
        "general",
        ref="Z-general-6",
        dup="Z-general-3",
        note="lowercase, other words",
    ),
    Msg(
        "18:55:30",
        "Karl-Heinz Becker",
        "Wie profitieren die lokalen Unternehmen und "
        "Handwerksbetriebe von der Digitalstrategie, oder gehen die Aufträge am Ende an "
        "große IT-Konzerne?",
        Q,
        "general",
        ref="Z-general-7",
    ),
    Msg("18:56:00", "Gabriele Hahn", "Das würde mich auch interessieren!", V, vote="Z-general-7"),
    Msg(
        "18:56:40",
        "Yvonne Kurz",
        "Nochmal zum Dritten Ort: Wer betreibt den Ort später, "
        "und was passiert nach dem Ende der Förderung?",
        Q,
        "dritter-ort",
        ref="Z-dritter-ort-6",
        note="late question for an earlier project",
    ),
    Msg(
        "18:57:30",
        "Rainer Schwab",
        "Wird es einen Livestream der Ratssitzungen geben, damit "
        "man auch von zu Hause zuschauen kann?",
        Q,
        "dialog",
        ref="Z-dialog-6",
        dup="Z-dialog-1",
        note="late duplicate, 47 minutes after the first wording",
    ),
    Msg(
        "18:57:55",
        "Julia Brenner",
        "",
        V,
        react="Z-dialog-6",
        vote="Z-dialog-6",
        note='reaction snippet shares the prefix "Wird es eine" with Z-logistik-1',
    ),
    Msg(
        "18:58:30",
        MOD,
        "Wir haben noch etwa 5 Minuten. Weitere Fragen bitte trotzdem in den "
        "Chat, sie gehen nicht verloren.",
        C,
        note="announcement",
    ),
    Msg(
        "18:59:10",
        "Helga Neumann",
        "Ist das Lotsensystem auch für Rollstuhlfahrer gedacht, "
        "z. B. mit Hinweisen auf Stufen und Baustellen?",
        Q,
        "lotsen",
        ref="Z-lotsen-6",
    ),
    Msg(
        "19:00:05",
        "Karl-Heinz Becker",
        "Gibt es Pläne für Carsharing-Stationen mit "
        "E-Autos in den Stadtteilen, nicht nur in der Innenstadt?",
        Q,
        "mobilitaet",
        ref="Z-mobilitaet-7",
    ),
    Msg(
        "19:00:50",
        "Birgit Kaiser",
        "Wird die Aufzeichnung dieses Web-Seminars online gestellt?",
        Q,
        "general",
        ref="Z-general-8",
        note="organisational question, answered by the moderator in the chat",
    ),
    Msg(
        "19:01:15",
        MOD,
        "@Birgit Kaiser: Ja, Aufzeichnung und Folien stehen ab Montag unter "
        "https://www.example.de/smart-cities/webseminar?datum=2020-06-19&folien=1 bereit.",
        C,
        note="moderator answer with link",
    ),
    Msg(
        "19:02:00",
        MOD,
        "Nächste Gelegenheit für Fragen: Online-Sprechstunde am 26. Juni um "
        "18 Uhr (BigBlueButton), der Link kommt per Mail.",
        C,
        note="announcement",
    ),
    Msg("19:02:40", "Petra Kühn", "Vielen Dank für die tolle Veranstaltung!", C, note="thanks"),
    Msg(
        "19:02:55",
        "Lukas Zimmermann",
        "Danke, sehr informativ 👍",
        C,
        note="thanks (emoji, not a reaction)",
    ),
    Msg("19:03:10", "Fatma Yilmaz", "Dankeschön und noch einen schönen Abend", C, note="thanks"),
    Msg("19:04:20", "Anja Götz", "Danke! Bis zur Sprechstunde", C, note="thanks"),
    Msg(
        "19:04:40",
        MOD,
        "Vielen Dank an alle fürs Dabeisein und die vielen Fragen! Einen schönen Abend.",
        C,
        note="closing",
    ),
    Msg("19:05:00", "Birgit Kaiser", "Danke, tschüss!", C, note="thanks"),
]

# --------------------------------------------------------------------------------------------
# BigBlueButton 2.x, 26 June 2020, follow-up office hour
# --------------------------------------------------------------------------------------------
POLL = (
    "Umfrageergebnisse\n"
    "Mobilität: 6 | 33%\n"
    "Dritter Ort: 5 | 28%\n"
    "Datenplattform: 4 | 22%\n"
    "Lotsensystem: 3 | 17%"
)
BBB: list[Msg] = [
    Msg(
        "18:00",
        "",
        "Willkommen zu Smart-Cities-Sprechstunde! Um zu erfahren, wie "
        "BigBlueButton funktioniert, schauen Sie sich diese kurzen Tutorial-Videos an.",
        C,
        note="system welcome line, no sender",
    ),
    Msg(
        "18:01",
        MOD,
        "Herzlich willkommen zur Sprechstunde! Fragen bitte einfach hier in den Chat schreiben.",
        C,
        note="announcement",
    ),
    Msg("18:02", "Petra Kühn", "Hallo zusammen, diesmal mit BBB 🙂", C, note="greeting"),
    Msg("18:02", "Rainer Schwab", "hallo", C, note="greeting"),
    Msg(
        "18:03",
        "Hans-Peter Lehmann",
        "Mikro geht nicht, ich schreibe nur mit",
        C,
        note="tech trouble",
    ),
    Msg(
        "18:04",
        "Ursula Brandt",
        "Gibt es inzwischen eine Entscheidung, ob die Stadtratssitzungen gestreamt werden?",
        Q,
        "dialog",
        ref="B-dialog-1",
        dup="Z-dialog-1",
    ),
    Msg("18:05", "Nina Bauer", "+1", V, vote="B-dialog-1"),
    Msg(
        "18:06",
        "Jonas Weber",
        "Ich hätte noch eine Frage zur Lokalen Logistik:\n"
        "Wie kommen die Waren vom Laden zur Paketstation?\n"
        "Holt die jemand ab oder müssen wir sie selbst hinbringen?",
        Q,
        "logistik",
        ref="B-logistik-1",
        note="multi-line message (continuation lines)",
    ),
    Msg(
        "18:08",
        "Claudia Wirth",
        "ist das blindenleitsystem auch ohne handy nutzbar?",
        Q,
        "lotsen",
        ref="B-lotsen-1",
        dup="Z-lotsen-2",
        note="alias Blindenleitsystem",
    ),
    Msg(
        "18:09",
        MOD,
        "Wir machen kurz eine Umfrage: Welches Projekt interessiert Sie am meisten?",
        C,
        note="announcement",
    ),
    Msg("18:11", "", POLL, C, note="poll result block (label + one line per option)"),
    Msg(
        "18:12",
        "Timo Krämer",
        "Wann genau starten die Testfahrten mit dem autonomen Bus?",
        Q,
        "mobilitaet",
        ref="B-mobilitaet-1",
        dup="Z-mobilitaet-1",
    ),
    Msg(
        "18:13",
        "Lea Fuchs",
        "Gibt es in den Dritten Orten auch ein Angebot speziell für "
        "Jugendliche, z. B. zum Tanzen oder Musikmachen?",
        Q,
        "dritter-ort",
        ref="B-dritter-ort-1",
    ),
    Msg(
        "18:15",
        "Georg Adam",
        "Frage zur Datenplattform: Stehen die Daten unter einer offenen Lizenz, z. B. CC BY 4.0?",
        Q,
        "datenplattform",
        ref="B-datenplattform-1",
        note='text contains ": " after the sender separator',
    ),
    Msg(
        "18:16",
        "Wolfgang Reiß",
        "Gibt es mittlerweile Messwerte zur Strahlung der neuen Sensoren?",
        Q,
        "infrastruktur",
        ref="B-infrastruktur-1",
        dup="Z-infrastruktur-1",
    ),
    Msg(
        "18:18",
        "Bäckerei an der Lauter",
        "Danke für die Antwort letzte Woche! Ab wann "
        "können wir uns als Betrieb für die Lokale Logistik anmelden?",
        Q,
        "logistik",
        ref="B-logistik-2",
        note="thanks + new question in one message",
    ),
    Msg(
        "18:20",
        "Moritz Engel",
        "Kann man im Stadtmodell auch sehen, wo überall Sensoren hängen?",
        Q,
        "cim",
        ref="B-cim-1",
        note="mentions Sensoren but asks about the city model",
    ),
    Msg("18:22", "Gabriele Hahn", "Das würde mich auch interessieren", V, vote="B-cim-1"),
    Msg(
        "18:24",
        "Herbert Vogt",
        "Ist der Inklusionsbeirat inzwischen beim Lotsensystem beteiligt worden?",
        Q,
        "lotsen",
        ref="B-lotsen-2",
        dup="Z-lotsen-1",
    ),
    Msg(
        "18:26",
        "Elke Schuster",
        "wie kann ich bei den projekten mitmachen?",
        Q,
        "general",
        ref="B-general-1",
        dup="Z-general-3",
    ),
    Msg(
        "18:28",
        "Sophie Keller",
        "Ich bin leider raus, mein Internet bricht ständig ab. Danke trotzdem!",
        C,
        note="tech trouble / goodbye",
    ),
    Msg(
        "18:30",
        "Markus Groß",
        "wird es noch eine sprechstunde geben?",
        Q,
        "general",
        ref="B-general-2",
        note="organisational question",
    ),
    Msg(
        "18:31",
        MOD,
        "Ja, die nächste Sprechstunde ist am 10. Juli. Infos unter "
        "https://www.example.de/smart-cities/sprechstunde",
        C,
        note="moderator answer",
    ),
    Msg(
        "18:33",
        "Kevin Roth",
        "Wo werden die Daten der Plattform gehostet – in einem "
        "Rechenzentrum in Deutschland oder bei einem US-Cloudanbieter?",
        Q,
        "datenplattform",
        ref="B-datenplattform-2",
        note="near miss of Z-datenplattform-2 (not a duplicate)",
    ),
    Msg("18:36", "Yvonne Kurz", "Danke für die Infos!", C, note="thanks"),
    Msg("18:40", MOD, "Vielen Dank fürs Mitmachen, bis zum nächsten Mal!", C, note="closing"),
    Msg("18:41", "Petra Kühn", "Tschüss!", C, note="thanks"),
    Msg("18:41", "Lukas Zimmermann", "danke, schönen abend", C, note="thanks"),
]

# --------------------------------------------------------------------------------------------
# Phone participants, typed in by hand (one question per line)
# --------------------------------------------------------------------------------------------
PHONE: list[Msg] = [
    Msg(
        "",
        "",
        "Kann man die Stadtratssitzungen auch im Offenen Kanal oder im Radio "
        "verfolgen, wenn man kein Internet hat?",
        Q,
        "dialog",
        ref="P-1",
        note="near miss of Z-dialog-1 (asks for non-internet channels; not a duplicate)",
    ),
    Msg(
        "",
        "",
        "Funktioniert das Lotsensystem für Blinde auch mit einem normalen Tastenhandy?",
        Q,
        "lotsen",
        ref="P-2",
        dup="Z-lotsen-2",
    ),
    Msg(
        "",
        "",
        "Wo kann man sich melden, wenn man bei den Projekten mitmachen möchte, aber "
        "keinen Computer hat?",
        Q,
        "general",
        ref="P-3",
        dup="Z-general-3",
    ),
    Msg(
        "",
        "",
        "Gibt es am Dritten Ort auch Sitzgelegenheiten und eine Toilette für ältere Menschen?",
        Q,
        "dritter-ort",
        ref="P-4",
    ),
]


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------
def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def zoom_lines(messages: list[Msg]) -> list[str]:
    by_ref = {m.ref: m for m in messages if m.ref}
    lines: list[str] = []
    seen: list[Msg] = []
    for m in messages:
        lines.append(f"{m.time} From  {m.author}  to  {m.to}:")
        parent_ref = m.reply or m.react
        if parent_ref:
            snippet = first_line(by_ref[parent_ref].text)[:20]
            starts = [p for p in seen if p.text.startswith(snippet)]
            assert starts == [by_ref[parent_ref]], (m.time, snippet, starts)
        if m.react:
            assert not m.text
            lines.append(f'\tReacted to "{snippet}..." with 👍')
        elif m.reply:
            lines.append(f'\tReplying to "{snippet}..."')
            lines.append("")
            lines.extend("\t" + part for part in m.text.split("\n"))
        else:
            lines.extend("\t" + part for part in m.text.split("\n"))
        seen.append(m)
    return lines


def write_zoom() -> None:
    ZOOM_DIR.mkdir(parents=True, exist_ok=True)
    body = "\r\n".join(zoom_lines(ZOOM)) + "\r\n"
    ZOOM_FILE.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))


def write_bbb() -> None:
    BBB_FILE.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for m in BBB:
        prefix = f"[{m.time}] " + (f"{m.author}: " if m.author else "")
        out.append(prefix + m.text)
    BBB_FILE.write_text("\n".join(out) + "\n", encoding="utf-8", newline="\n")


def write_phone() -> None:
    PHONE_FILE.write_text("\n".join(m.text for m in PHONE) + "\n", encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------
# expected.md
# --------------------------------------------------------------------------------------------
def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ⏎ ")


def all_questions() -> dict[str, tuple[str, Msg | dict]]:
    """ref -> (source description, message) for every question of every source."""
    refs: dict[str, tuple[str, Msg | dict]] = {}
    for m in ZOOM:
        if m.kind == Q:
            refs[m.ref] = (f"Zoom {m.time} {m.author}", m)
    for m in BBB:
        if m.kind == Q:
            refs[m.ref] = (f"BBB {m.time} {m.author}", m)
    for i, m in enumerate(PHONE, 1):
        refs[m.ref] = (f"phone.txt line {i}", m)
    for mail in MAILS:
        for q in mail["questions"]:
            refs[q["ref"]] = (f"mail {mail['where']} ({mail['from_name']})", q)
    return refs


def who(ref: str, refs: dict) -> str:
    return f"{ref} ({refs[ref][0]})"


def root(ref: str, refs: dict) -> str:
    item = refs[ref][1]
    dup = item.dup if isinstance(item, Msg) else item.get("dup")
    return root(dup, refs) if dup else ref


def chat_table(messages: list[Msg], refs: dict, zoom: bool) -> list[str]:
    out = [
        "| # | time | author | to | kind | project | label | duplicate of | vote for | notes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, m in enumerate(messages, 1):
        extra = []
        if m.react:
            extra.append(f"reaction to {m.react}")
        if m.reply:
            extra.append(f"reply to {m.reply}")
        if m.note:
            extra.append(m.note)
        to = ("DM " + MOD) if m.to != "Everyone" else ("Everyone" if zoom else "public")
        out.append(
            f"| {i} | {m.time} | {cell(m.author) or '(system)'} | {to} | {m.kind} | "
            f"{m.project or ''} | {m.ref or ''} | {m.dup or ''} | {m.vote or ''} | "
            f"{cell('; '.join(extra))} |"
        )
    return out


def summary(messages: list[Msg]) -> list[str]:
    kinds = Counter(m.kind for m in messages)
    qs = [m for m in messages if m.kind == Q]
    per_project = Counter(m.project for m in qs)
    dups = [m for m in qs if m.dup]
    out = [
        f"* messages: {len(messages)} (questions {kinds[Q]}, votes {kinds[V]}, chatter {kinds[C]})",
        f"* distinct authors: {len({m.author for m in messages if m.author})}",
        f"* duplicates (questions with a `duplicate of`): {len(dups)}; distinct questions: "
        f"{len(qs) - len(dups)}",
        "* questions per project (all / without duplicates): "
        + ", ".join(
            f"{p} {per_project[p]}/{sum(1 for m in qs if m.project == p and not m.dup)}"
            for p in PROJECT_ORDER
        ),
    ]
    return out


PREAMBLE = """\
# Expected interpretation of the sample data

Generated by `make_chat.py` from the same annotated source that wrote the files; edit the
script, not this file. Tests may be built on it.

* **kind**: `question`, `vote` (a "+1", "Das würde mich auch interessieren", a 👍 reaction, a
  reply that only agrees) or `chatter` (greetings, tech trouble, thanks, moderator
  announcements, poll results).
* **project**: the key from `event.toml` (`general` = Allgemeine Fragen).
* **label**: our name for a question, e.g. `Z-dialog-1` (Z = Zoom, B = BBB, P = phone,
  M = `.eml`, X = mbox). In the files, chat messages are identified by time + author.
* **duplicate of**: the label of the question this one asks again in other words. Within a
  source it points to the earliest wording in that source; across sources it points to the
  Zoom question. Follow the chain to the group root (see "Duplicate groups" below).
* **vote for**: the question a vote counts for. A plain "+1" or "Das würde mich auch
  interessieren" counts for the nearest preceding question in the same chat; a reaction or a
  reply for its parent (found by the 20-character snippet, not by position); "Schließe mich
  der Frage von Georg Adam an" for Georg Adam's latest question (also the nearest one).
* Zoom times are wall-clock times of 19 June 2020 (date from the folder name), BBB times of
  26 June 2020 (date from the file name), both Europe/Berlin (+02:00).
"""


def write_expected() -> None:
    refs = all_questions()
    lines = [
        *PREAMBLE.split("\n"),
        "## Zoom: `zoom/2020-06-19 18.00.00 Web-Seminar Smart Cities/meeting_saved_chat.txt`",
        "",
        *summary(ZOOM),
        "",
        *chat_table(ZOOM, refs, zoom=True),
        "",
        "## BigBlueButton: `bbb/bbb-Smart-Cities-Sprechstunde[public-chat]_2020-06-26_18-00.txt`",
        "",
        *summary(BBB),
        "* the poll block (18:11) is one chatter item: the label line `Umfrageergebnisse` and four",
        "  option lines; the welcome line (18:00) has no sender.",
        "",
        *chat_table(BBB, refs, zoom=False),
        "",
        "## Phone: `phone.txt`",
        "",
        "| line | project | label | duplicate of | notes |",
        "|---|---|---|---|---|",
    ]
    for i, m in enumerate(PHONE, 1):
        lines.append(f"| {i} | {m.project} | {m.ref} | {m.dup or ''} | {cell(m.note)} |")
    lines += [
        "",
        "## E-mail: `mail/*.eml` and `mail/anmeldungen.mbox`",
        "",
        "Each mail is one message; the questions inside are listed so the moderator can split "
        "them.",
        "`body must contain` is a phrase of the cleaned body; `body must not contain` is quoted or",
        "signature text that cleaning has to cut.",
        "",
        "| mail | Message-ID | from | questions (label: project, duplicate of) | "
        "body must contain | body must not contain | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for mail in MAILS:
        qs = (
            "; ".join(
                f"{q['ref']}: {q['project']}" + (f", dup of {q['dup']}" if q.get("dup") else "")
                for q in mail["questions"]
            )
            or "(none)"
        )
        lines.append(
            f"| {mail['where']} | `{mail['message_id']}` | {cell(mail['from_name'])} | {qs} | "
            f"{cell(' / '.join(mail['must']))} | {cell(' / '.join(mail['must_not']))} | "
            f"{cell(mail['note'])} |"
        )
    # groups across all sources
    groups: dict[str, list[str]] = {}
    for ref in refs:
        groups.setdefault(root(ref, refs), []).append(ref)
    multi = {r: members for r, members in groups.items() if len(members) > 1}
    lines += [
        "",
        "## Duplicate groups across all sources",
        "",
        f"{len(multi)} groups with more than one wording "
        f"({sum(len(v) for v in multi.values())} questions in them); every other question "
        "stands alone.",
        "",
    ]
    for r, members in multi.items():
        item = refs[r][1]
        project = item.project if isinstance(item, Msg) else item["project"]
        lines.append(f"* **{r}** ({project}): " + ", ".join(who(x, refs) for x in members))
    all_votes = [(m, "Zoom") for m in ZOOM if m.kind == V] + [
        (m, "BBB") for m in BBB if m.kind == V
    ]
    lines += [
        "",
        "## Votes",
        "",
        f"{len(all_votes)} votes in the chats:",
        "",
    ]
    for m, src in all_votes:
        how = "reaction" if m.react else "reply" if m.reply else "message"
        lines.append(f"* {src} {m.time} {m.author} ({how}) → {m.vote}")
    lines += [
        "",
        "## Near misses (similar words, different question: must NOT be merged)",
        "",
        "* Z-logistik-5 (Händler außerhalb der Innenstadt) vs. Z-logistik-1 (Liste der Händler)",
        "* B-datenplattform-2 (Hosting) vs. Z-datenplattform-2 (wem gehören die Daten)",
        "* P-1 (Stadtrat im Offenen Kanal/Radio) vs. Z-dialog-1 (Livestream des Stadtrats)",
        "* Z-lotsen-6 (Rollstuhlfahrer) vs. Z-lotsen-2 (ohne Smartphone)",
        "* Z-cim-2 (3D-Daten als Open Data) vs. Z-datenplattform-1 (Plattform Open Source)",
        "* M-05b (Daten der Straßenlaternen-Sensoren) vs. Z-infrastruktur-1 (Strahlung)",
        "",
    ]
    EXPECTED_FILE.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def check_zoom() -> None:
    """The written file has a BOM, CRLF only, and every line is a header, a TAB line or the
    blank line after a reply's snippet."""
    raw = ZOOM_FILE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    lines = raw[3:].decode("utf-8").split("\r\n")[:-1]
    header = re.compile(r"^\d\d:\d\d:\d\d From  .+?  to  (Everyone|.+\(Direct Message\)):$")
    headers = 0
    for i, line in enumerate(lines):
        if header.match(line):
            headers += 1
        elif line == "":
            assert lines[i - 1].startswith('\tReplying to "'), i + 1
        else:
            assert line.startswith("\t"), (i + 1, line)
    assert headers == len(ZOOM), headers


def main() -> None:
    assert len({m.time for m in ZOOM}) == len(ZOOM), "Zoom times must be unique"
    assert [m.time for m in ZOOM] == sorted(m.time for m in ZOOM)
    refs = [m.ref for m in ZOOM + BBB + PHONE if m.ref]
    assert len(refs) == len(set(refs))
    write_zoom()
    check_zoom()
    write_bbb()
    write_phone()
    write_expected()


if __name__ == "__main__":
    main()
