"""inbox: who holds a ready task (claims and reassignments) and comments on a case

Revision ID: 0011_inbox
Revises: 0010_user_language
Create Date: 2026-12-02 06:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0011_inbox'
down_revision = '0010_user_language'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'task_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=64), nullable=False),
        sa.Column('lane', sa.String(length=40), nullable=True),
        sa.Column('holder', sa.String(length=80), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_task_claims_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_claims')),
        sa.UniqueConstraint('case_id', 'task_id', name='uq_task_claims_case_task'),
    )
    op.create_index(op.f('ix_task_claims_case_id'), 'task_claims', ['case_id'], unique=False)
    op.create_index(op.f('ix_task_claims_holder'), 'task_claims', ['holder'], unique=False)
    op.create_table(
        'case_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author', sa.String(length=80), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('task_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_comments_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_comments')),
    )
    op.create_index(op.f('ix_case_comments_case_id'), 'case_comments', ['case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_case_comments_case_id'), table_name='case_comments')
    op.drop_table('case_comments')
    op.drop_index(op.f('ix_task_claims_holder'), table_name='task_claims')
    op.drop_index(op.f('ix_task_claims_case_id'), table_name='task_claims')
    op.drop_table('task_claims')
