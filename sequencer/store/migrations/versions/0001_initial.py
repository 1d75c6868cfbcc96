"""The schema as sequencer created it before migrations (git fb22cd0): contacts to decisions.

Revision ID: 0001_initial
Revises:

Types are spelled as ``create_all`` emits them: ``sa.String`` for SQLModel's AutoString (VARCHAR),
``sa.DateTime(timezone=True)`` for UTCDateTime (its implementation; the decorator only converts
values).
Index names follow SQLModel's ``ix_%(column_0_label)s`` convention, unique columns get unnamed
constraints,
and constraints come in create_all's order: on SQLite, sqlite_master reads the same as an old
database's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ACTIVE = sa.text("status = 'active'")


def _when(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("email"),
        _text("email_key"),
        _text("first_name", nullable=True),
        _text("last_name", nullable=True),
        _text("company", nullable=True),
        _text("title", nullable=True),
        _text("timezone", nullable=True),
        _text("linkedin_url", nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        _when("look_at"),
        _text("sequence"),
        _text("step_key"),
        _text("factor"),
        _text("key"),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("successes", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("z", sa.Float(), nullable=True),
        sa.Column("p", sa.Float(), nullable=True),
        sa.Column("p_holm", sa.Float(), nullable=True),
        _text("decision"),
        _text("reason"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decisions_look_at", "decisions", ["look_at"])
    op.create_index("ix_decisions_sequence", "decisions", ["sequence"])
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("key"),
        _text("reason"),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "variants",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("sequence"),
        _text("step_key"),
        _text("factor"),
        _text("key"),
        _text("status"),
        _when("since"),
        _text("reason"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sequence", "step_key", "factor", "key", name="variants_identity"),
    )
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        _text("sequence"),
        _text("sender"),
        _text("status"),
        _text("timezone"),
        _text("stop_reason", nullable=True),
        _text("stop_detail", nullable=True),
        _when("enrolled_at"),
        _when("anchor_at", nullable=True),
        _when("finished_at", nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # a contact is active in at most one sequence, enforced by the database itself
    op.create_index(
        "enrollments_one_active",
        "enrollments",
        ["contact_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index("ix_enrollments_contact_id", "enrollments", ["contact_id"])
    op.create_index("ix_enrollments_sequence", "enrollments", ["sequence"])
    op.create_table(
        "sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        _text("sequence"),
        _text("sender"),
        _text("step_key"),
        sa.Column("step_index", sa.Integer(), nullable=False),
        _text("channel"),
        _text("status"),
        _when("due_at"),
        _text("claimed_by", nullable=True),
        _when("lease_until", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _text("subject_key", nullable=True),
        _text("body_key", nullable=True),
        _text("subject", nullable=True),
        _text("message_id", nullable=True),
        _text("in_reply_to", nullable=True),
        _text("references", nullable=True),
        _when("sent_at", nullable=True),
        _text("error", nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_sends_contact_id", "sends", ["contact_id"])
    op.create_index("ix_sends_enrollment_id", "sends", ["enrollment_id"])
    op.create_index("ix_sends_sender", "sends", ["sender"])
    op.create_index("ix_sends_sent_at", "sends", ["sent_at"])
    op.create_index("sends_due", "sends", ["status", "due_at"])
    op.create_index("sends_sender_sent", "sends", ["sender", "sent_at"])
    op.create_index("sends_variants", "sends", ["sequence", "step_key", "sender"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("enrollment_id", sa.Integer(), nullable=True),
        sa.Column("send_id", sa.Integer(), nullable=True),
        _text("kind"),
        _text("detail", nullable=True),
        _when("at"),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"]),
        sa.ForeignKeyConstraint(["send_id"], ["sends.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_events_at", "events", ["at"])
    op.create_index("ix_events_contact_id", "events", ["contact_id"])
    op.create_index("ix_events_enrollment_id", "events", ["enrollment_id"])
    op.create_index("ix_events_kind", "events", ["kind"])
    op.create_index("ix_events_send_id", "events", ["send_id"])
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("send_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("enrollment_id", sa.Integer(), nullable=False),
        _text("sender"),
        _text("sequence"),
        _text("step_key"),
        _text("channel"),
        _text("status"),
        _text("message"),
        _when("due_at"),
        _when("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("send_id"),
        sa.ForeignKeyConstraint(["send_id"], ["sends.id"]),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"]),
        sa.ForeignKeyConstraint(["enrollment_id"], ["enrollments.id"]),
    )
    op.create_index("ix_tasks_contact_id", "tasks", ["contact_id"])
    op.create_index("ix_tasks_due_at", "tasks", ["due_at"])
    op.create_index("ix_tasks_enrollment_id", "tasks", ["enrollment_id"])
    op.create_index("ix_tasks_status", "tasks", ["status"])


def downgrade() -> None:
    for table in (
        "tasks",
        "events",
        "sends",
        "enrollments",
        "variants",
        "suppressions",
        "decisions",
        "contacts",
    ):
        op.drop_table(table)  # its indexes go with it
