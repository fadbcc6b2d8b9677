"""acts: rights bind to acts and detention episodes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:10:00

Each case keeps its procedure (acts done, the qualification in force, detention episodes) and
each evidence record the act or episode it proves.  Records written before carry no scope: they
stay visible, and the per-act rights are evaluated afresh.
"""
import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("procedure", sa.JSON(), nullable=True))
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("scope")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("procedure")
