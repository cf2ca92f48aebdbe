"""messages.matched: whether a question has been compared with the questions before it

An import stores its questions first (they show at once) and compares them afterwards; a
question stored but not yet compared (the import was stopped in between) is found again by
this flag. Every existing row counts as compared.

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
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("matched", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("matched")
