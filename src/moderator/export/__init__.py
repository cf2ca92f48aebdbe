"""Exports of plain domain objects: Q&A page (Markdown, HTML), CSV, XLSX, JSON, statistics.

No SQLAlchemy, no Textual: the services load and filter, these modules only render.
Import the submodules directly (they pull in Jinja2 and openpyxl only when needed).
"""
