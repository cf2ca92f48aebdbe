"""Exports of plain domain objects: Q&A page (Markdown, HTML), CSV, XLSX, JSON, statistics.

No SQLAlchemy, no Textual: the services load and filter, these modules only render.
"""

from moderator.export.answers import AnswerFileError, read_answers
from moderator.export.base import ExportData, ExportOptions, effective_project, sections
from moderator.export.html import render_html
from moderator.export.markdown import render_markdown
from moderator.export.stats import Stats, compute_stats, render_stats_rich, stats_svg
from moderator.export.tabular import neutralize_cell, render_csv, render_wordings_csv, write_xlsx

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
