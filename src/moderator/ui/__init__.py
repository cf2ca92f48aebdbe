"""The Textual console: the moderator's main screen and the read-only stage view.

Everything here talks to `moderator.services` only; no storage rows, no SQL.
"""
