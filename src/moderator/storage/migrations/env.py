"""Alembic environment: runs on the connection handed over by `Database.upgrade`."""

from alembic import context

from moderator.storage.rows import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # invoked from the alembic command line
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
