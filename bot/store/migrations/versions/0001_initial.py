"""Server articles, their adds, server settings, feedback, guild lifecycle and corpus versions.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _guild_id() -> sa.Column:
    return sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False)


def upgrade() -> None:
    op.create_table(
        "server_articles",
        _guild_id(),
        sa.Column("article_id", sa.Text, primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("added_by", sa.BigInteger, nullable=False),
        sa.Column("added_at", sa.Double, nullable=False),
    )
    op.create_table(
        "article_adds",
        _guild_id(),
        sa.Column("added_at", sa.Double, primary_key=True),
        sa.Column("add_id", sa.Text, primary_key=True),
        sa.Column("article_id", sa.Text, nullable=False),
    )
    op.create_table(
        "server_settings",
        _guild_id(),
        sa.Column("moderator_role_ids", sa.JSON, nullable=False),
        sa.Column("mention_channel_ids", sa.JSON, nullable=True),
        sa.Column("base_corpus", sa.Boolean, nullable=False),
        sa.Column("strictness", sa.Text, nullable=False),
        sa.Column("cooldown_s", sa.Double, nullable=True),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_table(
        "feedback",
        _guild_id(),
        sa.Column("feedback_id", sa.Text, primary_key=True),
        sa.Column("channel_id", sa.BigInteger, nullable=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("passage_ids", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.CheckConstraint("verdict IN ('helpful', 'not_helpful')", name="verdict"),
    )
    op.create_table("guilds", _guild_id(), sa.Column("left_at", sa.Double, nullable=True))
    op.create_table(
        "corpus_versions",
        _guild_id(),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
    )


def downgrade() -> None:
    for table in ("corpus_versions", "guilds", "feedback", "server_settings", "article_adds", "server_articles"):
        op.drop_table(table)
