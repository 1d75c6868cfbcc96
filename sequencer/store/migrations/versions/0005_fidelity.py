"""Real-world fidelity: holds a person lifts (senders, sequences, steps, variants), the suppression
list's change log, cached recipient-domain checks, reply intents, the metric of a scoring decision,
and the daily cap in force on each sender day.

Revision ID: 0005_fidelity
Revises: 0004_chaining
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005_fidelity"
down_revision: str | None = "0004_chaining"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("sender", sa.String(), nullable=True),
        sa.Column("sequence", sa.String(), nullable=True),
        sa.Column("step_key", sa.String(), nullable=True),
        sa.Column("variant", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("holds_standing", "holds", ["scope", "lifted_at"])
    op.create_table(
        "suppression_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suppression_changes_key", "suppression_changes", ["key"])
    op.create_index("ix_suppression_changes_at", "suppression_changes", ["at"])
    op.create_table(
        "domain_checks",
        sa.Column("domain", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("domain"),
    )
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("intent", sa.String(), nullable=True))
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("intent", sa.String(), nullable=True))
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("metric", sa.String(), nullable=True))
    with op.batch_alter_table("sender_days") as batch:
        batch.add_column(sa.Column("cap", sa.Integer(), nullable=True))
    # Suppressions made before this revision enter the log as they stand, so `suppress undo` and
    # `suppress list --since` see them.
    op.execute(
        "INSERT INTO suppression_changes (key, action, reason, source, at) "
        "SELECT key, 'added', reason, 'before 0005', created_at FROM suppressions"
    )


def downgrade() -> None:
    with op.batch_alter_table("sender_days") as batch:
        batch.drop_column("cap")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("metric")
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_column("intent")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("intent")
    op.drop_table("domain_checks")
    op.drop_index("ix_suppression_changes_at", table_name="suppression_changes")
    op.drop_index("ix_suppression_changes_key", table_name="suppression_changes")
    op.drop_table("suppression_changes")
    op.drop_index("holds_standing", table_name="holds")
    op.drop_table("holds")
