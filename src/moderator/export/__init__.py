"""Exports of plain domain objects: Q&A page (Markdown, HTML), CSV, XLSX, JSON, statistics.

No SQLAlchemy, no Textual: the services load and filter, these modules only render.
The names below are loaded from their module on first use (PEP 562), so that a command
which exports JSON or reads the database does not import Jinja2 for the HTML page.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moderator.export.answers import AnswerFileError, read_answers
    from moderator.export.base import ExportData, ExportOptions, effective_project, sections
    from moderator.export.html import render_html
    from moderator.export.markdown import render_markdown
    from moderator.export.stats import Stats, compute_stats, render_stats_rich, stats_svg
    from moderator.export.tabular import (
        neutralize_cell,
        render_csv,
        render_wordings_csv,
        write_xlsx,
    )

_MODULE = {
    "AnswerFileError": "answers",
    "read_answers": "answers",
    "ExportData": "base",
    "ExportOptions": "base",
    "effective_project": "base",
    "sections": "base",
    "render_html": "html",
    "render_markdown": "markdown",
    "Stats": "stats",
    "compute_stats": "stats",
    "render_stats_rich": "stats",
    "stats_svg": "stats",
    "neutralize_cell": "tabular",
    "render_csv": "tabular",
    "render_wordings_csv": "tabular",
    "write_xlsx": "tabular",
}

__all__ = [
    "AnswerFileError",
    "ExportData",
    "ExportOptions",
    "Stats",
    "compute_stats",
    "effective_project",
    "neutralize_cell",
    "read_answers",
    "render_csv",
    "render_html",
    "render_markdown",
    "render_stats_rich",
    "render_wordings_csv",
    "sections",
    "stats_svg",
    "write_xlsx",
]


def __getattr__(name: str) -> Any:
    module = _MODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
