"""answer drafts: a written answer a moderator left unsaved, per question and moderator

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 17:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_drafts",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("moderator", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"]),
        sa.PrimaryKeyConstraint("group_id", "moderator"),
    )


def downgrade() -> None:
    op.drop_table("answer_drafts")
