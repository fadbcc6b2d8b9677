"""aggregates: the reviewers' page as snapshots refreshed by the tick worker, the audit chain
verified incrementally from its last verified entry, indexes for the reports' overdue count
(pending evaluations past their deadline, satisfied since) and for closing a deadline's warnings

Revision ID: 0013_aggregates
Revises: 0011_inbox
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0013_aggregates'
down_revision = '0011_inbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_evaluations_pending_due', 'checkpoint_evaluations',
                    ['due_at', 'checkpoint', 'case_id', 'evaluated_at', 'status'], unique=False,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_evaluations_case_checkpoint_status', 'checkpoint_evaluations',
                    ['case_id', 'checkpoint', 'status', 'evaluated_at'], unique=False)
    op.create_index(op.f('ix_escalations_deadline_id'), 'escalations', ['deadline_id'], unique=False)
    op.create_table(
        'audit_verifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('problems', sa.JSON(), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('full_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verifications')),
    )
    op.create_table(
        'report_snapshots',
        sa.Column('key', sa.String(length=400), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_report_snapshots')),
    )


def downgrade():
    op.drop_table('report_snapshots')
    op.drop_table('audit_verifications')
    op.drop_index(op.f('ix_escalations_deadline_id'), table_name='escalations')
    op.drop_index('ix_evaluations_case_checkpoint_status', table_name='checkpoint_evaluations')
    op.drop_index('ix_evaluations_pending_due', table_name='checkpoint_evaluations')
