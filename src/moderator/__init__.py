"""moderator: a keyboard-driven console for the questions of a live webinar."""

__version__ = "0.1.0"
