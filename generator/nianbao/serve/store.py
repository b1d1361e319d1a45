"""Every read and write the site does, each in one transaction: the only module that talks to
the database (through :mod:`nianbao.serve.db`), so that the pages never hold an ORM object or a
half-done change.

What it guarantees, and why:

* **Nothing silently overwritten.**  A save names the version the editor started from
  (``base``); it is stored only if that is still the newest, checked and advanced in one
  conditional ``UPDATE … WHERE latest = base`` inside the transaction that inserts the version.
  Of two saves on the same base exactly one wins, on SQLite and PostgreSQL alike; the other gets
  :class:`Conflict` carrying the winner's version (who, when, what changed) to show the clerk.
* **Nothing lost.**  A save returns only after its transaction committed (SQLite with
  ``synchronous=FULL``): an acknowledged version survives ``kill -9`` and a power cut.
* **No secret at rest.**  Unit tokens, session cookies and the setup token are stored as SHA-256
  hashes (they are 256 random bits, so a plain hash is enough and lookup by hash compares in the
  database, not in Python); the admin's password as argon2id.  A database copied off the server
  gives no way in.
* **An audit row for every change** (who, when, what, from which address), written in the same
  transaction as the change, so the log never claims what did not happen nor misses what did.
  No token or password is ever written to it.

Results are plain frozen dataclasses; refusals are :class:`~nianbao.errors.NianbaoError`
subclasses with a Chinese message the pages show as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, overload

from sqlalchemy import Result, Row, bindparam, case, delete, exists, func, insert, or_, select, update
from sqlalchemy import text as sql
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..enums import StrEnum
from ..errors import NianbaoError
from ..system.decode import unstorable
from . import db
from .db import WRITE, DatabaseError, now, private_site

ADMIN = "admin"  # the county's admin as an author or actor; a unit acts under its name


class Status(StrEnum):
    """A report's status on the site, its value the Chinese word the database, the pages and the
    county's lists hold (a StrEnum: it is that string wherever one is compared or stored)."""

    NOT_STARTED = "未开始"
    FILLING = "填写中"
    SUBMITTED = "已提交"
    RETURNED = "已退回"
    APPROVED = "已通过"


NOT_STARTED, FILLING, SUBMITTED, RETURNED, APPROVED = Status.NOT_STARTED, Status.FILLING, Status.SUBMITTED, Status.RETURNED, Status.APPROVED
STATUSES = tuple(Status)
LOCKED = (SUBMITTED, APPROVED)  # a unit cannot change its report while the county has it
# (from, to) → who may: the only status changes there are; everything else is BadMove
MOVES: dict[tuple[str, str], str] = {  # a status as the database holds it (a Status is its str)
    (FILLING, SUBMITTED): "unit",
    (RETURNED, SUBMITTED): "unit",  # resubmitted unchanged after a return (the comment was answered elsewhere)
    (SUBMITTED, RETURNED): ADMIN,
    (SUBMITTED, APPROVED): ADMIN,
    (APPROVED, RETURNED): ADMIN,
}
KIND_OF_MOVE = {SUBMITTED: "submit", RETURNED: "return", APPROVED: "approve"}

ADMIN_SESSION = dt.timedelta(hours=12)  # a working day: the admin logs in again the next morning
UNIT_SESSION = dt.timedelta(days=30)  # a unit comes back through its link anyway; a month spares it re-opening mail
LOGIN_WINDOW = dt.timedelta(minutes=10)
LOGIN_FAILURES = 5  # failed admin logins per address per window: a person mistyping, never a guessing script
KEEP_ATTEMPTS = dt.timedelta(days=1)
# argon2 hashes or verifications at once in this process: each takes 64 MiB (RFC 9106's low-memory
# profile), so sign-ins from many addresses at once queue here instead of taking a gigabyte
ARGON2 = threading.BoundedSemaphore(2)
UPLOADS_KEPT = 5  # a unit's uploads kept for the record (the files its versions were made from), newest first
UPLOAD_BYTES_KEPT = 100 * 1024 * 1024  # and at most this many bytes of them: five uploads of the 20 MB allowed
PROOFS_KEPT = 3  # a unit's newest scan proof pages kept (each shown once after its upload; several megabytes of pictures)
COUNTY_UNIT = "（汇总）"  # the county's own report's unit row, named after the county once it is set

_TOKENISH = re.compile(r"[A-Za-z0-9_\-]{32,}")  # what a token looks like: kept out of the audit log whatever a caller passes


# -- what the store returns -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteInfo:
    year: int  # the report year being collected
    county_name: str
    admin_set: bool  # False until the setup link was used


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    position: int  # list order
    is_county: bool = False
    revoked: bool = False
    token_issued_at: dt.datetime | None = None


@dataclass(frozen=True)
class UnitRow:
    """One line of the county's list: the unit and its report of the year asked."""

    id: int
    name: str
    position: int
    is_county: bool
    revoked: bool
    status: str  # 未开始 when the unit has no report of that year yet
    latest: int  # 0 = no version yet
    errors: int
    warnings: int
    updated_at: dt.datetime | None
    updated_by: str | None
    token_issued_at: dt.datetime | None = None

    @property
    def unit(self) -> UnitInfo:
        return UnitInfo(self.id, self.name, self.position, self.is_county, self.revoked, self.token_issued_at)


@dataclass(frozen=True)
class ReportInfo:
    id: int
    unit_id: int
    year: int
    status: str
    latest: int
    errors: int
    warnings: int
    updated_at: dt.datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class VersionInfo:
    number: int
    author: str
    address: str
    created_at: dt.datetime
    summary: tuple[str, ...]  # what changed, in official labels
    errors: int
    warnings: int
    text: str | None = None  # the report file; None in lists (versions())
    unit_id: int = 0
    year: int = 0
    report_id: int = 0

    def as_json(self) -> dict:
        """What a 409 answer carries: who saved what when (never the text)."""
        return {"number": self.number, "author": self.author, "created_at": self.created_at.isoformat(), "summary": list(self.summary),
                "errors": self.errors, "warnings": self.warnings}


@dataclass(frozen=True)
class CommentInfo:
    id: int
    report_id: int
    version: int  # the version the comment was made on (0 = none yet)
    where: str | None  # an official path or a section heading; None = the whole report
    text: str
    author: str
    created_at: dt.datetime
    kind: str  # comment | return | approve | submit


@dataclass(frozen=True)
class SessionInfo:
    role: str  # admin | unit
    unit_id: int | None
    csrf: str
    created_at: dt.datetime
    expires_at: dt.datetime
    address: str
    unit: UnitInfo | None = None  # a unit's session: its unit, read in the same transaction

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass(frozen=True)
class Editing:
    """What a unit's save starts from: the year collected, the newest version of its report of
    that year and the newest of the year before (its text is what X1–X5 compare with)."""

    year: int
    latest: VersionInfo | None
    last: VersionInfo | None

    @property
    def last_text(self) -> str | None:
        return self.last.text if self.last is not None else None


@dataclass(frozen=True)
class Expect:
    """What a save worked out from this process's remembered reads (:meth:`Store.starting_point`,
    :meth:`Store.session` with ``cached``) and so assumed; :meth:`Store.save` checks every part of it
    again inside the transaction that writes, so that nothing another process changed meanwhile is
    overwritten or judged on stale grounds."""

    session: str  # the hash of the session's cookie: still live, the unit's, its link not revoked
    year: int  # still the year collected
    last: int  # last year's newest version number (0: none) — X1–X5 were checked against it
    text: str  # the base version's text, which the change was made on
    report_id: int


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    state: str  # running | done | failed
    done: int
    total: int
    message: str
    result: bytes | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    args: dict | None = None  # what it was asked (a produce: the year and the formats)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    address: str
    action: str
    detail: str


# -- refusals ---------------------------------------------------------------------------------------------------
class StoreError(NianbaoError):
    """A change the store refuses; the message is for the clerk."""


class NotFound(StoreError):
    """A unit, report or version that is not there (or not this unit's)."""


STALE = "报告刚被其他人更改，这次保存没有完成：请刷新页面后重试"


class Stale(StoreError):
    """What a save worked out from this process's remembered reads no longer holds (another
    process saved, or the year or last year's report changed): nothing was written; the save is
    worked out again from the database."""


class SessionGone(StoreError):
    """The session a save was made under ended (signed out, expired, its link revoked) in
    another process since this one remembered it: nothing was written."""


class Conflict(StoreError):
    """Save refused: someone saved since the version the editor started from."""

    def __init__(self, current: VersionInfo, base: int | None = None) -> None:
        self.current = current
        self.base = base
        said = "；".join(current.summary[:3]) + ("…" if len(current.summary) > 3 else "")
        super().__init__(f"这份报告在您打开之后已被{current.author}于{shown_time(current.created_at)}保存为第{current.number}版"
                         + (f"（{said}）" if said else "") + "，您的修改未保存：请看过对方的修改后再改")


class Locked(StoreError):
    """Save refused: the report is with the county (submitted) or approved."""

    def __init__(self, status: str = SUBMITTED) -> None:
        self.status = status
        super().__init__("报告已提交县（区）审核，暂时不能修改；如需修改，请联系县（区）退回" if status == SUBMITTED
                         else "报告已通过审核，不能再修改；如需修改，请联系县（区）退回")


class DatabaseUnavailable(StoreError, DatabaseError):
    """The database failed under one operation (SQLite busy past its timeout, the PostgreSQL
    server gone): nothing of it was done; trying again may work.  A StoreError, so a page that
    says a refusal says this too."""


class BadMove(StoreError):
    """A status change that is not one of :data:`MOVES` (or not by the one who may make it)."""


def shown_time(at: dt.datetime) -> str:
    """A stored time as the clerk reads it: local time, to the second."""
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _remember(kept: OrderedDict, key: Any, value: Any) -> None:
    """``value`` kept under ``key`` as the newest of at most :data:`REMEMBERED` (the caller holds the lock)."""
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > REMEMBERED:
        kept.popitem(last=False)


def _hash(secret: str) -> str:
    """SHA-256 of a token or cookie; "surrogatepass": a forged value with a lone surrogate hashes
    (and is not found) instead of raising."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


MAX_ID = 2**31 - 1  # PostgreSQL's integer: an id (or year) from a URL beyond it is simply not there


def _id_ok(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_ID


def storable(value: str, what: str, limit: int | None = None) -> str:
    """``value`` as given, or a refusal saying why it cannot be kept as it is: PostgreSQL refuses
    a NUL character, neither database can encode a lone surrogate (JSON lets a browser send one),
    and a name longer than its column would fail on PostgreSQL only.  Never altered silently."""
    problem = unstorable(value, what)
    if problem is not None:
        raise StoreError(problem)
    if limit is not None and len(value) > limit:
        raise StoreError(f"{what}太长（{len(value)}个字符，最多{limit}个）")
    return value


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _invisible(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) == "Cc" or char in _BIDI


def invisible_said(value: str, what: str) -> str | None:
    """What the name rule says of the first control or direction character in ``value`` (None:
    there is none): the same words for a unit's name, refused, and an upload's, cleaned."""
    found = next((char for char in value if _invisible(char)), None)
    return None if found is None else f"{what}中有看不见的控制字符（U+{ord(found):04X}，多半是复制粘贴带进来的）"


def visible_name(value: str, what: str) -> tuple[str, str | None]:
    """(``value`` without its control and direction characters, what was removed said by the
    name rule): a name only shown (an upload's) is cleaned, not refused."""
    said = invisible_said(value, what)
    return ("".join(char for char in value if not _invisible(char)), f"{said}，已删去") if said else (value, None)


def _name(value: str, what: str, limit: int) -> str:
    """A name (a unit's, the county's) as :func:`storable`, and on one line of visible
    characters: a name becomes file names (export, produce), a Content-Disposition, a console
    line and a cell of 汇总.xlsx, where a line break, a control character or a right-to-left
    override (``报告\u202excod.exe`` shows as ``报告exe.docx``) would mislead or break."""
    storable(value, what, limit)
    said = invisible_said(value, what)
    if said:
        raise StoreError(f"{said}：请删去后重新输入")
    return value


def _lock_key(name: str) -> int:
    """A PostgreSQL advisory lock's key (a signed 64-bit integer) for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()[:8], "big", signed=True)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: str | None, limit: int) -> str:
    """A field only shown, never read back as data (an address, an upload's name as sent, an
    audit line): what cannot be stored is made visible (\\0, \\udxxx), and it is cut to its column."""
    value = (value or "").replace("\x00", "\\0")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


@overload
def _utc(at: dt.datetime) -> dt.datetime: ...
@overload
def _utc(at: dt.datetime | None) -> dt.datetime | None: ...
def _utc(at: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands times back without their zone; they were stored in UTC."""
    if at is None:
        return None
    return at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at.astimezone(dt.timezone.utc)


def _site(s: Session) -> db.Site:
    """The site's one row (id 1), made with the database's schema (:func:`.db.migrate`)."""
    site = s.get(db.Site, 1)
    assert site is not None, "the site's row is made with the schema"
    return site


def _changed(result: Result) -> int:
    """How many rows an UPDATE changed: what a compare-and-set checks (a DML statement's
    result is a CursorResult, which has the count)."""
    return cast(CursorResult, result).rowcount


def _clean(detail: str) -> str:
    """An audit detail with anything token-like hidden, whatever the caller passed."""
    return _shown(_TOKENISH.sub("[已隐去]", detail or ""), 100_000)


def _unit(row: db.Unit) -> UnitInfo:
    return UnitInfo(row.id, row.name, row.position, bool(row.is_county), bool(row.revoked), _utc(row.token_issued_at))


def _report(row: db.Report) -> ReportInfo:
    return ReportInfo(row.id, row.unit_id, row.year, row.status, row.latest, row.errors, row.warnings, _utc(row.updated_at), row.updated_by)


def _version(row: db.Version | Row[Any], report: db.Report | None = None, *, text: bool = True) -> VersionInfo:
    try:
        summary = tuple(str(s) for s in json.loads(row.summary))
    except (ValueError, TypeError):
        summary = ()
    return VersionInfo(row.number, row.author, row.address, _utc(row.created_at), summary, row.errors, row.warnings,
                       row.text if text else None, report.unit_id if report else 0, report.year if report else 0, row.report_id)


def _comment(row: db.Comment) -> CommentInfo:
    return CommentInfo(row.id, row.report_id, row.version, row.where, row.text, row.author, _utc(row.created_at), row.kind)


def _job(row: db.Job) -> JobInfo:
    return JobInfo(row.id, row.kind, row.state, row.done, row.total, row.message, row.result, _utc(row.created_at), _utc(row.finished_at),
                   json.loads(row.args) if row.args else None)


# The statements of a save, of what it starts from and of a request's session (Store.editing, .save, .session), built once.
_TABLES = db.Base.metadata.tables
_R, _V, _S, _U, _SITE = (_TABLES[t.__tablename__] for t in (db.Report, db.Version, db.WebSession, db.Unit, db.Site))
# the site's year, with this year's and last year's newest versions of a unit's report where they are
_EDITING = (select(_SITE.c.year.label("site_year"), _V, _R.c.unit_id, _R.c.year)
            .select_from(_SITE.outerjoin(_R.join(_V, (_V.c.report_id == _R.c.id) & (_V.c.number == _R.c.latest)),
                                         (_R.c.unit_id == bindparam("unit")) & _R.c.year.in_([_SITE.c.year, _SITE.c.year - 1]) & (_R.c.latest > 0)))
            .where(_SITE.c.id == 1))
_UNIT_REPORT = (select(_U.c.name, _R.c.id).select_from(_U.outerjoin(_R, (_R.c.unit_id == _U.c.id) & (_R.c.year == bindparam("year"))))
                .where(_U.c.id == bindparam("unit")))
# the advance of a save, and with it 未开始 and 已退回 become 填写中 (the row is locked by the update itself)
_ADVANCE_ADMIN = (update(_R).where(_R.c.id == bindparam("report"), _R.c.latest == bindparam("base"))
                  .values(latest=bindparam("next"), errors=bindparam("n_errors"), warnings=bindparam("n_warnings"), updated_at=bindparam("at"),
                          updated_by=bindparam("by"), status=case((or_(*(_R.c.status == s for s in (NOT_STARTED, RETURNED))), FILLING),
                                                                  else_=_R.c.status)))
# (the statuses compared one by one, not as IN lists: an IN list's parameters are expanded again at every save)
_ADVANCE = _ADVANCE_ADMIN.where(*(_R.c.status != s for s in LOCKED))
_NEW_VERSION = insert(_V)
_SESSION = (select(_S, *(c.label(f"u_{c.name}") for c in _U.c)).outerjoin(_U, _U.c.id == _S.c.unit_id)
            .where(_S.c.id_hash == bindparam("hash")))
_AUDIT = insert(_TABLES[db.Audit.__tablename__])
# a save worked out from remembered reads: its session, the year and last year's newest version
# read again in the transaction that writes (one statement)
_LAST_R = _R.alias("last_r")
_EXPECT = (select(_S.c.expires_at, _S.c.unit_id, _U.c.name, _U.c.revoked, _SITE.c.year.label("site_year"),
                  select(_LAST_R.c.latest).where(_LAST_R.c.unit_id == bindparam("unit"), _LAST_R.c.year == _SITE.c.year - 1)
                  .scalar_subquery().label("last_latest"))
           .select_from(_S.join(_U, _U.c.id == _S.c.unit_id).join(_SITE, _SITE.c.id == 1)).where(_S.c.id_hash == bindparam("hash")))
# ... and the advance only if the base version is still the text the change was made on
_ADVANCE_SAME = _ADVANCE.where(exists().where(_V.c.report_id == _R.c.id, _V.c.number == bindparam("base"), _V.c.text == bindparam("old")))
REMEMBERED = 4096  # sessions and units' starting points a process keeps (each unit's ≈ two texts of ~10 KB)


class _Plain:
    """A statement of the save compiled once for the engine's dialect: its SQL text, the values
    its own literals carry, and the dialect's processing of each parameter (an aware datetime
    as SQLite stores it, say) — run by ``Connection.exec_driver_sql``, which skips building the
    statement's cache key, looking it up and constructing its parameters at every execution
    (with the ORM session around them, about a third of a save's own CPU).  The statement is
    SQLAlchemy's own compilation of the same construct, so what runs is what ``execute`` runs;
    and it still goes through the connection, so the engine's events and its translation of the
    driver's errors apply as they do to every other statement."""

    __slots__ = ("sql", "order", "fixed", "processors")

    def __init__(self, statement: Any, dialect: Any, keys: list[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        required = {name for name, b in compiled.binds.items() if b.required}
        names = compiled.construct_params(dict.fromkeys(required), _check=False)
        self.sql: str = compiled.string
        self.order: tuple[str, ...] | None = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        self.fixed = {name: value for name, value in names.items() if name not in required}
        self.processors = {name: p for name in names if (p := compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None}

    def params(self, values: dict[str, Any]) -> Any:
        """The driver's parameters for ``values`` (by name): a tuple in the statement's order for
        SQLite's ``?``, a mapping for psycopg's ``%(name)s``."""
        merged = {**self.fixed, **values}
        for name, process in self.processors.items():
            merged[name] = process(merged[name])
        return tuple(merged[name] for name in self.order) if self.order is not None else merged


class _Irregular(Exception):
    """The plain way of a save met something other than its advance (a conflict, a lock): the
    save is done again the full way, which says what it met."""


_VERSION_KEYS = ["report_id", "number", "text", "author", "address", "created_at", "summary", "errors", "warnings"]
_AUDIT_KEYS = ["at", "actor", "address", "action", "detail"]


class Store:
    """The site's database.  Thread-safe: every method opens its own transaction."""

    def __init__(self, url: str) -> None:
        self.url = db.normalise(url)
        self.engine = db.engine_for(self.url)
        self.on_close: list[Callable[[], None]] = []
        # SQLite has one writer at a time; writers of this process queue here, in order, rather
        # than in SQLite's busy handler, which sleeps and retries (tens of ms, unfair under load).
        # Other processes (an export, a second server) still wait through busy_timeout.
        self._writing: AbstractContextManager = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()
        # What this process remembers of its reads, so that a save is one transaction: sessions by
        # their cookie's hash, and each unit's starting point.  Never trusted as it is: a save made
        # from them names what it assumed (Expect), checked again where it writes.
        self._sessions: OrderedDict[str, SessionInfo] = OrderedDict()
        self._starts: OrderedDict[int, Editing] = OrderedDict()
        self._memory = threading.Lock()
        dialect = self.engine.dialect
        self._plain = {"expect": _Plain(_EXPECT, dialect), "advance": _Plain(_ADVANCE_SAME, dialect),
                       "version": _Plain(_NEW_VERSION, dialect, _VERSION_KEYS), "audit": _Plain(_AUDIT, dialect, _AUDIT_KEYS)}
        self._expires = _S.c.expires_at.type.dialect_impl(dialect).result_processor(dialect, None)  # SQLite: its text read back as a datetime
        try:
            db.migrate(self.engine)
            self._site_row()
        except DatabaseError:
            self.engine.dispose()
            raise
        except DBAPIError as exc:
            self.engine.dispose()
            raise DatabaseError(_unusable(url, exc)) from None
        from argon2 import PasswordHasher

        self._hasher = PasswordHasher()  # its defaults are argon2id with the RFC 9106 low-memory profile

    @classmethod
    def for_site(cls, site: Path | None, db_url: str | None = None, *, db: str | None = None) -> Store:
        """The database ``--db`` names, else ``SITE/nianbao.db`` (the folder made if need be)."""
        url = db if db is not None else db_url
        if url:
            return cls(url)
        if site is None:
            raise DatabaseError("请给出站点文件夹，或用 --db 给出数据库地址")
        private_site(Path(site))
        return cls(_sqlite_url(site))

    def close(self) -> None:
        for hook in self.on_close:  # what works on this store in the background (the job runner) stops first
            hook()
        self.engine.dispose()

    def backup(self, target: Path) -> None:
        """A consistent copy of the whole SQLite database (every version, comment and audit row)
        at ``target``, taken while the site runs.  Copying ``nianbao.db`` itself is not safe then:
        recent saves are still in ``nianbao.db-wal`` and a checkpoint may run during the copy.
        ``VACUUM INTO`` reads one snapshot; the copy is synced, then renamed into place."""
        import os
        import sqlite3
        import tempfile

        if self.engine.dialect.name != "sqlite":
            raise StoreError("PostgreSQL 数据库请用 pg_dump 备份（或用 nianbao export 导出报告文件）")
        target = Path(target)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.unlink(name)  # VACUUM INTO wants a path that does not exist
        try:
            raw = self.engine.raw_connection()
            try:
                driver = raw.driver_connection  # sqlite3's own: VACUUM INTO runs outside a transaction
                assert driver is not None  # a connection checked out of the pool has one
                driver.execute("VACUUM INTO ?", (name,))
            finally:
                raw.close()
            with open(name, "rb+") as handle:
                os.fsync(handle.fileno())
            if os.name == "posix":
                os.chmod(name, 0o600)  # the whole site, the password's hash too: for its owner only, as the site's own database
            os.replace(name, target)
        except sqlite3.OperationalError as exc:  # the raw driver's own: a disk full, the file locked past the timeout
            raise DatabaseUnavailable(_failed(OperationalError("VACUUM INTO", None, exc))) from exc
        finally:
            Path(name).unlink(missing_ok=True)

    # -- transactions ------------------------------------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.  A database
        that fails underneath (SQLite busy past its timeout, a PostgreSQL server gone) is a
        :class:`DatabaseError` the page can say, not a driver's exception."""
        try:
            with self._writing if write else nullcontext(), Session(self.engine, expire_on_commit=False) as session:
                session.connection(execution_options={WRITE: write})
                yield session
                session.commit()
        except OperationalError as exc:
            raise DatabaseUnavailable(_failed(exc)) from exc

    def _site_row(self) -> None:
        """The settings row, made on the first start: the year collected is last year's."""
        try:
            with self._tx() as s:
                if s.get(db.Site, 1) is None:
                    s.add(db.Site(id=1, year=dt.date.today().year - 1, county_name=""))
        except IntegrityError:  # two processes starting at once both tried; the primary key kept one
            pass

    def _log(self, s: Session, actor: str, address: str, action: str, detail: str = "") -> None:
        s.connection().execute(_AUDIT, {"at": now(), "actor": _shown(actor, 200), "address": _shown(address, 100), "action": _shown(action, 100),
                                        "detail": _clean(detail)})

    # -- the county's admin ----------------------------------------------------------------------------
    def setup_token(self, address: str = "命令行") -> str | None:
        """A fresh one-time link token while no password is set (the previous one stops working:
        only the link printed last is valid), else None."""
        token = secrets.token_urlsafe(32)
        with self._tx() as s:
            site = _site(s)
            if site.admin_password_hash is not None:
                return None
            site.setup_token_hash = _hash(token)
            self._log(s, "nianbao", address, "生成设置密码的链接")
        return token

    def use_setup_token(self, token: str, password: str, address: str = "本机") -> bool:
        """Set the admin's password through the setup link, once; False for a wrong or used link."""
        if not password or not _encodable(password):
            return False
        with ARGON2:
            hashed = self._hasher.hash(password)  # outside the transaction: argon2 takes tens of ms
        with self._tx() as s:
            site = s.get(db.Site, 1)
            if site is None or site.setup_token_hash is None or site.admin_password_hash is not None:
                return False
            if not hmac.compare_digest(site.setup_token_hash, _hash(token)):
                return False
            site.admin_password_hash, site.setup_token_hash = hashed, None
            self._log(s, ADMIN, address, "设置管理员密码")
        return True

    def admin_password_ok(self, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        with self._tx(write=False) as s:
            stored = _site(s).admin_password_hash
        if stored is None or not _encodable(password):
            return False
        try:
            with ARGON2:
                self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if self._hasher.check_needs_rehash(stored):  # argon2-cffi's defaults grew: the next login gets them
            with ARGON2:
                rehashed = self._hasher.hash(password)
            with self._tx() as s:
                _site(s).admin_password_hash = rehashed
        return True

    def set_admin_password(self, password: str, *, actor: str = ADMIN, address: str = "本机") -> None:
        """Change the admin's password (from the county's page, after logging in)."""
        if not password:
            raise StoreError("密码不能为空")
        storable(password, "密码")
        with ARGON2:
            hashed = self._hasher.hash(password)
        with self._tx() as s:
            site = _site(s)
            site.admin_password_hash, site.setup_token_hash = hashed, None
            s.execute(delete(db.WebSession).where(db.WebSession.role == ADMIN))
            self._log(s, actor, address, "修改管理员密码")

    def settings(self) -> SiteInfo:
        with self._tx(write=False) as s:
            site = _site(s)
            return SiteInfo(site.year, site.county_name, site.admin_password_hash is not None)

    def set_year(self, year: int, *, actor: str = ADMIN, address: str = "本机") -> None:
        if not 1900 <= int(year) <= 2200:
            raise StoreError(f"年度“{year}”不对：请写四位数的年份")
        with self._tx() as s:
            site = _site(s)
            old, site.year = site.year, int(year)
            self._log(s, actor, address, "修改收集的年度", f"{old} → {year}")

    def set_county_name(self, name: str, *, actor: str = ADMIN, address: str = "本机") -> None:
        name = _name(name.strip(), "县（区）名称", 100)
        with self._tx() as s:
            site = _site(s)
            old, site.county_name = site.county_name, name
            county = s.scalar(select(db.Unit).where(db.Unit.is_county.is_(True)))
            if county is not None:
                county.name = self._county_name(s, name, county.id)
            self._log(s, actor, address, "修改县（区）名称", f"“{old}” → “{name}”")

    # -- units ----------------------------------------------------------------------------------------------
    def add_units(self, names: list[str], actor: str, address: str) -> list[tuple[UnitInfo, str | None]]:
        """Add the units not yet on the site (names compared as the unit list compares them:
        spaces and full-width forms ignored), each with a fresh private token; a unit already
        there comes back with None, its link unchanged (re-issuing is :meth:`reissue`)."""
        from ..county.roster import key

        out: list[tuple[UnitInfo, str | None]] = []
        with self._tx() as s:
            units = list(s.scalars(select(db.Unit)))
            by_key = {key(u.name): u for u in units}
            position = max((u.position for u in units), default=0)
            for name in names:
                name = name.strip()
                if not name:
                    continue
                _not_admin(_name(name, "单位名称", 200))
                there = by_key.get(key(name))
                if there is not None:
                    out.append((_unit(there), None))
                    continue
                token = secrets.token_urlsafe(32)
                position += 1
                row = db.Unit(name=name, position=position, token_hash=_hash(token), token_issued_at=now(), revoked=False, is_county=False)
                s.add(row)
                s.flush()
                by_key[key(name)] = row
                self._log(s, actor, address, "添加单位", name)
                out.append((_unit(row), token))
        return out

    def units(self, year: int, *, county: bool = False) -> list[UnitRow]:
        """The units in list order with their report of ``year`` (the county's own row only if asked)."""
        with self._tx(write=False) as s:
            query = select(db.Unit, db.Report).outerjoin(db.Report, (db.Report.unit_id == db.Unit.id) & (db.Report.year == year))
            if not county:
                query = query.where(db.Unit.is_county.is_(False))
            rows = s.execute(query.order_by(db.Unit.position, db.Unit.id)).all()
            return [UnitRow(u.id, u.name, u.position, bool(u.is_county), bool(u.revoked),
                            r.status if r else NOT_STARTED, r.latest if r else 0, r.errors if r else 0, r.warnings if r else 0,
                            _utc(r.updated_at) if r else None, r.updated_by if r else None, _utc(u.token_issued_at)) for u, r in rows]

    def unit(self, unit_id: int) -> UnitInfo | None:
        if not _id_ok(unit_id):
            return None
        with self._tx(write=False) as s:
            row = s.get(db.Unit, unit_id)
            return _unit(row) if row is not None else None

    def unit_by_token(self, token: str) -> UnitInfo | None:
        """The unit whose private link this is; None when unknown or revoked.  Looked up by the
        token's hash, so no comparison of secrets happens in Python at all."""
        if not token or len(token) > 200:
            return None
        with self._tx(write=False) as s:
            row = s.scalar(select(db.Unit).where(db.Unit.token_hash == _hash(token), db.Unit.revoked.is_(False)))
            return _unit(row) if row is not None else None

    def _get_unit(self, s: Session, unit_id: int) -> db.Unit:
        row = s.get(db.Unit, unit_id) if _id_ok(unit_id) else None
        if row is None:
            raise NotFound("找不到这个单位")
        return row

    def rename_unit(self, unit_id: int, name: str, actor: str, address: str) -> None:
        from ..county.roster import key

        name = name.strip()
        if not name:
            raise StoreError("单位名称不能为空")
        _not_admin(_name(name, "单位名称", 200))
        with self._tx() as s:
            row = self._get_unit(s, unit_id)
            for other in s.scalars(select(db.Unit).where(db.Unit.id != unit_id)):
                if key(other.name) == key(name):
                    raise StoreError(f"已有名为“{other.name}”的单位")
            old, row.name = row.name, name
            self._log(s, actor, address, "修改单位名称", f"“{old}” → “{name}”")

    def revoke(self, unit_id: int, actor: str, address: str) -> None:
        """The unit's link stops working at once, and whoever is inside through it is logged out."""
        with self._tx() as s:
            row = self._get_unit(s, unit_id)
            if row.is_county:
                raise StoreError("县（区）本级的报告没有专用链接")
            row.revoked = True
            s.execute(delete(db.WebSession).where(db.WebSession.unit_id == unit_id))
            self._log(s, actor, address, "停用单位链接", row.name)

    def reissue(self, unit_id: int, actor: str, address: str) -> str:
        """A new private token for the unit; the old link stops working and its sessions end."""
        token = secrets.token_urlsafe(32)
        with self._tx() as s:
            row = self._get_unit(s, unit_id)
            if row.is_county:
                raise StoreError("县（区）本级的报告没有专用链接")
            row.token_hash, row.token_issued_at, row.revoked = _hash(token), now(), False
            s.execute(delete(db.WebSession).where(db.WebSession.unit_id == unit_id))
            self._log(s, actor, address, "重新生成单位链接", row.name)
        return token

    def county_unit(self, address: str = "本机") -> UnitInfo:
        """The row under which the county's own (aggregate) report is kept; made when first asked
        (audited from ``address``: the admin's, or 本机 when the site's own work asked)."""
        with self._tx() as s:
            row = s.scalar(select(db.Unit).where(db.Unit.is_county.is_(True)))
            if row is None:
                county_name = _site(s).county_name
                row = db.Unit(name=self._county_name(s, county_name, None), position=0, token_hash=None, revoked=False, is_county=True)
                s.add(row)
                s.flush()
                self._log(s, ADMIN, address, "建立县（区）本级的汇总报告", row.name)
            return _unit(row)

    def _county_name(self, s: Session, county_name: str, own_id: int | None) -> str:
        """``青山县（汇总）``: never the name of a unit on the list."""
        name = f"{county_name}{COUNTY_UNIT}" if county_name else COUNTY_UNIT
        taken = {u.name for u in s.scalars(select(db.Unit).where(db.Unit.id != (own_id or -1)))}
        while name in taken:
            name += "·"
        return name

    # -- sessions --------------------------------------------------------------------------------------------
    def new_session(self, role: str, unit_id: int | None, address: str) -> tuple[str, str]:
        """(the cookie's value, the session's CSRF token); only the cookie's hash is stored.
        Expired sessions are cleared here, so the table holds only live ones."""
        if role not in (ADMIN, "unit") or (role == "unit") == (unit_id is None):
            raise ValueError(f"bad session role {role!r} for unit {unit_id!r}")
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        at = now()
        with self._tx() as s:
            s.execute(delete(db.WebSession).where(db.WebSession.expires_at < at))
            who = ADMIN
            if unit_id is not None:
                unit = self._get_unit(s, unit_id)
                if unit.revoked:
                    raise StoreError("这个单位的链接已停用")
                who = unit.name
            s.add(db.WebSession(id_hash=_hash(cookie), role=role, unit_id=unit_id, csrf=csrf, created_at=at,
                                expires_at=at + (ADMIN_SESSION if role == ADMIN else UNIT_SESSION), address=_shown(address, 100)))
            self._log(s, who, address, "登录" if role == ADMIN else "通过专用链接进入")
        return cookie, csrf

    def session(self, cookie: str, *, cached: bool = False) -> SessionInfo | None:
        """The live session of this cookie; None when unknown, ended or expired.  ``cached``: as
        this process last read it, when it did and it has not expired since — for a save only,
        which checks it again in its own transaction (:class:`Expect`)."""
        if not cookie or len(cookie) > 200:
            return None
        hashed = _hash(cookie)
        if cached:
            with self._memory:
                held = self._sessions.get(hashed)
            if held is not None and held.expires_at > now():
                return held
        with self._tx(write=False) as s:
            row = s.connection().execute(_SESSION, {"hash": hashed}).first()  # every request asks: a plain statement, the unit joined
            found = None
            if row is not None and _utc(row.expires_at) > now():
                unit = UnitInfo(row.u_id, row.u_name, row.u_position, bool(row.u_is_county), bool(row.u_revoked),
                                _utc(row.u_token_issued_at)) if row.u_id is not None else None
                found = SessionInfo(row.role, row.unit_id, row.csrf, _utc(row.created_at), _utc(row.expires_at), row.address, unit)
        with self._memory:
            if found is None:
                self._sessions.pop(hashed, None)
            else:
                _remember(self._sessions, hashed, found)
        return found

    @staticmethod
    def session_key(cookie: str) -> str:
        """What :class:`Expect` names a session by: its cookie's hash (the cookie is never kept)."""
        return _hash(cookie)

    def forget_session(self, key: str) -> None:
        with self._memory:
            self._sessions.pop(key, None)

    def end_session(self, cookie: str) -> None:
        self.forget_session(_hash(cookie or ""))
        with self._tx() as s:
            row = s.get(db.WebSession, _hash(cookie or ""))
            if row is not None:
                who = ADMIN if row.unit_id is None else self._get_unit(s, row.unit_id).name
                s.delete(row)
                self._log(s, who, row.address, "退出")

    def end_unit_sessions(self, unit_id: int) -> None:
        with self._tx() as s:
            s.execute(delete(db.WebSession).where(db.WebSession.unit_id == unit_id))

    def reserve_login(self, address: str) -> int | None:
        """A sign-in attempt from ``address`` reserved (counted as failed until :meth:`finish_login`
        says otherwise), or None after :data:`LOGIN_FAILURES` failed or pending attempts within
        :data:`LOGIN_WINDOW` since its last successful one.

        The count and the reservation are one write transaction, serialised per address across
        every process on the database (SQLite: ``BEGIN IMMEDIATE`` takes the file's write lock;
        PostgreSQL: a transaction-scoped advisory lock on the address), so that 300 wrong
        passwords sent at once get at most five argon2 verifications, not one per request that
        read the count before the others wrote theirs."""
        at = now()
        since = at - LOGIN_WINDOW
        address = _shown(address, 100)
        with self._tx() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key("login:" + address)})
            if _failures(s, address, since) >= LOGIN_FAILURES:
                return None
            s.execute(delete(db.LoginAttempt).where(db.LoginAttempt.at < at - KEEP_ATTEMPTS))
            row = db.LoginAttempt(address=address, at=at, ok=False)
            s.add(row)
            s.flush()
            return row.id

    def finish_login(self, attempt: int, address: str, ok: bool) -> None:
        """The outcome of a reserved attempt: a success clears the count (it is the newest ok
        attempt); a failure stays counted.  Audited with the address either way."""
        with self._tx() as s:
            if ok:
                s.execute(update(db.LoginAttempt).where(db.LoginAttempt.id == attempt).values(ok=True, at=now())
                          .execution_options(synchronize_session=False))
            self._log(s, ADMIN, address, "管理员登录成功" if ok else "管理员登录失败（密码不对）")

    def login_allowed(self, address: str) -> bool:
        """Whether :meth:`reserve_login` would reserve an attempt now (a read: nothing reserved)."""
        since = now() - LOGIN_WINDOW
        address = _shown(address, 100)
        with self._tx(write=False) as s:
            return _failures(s, address, since) < LOGIN_FAILURES

    def record_login(self, address: str, ok: bool) -> None:
        """An attempt recorded as it ended, without a reservation (a tool's or a test's record)."""
        at = now()
        with self._tx() as s:
            s.execute(delete(db.LoginAttempt).where(db.LoginAttempt.at < at - KEEP_ATTEMPTS))
            s.add(db.LoginAttempt(address=_shown(address, 100), at=at, ok=bool(ok)))
            self._log(s, ADMIN, address, "管理员登录成功" if ok else "管理员登录失败（密码不对）")

    # -- reports and versions ------------------------------------------------------------------------------
    def _report_row(self, s: Session, unit_id: int, year: int) -> db.Report | None:
        if not (_id_ok(unit_id) and _id_ok(year)):
            return None
        return s.scalar(select(db.Report).where(db.Report.unit_id == unit_id, db.Report.year == year))

    def _ensure_report(self, s: Session, unit_id: int, year: int) -> int:
        """The report's id, its row made if need be; two first saves at once make one row
        (``ON CONFLICT DO NOTHING``), and the loser of them then meets the winner's version."""
        found = s.scalar(select(db.Report.id).where(db.Report.unit_id == unit_id, db.Report.year == year))
        if found is not None:
            return found
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite  # each has its own INSERT … ON CONFLICT
        s.execute(dialect.insert(db.Report).values(unit_id=unit_id, year=year, status=NOT_STARTED, latest=0, errors=0, warnings=0)
                  .on_conflict_do_nothing(index_elements=["unit_id", "year"]))
        made = s.scalar(select(db.Report.id).where(db.Report.unit_id == unit_id, db.Report.year == year))
        assert made is not None  # inserted just now, or by the other first save
        return made

    def report(self, unit_id: int, year: int) -> ReportInfo | None:
        with self._tx(write=False) as s:
            row = self._report_row(s, unit_id, year)
            return _report(row) if row is not None else None

    def latest(self, unit_id: int, year: int) -> VersionInfo | None:
        with self._tx(write=False) as s:
            report = self._report_row(s, unit_id, year)
            if report is None or report.latest == 0:
                return None
            row = s.scalar(select(db.Version).where(db.Version.report_id == report.id, db.Version.number == report.latest))
            return _version(row, report) if row is not None else None

    def editing(self, unit_id: int) -> tuple[int, VersionInfo | None, str | None]:
        """(the year collected, the newest version of the unit's report of that year, the text of
        its newest of the year before): what a save starts from, read in one transaction."""
        start = self.starting_point(unit_id)
        return start.year, start.latest, start.last_text

    def starting_point(self, unit_id: int, *, cached: bool = False) -> Editing:
        """What a save of the unit starts from (:class:`Editing`), read in one transaction — or,
        ``cached``, as this process last read or saved it: a save made from that names it in its
        :class:`Expect`, so that the transaction that writes refuses it if it no longer holds."""
        import dataclasses

        if cached:
            with self._memory:
                held = self._starts.get(unit_id)
                if held is not None:
                    self._starts.move_to_end(unit_id)
                    return held
        with self._tx(write=False) as s:
            # one plain statement, not the ORM's objects: a save asks this with every keystroke's batch
            rows = s.connection().execute(_EDITING, {"unit": unit_id if _id_ok(unit_id) else 0}).all()
            year = rows[0].site_year
            found = {row.year: dataclasses.replace(_version(row), unit_id=row.unit_id, year=row.year) for row in rows if row.number is not None}
        start = Editing(year, found.get(year), found.get(year - 1))
        with self._memory:
            _remember(self._starts, unit_id, start)
        return start

    def forget_start(self, unit_id: int) -> None:
        with self._memory:
            self._starts.pop(unit_id, None)

    def _saved(self, unit_id: int, year: int, base: int, info: VersionInfo) -> None:
        """A remembered starting point moved on by a save of this process (or forgotten, when it
        was not the one the save started from)."""
        with self._memory:
            held = self._starts.get(unit_id)
            if held is None:
                return
            if held.year == year and (held.latest.number if held.latest is not None else 0) == base:
                self._starts[unit_id] = Editing(year, info, held.last)
            else:
                del self._starts[unit_id]

    def save(self, unit_id: int, year: int, text: str, *, base: int, author: str, address: str, summary: list[str],
             errors: int, warnings: int, upload: tuple[str, bytes] | None = None, expect: Expect | None = None) -> VersionInfo:
        """Store ``text`` as the next version if the newest is still ``base`` (0 = none yet).

        Raises :class:`Conflict` (with the newest version) when someone saved since, and
        :class:`Locked` when the report is submitted or approved and ``author`` is not the admin.
        A save moves 未开始 and 已退回 to 填写中.  Returns after the commit: acknowledged = durable.
        ``upload``: (its name, its bytes) — the file the text was read from, kept with it in the
        same transaction (:meth:`_keep_upload`).  ``expect``: what the save was worked out from
        (remembered, not read now), checked here first — :class:`SessionGone` or :class:`Stale`
        when it no longer holds, and then nothing is written."""
        storable(text, "报告")
        summary = [storable(str(said), "修改说明") for said in summary]
        if not _id_ok(year) or not _id_ok(base + 1):
            raise StoreError(f"年度或版本号不对（{year}年 第{base}版）")
        at = now()
        admin = author == ADMIN
        address = _shown(address, 100)
        if expect is not None and upload is None:
            try:
                info = self._save_expected(unit_id, year, text, base, author, address, summary, errors, warnings, expect, at)
            except _Irregular:
                pass  # not advanced: the full way below says why (it checks the same again, in a new transaction)
            else:
                self._saved(unit_id, year, base, info)
                return info
        with self._tx() as s:
            c = s.connection()  # plain statements on the session's connection: the ORM's objects cost a save more than its check
            values = {"base": base, "next": base + 1, "n_errors": errors, "n_warnings": warnings, "at": at, "by": author}
            if expect is not None:  # one statement says whether what the save was worked out from still holds
                held = c.execute(_EXPECT, {"hash": expect.session, "unit": unit_id}).first()
                if held is None or held.unit_id != unit_id or held.revoked or _utc(held.expires_at) <= at:
                    raise SessionGone("登录已失效，请重新打开本单位的专用链接")
                if held.site_year != year or (held.last_latest or 0) != expect.last:
                    raise Stale(STALE)
                unit_name, report_id = held.name, expect.report_id
                done = c.execute(_ADVANCE_SAME, {**values, "report": report_id, "old": expect.text})
            else:
                found = c.execute(_UNIT_REPORT, {"unit": unit_id, "year": year}).first() if _id_ok(unit_id) else None
                if found is None:
                    raise NotFound("找不到这个单位")
                unit_name, report_id = found
                if report_id is None:
                    report_id = self._ensure_report(s, unit_id, year)
                done = c.execute(_ADVANCE if not admin else _ADVANCE_ADMIN, {**values, "report": report_id})
            if _changed(done) != 1:
                status, latest = s.execute(select(db.Report.status, db.Report.latest).where(db.Report.id == report_id)).one()
                if not admin and status in LOCKED:
                    raise Locked(status)
                if expect is not None and latest == base:  # the base is not the text remembered: read again
                    raise Stale(STALE)
                current = s.scalar(select(db.Version).where(db.Version.report_id == report_id, db.Version.number == latest))
                if current is None or base > latest:  # a page ahead of the database: it was restored from a backup meanwhile
                    raise StoreError(f"这份报告最新是第{latest}版，您的页面是第{base}版：请刷新页面")
                raise Conflict(_version(current, s.get(db.Report, report_id)), base)
            c.execute(_NEW_VERSION, {"report_id": report_id, "number": base + 1, "text": text, "author": _shown(author, 200), "address": address,
                                     "created_at": at, "summary": json.dumps(list(summary), ensure_ascii=False), "errors": errors, "warnings": warnings})
            self._log(s, author, address, "保存", f"{unit_name} {year}年 第{base + 1}版" + (f"：{'；'.join(summary[:5])}" if summary else ""))
            if upload is not None:
                self._keep_upload(s, self._get_unit(s, unit_id), upload[0], upload[1], address)
            info = VersionInfo(base + 1, author, address, at, tuple(summary), errors, warnings, text, unit_id, year, report_id)
        self._saved(unit_id, year, base, info)
        return info

    def _save_expected(self, unit_id: int, year: int, text: str, base: int, author: str, address: str, summary: list[str],
                       errors: int, warnings: int, expect: Expect, at: dt.datetime) -> VersionInfo:
        """:meth:`save` of a unit's save worked out from remembered reads, as it goes when nothing
        stands in its way: the check of ``expect``, the conditional advance, the version and its
        audit row — the same statements in one transaction on a plain connection (no ORM session),
        each compiled once (:class:`_Plain`), their parameters made before the write lock is taken
        (SQLite has one writer: what a save does while holding it, every other save waits for).
        :class:`_Irregular` (nothing written) when the advance did not happen: :meth:`save`'s full
        way then finds out why."""
        plain = self._plain
        check = plain["expect"].params({"hash": expect.session, "unit": unit_id})
        advance = plain["advance"].params({"base": base, "next": base + 1, "n_errors": errors, "n_warnings": warnings, "at": at, "by": author,
                                           "report": expect.report_id, "old": expect.text})
        author_shown = _shown(author, 200)
        version = plain["version"].params({"report_id": expect.report_id, "number": base + 1, "text": text, "author": author_shown, "address": address,
                                           "created_at": at, "summary": json.dumps(list(summary), ensure_ascii=False), "errors": errors, "warnings": warnings})
        said = f" {year}年 第{base + 1}版" + (f"：{'；'.join(summary[:5])}" if summary else "")
        try:
            with self._writing, self.engine.connect() as c:
                c.execution_options(**{WRITE: True})
                with c.begin():
                    held = c.exec_driver_sql(plain["expect"].sql, check).first()
                    if held is None or held.unit_id != unit_id or held.revoked or _utc(self._read_expiry(held.expires_at)) <= at:
                        raise SessionGone("登录已失效，请重新打开本单位的专用链接")
                    if held.site_year != year or (held.last_latest or 0) != expect.last:
                        raise Stale(STALE)
                    if _changed(c.exec_driver_sql(plain["advance"].sql, advance)) != 1:
                        raise _Irregular
                    c.exec_driver_sql(plain["version"].sql, version)
                    c.exec_driver_sql(plain["audit"].sql, plain["audit"].params({"at": at, "actor": author_shown, "address": address, "action": "保存",
                                                                                 "detail": _clean(held.name + said)}))
        except OperationalError as exc:
            raise DatabaseUnavailable(_failed(exc)) from exc
        return VersionInfo(base + 1, author, address, at, tuple(summary), errors, warnings, text, unit_id, year, expect.report_id)

    def _read_expiry(self, value: Any) -> dt.datetime:
        """A session's expiry as the driver gives it, read as SQLAlchemy reads the column (SQLite: its text)."""
        return cast(dt.datetime, value if self._expires is None else self._expires(value))

    def versions(self, unit_id: int, year: int, limit: int | None = None) -> list[VersionInfo]:
        """Every version (or the newest ``limit``), newest first, without their texts (a history
        list needs none; a report saved every few seconds for weeks has thousands)."""
        with self._tx(write=False) as s:
            report = self._report_row(s, unit_id, year)
            if report is None:
                return []
            columns = [c for c in db.Version.__table__.c if c.name != "text"]
            query = select(*columns).where(db.Version.report_id == report.id).order_by(db.Version.number.desc())
            rows = s.execute(query.limit(limit) if limit is not None else query).all()
            return [_version(r, report, text=False) for r in rows]

    def version(self, unit_id: int, year: int, number: int) -> VersionInfo | None:
        if not _id_ok(number):
            return None
        with self._tx(write=False) as s:
            report = self._report_row(s, unit_id, year)
            if report is None:
                return None
            row = s.scalar(select(db.Version).where(db.Version.report_id == report.id, db.Version.number == number))
            return _version(row, report) if row is not None else None

    def set_status(self, unit_id: int, year: int, status: Status, *, actor: str, address: str, comment: str | None = None) -> None:
        """One of the legal moves (:data:`MOVES`) by the one who may make it; a submit needs a
        saved version without errors.  ``comment`` is kept with the move (the return's reasons)."""
        if comment is not None:
            storable(comment, "意见")
        with self._tx() as s:
            unit = self._get_unit(s, unit_id)
            report = self._report_row(s, unit_id, year)
            current = report.status if report is not None else NOT_STARTED
            who = MOVES.get((current, status))
            if who is None:
                raise BadMove(f"报告现在是“{current}”，不能改为“{status}”")
            if (who == ADMIN) != (actor == ADMIN):
                raise BadMove("只有县（区）管理员可以退回或通过报告" if who == ADMIN else "报告由单位自己提交")
            assert report is not None  # no move starts from 未开始 (MOVES)
            if status == SUBMITTED and report.errors:
                raise BadMove(f"报告还有{report.errors}处错误，改正后才能提交")
            moved = s.execute(update(db.Report).where(db.Report.id == report.id, db.Report.status == current)
                              .values(status=status, updated_at=now()).execution_options(synchronize_session=False))
            if _changed(moved) != 1:
                raise BadMove("报告的状态刚刚被别人改过：请刷新页面")
            if comment is not None and comment.strip():
                s.add(db.Comment(report_id=report.id, version=report.latest, where=None, text=comment.strip(), author=actor,
                                 created_at=now(), kind=KIND_OF_MOVE[status]))
            self._log(s, actor, address, {SUBMITTED: "提交", RETURNED: "退回", APPROVED: "通过"}[status],
                      f"{unit.name} {year}年 第{report.latest}版" + (f"：{comment.strip()}" if comment and comment.strip() else ""))

    def comments(self, unit_id: int, year: int) -> list[CommentInfo]:
        """The county's comments and the reasons of each move, oldest first."""
        with self._tx(write=False) as s:
            report = self._report_row(s, unit_id, year)
            if report is None:
                return []
            return [_comment(c) for c in s.scalars(select(db.Comment).where(db.Comment.report_id == report.id).order_by(db.Comment.id))]

    def add_comment(self, unit_id: int, year: int, where: str | None, text: str, *, actor: str, address: str) -> CommentInfo:
        text = storable(text.strip(), "意见")
        if not text:
            raise StoreError("意见不能为空")
        if where is not None:
            storable(where, "意见的位置", 500)
        if not _id_ok(year):
            raise NotFound(f"没有{year}年的报告")
        with self._tx() as s:
            unit = self._get_unit(s, unit_id)
            report_id = self._ensure_report(s, unit_id, year)
            report = s.get(db.Report, report_id)
            assert report is not None  # made just now if need be
            row = db.Comment(report_id=report_id, version=report.latest, where=where or None, text=text, author=actor, created_at=now(), kind="comment")
            s.add(row)
            s.flush()
            self._log(s, actor, address, "提出意见", f"{unit.name} {year}年" + (f" {where}" if where else "") + f"：{text}")
            return _comment(row)

    def approved(self, year: int) -> list[tuple[UnitInfo, VersionInfo]]:
        """The approved reports of ``year`` in list order, with their texts: what produce and the
        county's aggregate take (the county's own report is not among them)."""
        with self._tx(write=False) as s:
            rows = s.execute(select(db.Unit, db.Report, db.Version).join(db.Report, db.Report.unit_id == db.Unit.id)
                             .join(db.Version, (db.Version.report_id == db.Report.id) & (db.Version.number == db.Report.latest))
                             .where(db.Report.year == year, db.Report.status == APPROVED, db.Unit.is_county.is_(False))
                             .order_by(db.Unit.position, db.Unit.id)).all()
            return [(_unit(u), _version(v, r)) for u, r, v in rows]

    def latest_all(self, year: int | None = None) -> list[tuple[UnitInfo, int, VersionInfo]]:
        """(unit, year, its newest version) of every report with a version, in list order then
        year — the county's own report too (``UnitInfo.is_county``): what export writes."""
        with self._tx(write=False) as s:
            query = (select(db.Unit, db.Report, db.Version).join(db.Report, db.Report.unit_id == db.Unit.id)
                     .join(db.Version, (db.Version.report_id == db.Report.id) & (db.Version.number == db.Report.latest)))
            if year is not None:
                query = query.where(db.Report.year == year)
            rows = s.execute(query.order_by(db.Unit.is_county, db.Unit.position, db.Unit.id, db.Report.year)).all()
            return [(_unit(u), r.year, _version(v, r)) for u, r, v in rows]

    def latest_numbers(self) -> list[tuple[int, str, bool, int, int]]:
        """(unit id, unit name, is the county's own, year, newest version number) of every report
        with a version, texts not read: what says whether anything :meth:`latest_all` gives changed."""
        with self._tx(write=False) as s:
            rows = s.execute(select(db.Unit.id, db.Unit.name, db.Unit.is_county, db.Report.year, db.Report.latest)
                             .join(db.Report, db.Report.unit_id == db.Unit.id).where(db.Report.latest > 0)
                             .order_by(db.Unit.is_county, db.Unit.position, db.Unit.id, db.Report.year)).all()
            return [(u, name, bool(county), year, latest) for u, name, county, year, latest in rows]

    # -- uploads, jobs, audit --------------------------------------------------------------------------------
    def put_upload(self, unit_id: int, name: str, data: bytes, address: str = "本机") -> int:
        """Keep an upload on its own (:meth:`save` keeps the one a version was made from with it); its id."""
        with self._tx() as s:
            return self._keep_upload(s, self._get_unit(s, unit_id), name, data, address)

    def _keep_upload(self, s: Session, unit: db.Unit, name: str, data: bytes, address: str) -> int:
        """Keep an upload a report was made from (never under the name sent: that is only shown),
        and of the unit's uploads only the newest :data:`UPLOADS_KEPT` within
        :data:`UPLOAD_BYTES_KEPT`: a unit's link can fill the disk with no more than that.  A file
        that could not be read is never kept (the caller keeps only what a saved version came from)."""
        row = db.Upload(unit_id=unit.id, name=_shown(name, 500), size=len(data), data=data, created_at=now())
        s.add(row)
        s.flush()
        kept, total, dropped = 0, 0, []
        for upload_id, size in s.execute(select(db.Upload.id, db.Upload.size).where(db.Upload.unit_id == unit.id).order_by(db.Upload.id.desc())):
            if kept < UPLOADS_KEPT and (kept == 0 or total + size <= UPLOAD_BYTES_KEPT):
                kept, total = kept + 1, total + size
            else:
                dropped.append(upload_id)
        if dropped:
            s.execute(delete(db.Upload).where(db.Upload.id.in_(dropped)))
        self._log(s, unit.name, address, "上传文件", f"{(name or '')[:200]}（{len(data)} 字节）" + (f"；删去较早的上传文件{len(dropped)}个" if dropped else ""))
        return row.id

    def uploads(self, unit_id: int) -> list[tuple[int, str, int]]:
        """(id, name as sent, bytes) of the unit's kept uploads, newest first."""
        with self._tx(write=False) as s:
            rows = s.execute(select(db.Upload.id, db.Upload.name, db.Upload.size).where(db.Upload.unit_id == unit_id).order_by(db.Upload.id.desc()))
            return [(i, n, b) for i, n, b in rows]

    def upload(self, upload_id: int, unit_id: int) -> bytes | None:
        """The upload's bytes if it is this unit's; None otherwise (never another unit's file)."""
        if not _id_ok(upload_id):
            return None
        with self._tx(write=False) as s:
            row = s.get(db.Upload, upload_id)
            return row.data if row is not None and row.unit_id == unit_id else None

    def keep_proof(self, unit_id: int, page: str) -> str:
        """Keep a scan's proof page for the unit to open after the redirect; the random name it
        is asked by.  Only the unit's newest :data:`PROOFS_KEPT`: it is made again by uploading
        the scan again."""
        name = secrets.token_hex(8)
        with self._tx() as s:
            unit = self._get_unit(s, unit_id)
            s.add(db.Proof(unit_id=unit.id, name=name, page=page.encode("utf-8"), created_at=now()))
            s.flush()
            old = s.scalars(select(db.Proof.id).where(db.Proof.unit_id == unit.id).order_by(db.Proof.id.desc()).offset(PROOFS_KEPT)).all()
            if old:
                s.execute(delete(db.Proof).where(db.Proof.id.in_(old)).execution_options(synchronize_session=False))
        return name

    def proof(self, unit_id: int, name: str) -> str | None:
        """The proof page called ``name`` if it is this unit's; None otherwise."""
        if not name or len(name) > 32:
            return None
        with self._tx(write=False) as s:
            page = s.scalar(select(db.Proof.page).where(db.Proof.name == name, db.Proof.unit_id == unit_id))
            return page.decode("utf-8") if page is not None else None

    def new_job(self, kind: str, total: int, *, actor: str = ADMIN, address: str = "本机", args: dict | None = None,
                owner: str | None = None) -> int:
        """A job row, 'running' from the user's view; ``owner``: claimed at once by that worker
        (None: for whichever worker claims it, :meth:`claim_job`)."""
        with self._tx() as s:
            return self._new_job(s, kind, total, actor, address, args, owner)

    def _new_job(self, s: Session, kind: str, total: int, actor: str, address: str, args: dict | None, owner: str | None) -> int:
        at = now()
        row = db.Job(kind=_shown(kind, 20), state="running", done=0, total=total, message="", created_at=at,
                     args=json.dumps(args, ensure_ascii=False) if args is not None else None, owner=owner, heartbeat_at=at if owner else None)
        s.add(row)
        s.flush()
        self._log(s, actor, address, "开始后台任务", f"{kind}（共{total}项）")
        return row.id

    def start_job(self, kind: str, total: int, args: dict, *, actor: str, address: str) -> tuple[int, bool]:
        """(the job, True) — a new one, not yet claimed — or (the one of ``kind`` already under
        way, False): two clicks on two workers start one job.  One write transaction, serialised
        per kind across every process on the database (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL:
        an advisory lock on the kind), so that both cannot see none under way and both start one."""
        with self._tx() as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key("job:" + kind)})
            found = s.scalar(select(db.Job.id).where(db.Job.kind == kind, db.Job.state == "running").order_by(db.Job.id.desc()).limit(1))
            if found is not None:
                return found, False
            return self._new_job(s, kind, total, actor, address, args, None), True

    def claim_job(self, owner: str, kind: str | None = None) -> JobInfo | None:
        """The oldest job nobody has claimed, now ``owner``'s; None when there is none.  Two
        workers asking at once get two jobs or one and None, never one job both: PostgreSQL
        skips the rows another transaction has locked (``FOR UPDATE SKIP LOCKED``); SQLite's
        write transaction (``BEGIN IMMEDIATE``) holds the whole database meanwhile.  Asked every
        few seconds by every worker: a read first, the write only when there is one to claim."""
        query = select(db.Job.id).where(db.Job.state == "running", db.Job.owner.is_(None)).order_by(db.Job.id).limit(1)
        if kind is not None:
            query = query.where(db.Job.kind == kind)
        with self._tx(write=False) as s:
            if s.scalar(query) is None:
                return None
        with self._tx() as s:
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            found = s.scalar(query)
            row = s.get(db.Job, found) if found is not None else None
            if row is None:
                return None
            row.owner = _shown(owner, 200)
            row.heartbeat_at = now()
            return _job(row)

    def beat(self, owner: str) -> None:
        """``owner`` is alive: the jobs it runs say so (a job whose worker stopped saying so is
        said to have failed, :meth:`fail_stale`)."""
        with self._tx() as s:
            s.execute(update(db.Job).where(db.Job.owner == owner, db.Job.state == "running").values(heartbeat_at=now())
                      .execution_options(synchronize_session=False))

    def fail_stale(self, message: str, stale: dt.timedelta, dead: Callable[[str], bool] = lambda owner: False,
                   unclaimed_before: dt.datetime | None = None) -> list[int]:
        """Running jobs whose worker is gone — silent for ``stale``, or ``dead(owner)`` (a process
        of this machine that no longer exists), or never claimed and made before
        ``unclaimed_before`` (by a run of the site that stopped before its worker took it) —
        marked failed with ``message``; their ids.  Rows another worker is marking are skipped
        on PostgreSQL (``SKIP LOCKED``), and each is failed, and audited, once: the write
        re-reads the rows it found gone."""
        cutoff = now() - stale

        def gone(owner: str | None, heartbeat: dt.datetime | None, created: dt.datetime) -> bool:
            if owner is None:
                return unclaimed_before is not None and _utc(created) < unclaimed_before
            at = _utc(heartbeat)
            return at is None or at < cutoff or dead(owner)

        running = select(db.Job.id, db.Job.owner, db.Job.heartbeat_at, db.Job.created_at).where(db.Job.state == "running")
        with self._tx(write=False) as s:
            found = [job_id for job_id, owner, heartbeat, created in s.execute(running) if gone(owner, heartbeat, created)]
        if not found:
            return []
        with self._tx() as s:
            query = select(db.Job).where(db.Job.id.in_(found), db.Job.state == "running")
            if s.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            failed = []
            for row in s.scalars(query):
                if gone(row.owner, row.heartbeat_at, row.created_at):
                    row.state, row.message, row.finished_at = "failed", _shown(message, 100_000), now()
                    self._log(s, "nianbao", "本机", "后台任务结束", f"{row.kind}：失败（{message}）")
                    failed.append(row.id)
            return failed

    def update_job(self, job_id: int, *, done: int | None = None, state: str | None = None, message: str | None = None,
                   result: bytes | None = None) -> None:
        """Progress (not audited: a row per step would drown the log); the end of the job is."""
        with self._tx() as s:
            row = s.get(db.Job, job_id) if _id_ok(job_id) else None
            if row is None:
                raise NotFound("找不到这个任务")
            if row.state in ("done", "failed"):  # said failed (its worker fell silent): a late word from it changes nothing
                return
            if done is not None:
                row.done = done
            if message is not None:
                row.message = _shown(message, 100_000)
            if result is not None:
                row.result = result
            if state is not None and state != row.state:
                row.state = state
                if state in ("done", "failed"):
                    row.finished_at = now()
                    self._log(s, "nianbao", "本机", "后台任务结束", f"{row.kind}：{'完成' if state == 'done' else '失败'}" + (f"（{row.message}）" if row.message else ""))

    def last_done_job(self, kind: str) -> JobInfo | None:
        """The newest finished job of ``kind`` that still holds its result (an overview the
        county's page may serve again while nothing it was made from has changed)."""
        with self._tx(write=False) as s:
            row = s.scalar(select(db.Job).where(db.Job.kind == kind, db.Job.state == "done", db.Job.result.is_not(None))
                           .order_by(db.Job.id.desc()).limit(1))
            return _job(row) if row is not None else None

    def drop_results(self, kind: str, keep: int) -> None:
        """Forget the results of the finished jobs of ``kind`` older than ``keep``: an overview
        made over again after every change would otherwise keep a megabyte per view forever."""
        with self._tx() as s:
            s.execute(update(db.Job).where(db.Job.kind == kind, db.Job.id < keep, db.Job.state != "running", db.Job.result.is_not(None))
                      .values(result=None).execution_options(synchronize_session=False))

    def job(self, job_id: int) -> JobInfo | None:
        if not _id_ok(job_id):
            return None
        with self._tx(write=False) as s:
            row = s.get(db.Job, job_id)
            return _job(row) if row is not None else None

    def audit(self, actor: str, address: str, action: str, detail: str) -> None:
        """An audit row for what the pages do besides the store's own changes (a download, a
        produce run); anything that looks like a token is hidden from it."""
        with self._tx() as s:
            self._log(s, actor, address, action, detail)

    def audit_log(self, limit: int = 200, offset: int = 0) -> list[AuditRow]:
        """Newest first."""
        with self._tx(write=False) as s:
            rows = s.scalars(select(db.Audit).order_by(db.Audit.id.desc()).limit(max(0, min(limit, 10000))).offset(max(0, min(offset, MAX_ID))))
            return [AuditRow(r.id, _utc(r.at), r.actor, r.address, r.action, r.detail) for r in rows]


def _failures(s: Session, address: str, since: dt.datetime) -> int:
    """Failed (or still pending) sign-ins from ``address`` since ``since`` and its last good one."""
    last_ok = s.scalar(select(func.max(db.LoginAttempt.at)).where(db.LoginAttempt.address == address, db.LoginAttempt.ok.is_(True),
                                                                  db.LoginAttempt.at >= since))
    start = max(since, _utc(last_ok)) if last_ok is not None else since
    return s.scalar(select(func.count()).select_from(db.LoginAttempt).where(db.LoginAttempt.address == address, db.LoginAttempt.ok.is_(False),
                                                                            db.LoginAttempt.at >= start)) or 0


def _not_admin(name: str) -> None:
    """A unit called ``admin`` would act with the admin's rights wherever an author is compared."""
    if name.strip().casefold() == ADMIN:
        raise StoreError(f"“{name}”是县（区）管理员的名称，不能用作单位名称")


def _sqlite_url(site: Path) -> str:
    return db.sqlite_url(site)


def _failed(exc: OperationalError) -> str:
    """Why this one operation failed, for the clerk: it was not done, and trying again may work."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    if "disk is full" in reason or "No space left" in reason:
        return "服务器的磁盘已满，这次的操作没有完成：请县（区）管理员清理磁盘后再试"
    if "locked" in reason or "busy" in reason:
        return f"数据库正忙（另一项写入超过{db.BUSY_TIMEOUT_MS // 1000}秒还没有完成），这次的操作没有完成：请稍后再试"
    return f"数据库出错（{reason}），这次的操作没有完成：请稍后再试；如果一直出错，请联系县（区）管理员检查数据库"


def _unusable(url: str, exc: DBAPIError) -> str:
    """Why the database cannot be opened, for the clerk; the driver's own words at the end."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
    if url.startswith("sqlite"):
        return f"站点文件夹中的数据库无法打开（{reason}）：文件可能已损坏或不是 nianbao 的数据库；请从备份恢复，或换一个站点文件夹"
    return f"无法连接数据库 {db.shown(url)}（{reason}）：请检查地址、用户名、密码，以及数据库服务器是否已启动"

