"""Importers: sources (chat logs, pasted text, spreadsheets, e-mail) to `IncomingMessage`s.

`moderator.ingest.detect.parse_file` picks the importer for a file.
"""
