"""complaints and allegations: a complaint case names its criminal case; ill-treatment allegations

Revision ID: 0007_complaints
Revises: 0006_harden_trail
Create Date: 2026-12-02 03:30:00

A complaint runs as its own case (processes/complaint.bpmn) and names the criminal case whose
act it complains of (``cases.about_case_id``); the criminal case finds its complaints through the
same indexed column.  Allegations of ill-treatment are rows of their own, with the referral's
deadline and the moment it was met.
"""
import sqlalchemy as sa
from alembic import op


revision = '0007_complaints'
down_revision = '0006_harden_trail'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("about_case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_about_case_id_cases", "cases", ["about_case_id"], ["id"])
        batch.create_index("ix_cases_about_case_id", ["about_case_id"], unique=False)
    op.create_table(
        "allegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("alleged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("period_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("made_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=80), nullable=False),
        sa.Column("referral_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("referred_by", sa.String(length=80), nullable=True),
        sa.Column("referred_to", sa.String(length=200), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_allegations_case_id_cases"),
        sa.ForeignKeyConstraint(["task_id"], ["escalations.id"], name="fk_allegations_task_id_escalations"),
        sa.PrimaryKeyConstraint("id", name="pk_allegations"),
    )
    op.create_index("ix_allegations_case_id", "allegations", ["case_id"], unique=False)
    op.create_index("ix_allegations_referral_due_at", "allegations", ["referral_due_at"], unique=False)


def downgrade():
    op.drop_index("ix_allegations_referral_due_at", table_name="allegations")
    op.drop_index("ix_allegations_case_id", table_name="allegations")
    op.drop_table("allegations")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_about_case_id")
        batch.drop_constraint("fk_cases_about_case_id_cases", type_="foreignkey")
        batch.drop_column("about_case_id")
