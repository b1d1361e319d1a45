"""The site's tables and its database connection: SQLite in the site folder, or PostgreSQL.

Why these choices:

* One SQLite file (``SITE/nianbao.db``) is what a county office can run and back up without a
  database administrator.  It is opened in WAL mode (readers never wait for the writer, and a
  copy of the file taken while the site runs is consistent), with ``synchronous=FULL`` (a save
  the clerk saw acknowledged survives a power cut or ``kill -9``), ``foreign_keys=ON`` (SQLite
  leaves them off by default) and ``busy_timeout`` (a writer waits for another instead of
  failing) — set by an event listener on every new connection, because SQLite forgets them
  per connection.
* Write transactions on SQLite start with ``BEGIN IMMEDIATE``: a transaction that reads and then
  writes would otherwise fail at once (``database is locked``, no waiting) when another writer
  committed in between; taking the write lock first makes it wait its turn instead.
* ``postgresql://`` URLs are served by psycopg 3 (``postgresql+psycopg://``), the driver the
  ``serve`` extra installs; SQLAlchemy would otherwise look for psycopg2.
* The schema is made by Alembic migrations shipped inside the package (:func:`migrate`), applied
  at every start, so that a site made by an older nianbao is brought up to date in place and
  one made by a newer nianbao is refused with a message rather than damaged.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import QueuePool

from ..errors import NianbaoError

if TYPE_CHECKING:
    from alembic.config import Config

BUSY_TIMEOUT_MS = 5000  # a writer waits this long for another before giving up: far above a save's few ms
SQLITE_NAME = "nianbao.db"
MIGRATIONS = Path(__file__).with_name("migrations")  # inside the package: shipped in the wheel with it


class DatabaseError(NianbaoError):
    """The database cannot be used as it is (unreachable, made by a newer nianbao, not nianbao's)."""


class Base(DeclarativeBase):
    pass


def now() -> dt.datetime:
    """The time stored: UTC, aware; shown in local time by the pages."""
    return dt.datetime.now(dt.timezone.utc)


class Site(Base):
    """One row: the county's settings and its admin's credentials."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_password_hash: Mapped[str | None] = mapped_column(String(200))
    setup_token_hash: Mapped[str | None] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    county_name: Mapped[str] = mapped_column(String(200), default="")


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    is_county: Mapped[bool] = mapped_column(Boolean, default=False)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("unit_id", "year", name="uq_reports_unit_year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    latest: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(200))


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_versions_report_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_report", "report_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    where: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(10), default="comment")


class WebSession(Base):
    __tablename__ = "sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    csrf: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    address: Mapped[str] = mapped_column(String(100), default="")


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_address_at", "address", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)


class Audit(Base):
    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text, default="")


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Proof(Base):
    """A scan's proof page (every figure's picture beside the figure read), for the unit that
    uploaded it to open after the redirect — on whichever worker answers."""

    __tablename__ = "proofs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(32), unique=True)
    page: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(10))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    owner: Mapped[str | None] = mapped_column(String(200))  # host/pid/run of the worker that claimed it (None: not yet claimed)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # its worker's last sign of life
    args: Mapped[str | None] = mapped_column(Text)  # what the job was asked (JSON)


# -- the connection ------------------------------------------------------------------------------------
WRITE = "nianbao_write"  # execution option: this connection's transaction will write (BEGIN IMMEDIATE on SQLite)


def normalise(url: str) -> str:
    """``postgresql://`` (and ``postgres://``, which libpq also accepts) served by psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def private_site(site: Path) -> None:
    """The site folder made (or kept) 0700 and its database files 0600, where the system has
    such modes (not on Windows, whose folders under the user's profile are private already):
    the database holds every unit's reports, the password's hash and the audit log, and a
    shared PC's other accounts must not read it.  The database file is made empty, 0600, before
    SQLite opens it — SQLite gives its -wal and -shm files the database file's own mode."""
    site.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name != "posix":
        return
    database = site / SQLITE_NAME
    try:
        # a folder that held the site already is made private too; one the clerk chose for a new site
        # (their own documents, say) keeps its mode: the files in it are private all the same
        paths = [site] if database.exists() else []
        if not database.exists():
            os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))  # an empty file is a new SQLite database
        for path in (*paths, database, site / f"{SQLITE_NAME}-wal", site / f"{SQLITE_NAME}-shm"):
            if path.exists() and path.stat().st_uid == os.getuid():
                path.chmod(0o700 if path == site else 0o600)
    except OSError:
        pass  # a folder of another account, or a read-only one: SQLite says so when it opens it


def sqlite_url(site: Path) -> str:
    return f"sqlite:///{(Path(site) / SQLITE_NAME).resolve().as_posix()}"


def shown(url: str) -> str:
    """The URL as messages may show it: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown by its scheme only
        return url.split(":", 1)[0] + ":…"


def engine_for(url: str) -> Engine:
    """An engine for ``url`` with the settings this module's docstring explains."""
    url = normalise(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - sqlalchemy raises ArgumentError for any malformed URL
        raise DatabaseError(f"数据库地址写法有误：{shown(url)}（应为 postgresql://用户:密码@主机/库名）") from exc
    if parsed.get_backend_name() == "sqlite":
        # A pool of open connections, not one per transaction: closing the last connection to a
        # WAL database checkpoints and removes the WAL (more fsyncs) — a save would pay for it.
        # check_same_thread off: the pool hands a connection to one thread at a time.
        engine = create_engine(url, poolclass=QueuePool, pool_size=5, max_overflow=10, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(f"不支持的数据库：{parsed.get_backend_name()}（可用：站点文件夹中的 SQLite，或 postgresql://…）")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_connect(dbapi_connection, _record) -> None:
    """Every new SQLite connection: FULL sync, foreign keys, a busy timeout; and the driver's
    own transaction handling off, so that :func:`_sqlite_begin` says how to begin.  WAL is a
    setting of the file, not of a connection: :func:`migrate` sets it once the file is known
    to be the site's (a database of another program is not changed at all)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(connection) -> None:
    """``BEGIN IMMEDIATE`` for a transaction that will write (see the module's docstring)."""
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE) else "BEGIN")


# -- migrations ----------------------------------------------------------------------------------------
def _alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema this nianbao knows (``alembic upgrade head``);
    refuse one whose schema is newer than this nianbao (a later version wrote it)."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config(engine)
    scripts = ScriptDirectory.from_config(config)
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    known = {rev.revision for rev in scripts.walk_revisions()}
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise DatabaseError(f"这个数据库是较新版本的 nianbao 建立的（结构版本 {'、'.join(unknown)}），本版本无法使用：请升级 nianbao（在新版 nianbao 的文件夹中运行 pip install \".[serve]\"）")
    if not current:
        with engine.connect() as connection:
            from sqlalchemy import inspect

            # nianbao's own tables without a revision yet: another process is making them right now
            tables = set(inspect(connection).get_table_names()) - set(Base.metadata.tables) - {"alembic_version"}
        if tables:
            raise DatabaseError(f"这个数据库中已有其他程序的数据表（{'、'.join(sorted(tables)[:5])}{'…' if len(tables) > 5 else ''}），不是 nianbao 网站的数据库：请换一个空的数据库")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside any transaction: SQLite changes the journal mode only there
        try:
            driver = raw.driver_connection  # sqlite3's own connection
            assert driver is not None  # a connection checked out of the pool has one
            driver.execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()
    command.upgrade(config, "head")


def head() -> str:
    """The newest schema revision this nianbao ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(None)).get_current_head()
    assert head is not None  # the migrations shipped have one head
    return head
