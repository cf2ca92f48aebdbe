"""text vectors: sentence-encoder vectors of the projects' texts, keyed by model and text hash

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_vectors",
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("model_id", "text_hash"),
    )


def downgrade() -> None:
    op.drop_table("text_vectors")
