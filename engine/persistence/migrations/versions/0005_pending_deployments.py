"""pending deployments: removing a guarded element needs a second person's confirmation

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:30:00

A new process version that removes an element guarded by rights is stored here until another
designer or administrator confirms it (four eyes); the confirmation deploys it.
"""
import sqlalchemy as sa
from alembic import op



revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=120), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("removed", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=80), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["version_id"], ["process_versions.id"],
                                name=op.f("fk_pending_deployments_version_id_process_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_deployments")),
    )
    op.create_index(op.f("ix_pending_deployments_process_id"), "pending_deployments", ["process_id"])


def downgrade():
    op.drop_index(op.f("ix_pending_deployments_process_id"), table_name="pending_deployments")
    op.drop_table("pending_deployments")
