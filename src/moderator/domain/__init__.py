"""The domain: pure Python, no I/O, no Textual, no SQLAlchemy."""
