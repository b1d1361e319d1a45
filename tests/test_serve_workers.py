"""``nianbao serve --workers 2`` on one database, SQLite and PostgreSQL: whatever worker answers,
a session, its CSRF token and the sign-in limit hold (they are in the database, not in a
process); of two saves of one report at once exactly one wins and the other is told whose
version it met; a killed worker is started again and its sessions still work; background jobs
are claimed through the database — never one job by two workers — and a job whose worker died
is said to have failed."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
from pathlib import Path

import httpx
import pytest
from browserkit import children
from pgserver import fresh_database, server_url
from servesite import HTML, PASSWORD, YEAR, report_text
from test_serve_server import free_port, read_until, start, wait_up

from nianbao.serve import jobs
from nianbao.serve.store import Store

UNIT = "青山镇人民政府"
CELL = "proactive.licensing"


def _workers(pid: int) -> list[int]:
    """The server's worker processes (multiprocessing's own helper, if any, left out)."""
    out = []
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command:
            out.append(child)
    return out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory):
    """(base URL, the server's process, the unit's private link token, the setup token, the store's URL)."""
    folder = tmp_path_factory.mktemp("workers") / "site"
    if request.param == "postgresql":
        server = server_url()
        if server is None:
            pytest.skip("没有 PostgreSQL（设置 NIANBAO_TEST_PG）")
        database = fresh_database(server)
        url = database.__enter__()
        request.addfinalizer(lambda: database.__exit__(None, None, None))
        where = ["--db", url]
        store = Store(url)
    else:
        url = None
        where = [str(folder)]
        store = Store.for_site(folder)
    try:
        store.set_year(YEAR)
        (unit, token), = store.add_units([UNIT], "admin", "test")
        store.save(unit.id, YEAR, report_text(UNIT), base=0, author=UNIT, address="test", summary=["新建报告"], errors=0, warnings=0)
    finally:
        store.close()
    port = free_port()
    process = start([*where, "--no-browser", "--port", str(port), "--workers", "2"])
    try:
        head = read_until(process.stdout, "网站已启动")
        assert any("2个工作进程" in line for line in head), head
        setup = next(re.search(r"/setup/(\S+)", line).group(1) for line in head if "/setup/" in line)
        wait_up(port)
        yield f"http://127.0.0.1:{port}", process, token, setup, url or str(folder)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except Exception:  # noqa: BLE001 - a stop that hangs is killed; the assertion below says so
            process.kill()
            process.communicate(timeout=10)
    assert process.returncode == 0


def _unit_client(base: str, token: str) -> tuple[httpx.Client, str]:
    """A browser of the unit: signed in by its link, the page's CSRF token; no keep-alive, so each
    request is a new connection any worker may take."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60, limits=httpx.Limits(max_keepalive_connections=0))
    assert client.get(f"/u/{token}").status_code == 303
    csrf = re.search(r'<meta name="csrf" content="([^"]+)"', client.get("/report", headers=HTML).text).group(1)
    return client, csrf


def _version(client: httpx.Client) -> int:
    return client.get("/report/data").json()["version"]


@pytest.mark.skipif(sys.platform != "linux", reason="counts the workers through /proc")
def test_two_workers_serve(served):
    base, process, *_ = served
    assert len(_workers(process.pid)) == 2
    with httpx.Client(base_url=base) as client:
        assert all(client.get("/login", headers=HTML).status_code == 200 for _ in range(4))


def test_two_saves_of_one_report_on_two_workers_one_wins_the_other_is_told(served):
    """Two clerks' tabs (two sessions of the unit, each request a new connection) save on the same
    version at the same instant, again and again: every time exactly one is stored and the other
    gets 409 naming the version it met — nothing overwritten silently."""
    base, _, token, *_ = served
    first, csrf1 = _unit_client(base, token)
    second, csrf2 = _unit_client(base, token)
    try:
        for round_ in range(8):
            at = _version(first)
            gate = threading.Barrier(2)
            answers: list[httpx.Response] = []
            values: dict[int, int] = {}

            def save(client, csrf, value, gate=gate, at=at, values=values, answers=answers):
                gate.wait()
                answer = client.post("/report/save", json={"base": at, "values": {CELL: str(value)}}, headers={"X-CSRF-Token": csrf})
                values[id(answer)] = value
                answers.append(answer)

            threads = [threading.Thread(target=save, args=(first, csrf1, 100 + round_)), threading.Thread(target=save, args=(second, csrf2, 200 + round_))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            codes = sorted(a.status_code for a in answers)
            assert codes == [200, 409], [a.text[:200] for a in answers]
            winner = next(a for a in answers if a.status_code == 200)
            told = next(a for a in answers if a.status_code == 409).json()
            assert winner.json()["version"] == at + 1 and told["current"]["number"] == at + 1
            assert _version(first) == at + 1
            assert first.get("/report/data").json()["form"]["values"][CELL] == str(values[id(winner)])
    finally:
        first.close()
        second.close()


def test_a_session_and_its_csrf_token_hold_on_every_worker_and_after_one_is_killed(served):
    """The session made on one worker is honoured by the other, and by a worker started again
    after one was killed: it lives in the database.  A save without the token is refused on every one."""
    base, process, token, *_ = served
    client, csrf = _unit_client(base, token)
    try:
        for _ in range(6):
            assert client.get("/report/data").status_code == 200
            refused = client.post("/report/save", json={"base": 1, "values": {CELL: "1"}}, headers={"X-CSRF-Token": "wrong"})
            assert refused.status_code == 403
        if sys.platform == "linux":
            killed = _workers(process.pid)
            for pid in killed:  # both, one after the other: every request after is answered by a worker that never saw the sign-in
                os.kill(pid, signal.SIGKILL)
                for _ in range(200):
                    now = _workers(process.pid)
                    if pid not in now and len(now) == 2:
                        break
                    threading.Event().wait(0.1)
            assert not set(killed) & set(_workers(process.pid))
            wait_up(int(base.rsplit(":", 1)[1]))
        at = None
        for _ in range(100):  # the new workers take connections once they have started
            try:
                at = _version(client)
                break
            except httpx.HTTPError:
                threading.Event().wait(0.2)
        assert at is not None
        saved = client.post("/report/save", json={"base": at, "values": {CELL: "77"}}, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200, saved.text
        assert client.get("/report/data").json()["form"]["values"][CELL] == "77"
    finally:
        client.close()


def test_the_sign_in_limit_counts_across_workers(served):
    """Wrong passwords sent on new connections (to either worker): the sixth is refused unread."""
    base, _, _, setup, _ = served
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as admin:
        page = admin.get(f"/setup/{setup}", headers=HTML)
        form = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert admin.post(f"/setup/{setup}", data={"csrf": form, "password": PASSWORD, "again": PASSWORD}).status_code == 303
    codes = []
    for _ in range(6):
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as guess:
            token = re.search(r'name="csrf" value="([^"]+)"', guess.get("/login", headers=HTML).text).group(1)
            codes.append(guess.post("/login", data={"csrf": token, "password": "not-the-password"}, headers=HTML).status_code)
    assert codes[-1] == 429 and all(code != 303 for code in codes), codes


# -- jobs claimed through the database -----------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "postgresql":
        server = server_url()
        if server is None:
            pytest.skip("没有 PostgreSQL（设置 NIANBAO_TEST_PG）")
        with fresh_database(server) as url:
            yield url
    else:
        Store.for_site(tmp_path / "site").close()
        yield f"sqlite:///{(tmp_path / 'site' / 'nianbao.db').as_posix()}"


def test_two_workers_never_claim_one_job(store_url):
    """Twelve jobs, four workers (each its own connection) claiming as fast as they can: every job
    claimed exactly once."""
    first = Store(store_url)
    try:
        made = [first.new_job("produce", 1, args={"year": YEAR, "targets": ["txt"]}) for _ in range(12)]
    finally:
        first.close()
    claimed: list[tuple[str, int]] = []
    gate = threading.Barrier(4)
    stores = [Store(store_url) for _ in range(4)]  # made one by one: alembic's check of the schema is not for threads

    def claim(store: Store, name: str) -> None:
        gate.wait()
        while (job := store.claim_job(name)) is not None:
            claimed.append((name, job.id))

    workers = [threading.Thread(target=claim, args=(store, f"host/{n}/run")) for n, store in enumerate(stores)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
    finally:
        for store in stores:
            store.close()
    assert sorted(job for _, job in claimed) == sorted(made)


def test_a_job_whose_worker_died_is_said_failed(store_url):
    """A job claimed by a worker of this machine that no longer exists, or by any worker silent for
    longer than jobs.STALE, is failed with the interruption said; a live worker's job is left."""
    import datetime as dt
    import socket
    import subprocess

    from nianbao.serve import db

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = Store(store_url)
    try:
        dead, silent, alive = (store.new_job("produce", 1, args={"year": YEAR, "targets": ["txt"]}) for _ in range(3))
        store.claim_job(f"{socket.gethostname()}/{gone.pid}/old")  # the oldest: dead
        store.claim_job("another-machine/1/x")  # silent: its heartbeat is set back below
        store.claim_job(jobs.owner())  # this very process: alive
        with store._tx() as s:
            s.get(db.Job, silent).heartbeat_at = db.now() - jobs.STALE - dt.timedelta(seconds=1)
        failed = jobs.fail_cut_off(store)
        if os.name == "posix":
            assert sorted(failed) == sorted([dead, silent])
            assert store.job(dead).state == "failed" and store.job(dead).message == jobs.INTERRUPTED
        else:
            assert silent in failed
        assert store.job(silent).state == "failed"
        assert store.job(alive).state == "running"
        store.update_job(silent, state="done", result=b"late")  # the silent worker's late word changes nothing
        assert store.job(silent).state == "failed"
    finally:
        store.close()
