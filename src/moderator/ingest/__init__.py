"""Ingest: sources (chat logs, e-mail, spreadsheets) → plain IncomingMessage objects."""
