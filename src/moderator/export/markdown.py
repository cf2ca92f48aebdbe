"""The publishable Q&A page as Markdown (CommonMark / GitHub flavoured).

All user text (questions, answers, names) is escaped so it renders literally: no headings,
emphasis, tables, HTML or links come out of what people typed, except bare http(s) URLs,
which become autolinks.
"""

from __future__ import annotations

import re
import unicodedata

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

# Characters escaped wherever they occur. `&` is escaped so entities such as `&amp;`
# stay literal; `<`/`>` so no HTML or autolink is formed.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!{}$])")
_ORDERED_LIST = re.compile(r"^(\d{1,9})([.)])")


def escape_inline(text: str) -> str:
    """Backslash-escape Markdown syntax in one line of plain text (no line-start handling)."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def escape_line(line: str) -> str:
    """Escape one line of user text so it renders literally, URLs turned into autolinks.

    Handles what only matters at the start of a line: list markers (`-`, `+`, `1.`),
    setext underlines (`=`), block quotes and headings (already escaped inline).
    """
    pieces: list[str] = []
    for piece, is_url in split_urls(line):
        pieces.append(f"<{piece}>" if is_url else escape_inline(piece))
    out = "".join(pieces)
    if out[:1] in ("-", "+", "="):
        return "\\" + out
    return _ORDERED_LIST.sub(r"\1\\\2", out, count=1)


def escape_block(lines: list[str]) -> str:
    """Lines of one paragraph joined with hard line breaks (backslash at line end)."""
    return "\\\n".join(escape_line(line) for line in lines)


def heading_slug(text: str, used: dict[str, int]) -> str:
    """GitHub-style anchor of a heading: lower case, punctuation dropped, spaces to dashes."""
    text = unicodedata.normalize("NFC", text).lower()
    slug = "".join(
        ch
        for ch in text
        if ch in " -_" or unicodedata.category(ch)[0] in ("L", "N") or ch.isalnum()
    )
    slug = slug.replace(" ", "-")
    if slug in used:
        used[slug] += 1
        slug = f"{slug}-{used[slug]}"
    else:
        used[slug] = 0
    return slug


def render_markdown(data: ExportData, options: ExportOptions | None = None) -> str:
    """Render the Q&A page as Markdown, grouped by project with the general block last."""
    options = options or ExportOptions()
    title = " ".join(text_lines(options.title or data.event.title)) or "Fragen und Antworten"
    parts: list[str] = [f"# {escape_line(title)}"]

    intro = "Fragen und Antworten"
    if data.event.starts_at is not None:
        intro += f" aus der Veranstaltung am {german_date(data.event.starts_at)}"
    intro += ", nach Projekten geordnet; allgemeine Fragen stehen am Ende."
    intro += f" Stand: {german_date(generated_at(options))}."
    parts.append(intro)

    blocks = sections(data)
    if not blocks:
        parts.append("*Keine Fragen.*")
        return "\n\n".join(parts) + "\n"

    used: dict[str, int] = {}
    heading_slug(title, used)
    heading_slug("Inhalt", used)
    anchors = [heading_slug(project.name, used) for project, _ in blocks]
    toc = ["## Inhalt", ""]
    for (project, groups), anchor in zip(blocks, anchors, strict=True):
        name = escape_inline(" ".join(text_lines(project.name)))
        toc.append(f"- [{name}](#{anchor}) ({question_count_text(len(groups))})")
    parts.append("\n".join(toc))

    for project, groups in blocks:
        parts.append(f"## {escape_line(' '.join(text_lines(project.name)))}")
        for group in groups:
            parts.append(_question_block(group, options))
    return "\n\n".join(parts) + "\n"


def _question_block(group, options: ExportOptions) -> str:
    lines = text_lines(group.title) or ["(ohne Text)"]
    out = [f"**{escape_block(lines)}**"]
    meta: list[str] = []
    if options.show_counts and (label := count_label(group)):
        meta.append(label)
    if options.include_askers and (names := asker_names(group)):
        meta.append("Gefragt von: " + ", ".join(names))
    if meta:
        out.append("*" + escape_inline("; ".join(meta)) + "*")
    paragraphs = text_paragraphs(group.answer)
    if paragraphs:
        out.extend(escape_block(paragraph) for paragraph in paragraphs)
    else:
        out.append(f"*{missing_answer_text(group)}*")
    return "\n\n".join(out)
