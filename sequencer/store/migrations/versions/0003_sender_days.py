"""Sender caps shared by every worker (sender_days), one run per job slot across workers (job_runs),
and variant-count indexes that skip the backlog.

Revision ID: 0003_sender_days
Revises: 0002_inbox
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_sender_days"
down_revision: str | None = "0002_inbox"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sender_days",
        sa.Column("sender", sa.String(), nullable=False),
        sa.Column("day", sa.String(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("sender", "day"),
    )
    # (rows are created on first use from the sends table itself, so nothing to backfill)
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(), nullable=False),
        sa.Column("slot", sa.String(), nullable=False),
        sa.Column("worker", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", "slot"),
    )
    op.drop_index("sends_variants", table_name="sends")
    op.create_index(
        "sends_variant_subjects", "sends", ["sequence", "step_key", "sender", "subject_key"]
    )
    op.create_index("sends_variant_bodies", "sends", ["sequence", "step_key", "sender", "body_key"])


def downgrade() -> None:
    op.drop_index("sends_variant_bodies", table_name="sends")
    op.drop_index("sends_variant_subjects", table_name="sends")
    op.create_index("sends_variants", "sends", ["sequence", "step_key", "sender"])
    op.drop_table("job_runs")
    op.drop_table("sender_days")
