"""training: practice cases on a virtual clock, and the runs trainees play

Revision ID: 0008_training
Revises: 0007_complaints
Create Date: 2026-12-02 03:30:00

Cases get a ``training`` mark (set at creation, never changed) and the offset of their virtual
clock; ``training_runs`` keeps who plays which scenario on which case and the score.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008_training'
down_revision = '0007_complaints'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("training", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("clock_offset_seconds", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_cases_training", ["training"])
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=80), nullable=False),
        sa.Column("trainee", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("max_score", sa.Integer(), nullable=True),
        sa.Column("outcomes", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_training_runs_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_training_runs"),
        sa.UniqueConstraint("case_id", name="uq_training_runs_case_id"),
    )
    op.create_index("ix_training_runs_scenario", "training_runs", ["scenario"])
    op.create_index("ix_training_runs_trainee", "training_runs", ["trainee"])


def downgrade():
    op.drop_index("ix_training_runs_trainee", table_name="training_runs")
    op.drop_index("ix_training_runs_scenario", table_name="training_runs")
    op.drop_table("training_runs")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_training")
        batch.drop_column("clock_offset_seconds")
        batch.drop_column("training")
