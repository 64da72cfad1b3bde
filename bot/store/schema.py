"""The tables, as SQLAlchemy Core objects for the queries. The migrations create them; a test
checks that the two agree on both backends.

Every primary key starts with guild_id, so one server's rows are one key range and forgetting a
server is one delete per table. Times are seconds since the epoch (UTC) on both backends.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    }
)

server_articles = sa.Table(
    "server_articles",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("added_by", sa.BigInteger, nullable=False),
    sa.Column("added_at", sa.Double, nullable=False),
)

# One row per add, kept after the article is removed: the hourly add quota must not be reset by
# removing what was just added.
article_adds = sa.Table(
    "article_adds",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("added_at", sa.Double, primary_key=True),
    sa.Column("add_id", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Text, nullable=False),
)

server_settings = sa.Table(
    "server_settings",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("moderator_role_ids", sa.JSON, nullable=False),
    sa.Column("mention_channel_ids", sa.JSON, nullable=True),
    sa.Column("base_corpus", sa.Boolean, nullable=False),
    sa.Column("strictness", sa.Text, nullable=False),
    sa.Column("cooldown_s", sa.Double, nullable=True),
    sa.Column("updated_at", sa.Double, nullable=False),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("feedback_id", sa.Text, primary_key=True),
    sa.Column("channel_id", sa.BigInteger, nullable=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("passage_ids", sa.Text, nullable=False),  # space-separated, as the first feedback table had it
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.CheckConstraint("verdict IN ('helpful', 'not_helpful')", name="verdict"),
)

guilds = sa.Table(
    "guilds",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("left_at", sa.Double, nullable=True),  # None: the bot is in that server
)

# guild_id 0 (DIRECT_MESSAGES, which no server can be) holds the base corpus's version.
corpus_versions = sa.Table(
    "corpus_versions",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
)

# What changed, for processes that missed a notification (bot/store/changes.py): one row per
# (guild, kind) with the clock value of its latest change. Guild 0 holds the clock itself
# (kind "clock"), the base corpus's changes (kind "base") and, once a guild is forgotten and its own
# rows are gone, the tombstone "forgotten:<guild id>" that tells the others to drop what they hold.
change_log = sa.Table(
    "change_log",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Index("ix_change_log_version", "version"),
)

# The bot processes running now, for the owner's /corpus stats: each writes its row at start and on
# every heartbeat. Not a server's rows: guild_id is always 0, as for the base version.
processes = sa.Table(
    "processes",
    metadata,
    sa.Column("guild_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("process_key", sa.Text, primary_key=True),  # host:pid
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.BigInteger, nullable=False),
    sa.Column("shard_ids", sa.JSON, nullable=True),  # None: every shard of the count (or unsharded)
    sa.Column("shard_count", sa.BigInteger, nullable=True),
    sa.Column("base_version", sa.Text, nullable=True),
    sa.Column("started_at", sa.Double, nullable=False),
    sa.Column("last_seen", sa.Double, nullable=False),
)

GUILD_TABLES = (server_articles, article_adds, server_settings, feedback, guilds, corpus_versions)
