"""Exports: section order, golden pages, privacy, hostile text, CSV/XLSX, answers, stats."""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from rich.console import Console

from moderator.domain.models import GENERAL_KEY, Channel, Kind, Message, QueueState
from moderator.export import (
    AnswerFileError,
    ExportData,
    ExportOptions,
    compute_stats,
    effective_project,
    neutralize_cell,
    read_answers,
    render_csv,
    render_html,
    render_markdown,
    render_stats_rich,
    render_wordings_csv,
    sections,
    stats_svg,
    write_xlsx,
)
from moderator.export.base import text_lines
from moderator.export.tabular import (
    COL_ANSWER,
    COL_ASKERS,
    COL_AUTHOR,
    COL_AUTHOR_EMAIL,
    COL_ID,
    QUESTION_HEADERS,
    SHEET_QUESTIONS,
    SHEET_WORDINGS,
    WORDING_HEADERS,
    unneutralize_cell,
)
from tests.export_data import (
    EVENT,
    GENERATED,
    HOSTILE_TEXTS,
    PROJECTS,
    START,
    group,
    message,
    realistic_data,
    realistic_groups,
)

GOLDEN = Path(__file__).parent / "golden"
OPTIONS = ExportOptions(generated_at=GENERATED)
NAMES = ("Anna Beispiel", "Bernd Muster", "Rita Rechner", "Quentin")
EMAILS = ("quentin@example.org", "rita@example.org")


# --------------------------------------------------------------------------- helpers


class TreeParser(HTMLParser):
    """Collects start tags, checks they are closed, and gathers text per element id."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input", "rect", "path"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self._capture: list[tuple[str, str]] = []  # (tag, key)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "br":
            for _, key in self._capture:
                self.texts[key].append("\n")
            return
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag in ("h1", "h2", "h3", "p", "strong", "title", "li") or attributes.get("id"):
            key = f"{tag}#{len(self.tags)}"
            self.texts[key] = []
            self._capture.append((tag, key))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "br":
            for _, key in self._capture:
                self.texts[key].append("\n")

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
            return
        self.stack.pop()
        if self._capture and self._capture[-1][0] == tag:
            self._capture.pop()

    def handle_data(self, data):
        for _, key in self._capture:
            self.texts[key].append(data)

    def text_of(self, tag: str) -> list[str]:
        out = []
        for key, parts in self.texts.items():
            if key.startswith(tag + "#"):
                text = re.sub(r"\n\s*", "\n", "".join(parts)).strip()
                out.append(text)
        return out


def parse_html(html: str) -> TreeParser:
    parser = TreeParser()
    parser.feed(html)
    parser.close()
    return parser


def expected_lines(text: str) -> str:
    return "\n".join(text_lines(text))


def hostile_data() -> ExportData:
    groups = []
    for index, text in enumerate(HOSTILE_TEXTS, start=1):
        groups.append(
            group(
                500 + index,
                "dialog" if index % 2 else GENERAL_KEY,
                [(text, f"Autor {text}", index)],
                answer=text,
                state=QueueState.ANSWERED_WRITING,
            )
        )
    return ExportData(event=EVENT, projects=PROJECTS, groups=tuple(groups))


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- sections


def test_effective_project_prefers_key_then_suggestion_then_general():
    base = realistic_groups()[0]
    assert effective_project(base) == "dialog"
    suggested = replace(base, project_key=None, project_confirmed=False, suggested_project="cim")
    assert effective_project(suggested) == "cim"
    nothing = replace(suggested, suggested_project=None)
    assert effective_project(nothing) == GENERAL_KEY


def test_sections_follow_project_order_with_general_last_and_empty_ones_left_out():
    result = sections(realistic_data())
    keys = [project.key for project, _ in result]
    assert keys == [
        "dialog",
        "logistik",
        "dritter-ort",
        "mobilitaet",
        "lotsen",
        "infrastruktur",
        "datenplattform",
        GENERAL_KEY,
    ]
    assert "cim" not in keys  # no questions: no section
    by_key = {project.key: [g.id for g in groups] for project, groups in result}
    assert by_key["dritter-ort"] == [5, 6]  # 5 only has a suggestion
    # general: explicit general (votes 5), untagged (14), unknown project key (15)
    assert by_key[GENERAL_KEY] == [13, 14, 15]
    assert sum(len(ids) for ids in by_key.values()) == len(realistic_groups())


def test_sections_order_by_votes_then_first_asked_and_general_last_even_if_listed_first():
    groups = (
        group(1, "cim", [("späte Frage", None, 30)], supporters=1),
        group(2, "cim", [("frühe Frage", None, 5)], supporters=1),
        group(3, "cim", [("beliebte Frage", None, 50)], supporters=9),
        group(4, "cim", [message(4, "ohne Zeit", None, 0)]),
        group(5, GENERAL_KEY, [("allgemein", None, 1)], supporters=99),
    )
    no_time = replace(groups[3].members[0], received_at=None)
    groups = (*groups[:3], replace(groups[3], members=(no_time,)), groups[4])
    general_first = (PROJECTS[-1], *PROJECTS[:-1])
    result = sections(ExportData(EVENT, general_first, groups))
    assert [p.key for p, _ in result] == ["cim", GENERAL_KEY]
    assert [g.id for g in result[0][1]] == [3, 2, 1, 4]


def test_sections_without_configured_general_project_still_get_a_general_block():
    groups = (group(1, None, [("Frage ohne Projekt", None, 1)]),)
    result = sections(ExportData(EVENT, PROJECTS[:-1], groups))
    assert [(p.key, p.name, p.general) for p, _ in result] == [
        (GENERAL_KEY, "Allgemeine Fragen", True)
    ]


# --------------------------------------------------------------------------- golden pages


def test_markdown_golden():
    check_golden("qa_page.md", render_markdown(realistic_data(), OPTIONS))


def test_html_golden():
    check_golden("qa_page.html", render_html(realistic_data(), replace(OPTIONS, chart=True)))


def test_markdown_structure_renders_as_expected():
    md = render_markdown(realistic_data(), OPTIONS)
    html = MarkdownIt("commonmark").render(md)
    parsed = parse_html(html)
    assert parsed.text_of("h1") == [EVENT.title]
    assert parsed.text_of("h2") == [
        "Inhalt",
        "Dialog Zivilgesellschaft",
        "Lokale Logistik",
        "Dritter Ort",
        "Städtebauliche Wirkung neuer Mobilität",
        "Lotsensystem für Sehbehinderte und Blinde",
        "Smart City Infrastructure",
        "Urbane Datenplattform",
        "Allgemeine Fragen",
    ]
    strong = parsed.text_of("strong")
    assert strong[0] == realistic_groups()[0].title
    assert (
        "Werden in den Stadtteilen mehr Ladesäulen gebaut?\n"
        "In Erfenbach gibt es bisher keine einzige."
    ) in strong
    assert "3 Personen haben das gefragt" in md
    assert md.count("*Antwort folgt.*") == 6
    assert "*Im Web-Seminar live beantwortet.*" in md
    links = [a["href"] for tag, a in parsed.tags if tag == "a"]
    assert "https://www.kaiserslautern.de/stadtrat" in links
    assert "#dialog-zivilgesellschaft" in links


def test_html_is_well_formed_accessible_and_ordered():
    html = render_html(realistic_data(), replace(OPTIONS, chart=True))
    parsed = parse_html(html)
    assert parsed.errors == [] and parsed.stack == []
    assert html.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert ("meta", {"charset": "utf-8"}) in parsed.tags
    navs = [attrs for tag, attrs in parsed.tags if tag == "nav"]
    assert navs == [{"class": "toc", "aria-label": "Inhalt"}]
    headings = [int(tag[1]) for tag, _ in parsed.tags if re.fullmatch(r"h[1-6]", tag)]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings))
    ids = [attrs["id"] for _, attrs in parsed.tags if attrs.get("id")]
    assert len(ids) == len(set(ids))
    toc_targets = [a["href"][1:] for tag, a in parsed.tags if tag == "a" and a["href"][0] == "#"]
    assert toc_targets and set(toc_targets) <= set(ids)
    assert toc_targets[-1] == "projekt-general"
    assert html.count('<p class="pending">Antwort folgt.</p>') == 6
    assert "<svg" in html and "Fragen je Projekt" in html
    assert "@media print" in html and "break-before: page" in html


def test_show_counts_off_hides_counts_and_title_option_wins():
    options = replace(OPTIONS, show_counts=False, title="Fragen & Antworten")
    md = render_markdown(realistic_data(), options)
    html = render_html(realistic_data(), options)
    assert "Personen haben" not in md and "Personen haben" not in html
    assert "unterstütz" not in md and "unterstütz" not in html
    assert md.startswith("# Fragen \\& Antworten\n")
    assert "<h1>Fragen &amp; Antworten</h1>" in html


def test_empty_export_renders_a_page_without_sections():
    data = ExportData(EVENT, PROJECTS, ())
    assert "Keine Fragen" in render_markdown(data, OPTIONS)
    parsed = parse_html(render_html(data, OPTIONS))
    assert parsed.errors == [] and not any(tag == "nav" for tag, _ in parsed.tags)
    assert render_csv(data, OPTIONS).decode("utf-8-sig").count("\r\n") == 1


# --------------------------------------------------------------------------- privacy


def _xlsx_text(data, options, tmp_path) -> str:
    path = tmp_path / "out.xlsx"
    write_xlsx(data, options, path)
    workbook = load_workbook(path)
    return "\n".join(
        str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
    )


def test_askers_are_left_out_unless_asked_for(tmp_path):
    data = realistic_data()
    outputs = {
        "md": render_markdown(data, OPTIONS),
        "html": render_html(data, OPTIONS),
        "csv": render_csv(data, OPTIONS).decode("utf-8-sig"),
        "wordings": render_wordings_csv(data, OPTIONS).decode("utf-8-sig"),
        "xlsx": _xlsx_text(data, OPTIONS, tmp_path),
    }
    for kind, text in outputs.items():
        for secret in (*NAMES, *EMAILS, "@example"):
            assert secret not in text, (kind, secret)
        assert COL_ASKERS not in text and COL_AUTHOR not in text, kind

    with_askers = replace(OPTIONS, include_askers=True)
    assert "Gefragt von: Anna Beispiel, Bernd Muster, Clara Probe" in render_markdown(
        data, with_askers
    )
    assert "Anna Beispiel" in render_html(data, with_askers)
    csv_text = render_csv(data, with_askers).decode("utf-8-sig")
    assert csv_text.splitlines()[0].endswith(f'"{COL_ASKERS}"')
    wordings = render_wordings_csv(data, with_askers).decode("utf-8-sig")
    assert "quentin@example.org" in wordings
    xlsx = _xlsx_text(data, with_askers, tmp_path)
    assert "rita@example.org" in xlsx and COL_AUTHOR_EMAIL in xlsx


# --------------------------------------------------------------------------- hostile text


def test_hostile_text_in_markdown_renders_literally():
    data = hostile_data()
    md = render_markdown(data, replace(OPTIONS, include_askers=True))
    assert "\x1b" not in md and "\x00" not in md
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    parsed = parse_html(html)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= {"h1", "h2", "p", "strong", "em", "br", "ul", "li", "a"}, tags
    assert all(a["href"].startswith("#") for tag, a in parsed.tags if tag == "a")
    strong = parsed.text_of("strong")
    paragraphs = parsed.text_of("p")
    for text in HOSTILE_TEXTS:
        expected = expected_lines(text)
        assert expected in strong, text
        # the answer: blank lines separate paragraphs, lines within are line breaks
        for paragraph in re.split(r"\n\s*\n", text):
            assert expected_lines(paragraph) in paragraphs, paragraph
    assert "␛[2J Bildschirm gelöscht?" in strong
    assert "Null␀Byte" in strong


def test_hostile_text_in_html_is_escaped_and_round_trips():
    data = hostile_data()
    html = render_html(data, replace(OPTIONS, include_askers=True, chart=True))
    assert "\x1b" not in html and "\x00" not in html
    parsed = parse_html(html)
    assert parsed.errors == []
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags and "b" not in tags
    assert all(not a.get("href", "#").startswith("javascript") for _, a in parsed.tags)
    headings = parsed.text_of("h3")
    assert [expected_lines(t) for t in HOSTILE_TEXTS] == sorted(
        headings, key=[expected_lines(t) for t in HOSTILE_TEXTS].index
    )
    for text in HOSTILE_TEXTS:
        assert expected_lines(text) in headings
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp;amp;" in html


def test_urls_become_links_only_for_http():
    answer = "Siehe https://example.org/a_b?x=1&y=2. Nicht: javascript:alert(1) oder ftp://x"
    data = ExportData(
        EVENT,
        PROJECTS,
        (group(1, "cim", [("Frage", None, 1)], answer=answer),),
    )
    html = render_html(data, OPTIONS)
    assert '<a href="https://example.org/a_b?x=1&amp;y=2">' in html
    assert html.count('<a href="http') == 1
    md = render_markdown(data, OPTIONS)
    assert "<https://example.org/a_b?x=1&y=2>." in md
    rendered = MarkdownIt("commonmark").render(md)
    assert 'href="https://example.org/a_b?x=1&amp;y=2"' in rendered
    assert rendered.count("<a ") == 1 + 1  # the table of contents link plus the URL


def test_neutralize_cell():
    assert neutralize_cell("=1+1") == "'=1+1"
    assert neutralize_cell("+49 631") == "'+49 631"
    assert neutralize_cell("-1") == "'-1"
    assert neutralize_cell("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize_cell("\tx") == "'\tx"
    assert neutralize_cell("\rx") == "'\rx"
    assert neutralize_cell("Frage = Antwort") == "Frage = Antwort"
    assert neutralize_cell("") == ""
    # a leading apostrophe gets one more, so import-answers removes exactly the added one
    assert neutralize_cell("'=x") == "''=x" and neutralize_cell("'x") == "''x"
    for text in ("'=x", "'x", "''", "=1", "x'", "", "'"):
        assert unneutralize_cell(neutralize_cell(text)) == text


def _risky(text: str) -> bool:
    return text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_hostile_text_in_csv_is_quoted_neutralised_and_parses_back():
    data = hostile_data()
    raw = render_csv(data, OPTIONS)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\x1b" not in raw and b"\x00" not in raw
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert text.splitlines()[0] == ";".join(f'"{h}"' for h in QUESTION_HEADERS)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == list(QUESTION_HEADERS)
    body = rows[1:]
    assert len(body) == len(HOSTILE_TEXTS)
    questions = {row[0]: row[3] for row in body}
    for index, original in enumerate(HOSTILE_TEXTS, start=1):
        cell = questions[str(500 + index)]
        assert not _risky(cell), cell
        visible = original.replace("\x1b", "␛").replace("\x00", "␀")
        assert cell == ("'" + visible if _risky(visible) else visible)
    # every cell quoted: the number of quote-delimited fields equals the header length
    first_data_line = text.split("\r\n")[1]
    assert first_data_line.startswith('"') and '";"' in first_data_line


def test_hostile_text_in_xlsx_stays_text(tmp_path):
    path = tmp_path / "hostile.xlsx"
    write_xlsx(hostile_data(), replace(OPTIONS, include_askers=True), path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [SHEET_QUESTIONS, SHEET_WORDINGS]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not _risky(cell.value), (cell.coordinate, cell.value)
    questions = workbook[SHEET_QUESTIONS]
    header = [c.value for c in questions[1]]
    column = header.index("question") + 1
    values = [questions.cell(row=r, column=column).value for r in range(2, questions.max_row + 1)]
    assert "'=cmd|' /C calc'!A0" in values
    assert "'+49 631 365-0" in values
    assert "'-1" in values and "'@SUM(A1)" in values
    assert "␛[2J Bildschirm gelöscht?" in values and "Null␀Byte" in values
    assert "<script>alert(1)</script>" in values
    wordings = workbook[SHEET_WORDINGS]
    assert [c.value for c in wordings[1]] == [*WORDING_HEADERS, COL_AUTHOR, COL_AUTHOR_EMAIL]
    assert wordings.max_row == len(HOSTILE_TEXTS) + 1
    ids = [c.value for c in wordings["A"][1:]]
    assert all(isinstance(v, int) for v in ids)


def test_xlsx_writes_to_a_stream_and_caps_huge_cells():
    long_text = "Sehr lange Frage " * 3000
    data = ExportData(EVENT, PROJECTS, (group(1, "cim", [(long_text, None, 1)]),))
    stream = io.BytesIO()
    write_xlsx(data, None, stream)
    stream.seek(0)
    sheet = load_workbook(stream)[SHEET_QUESTIONS]
    value = sheet["D2"].value
    assert len(value) == 32_767 and value.endswith("[…gekürzt]")


# --------------------------------------------------------------------------- answers


def test_read_answers_round_trip_through_xlsx(tmp_path):
    path = tmp_path / "fragen.xlsx"
    write_xlsx(realistic_data(), OPTIONS, path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_QUESTIONS]
    header = [c.value for c in sheet[1]]
    id_col, answer_col = header.index(COL_ID) + 1, header.index(COL_ANSWER) + 1
    filled = {}
    for row in range(2, sheet.max_row + 1):
        group_id = sheet.cell(row=row, column=id_col).value
        answer = f"Antwort Nr. {group_id}:\nWir prüfen das „zeitnah“."
        sheet.cell(row=row, column=answer_col).value = answer
        filled[group_id] = answer
    sheet.cell(row=sheet.max_row + 1, column=id_col).value = "abc"
    sheet.cell(row=sheet.max_row, column=answer_col).value = "verloren"
    workbook.save(path)

    answers, problems = read_answers(path)
    assert answers == filled
    assert problems == [f"fragen.xlsx, row {sheet.max_row}: id 'abc' is not a number"]


def test_read_answers_csv_round_trip_and_german_excel_variants(tmp_path):
    exported = render_csv(realistic_data(), OPTIONS).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported, newline=""), delimiter=";"))
    answer_col = rows[0].index(COL_ANSWER)
    rows[1][answer_col] = "'=Neue Antwort, mit Komma; und Semikolon"
    rows[2][answer_col] = ""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = tmp_path / "fragen.csv"
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    answers, problems = read_answers(path)
    assert problems == []
    assert answers[int(rows[1][0])] == "=Neue Antwort, mit Komma; und Semikolon"
    assert int(rows[2][0]) not in answers  # emptied: no answer
    assert len(answers) == sum(1 for r in rows[1:] if r[answer_col])

    # Excel's "CSV (Trennzeichen-getrennt)": cp1252, German headers, comma delimiter
    legacy = tmp_path / "excel.csv"
    legacy.write_bytes(
        "Nr,Frage,Antwort\r\n7,Wann?,Im Sommer – voraussichtlich\r\n"
        "x7,Was?,Später\r\n,,ohne Nummer\r\n8.0,Wo?,\r\n9,Wer?,Die Stadt\r\n".encode("cp1252")
    )
    answers, problems = read_answers(legacy)
    assert answers == {7: "Im Sommer – voraussichtlich", 9: "Die Stadt"}
    assert problems == [
        "excel.csv, row 3: id 'x7' is not a number",
        "excel.csv, row 4: answer without an id",
    ]


def test_read_answers_finds_header_below_meta_rows_and_reports_conflicts(tmp_path):
    path = tmp_path / "team.csv"
    path.write_text(
        "Fragen zum Web-Seminar\n\nID;Answer\n1;eins\n1;eins\n1;anders\n2;zwei\n",
        encoding="utf-8",
    )
    answers, problems = read_answers(path)
    assert answers == {1: "eins", 2: "zwei"}
    assert problems == [
        "team.csv, row 6: id 1 has a second, different answer (the first one is kept)"
    ]


def test_read_answers_rejects_files_without_columns_or_broken(tmp_path):
    path = tmp_path / "falsch.csv"
    path.write_text("Frage;Text\n1;2\n", encoding="utf-8")
    with pytest.raises(AnswerFileError, match=r"falsch\.csv: no header row"):
        read_answers(path)
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(b"kein zip")
    with pytest.raises(AnswerFileError, match=r"kaputt\.xlsx: not a readable XLSX"):
        read_answers(broken)


# --------------------------------------------------------------------------- stats


def _chatter(message_id: int, kind: Kind, channel: Channel = Channel.CHAT) -> Message:
    return Message(
        id=message_id,
        event_id=1,
        source_key=f"c{message_id}",
        channel=channel,
        kind=kind,
        text="Hallo zusammen" if kind == Kind.CHATTER else "+1",
        original="",
        author=None,
        author_email=None,
        received_at=START,
        private=False,
        group_id=None,
    )


def test_compute_stats_counts():
    groups = realistic_groups()
    members = [m for g in groups for m in g.members]
    extra = [_chatter(9001, Kind.CHATTER), _chatter(9002, Kind.CHATTER), _chatter(9003, Kind.VOTE)]
    stats = compute_stats(groups, [*members, *extra], PROJECTS)
    per_project = {row.key: (row.groups, row.questions) for row in stats.per_project}
    assert list(per_project) == [p.key for p in PROJECTS]
    assert per_project["cim"] == (0, 0)
    assert per_project["mobilitaet"] == (2, 5)
    assert per_project[GENERAL_KEY] == (3, 3)  # includes the unknown-project group
    assert stats.groups == 15 and stats.questions == len(members) == 22
    assert stats.duplicates_merged == 22 - 15
    assert dict(stats.per_channel) == {Channel.CHAT: 20, Channel.EMAIL: 2}
    assert stats.answered_writing == 8 and stats.answered_live == 1
    assert dict(stats.per_state)[QueueState.LATER] == 6
    assert (stats.total_messages, stats.chatter, stats.votes) == (25, 2, 1)
    assert stats.group_votes == sum(g.votes for g in groups)


def test_stats_svg_is_valid_xml_with_escaped_labels():
    projects = (*PROJECTS[:-1], replace(PROJECTS[-1], name="<script>alert(1)</script> & Co"))
    stats = compute_stats(realistic_groups(), [], projects)
    svg = stats_svg(stats)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert "<script>alert(1)</script> & Co" in labels
    assert not list(root.iter(f"{ns}script"))
    bars = list(root.iter(f"{ns}rect"))
    assert len(bars) == len(PROJECTS)
    widths = {float(b.get("width")) for b in bars}
    assert max(widths) == 300  # the biggest project fills the bar width


def test_render_stats_rich_shows_numbers():
    groups = realistic_groups()
    stats = compute_stats(groups, [m for g in groups for m in g.members], PROJECTS)
    console = Console(width=100, record=True, color_system=None)
    console.print(render_stats_rich(stats))
    text = console.export_text()
    assert "Städtebauliche Wirkung neuer Mobilität" in text
    assert "Zusammengeführte Duplikate" in text and "Kanal E-Mail" in text
