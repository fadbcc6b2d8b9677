"""hardening: a keyed audit chain sealing rows, server-side sessions, token expiry, shared
login throttling

Revision ID: 0006_harden_trail
Revises: 0005
Create Date: 2026-12-02 03:00:00

Entries written before this revision keep scheme 1 (plain SHA-256) and still verify; new
entries are scheme 2 (HMAC with a key outside the database).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_harden_trail'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheme', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('payload_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('rows', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash')),
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=80), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index('ix_login_failures_username_at', 'login_failures', ['username', 'at'], unique=False)
    op.create_index('ix_login_failures_address_at', 'login_failures', ['address', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_login_failures_address_at', table_name='login_failures')
    op.drop_index('ix_login_failures_username_at', table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('rows')
        batch_op.drop_column('payload_digest')
        batch_op.drop_column('scheme')
