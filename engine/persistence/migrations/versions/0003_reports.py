"""reports: indexes for the compliance dashboard's aggregations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 02:20:00

Each case's first entry into a stage, the overdue test (a later evaluation of the same right in
the same case), and the latest evidence per case for one right, read through indexes instead of
whole-table scans.
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_stage_history_stage_case", "stage_history", ["stage", "case_id", "entered_at"]),
    ("ix_evaluations_case_checkpoint", "checkpoint_evaluations", ["case_id", "checkpoint", "evaluated_at"]),
    ("ix_evidence_checkpoint_case", "evidence", ["checkpoint", "case_id"]),
)


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
