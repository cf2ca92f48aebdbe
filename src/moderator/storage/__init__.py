"""Storage: SQLAlchemy engine, rows, repository, migrations. The only place SQLAlchemy lives."""
