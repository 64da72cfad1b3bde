"""The change log (what each process may have missed) and the processes table (who runs which base).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_change_log_version", "change_log", ["version"])
    op.create_table(
        "processes",
        sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("process_key", sa.Text, primary_key=True),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("pid", sa.BigInteger, nullable=False),
        sa.Column("shard_ids", sa.JSON, nullable=True),
        sa.Column("shard_count", sa.BigInteger, nullable=True),
        sa.Column("base_version", sa.Text, nullable=True),
        sa.Column("started_at", sa.Double, nullable=False),
        sa.Column("last_seen", sa.Double, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("processes")
    op.drop_index("ix_change_log_version", "change_log")
    op.drop_table("change_log")
