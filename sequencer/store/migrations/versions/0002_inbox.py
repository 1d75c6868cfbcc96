"""The inbox: how far each mailbox was read, the messages read, and signed hooks already accepted.

Revision ID: 0002_inbox
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002_inbox"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_state",
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("mailbox", sa.String(), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=False),
        sa.Column("last_uid", sa.Integer(), nullable=False),
        sa.Column("polled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender", "mailbox"),
    )
    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("send_id", sa.Integer(), nullable=True),
        sa.Column("from_address", sa.String(), nullable=True),
        sa.Column("subject", sa.String(), nullable=True),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["send_id"], ["sends.id"]),
    )
    op.create_index("ix_inbound_messages_at", "inbound_messages", ["at"])
    op.create_index("ix_inbound_messages_contact_id", "inbound_messages", ["contact_id"])
    op.create_index("ix_inbound_messages_kind", "inbound_messages", ["kind"])
    op.create_index("ix_inbound_messages_sender", "inbound_messages", ["sender"])
    op.create_table(
        "hook_nonces",
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature"),
    )
    op.create_index("ix_hook_nonces_at", "hook_nonces", ["at"])


def downgrade() -> None:
    for table in ("hook_nonces", "inbound_messages", "inbox_state"):
        op.drop_table(table)
