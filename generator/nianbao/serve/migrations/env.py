"""Alembic's environment for the site's database: run by :func:`nianbao.serve.db.migrate`, which
passes the engine it made (with the SQLite settings of :mod:`nianbao.serve.db`), never a URL read
from an ini file — there is none; the migrations ship inside the package.

Two processes may start on one new database at once (the server and an ``export``, two servers
by mistake): each migration waits for the other's — the write lock taken first on SQLite
(``BEGIN IMMEDIATE``), an advisory lock on PostgreSQL — and then finds the schema current."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from nianbao.serve.db import WRITE, Base

MIGRATION_LOCK = 0x6E69616E62616F  # "nianbao": the advisory lock's key on PostgreSQL

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    connection.execution_options(**{WRITE: True})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
    try:
        # render_as_batch: SQLite alters a table by copying it; Alembic's batch mode does that for us
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if connection.dialect.name == "postgresql":
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
