"""Alembic's entry point, run by bot/store/migrate.py on the connection it already holds (and,
on PostgreSQL, under its advisory lock): there is no alembic.ini and no engine of its own here."""

from alembic import context

from bot.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
