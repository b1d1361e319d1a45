"""Jobs claimed through the database: who runs a job (``owner``: host/pid/run of the worker that
claimed it), when it last said it was alive (``heartbeat_at``) and what it was asked (``args``),
so that several workers on one database never run one job and a job cut off by a dead worker is
said to have failed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("owner", sa.String(200)))
    op.add_column("jobs", sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    op.add_column("jobs", sa.Column("args", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("args")
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
