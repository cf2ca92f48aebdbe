"""The Textual console: the only place Textual lives."""
