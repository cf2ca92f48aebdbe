"""question vectors: sentence-encoder vectors of questions, keyed by model id

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 15:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_vectors",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"]),
        sa.PrimaryKeyConstraint("message_id", "model_id"),
    )
    op.create_index("ix_question_vectors_event_model", "question_vectors", ["event_id", "model_id"])


def downgrade() -> None:
    op.drop_index("ix_question_vectors_event_model", table_name="question_vectors")
    op.drop_table("question_vectors")
