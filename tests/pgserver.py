"""A real PostgreSQL for the site's tests: a fresh database per test, on the server that
``NIANBAO_TEST_PG`` names (a superuser's URL, e.g. ``postgresql://nianbao:nianbao@127.0.0.1/nianbao_test``;
.ci/run starts Debian's PostgreSQL and sets it) or, without it, on a throwaway cluster the tests
start themselves where PostgreSQL's server programs are installed (``initdb`` on PATH, or Debian's
``/usr/lib/postgresql/<version>/bin``): ``initdb`` into a temporary folder, ``pg_ctl start`` on a
free loopback port, stopped and removed when the tests end — so the README's test command runs
the PostgreSQL tests on any such machine without setting anything up.

Each test gets a database of its own with a random name, dropped afterwards, so tests run in
parallel (or by several people on one server) never see each other's rows.  With neither a server
named nor the programs installed, the test is skipped with a reason CI turns into a failure.

Use: ``from pgserver import pg_url`` in a test module, then take ``pg_url`` as a fixture; or
:func:`fresh_database` as a context manager outside pytest.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

VARIABLE = "NIANBAO_TEST_PG"
SKIP_REASON = "没有 PostgreSQL（设置 NIANBAO_TEST_PG，或安装 PostgreSQL 的服务器程序：Debian 上 apt-get install postgresql）"
_started: dict[str, object] = {}  # the throwaway cluster of this test run, once started: {"url": …, "cluster": …}


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest of Debian's versions."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    if sys.platform == "win32":
        return None
    installed = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    numbers = [(int(m.group()), p) for p in installed if (m := re.match(r"\d+", p.parent.name))]
    return max(numbers)[1] if numbers else None


class Cluster:
    """A PostgreSQL cluster in a temporary folder, on a free loopback port, with the superuser
    ``nianbao`` (trust authentication: nothing but this machine's loopback reaches it).  PostgreSQL
    refuses to run as root: under root the cluster belongs to the ``postgres`` account (Debian's
    packages make it) or ``nobody``."""

    def __init__(self, programs: Path) -> None:
        self.programs = programs
        self.folder = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
        self.data = self.folder / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.user: str | None = None
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            import pwd

            for name in ("postgres", "nobody"):
                try:
                    account = pwd.getpwnam(name)
                except KeyError:
                    continue
                self.user = name
                os.chown(self.folder, account.pw_uid, account.pw_gid)
                break
        self._run("initdb", "-D", str(self.data), "-U", "nianbao", "--auth=trust", "-E", "UTF8", "--no-locale")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "-t", "60", "start")
        self.url = f"postgresql://nianbao@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([str(self.programs / program), *args], capture_output=True, timeout=120, user=self.user, cwd=self.folder)
        if done.returncode != 0:
            log = self.folder / "log"
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.decode(errors='replace')}"
                               + (log.read_text(errors="replace") if log.is_file() else ""))

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def server_url() -> str | None:
    """``NIANBAO_TEST_PG``, else the URL of this run's throwaway cluster (started on first use,
    stopped when the run ends), else None."""
    named = os.environ.get(VARIABLE)
    if named:
        return named
    if "url" not in _started:
        programs = server_programs()
        if programs is None:
            _started["url"] = None
        else:
            cluster = Cluster(programs)
            atexit.register(cluster.stop)
            _started.update(url=cluster.url, cluster=cluster)
    return _started["url"]  # type: ignore[return-value]


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
