"""Alembic's environment for the site's database: run by :func:`nianbao.serve.db.migrate`, which
passes the engine it made (with the SQLite settings of :mod:`nianbao.serve.db`), never a URL read
from an ini file — there is none; the migrations ship inside the package."""

from __future__ import annotations

from alembic import context

from nianbao.serve.db import Base

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    # render_as_batch: SQLite alters a table by copying it; Alembic's batch mode does that for us
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
