"""messages.matched: whether a question has been compared with the questions before it

An import stores its questions first (they show at once) and compares them afterwards; a
question stored but not yet compared (the import was stopped in between) is found again by
this flag (a partial index holds just those). Every existing row counts as compared.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN with a default, on both backends: a batch (table copy) on SQLite
    # would drop the messages table under the foreign keys that point at it.
    op.add_column(
        "messages", sa.Column("matched", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.create_index(
        "ix_messages_unmatched",
        "messages",
        ["event_id", "kind", "id"],
        sqlite_where=sa.text("matched = 0"),
        postgresql_where=sa.text("NOT matched"),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_unmatched", table_name="messages")
    op.drop_column("messages", "matched")  # SQLite 3.35+: in place, no table copy
