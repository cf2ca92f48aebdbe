"""The publishable Q&A page as a standalone, printable HTML5 file (Jinja2, autoescape on).

User text reaches the template either through Jinja's autoescaping or through the helpers
below, which escape every piece with `markupsafe.escape` before adding `<br>`, `<p>` or
links to http(s) URLs.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from moderator.export.base import (
    ExportData,
    ExportOptions,
    asker_names,
    count_label,
    generated_at,
    german_date,
    missing_answer_text,
    question_count_text,
    sections,
    split_urls,
    text_lines,
    text_paragraphs,
)
from moderator.export.stats import compute_stats, stats_svg

TEMPLATE = "qa_page.html.j2"


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("moderator.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _line_html(line: str) -> Markup:
    out = Markup("")
    for piece, is_url in split_urls(line):
        if is_url:
            out += Markup('<a href="{0}">{0}</a>').format(piece)
        else:
            out += escape(piece)
    return out


def lines_html(lines: list[str]) -> Markup:
    """Escaped lines joined with `<br>`: newlines in user text are line breaks."""
    return Markup("<br>\n").join(_line_html(line) for line in lines)


def answer_html(text: str) -> Markup:
    """An answer as `<p>` paragraphs (blank lines separate them), or empty markup."""
    return Markup("\n").join(
        Markup("<p>{}</p>").format(lines_html(paragraph)) for paragraph in text_paragraphs(text)
    )


_ANCHOR_CHARS = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def anchor_id(key: str, used: set[str]) -> str:
    """A unique, ASCII-only id for a section derived from the project key."""
    base = _ANCHOR_CHARS.sub("-", key.lower().translate(_UMLAUTS)).strip("-") or "projekt"
    candidate, n = f"projekt-{base}", 1
    while candidate in used:
        n += 1
        candidate = f"projekt-{base}-{n}"
    used.add(candidate)
    return candidate


def render_html(data: ExportData, options: ExportOptions | None = None) -> str:
    """Render the Q&A page as one standalone HTML document."""
    options = options or ExportOptions()
    title = " ".join(text_lines(options.title or data.event.title)) or "Fragen und Antworten"
    used: set[str] = set()
    blocks: list[dict[str, Any]] = []
    for project, groups in sections(data):
        questions = []
        for group in groups:
            meta: list[str] = []
            if options.show_counts and (label := count_label(group)):
                meta.append(label)
            questions.append(
                {
                    "id": f"frage-{group.id}",
                    "title": lines_html(text_lines(group.title) or ["(ohne Text)"]),
                    "meta": meta,
                    "askers": asker_names(group) if options.include_askers else [],
                    "answer": answer_html(group.answer),
                    "missing": missing_answer_text(group),
                    "open": not group.answer.strip(),
                }
            )
        blocks.append(
            {
                "id": anchor_id(project.key, used),
                "name": " ".join(text_lines(project.name)),
                "general": project.general,
                "count": question_count_text(len(groups)),
                "questions": questions,
            }
        )
    chart = None
    if options.chart:
        members = [m for g in data.groups for m in g.members]
        chart = Markup(stats_svg(compute_stats(data.groups, members, data.projects)))
    stamp = generated_at(options)
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=title,
            event_date=german_date(data.event.starts_at) if data.event.starts_at else None,
            generated=german_date(stamp),
            generated_iso=stamp.isoformat(timespec="minutes"),
            sections=blocks,
            total=question_count_text(sum(len(b["questions"]) for b in blocks)),
            chart=chart,
        )
    )
