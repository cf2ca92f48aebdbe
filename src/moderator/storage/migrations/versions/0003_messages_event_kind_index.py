"""messages by event, kind and id: the index sync and a vote's target read a range

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 17:45:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_messages_event_kind_id", "messages", ["event_id", "kind", "id"])


def downgrade() -> None:
    op.drop_index("ix_messages_event_kind_id", table_name="messages")
