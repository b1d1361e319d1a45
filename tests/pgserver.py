"""A real PostgreSQL for the site's tests: a fresh database per test on the server that
``NIANBAO_TEST_PG`` names (a superuser's URL, e.g. ``postgresql://nianbao:nianbao@127.0.0.1/nianbao_test``;
.ci/run starts Debian's PostgreSQL and sets it).

Each test gets a database of its own with a random name, dropped afterwards, so tests run in
parallel (or by several people on one server) never see each other's rows.  Without the variable
the test is skipped with a reason CI turns into a failure: the PostgreSQL suite must run there.

Use: ``from pgserver import pg_url`` in a test module, then take ``pg_url`` as a fixture; or
:func:`fresh_database` as a context manager outside pytest.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

VARIABLE = "NIANBAO_TEST_PG"
SKIP_REASON = "没有 PostgreSQL（设置 NIANBAO_TEST_PG）"


def server_url() -> str | None:
    return os.environ.get(VARIABLE) or None


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """The URL of a new, empty database on ``server`` (dropped, with its connections, at the end)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"nianbao_t_{secrets.token_hex(6)}"
    plain = server.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(plain).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database's URL (``postgresql://…``), or the test is skipped without a server."""
    server = server_url()
    if server is None:
        pytest.skip(SKIP_REASON)
    with fresh_database(server) as url:
        yield url
