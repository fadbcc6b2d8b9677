"""legal clocks: the scheduler's bookkeeping on deadlines, kinds of supervisor tasks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 01:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_action_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('warnings_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('action_taken', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('acted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('basis', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('ref', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_deadlines_next_action', ['status', 'next_action_at'], unique=False)
    # open clocks written before this revision are due for action at their deadline
    op.execute("UPDATE deadlines SET next_action_at = due_at WHERE status = 'open'")

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='escalation', nullable=False))
        batch_op.add_column(sa.Column('deadline_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_escalations_deadline_id_deadlines'), 'deadlines',
                                    ['deadline_id'], ['id'])


def downgrade():
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_escalations_deadline_id_deadlines'), type_='foreignkey')
        batch_op.drop_column('deadline_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_next_action')
        batch_op.drop_column('ref')
        batch_op.drop_column('basis')
        batch_op.drop_column('acted_at')
        batch_op.drop_column('action_taken')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')
        batch_op.drop_column('warnings_sent')
        batch_op.drop_column('next_action_at')
