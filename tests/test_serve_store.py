"""The site's store (nianbao.serve.store) on SQLite and on a real PostgreSQL: versions checked on
save (one winner of two saves on one base, the other told who won), nothing acknowledged lost
to kill -9, no secret at rest, an audit row for every change, the SQLite settings in force,
and a database it cannot use refused in Chinese."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pgserver import pg_url  # noqa: F401 - a fixture, used by name
from sqlalchemy import text, update

from nianbao.errors import NianbaoError
from nianbao.serve import db
from nianbao.serve.store import (
    ADMIN,
    APPROVED,
    FILLING,
    NOT_STARTED,
    RETURNED,
    SUBMITTED,
    BadMove,
    Conflict,
    DatabaseError,
    DatabaseUnavailable,
    Locked,
    NotFound,
    Store,
    StoreError,
    VersionInfo,
)

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2025


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """Every test here runs on both databases the site supports."""
    if request.param == "sqlite":
        (tmp_path / "site").mkdir()
        return db.sqlite_url(tmp_path / "site")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    opened = Store(url)
    yield opened
    opened.close()


def every_value(store: Store) -> str:
    """Every row of every table as text: what someone who copied the database would read."""
    out = []
    with store.engine.connect() as connection:
        for table in db.Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                out.append(" ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row))
    return "\n".join(out)


def save(store: Store, unit_id: int, body: str, base: int, author: str = "青山镇人民政府", **kw) -> VersionInfo:
    return store.save(unit_id, YEAR, body, base=base, author=author, address="10.0.0.7", summary=kw.pop("summary", []),
                      errors=kw.pop("errors", 0), warnings=kw.pop("warnings", 0))


# -- opening ----------------------------------------------------------------------------------------------------
def test_sqlite_settings_on_every_connection(tmp_path):
    """WAL (a copy taken while running is consistent), FULL (an ack survives a power cut),
    foreign keys, a busy timeout: set by the listener on each new connection."""
    store = Store.for_site(tmp_path / "site", None)
    assert (tmp_path / "site" / "nianbao.db").is_file()
    with store.engine.connect() as one, store.engine.connect() as two:  # two connections of the pool at once: each has them all
        for c in (one, two):
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
    store.close()


def test_postgresql_urls_use_psycopg():
    assert db.normalise("postgresql://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    assert db.normalise("postgres://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    assert db.engine_for("postgresql://u:p@h/d").dialect.driver == "psycopg"
    with pytest.raises(DatabaseError, match="不支持的数据库：mysql"):
        db.engine_for("mysql://u:p@h/d")


def test_migrated_to_head_and_reopened(store, url):
    with store.engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == db.head() == "0003"
    store.set_county_name("青山县")
    store.close()
    again = Store(url)  # the migration at start is a no-op on a current database; the data is there
    assert again.settings().county_name == "青山县"
    again.close()


def test_database_of_a_newer_nianbao_is_refused(store, url):
    with store.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0042'"))
    store.close()
    with pytest.raises(DatabaseError, match="较新版本的 nianbao 建立的（结构版本 0042）.*请升级 nianbao"):
        Store(url)


def test_database_of_another_program_is_refused(url):
    from sqlalchemy import create_engine

    engine = create_engine(db.normalise(url))
    with engine.begin() as c:
        c.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="已有其他程序的数据表（invoices）"):
        Store(url)


def test_garbage_sqlite_file_is_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "nianbao.db").write_bytes(b"PK\x03\x04 this is a zip, not a database " * 200)
    with pytest.raises(DatabaseError, match="站点文件夹中的数据库无法打开.*从备份恢复"):
        Store.for_site(site, None)


def test_unreachable_server_is_said_without_its_password():
    with pytest.raises(DatabaseError) as caught:
        Store("postgresql://nianbao:s3cretpw@127.0.0.1:1/nowhere")
    assert "无法连接数据库" in str(caught.value) and "s3cretpw" not in str(caught.value)
    assert isinstance(caught.value, NianbaoError)


# -- the admin ---------------------------------------------------------------------------------------------------
def test_setup_link_once_then_argon2id_password(store):
    assert store.settings().admin_set is False
    first = store.setup_token()
    second = store.setup_token()  # a restart prints a new link: only the last one works
    assert first != second and len(second) >= 43
    assert store.use_setup_token(first, "correct horse") is False
    assert store.use_setup_token(second, "") is False
    assert store.use_setup_token(second, "correct horse") is True
    assert store.use_setup_token(second, "another") is False  # used
    assert store.setup_token() is None
    assert store.settings().admin_set is True
    assert store.admin_password_ok("correct horse") and not store.admin_password_ok("correct horse ") and not store.admin_password_ok("")
    with store.engine.connect() as c:
        stored = c.execute(text("SELECT admin_password_hash, setup_token_hash FROM site")).one()
    assert stored[0].startswith("$argon2id$") and stored[1] is None
    everything = every_value(store)
    assert "correct horse" not in everything and second not in everything


def test_login_rate_limit_per_address(store):
    for _ in range(4):
        store.record_login("10.0.0.9", False)
    assert store.login_allowed("10.0.0.9")
    store.record_login("10.0.0.9", False)
    assert not store.login_allowed("10.0.0.9")  # 5 failures in 10 minutes
    assert store.login_allowed("10.0.0.10")  # another address is not punished
    with store.engine.begin() as c:  # ten minutes later
        c.execute(update(db.LoginAttempt).values(at=db.now() - dt.timedelta(minutes=11)))
    assert store.login_allowed("10.0.0.9")
    for _ in range(5):
        store.record_login("10.0.0.11", False)
    store.record_login("10.0.0.11", True)  # the admin got in: the count starts again
    assert store.login_allowed("10.0.0.11")


RACER = """
import sys, threading
from nianbao.serve.store import Store
store = Store(sys.argv[1])
verified = []
gate = threading.Barrier(int(sys.argv[2]))

def attempt():
    gate.wait()
    reserved = store.reserve_login("10.9.9.9")  # what auth.login does: reserve, verify, finish
    if reserved is not None:
        verified.append(store.admin_password_ok("wrong password"))
        store.finish_login(reserved, "10.9.9.9", False)

threads = [threading.Thread(target=attempt) for _ in range(int(sys.argv[2]))]
for t in threads: t.start()
for t in threads: t.join()
store.close()
print(len(verified))
"""


def test_parallel_wrong_logins_from_several_processes_get_five_verifications(store, url):
    """300 wrong passwords at once from one address, through three processes on one database (as
    several workers would be): at most five reach argon2 — the limit is counted and the attempt
    reserved in one write, serialised across processes."""
    store.use_setup_token(store.setup_token(), "correct horse battery")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    racers = [subprocess.Popen([sys.executable, "-c", RACER, url, "100"], stdout=subprocess.PIPE, text=True, env=env) for _ in range(3)]
    verified = [int(r.communicate(timeout=300)[0].strip()) for r in racers]
    assert sum(verified) == 5, verified
    assert [r.action for r in store.audit_log()].count("管理员登录失败（密码不对）") == 5
    assert not store.login_allowed("10.9.9.9") and store.reserve_login("10.9.9.9") is None


# -- units, tokens, sessions ------------------------------------------------------------------------------------
def test_units_tokens_hashed_revoked_reissued(store):
    added = store.add_units(["青山镇人民政府", "白河乡人民政府", " 青山镇人民政府 ", "青山镇　人民政府"], ADMIN, "10.0.0.1")
    (qs, qs_token), (bh, bh_token) = added[0], added[1]
    assert [t for _, t in added[2:]] == [None, None] and {u.id for u, _ in added[2:]} == {qs.id}  # already there: link unchanged
    assert len(qs_token) >= 43 and qs_token != bh_token  # 256 bits
    assert [u.name for u in store.units(YEAR)] == ["青山镇人民政府", "白河乡人民政府"]
    assert store.unit_by_token(qs_token) == store.unit(qs.id)
    assert store.unit_by_token(qs_token[:-1] + ("A" if qs_token[-1] != "A" else "B")) is None
    assert store.unit_by_token("") is None and store.unit_by_token("x" * 10000) is None
    cookie, csrf = store.new_session("unit", qs.id, "10.0.0.7")
    assert store.session(cookie).unit_id == qs.id and store.session(cookie).csrf == csrf
    new = store.reissue(qs.id, ADMIN, "10.0.0.1")
    assert store.unit_by_token(qs_token) is None and store.unit_by_token(new).id == qs.id
    assert store.session(cookie) is None  # the old link's sessions ended with it
    cookie2, _ = store.new_session("unit", bh.id, "10.0.0.8")
    store.revoke(bh.id, ADMIN, "10.0.0.1")
    assert store.unit_by_token(bh_token) is None and store.session(cookie2) is None
    assert store.unit(bh.id).revoked is True
    with pytest.raises(StoreError, match="链接已停用"):
        store.new_session("unit", bh.id, "10.0.0.8")
    store.rename_unit(bh.id, "白河乡政府", ADMIN, "10.0.0.1")
    with pytest.raises(StoreError, match="已有名为“青山镇人民政府”的单位"):
        store.rename_unit(bh.id, "青山镇人民政府 ", ADMIN, "")
    with pytest.raises(NotFound):
        store.revoke(99999, ADMIN, "")
    everything = every_value(store)
    for secret in (qs_token, bh_token, new, cookie, cookie2):
        assert secret not in everything


def test_sessions_expire_and_end(store):
    (unit, _), = store.add_units(["青山镇人民政府"], ADMIN, "")
    admin_cookie, admin_csrf = store.new_session(ADMIN, None, "10.0.0.1")
    info = store.session(admin_cookie)
    assert info.is_admin and info.unit_id is None and info.address == "10.0.0.1"
    assert dt.timedelta(hours=11) < info.expires_at - info.created_at <= dt.timedelta(hours=12)
    unit_cookie, unit_csrf = store.new_session("unit", unit.id, "10.0.0.7")
    assert unit_csrf != admin_csrf
    assert store.session(unit_cookie).expires_at - store.session(unit_cookie).created_at == dt.timedelta(days=30)
    with store.engine.begin() as c:
        c.execute(update(db.WebSession).where(db.WebSession.role == ADMIN).values(expires_at=db.now() - dt.timedelta(seconds=1)))
    assert store.session(admin_cookie) is None and store.session(unit_cookie) is not None
    store.end_session(unit_cookie)
    assert store.session(unit_cookie) is None and store.session("forged") is None
    store.new_session(ADMIN, None, "10.0.0.1")  # clears the expired ones
    with store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM sessions")).scalar() == 1
    with pytest.raises(ValueError):
        store.new_session("unit", None, "")


# -- reports and versions ---------------------------------------------------------------------------------------
def test_save_versions_conflict_status_comments(store):
    (unit, _), = store.add_units(["青山镇人民政府"], ADMIN, "")
    assert store.report(unit.id, YEAR) is None and store.latest(unit.id, YEAR) is None and store.versions(unit.id, YEAR) == []
    v1 = save(store, unit.id, "第一版\n", 0, summary=["表三.一.自然人：空 → 2"], errors=2)
    assert (v1.number, v1.text, v1.summary, v1.errors, v1.address) == (1, "第一版\n", ("表三.一.自然人：空 → 2",), 2, "10.0.0.7")
    assert store.report(unit.id, YEAR).status == FILLING and store.report(unit.id, YEAR).errors == 2
    with pytest.raises(Conflict) as caught:  # a second tab still on version 0
        save(store, unit.id, "另一个标签页\n", 0, author="青山镇人民政府")
    assert caught.value.current == v1 and "第1版" in str(caught.value) and "表三.一.自然人：空 → 2" in str(caught.value)
    assert caught.value.current.as_json()["number"] == 1
    with pytest.raises(StoreError, match="请刷新页面"):
        save(store, unit.id, "未来\n", 7)
    save(store, unit.id, "第二版\n", 1)
    assert [v.number for v in store.versions(unit.id, YEAR)] == [2, 1]
    assert all(v.text is None for v in store.versions(unit.id, YEAR))
    assert store.version(unit.id, YEAR, 1).text == "第一版\n" and store.version(unit.id, YEAR, 3) is None
    assert store.latest(unit.id, YEAR).text == "第二版\n"
    with pytest.raises(BadMove, match="报告现在是“填写中”，不能改为“已通过”"):
        store.set_status(unit.id, YEAR, APPROVED, actor=ADMIN, address="")
    store.set_status(unit.id, YEAR, SUBMITTED, actor="青山镇人民政府", address="10.0.0.7")
    with pytest.raises(BadMove, match="只有县（区）管理员"):
        store.set_status(unit.id, YEAR, APPROVED, actor="青山镇人民政府", address="")
    with pytest.raises(Locked, match="已提交县（区）审核"):
        save(store, unit.id, "提交后再改\n", 2)
    with pytest.raises(BadMove, match="报告现在是“已提交”，不能改为“已提交”"):
        store.set_status(unit.id, YEAR, SUBMITTED, actor="青山镇人民政府", address="")
    store.set_status(unit.id, YEAR, RETURNED, actor=ADMIN, address="10.0.0.1", comment="表三第二行请核对")
    assert store.report(unit.id, YEAR).status == RETURNED
    save(store, unit.id, "改正后\n", 2, errors=1)
    assert store.report(unit.id, YEAR).status == FILLING
    with pytest.raises(BadMove, match="还有1处错误"):
        store.set_status(unit.id, YEAR, SUBMITTED, actor="青山镇人民政府", address="")
    save(store, unit.id, "无错误\n", 3)
    store.set_status(unit.id, YEAR, SUBMITTED, actor="青山镇人民政府", address="")
    store.set_status(unit.id, YEAR, APPROVED, actor=ADMIN, address="", comment="同意")
    with pytest.raises(Locked, match="已通过审核"):
        save(store, unit.id, "通过后\n", 4)
    v5 = save(store, unit.id, "县里改一个字\n", 4, author=ADMIN)  # the admin may
    assert store.report(unit.id, YEAR).status == APPROVED and v5.author == ADMIN
    store.add_comment(unit.id, YEAR, "表三.一", "数字偏大", actor=ADMIN, address="")
    assert [(c.kind, c.text, c.version, c.where) for c in store.comments(unit.id, YEAR)] == [
        ("return", "表三第二行请核对", 2, None), ("approve", "同意", 4, None), ("comment", "数字偏大", 5, "表三.一")]
    assert [(u.name, v.number, v.text) for u, v in store.approved(YEAR)] == [("青山镇人民政府", 5, "县里改一个字\n")]
    assert store.approved(YEAR - 1) == []
    with pytest.raises(NotFound):
        save(store, 12345, "x", 0)


def test_statuses_listed_per_year(store):
    (a, _), (b, _) = store.add_units(["甲镇", "乙乡"], ADMIN, "")
    save(store, b.id, "乙\n", 0, author="乙乡", warnings=3)
    rows = store.units(YEAR)
    assert [(r.name, r.status, r.latest, r.warnings, r.updated_by) for r in rows] == [("甲镇", NOT_STARTED, 0, 0, None), ("乙乡", FILLING, 1, 3, "乙乡")]
    assert rows[1].unit == store.unit(b.id)
    assert [r.status for r in store.units(YEAR + 1)] == [NOT_STARTED, NOT_STARTED]
    county = store.county_unit()
    assert county.is_county and store.county_unit() == county and county.name not in {r.name for r in store.units(YEAR)}
    store.set_county_name("青山县")
    assert store.county_unit().name == "青山县（汇总）"
    assert [r.name for r in store.units(YEAR, county=True)] == ["青山县（汇总）", "甲镇", "乙乡"]
    save(store, county.id, "汇总\n", 0, author=ADMIN)
    assert [(u.name, y, v.text) for u, y, v in store.latest_all()] == [("乙乡", YEAR, "乙\n"), ("青山县（汇总）", YEAR, "汇总\n")]
    with pytest.raises(StoreError):
        store.revoke(county.id, ADMIN, "")


def test_uploads_and_jobs(store):
    (a, _), (b, _) = store.add_units(["甲镇", "乙乡"], ADMIN, "")
    n = store.put_upload(a.id, "../../etc/passwd 报告.pdf", b"%PDF-1.7\x00\xff")
    assert store.upload(n, a.id) == b"%PDF-1.7\x00\xff"
    assert store.upload(n, b.id) is None and store.upload(n + 1, a.id) is None  # never another unit's file
    job = store.new_job("produce", 3)
    store.update_job(job, done=2, message="正在生成 乙乡")
    assert (store.job(job).state, store.job(job).done, store.job(job).finished_at) == ("running", 2, None)
    store.update_job(job, done=3, state="done", result=b"PK\x05\x06" + bytes(18))
    finished = store.job(job)
    assert finished.state == "done" and finished.result == b"PK\x05\x06" + bytes(18) and finished.finished_at is not None
    assert store.job(job + 100) is None


def test_every_change_audited_never_a_secret(store):
    token = store.setup_token()
    store.use_setup_token(token, "口令 pass-Word")
    (unit, unit_token), = store.add_units(["青山镇人民政府"], ADMIN, "10.0.0.1")
    cookie, _ = store.new_session("unit", unit.id, "10.0.0.7")
    save(store, unit.id, "v1\n", 0, summary=["表二.规章.本年制发：3 → 4"])
    store.set_status(unit.id, YEAR, SUBMITTED, actor="青山镇人民政府", address="10.0.0.7")
    store.set_status(unit.id, YEAR, RETURNED, actor=ADMIN, address="10.0.0.1", comment="请补充")
    store.add_comment(unit.id, YEAR, None, "整体意见", actor=ADMIN, address="10.0.0.1")
    reissued = store.reissue(unit.id, ADMIN, "10.0.0.1")
    store.rename_unit(unit.id, "青山镇政府", ADMIN, "10.0.0.1")
    store.revoke(unit.id, ADMIN, "10.0.0.1")
    store.record_login("10.0.0.1", False)
    store.set_year(2026)
    store.audit(ADMIN, "10.0.0.1", "下载", f"误传的链接 http://x/u/{reissued} 与 cookie {cookie}")
    log = store.audit_log()
    actions = [(r.actor, r.address, r.action) for r in reversed(log)]
    assert actions == [
        ("nianbao", "命令行", "生成设置密码的链接"), (ADMIN, "本机", "设置管理员密码"), (ADMIN, "10.0.0.1", "添加单位"),
        ("青山镇人民政府", "10.0.0.7", "通过专用链接进入"), ("青山镇人民政府", "10.0.0.7", "保存"), ("青山镇人民政府", "10.0.0.7", "提交"),
        (ADMIN, "10.0.0.1", "退回"), (ADMIN, "10.0.0.1", "提出意见"), (ADMIN, "10.0.0.1", "重新生成单位链接"),
        (ADMIN, "10.0.0.1", "修改单位名称"), (ADMIN, "10.0.0.1", "停用单位链接"), (ADMIN, "10.0.0.1", "管理员登录失败（密码不对）"),
        (ADMIN, "本机", "修改收集的年度"), (ADMIN, "10.0.0.1", "下载")]  # every row says where from: a page's address, 命令行 or 本机
    assert log[-5].detail == f"青山镇人民政府 {YEAR}年 第1版：表二.规章.本年制发：3 → 4"
    assert all(r.at.tzinfo is not None for r in log)
    assert store.audit_log(limit=2, offset=1) == log[1:3]
    everything = every_value(store)
    for secret in (token, unit_token, reissued, cookie, "口令 pass-Word"):
        assert secret not in everything


# -- concurrency -------------------------------------------------------------------------------------------------
def test_concurrent_saves_one_winner(store):
    """Threads saving on the same base at the same moment: each round exactly one wins and
    every other gets Conflict carrying the winner's version — the first save of a report too."""
    (unit, _), = store.add_units(["青山镇人民政府"], ADMIN, "")
    threads_n, rounds = 6, 4
    base = 0
    for round_ in range(rounds):
        barrier = threading.Barrier(threads_n)
        won: list[VersionInfo] = []
        lost: list[VersionInfo] = []
        other: list[BaseException] = []

        def one(k: int, base: int = base, barrier: threading.Barrier = barrier, won=won, lost=lost, other=other, round_=round_) -> None:
            barrier.wait()
            try:
                won.append(save(store, unit.id, f"第{round_}轮 第{k}个\n", base, author=f"标签页{k}", summary=[f"改{k}"]))
            except Conflict as exc:
                lost.append(exc.current)
            except BaseException as exc:  # noqa: BLE001 - reported below
                other.append(exc)

        workers = [threading.Thread(target=one, args=(k,)) for k in range(threads_n)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        assert other == []
        assert len(won) == 1 and len(lost) == threads_n - 1
        winner = won[0]
        assert winner.number == base + 1
        assert all((c.number, c.author, c.created_at, c.summary) == (winner.number, winner.author, winner.created_at, winner.summary) for c in lost)
        assert store.latest(unit.id, YEAR).text == winner.text
        base += 1
    assert [v.number for v in store.versions(unit.id, YEAR)] == list(range(rounds, 0, -1))


# -- kill -9 -------------------------------------------------------------------------------------------------------
CHILD = r"""
import sys
from nianbao.serve.store import Store
store = Store(sys.argv[1])
(unit, _), = store.add_units(["青山镇人民政府"], "admin", "127.0.0.1")
print("ready", unit.id, flush=True)
n = 0
while True:
    v = store.save(unit.id, 2025, f"第{n + 1}版：" + "表三" * (n % 50) + "\n", base=n, author="青山镇人民政府", address="127.0.0.1",
                   summary=[f"改动{n + 1}"], errors=0, warnings=0)
    n = v.number
    print(n, flush=True)
"""


def body(n: int) -> str:
    return f"第{n}版：" + "表三" * ((n - 1) % 50) + "\n"


@pytest.mark.skipif(os.name == "nt", reason="Windows 没有 SIGKILL：kill -9 的测试只在 Linux/macOS 上运行")
def test_kill_9_during_saves_loses_nothing_acknowledged(url, tmp_path):
    import signal

    Store(url).close()  # migrated before the child starts, as the server does
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    acked: list[int] = []
    try:
        first = child.stdout.readline().split()
        assert first[0] == "ready", child.stderr.read()
        unit_id = int(first[1])
        while len(acked) < 200:
            line = child.stdout.readline()
            assert line, child.stderr.read()
            acked.append(int(line))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        acked += [int(line) for line in child.stdout.read().splitlines() if line.strip().isdigit()]  # printed before it died
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert acked == list(range(1, len(acked) + 1))
    store = Store(url)
    try:
        if url.startswith("sqlite"):
            with store.engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        latest = store.latest(unit_id, YEAR)
        assert latest.number in (acked[-1], acked[-1] + 1)  # at most the save in flight, committed but not yet printed
        for n in acked:
            version = store.version(unit_id, YEAR, n)
            assert version is not None and version.text == body(n) and version.summary == (f"改动{n}",)
        assert save(store, unit_id, "重启后\n", latest.number).number == latest.number + 1  # the site carries on
    finally:
        store.close()


def test_for_site_needs_a_place():
    with pytest.raises(DatabaseError, match="请给出站点文件夹"):
        Store.for_site(None, None)


def test_migrations_ship_inside_the_package():
    """Alembic's scripts are files of the package folder (a wheel ships them with it), found
    from the module, never from the working directory."""
    folder = Path(db.__file__).parent / "migrations"
    assert db.MIGRATIONS == folder
    assert (folder / "env.py").is_file() and (folder / "script.py.mako").is_file()
    assert [p.name for p in sorted((folder / "versions").glob("*.py"))] == ["0001_first.py", "0002_job_claims.py", "0003_proofs.py"]


def test_units_cannot_take_the_admins_name(store):
    with pytest.raises(StoreError, match="“Admin”是县（区）管理员的名称"):
        store.add_units(["甲镇", "Admin"], ADMIN, "")
    assert store.units(YEAR) == []  # nothing of the refused list was added
    (unit, _), = store.add_units(["甲镇"], ADMIN, "")
    with pytest.raises(StoreError, match="管理员的名称"):
        store.rename_unit(unit.id, " admin ", ADMIN, "")


def test_sqlite_busy_past_its_timeout_is_said(tmp_path, monkeypatch):
    """Another writer holding the file longer than the busy timeout: this save is refused with
    a message (nothing half-written), and the next one, once the file is free, goes through."""
    import sqlite3

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    store = Store.for_site(tmp_path / "site", None)
    (unit, _), = store.add_units(["甲镇"], ADMIN, "")
    holder = sqlite3.connect(tmp_path / "site" / "nianbao.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseUnavailable, match="数据库正忙.*这次的操作没有完成：请稍后再试"):
            save(store, unit.id, "忙\n", 0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert save(store, unit.id, "不忙\n", 0).number == 1
    store.close()
    assert issubclass(DatabaseUnavailable, StoreError) and issubclass(DatabaseUnavailable, DatabaseError)  # a page's `except StoreError` says it


def test_postgresql_connections_dropped_are_made_again(pg_url):  # noqa: F811 - the fixture imported above
    """The server restarted (or an admin ended our sessions): the next call reconnects."""
    url = pg_url
    store = Store(url)
    try:
        (unit, _), = store.add_units(["甲镇"], ADMIN, "")
        with store.engine.connect() as c:
            mine = c.execute(text("SELECT pg_backend_pid()")).scalar()
        from sqlalchemy import create_engine

        other = create_engine(db.normalise(url))
        with other.begin() as c:
            assert c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": mine}).scalar() is True
        other.dispose()
        assert save(store, unit.id, "重连后\n", 0).number == 1
    finally:
        store.close()


START = "import sys; from nianbao.serve.store import Store; s = Store(sys.argv[1]); print(s.settings().year); s.close()"


def test_processes_starting_at_once_on_a_new_database(url):
    """The server and an export (or two servers) started together on a new database: each
    migration waits for the other's and finds the schema made — no one fails."""
    procs = [subprocess.Popen([sys.executable, "-c", START, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
             for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [(p.returncode, out.strip()) for p, (out, _) in zip(procs, results)] == [(0, str(dt.date.today().year - 1))] * 4, results


def test_backup_while_a_writer_is_open(store, url, tmp_path):
    """SQLite: a consistent copy taken with the site running (saves still in the WAL included);
    PostgreSQL has its own tool, said so."""
    (unit, _), = store.add_units(["甲镇"], ADMIN, "")
    for n in range(5):
        save(store, unit.id, f"第{n + 1}版\n", n)
    if not url.startswith("sqlite"):
        with pytest.raises(StoreError, match="pg_dump"):
            store.backup(tmp_path / "copy.db")
        return
    with store.engine.connect() as reader:  # a reader holding a snapshot: the copy does not wait for it
        reader.exec_driver_sql("SELECT count(*) FROM versions").scalar()
        store.backup(tmp_path / "copy.db")
    copy = Store(f"sqlite:///{(tmp_path / 'copy.db').as_posix()}")
    try:
        assert copy.latest(unit.id, YEAR).text == "第5版\n" and len(copy.versions(unit.id, YEAR)) == 5
    finally:
        copy.close()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_what_a_database_cannot_hold_is_refused_or_shown(store):
    """A NUL (PostgreSQL refuses it), a lone surrogate (JSON lets a browser send one), a name past
    its column (PostgreSQL only) and an id past PostgreSQL's integer: the same answer on both
    databases — a Chinese refusal for content, never a driver's error; shown-only fields keep
    what they can, visibly."""
    (unit, _), = store.add_units(["甲镇"], ADMIN, "")
    with pytest.raises(StoreError, match=r"报告中有空字符（\\0），无法保存"):
        save(store, unit.id, "总体情况\x00\n", 0)
    with pytest.raises(StoreError, match="报告中有无法保存的字符"):
        save(store, unit.id, "总体情况\ud800\n", 0)
    with pytest.raises(StoreError, match="修改说明中有无法保存的字符"):
        save(store, unit.id, "好\n", 0, summary=["表三：\udfff"])
    assert store.latest(unit.id, YEAR) is None  # nothing half-saved
    v = store.save(unit.id, YEAR, "好\n", base=0, author="甲镇", address="fe80::1%\x00\ud800" + "9" * 300, summary=[], errors=0, warnings=0)
    assert v.address.startswith("fe80::1%\\0\\ud800") and len(store.version(unit.id, YEAR, 1).address) == 100
    with pytest.raises(StoreError, match="意见中有空字符"):
        store.add_comment(unit.id, YEAR, None, "请\x00核对", actor=ADMIN, address="")
    with pytest.raises(StoreError, match="意见的位置太长（501个字符，最多500个）"):
        store.add_comment(unit.id, YEAR, "表" * 501, "请核对", actor=ADMIN, address="")
    with pytest.raises(StoreError, match="单位名称太长（201个字符，最多200个）"):
        store.add_units(["镇" * 201], ADMIN, "")
    with pytest.raises(StoreError, match="单位名称中有空字符"):
        store.rename_unit(unit.id, "甲\x00镇", ADMIN, "")
    with pytest.raises(StoreError, match="县（区）名称太长"):
        store.set_county_name("县" * 101)
    big = 2**31
    assert store.unit(big) is None and store.unit(10**30) is None and store.version(unit.id, YEAR, big) is None
    assert store.report(unit.id, big) is None and store.upload(big, unit.id) is None and store.job(big) is None
    with pytest.raises(NotFound):
        save(store, big, "x\n", 0)
    with pytest.raises(NotFound):
        store.update_job(10**20, done=1)
    assert store.unit_by_token("\ud800" * 43) is None and store.session("\udc80x") is None
    assert store.admin_password_ok("\ud800") is False and store.use_setup_token(store.setup_token(), "\ud800") is False
    upload = store.put_upload(unit.id, "报告\x00.pdf\udcff", b"%PDF")
    with store.engine.connect() as c:
        assert c.execute(text("SELECT name FROM uploads WHERE id = :id"), {"id": upload}).scalar() == "报告\\0.pdf\\udcff"
    store.audit(ADMIN, "\ud800", "下载\x00", "细节\x00\udcff")
    row = store.audit_log(1)[0]
    assert (row.address, row.action, row.detail) == ("\\ud800", "下载\\0", "细节\\0\\udcff")
    assert store.audit_log(5, 10**30) == []


def test_a_throwaway_cluster_where_postgresql_is_installed():
    """Without NIANBAO_TEST_PG the tests start their own cluster (initdb into a temporary folder, a
    free loopback port): it takes the site's schema and a save, and is gone once stopped."""
    from pgserver import SKIP_REASON, Cluster, fresh_database, server_programs

    programs = server_programs()
    if programs is None:
        pytest.skip(SKIP_REASON)
    cluster = Cluster(programs)
    try:
        with fresh_database(cluster.url) as url:
            store = Store(url)
            try:
                (unit, _), = store.add_units(["青山镇人民政府"], ADMIN, "10.0.0.1")
                assert save(store, unit.id, "v1\n", 0).number == 1 and store.latest(unit.id, YEAR).text == "v1\n"
            finally:
                store.close()
    finally:
        cluster.stop()
    assert not cluster.folder.exists()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows keeps the user profile's ACLs")
def test_the_site_folder_and_database_are_private(tmp_path):
    """A new site folder 0700, nianbao.db (so -wal and -shm) 0600; a folder of the clerk's choosing
    keeps its own mode for a new site, and a folder already holding a site is made private."""
    made = Store.for_site(tmp_path / "新站点", None)
    made.set_year(2025)  # a write: -wal and -shm exist now
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "新站点", *(tmp_path / "新站点").glob("nianbao.db*"))}
    made.close()
    assert modes == {"新站点": 0o700, "nianbao.db": 0o600, "nianbao.db-wal": 0o600, "nianbao.db-shm": 0o600}
    chosen = tmp_path / "我的文档"
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    Store.for_site(chosen, None).close()
    assert (chosen.stat().st_mode & 0o777, (chosen / "nianbao.db").stat().st_mode & 0o777) == (0o755, 0o600)
    (chosen / "nianbao.db").chmod(0o644)  # a site of an older nianbao
    Store.for_site(chosen, None).close()
    assert (chosen.stat().st_mode & 0o777, (chosen / "nianbao.db").stat().st_mode & 0o777) == (0o700, 0o600)
