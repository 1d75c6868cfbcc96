"""Chaining: enrollments deferred until ``starts_at``, linked to the enrollment they follow.

Revision ID: 0004_chaining
Revises: 0003_sender_days
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_chaining"
down_revision: str | None = "0003_sender_days"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.add_column("enrollments", sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("enrollments", sa.Column("previous_id", sa.Integer(), nullable=True))
    op.create_index("enrollments_starts", "enrollments", ["status", "starts_at"])


def downgrade() -> None:
    op.drop_index("enrollments_starts", table_name="enrollments")
    op.drop_column("enrollments", "previous_id")
    op.drop_column("enrollments", "starts_at")
