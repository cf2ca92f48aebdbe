"""Exports: plain domain objects in, documents out. No database, no Textual."""
