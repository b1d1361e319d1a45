"""The site under a county's load (issue 22 §6): N units, each logged in through its private link,
each saving one changed cell every 2 s for S seconds, against the real ``nianbao serve`` in its
own process on loopback.

    python bench/serve.py [--units 300] [--seconds 60] [--interval 2] [--db postgresql://…] [--workers N]

Prints p50/p95/max of a save (the save and the check it returns), errors, saves done, the
server's peak memory (VmHWM from /proc on Linux; "n/a" elsewhere), the server's CPU per save
(user + system time of the server process over the saves, logins excluded, divided by the
saves; /proc on Linux), and each figure against the goal: p95 ≤ 150 ms, no error, ≤ 300 MB,
≤ 3 ms of server CPU a save (issue 29).  ``--workers N`` runs ``nianbao serve --workers N``; CPU
and memory are then the server's processes' together (the peak memory the sum of each one's peak).  ``--json`` prints only the figures, as JSON.  Bounded: the setup, S seconds of load, at most 30 s to
finish the saves in flight, then the server is stopped (killed if it will not stop).
Exit status 0 when every goal is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import h11

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import at_least, at_most, emit, info, say  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from browserkit import children  # noqa: E402  (tests/browserkit.py: a server's worker processes)

EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"
YEAR = 2023
CELL = "proactive.licensing"  # 行政许可 本年处理决定数量: changing it breaks no rule
GOAL_P95_MS, GOAL_RSS_MB, GOAL_CPU_MS = 150.0, 300.0, 3.0
LOGIN_CONCURRENCY = 16


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(site: Path, db: str | None, units: int) -> dict[str, str]:
    """A fresh site: the year, N units, each with the example report as its first version."""
    from nianbao.serve.store import Store
    from nianbao.workflows import editing as editor

    store = Store.for_site(site if db is None else None, db)
    try:
        store.set_year(YEAR)
        names = [f"第{n:03d}号测试单位" for n in range(1, units + 1)]
        tokens = {unit.name: token for unit, token in store.add_units(names, "admin", "bench")}
        text = EXAMPLE.read_text(encoding="utf-8")
        errors, warnings = editor.counts(editor.evaluate(text, None))
        for unit in store.units(YEAR):
            store.save(unit.id, YEAR, text.replace("name: 青山镇人民政府", f"name: {unit.name}", 1), base=0, author=unit.name,
                       address="bench", summary=["新建报告"], errors=errors, warnings=warnings)
        return tokens
    finally:
        store.close()


def start_server(site: Path, db: str | None, port: int, logs: Path, workers: int = 1) -> subprocess.Popen:
    args = [sys.executable, "-m", "nianbao", "serve", *(["--db", db] if db else [str(site)]), "--no-browser", "--port", str(port),
            *(["--workers", str(workers)] if workers > 1 else [])]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with open(logs / "serve.out", "wb") as out, open(logs / "serve.err", "wb") as err:
        process = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"nianbao serve exited with {process.returncode}: {(logs / 'serve.err').read_text(encoding='utf-8')}")
        if "网站已启动" in (logs / "serve.out").read_text(encoding="utf-8"):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return process
            except OSError:
                pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("nianbao serve did not start in 60 s")


def _family(pid: int) -> list[int]:
    """The process and its children (the workers of ``--workers N``), where /proc says."""
    return [pid, *children(pid)]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process and its children have used, or None where /proc is not."""
    total = 0.0
    for each in _family(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            if each == pid:
                return None
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (the resident set's high-water mark) of the process and its children summed, or None
    where /proc is not."""
    total, found = 0.0, False
    for each in _family(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
                    found = True
        except OSError:
            continue
    return total if found else None


class Unit:
    """One clerk, as its browser: one keep-alive connection, the session cookie its private link set,
    the CSRF token of its page, the version it is on.  HTTP/1.1 spoken by h11 (uvicorn's and httpx's
    own protocol library) over asyncio's streams, without httpx's layers: the load generator runs
    on the server's cores, and httpx cost about 2 ms of CPU a save — half of what it measured.
    As a browser does, a request that meets a keep-alive connection the server just closed (no
    byte of an answer) is sent again once on a new one."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.origin = parts.hostname or "127.0.0.1", parts.port or 80, url
        self.token = token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.http: h11.Connection | None = None
        self.cookie = ""
        self.csrf = ""
        self.base = 0
        self.value = 12

    async def _connect(self) -> None:
        await self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.http = h11.Connection(h11.CLIENT)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = self.http = None

    async def request(self, method: str, target: str, headers: list[tuple[str, str]] | None = None,
                      body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one request; a Set-Cookie of the session kept."""
        for attempt in (1, 2):
            reused = self.http is not None and self.http.our_state is h11.IDLE
            if not reused:
                await self._connect()
            http, reader, writer = self.http, self.reader, self.writer
            assert http is not None and reader is not None and writer is not None
            sent = [("host", f"{self.host}:{self.port}"), ("accept", "*/*"), *(headers or []),
                    *([("cookie", self.cookie)] if self.cookie else []), ("content-length", str(len(body)))]
            writer.write(http.send(h11.Request(method=method, target=target, headers=sent)) + http.send(h11.Data(data=body))
                         + http.send(h11.EndOfMessage()))
            status, answer, chunks = 0, {}, []
            try:
                while True:
                    event = http.next_event()
                    if event is h11.NEED_DATA:
                        data = await reader.read(65536)
                        if not data and reused and not status and attempt == 1:
                            raise ConnectionResetError  # the server closed the idle connection as we sent: a browser sends again
                        http.receive_data(data)
                    elif isinstance(event, h11.Response):
                        status = event.status_code
                        answer = {k.decode("latin-1"): v.decode("latin-1") for k, v in event.headers}
                        for k, v in event.headers:
                            if k == b"set-cookie" and v.startswith(b"nianbao_session="):
                                self.cookie = v.split(b";", 1)[0].decode("latin-1")
                    elif isinstance(event, h11.Data):
                        chunks.append(bytes(event.data))
                    elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                        break
            except ConnectionResetError:
                if attempt == 1 and reused and not status:
                    self.http = None
                    continue
                raise
            if http.our_state is h11.DONE and http.their_state is h11.DONE:
                http.start_next_cycle()
            else:
                self.http = None
            return status, answer, b"".join(chunks)
        raise AssertionError("the second attempt returns or raises")

    async def login(self) -> None:
        status, _, _ = await self.request("GET", f"/u/{self.token}")
        assert status == 303, status
        _, _, page = await self.request("GET", "/report", [("accept", "text/html")])
        found = re.search(r'<meta name="csrf" content="([^"]+)"', page.decode("utf-8"))
        assert found is not None
        self.csrf = found.group(1)
        _, _, data = await self.request("GET", "/report/data")
        self.base = json.loads(data)["version"]

    async def save(self) -> tuple[float, int, str | None]:
        """One changed cell, as the page's script posts it; (seconds, status, the error said) —
        the check's findings come back with it."""
        self.value += 1
        body = json.dumps({"base": self.base, "values": {CELL: str(self.value)}}).encode()
        started = time.perf_counter()
        try:
            status, _, answer = await self.request("POST", "/report/save", [
                ("content-type", "application/json"), ("x-csrf-token", self.csrf), ("origin", self.origin),
                ("sec-fetch-site", "same-origin")], body)
        except Exception as exc:  # noqa: BLE001 - a refused connection or a broken answer is an error of the run
            self.http = None
            return time.perf_counter() - started, 0, type(exc).__name__
        took = time.perf_counter() - started
        if status == 200:
            parsed = json.loads(answer)
            self.base = parsed["version"]
            return took, 200, None if "findings" in parsed else "no findings in the answer"
        return took, status, answer[:200].decode("utf-8", "replace")


async def load(url: str, tokens: dict[str, str], seconds: float, interval: float, mark=lambda: None) -> tuple[list[float], list[str], float]:
    """The saves; ``mark`` is called once every unit is signed in, as the saves begin."""
    units = [Unit(url, token) for token in tokens.values()]
    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

    async def login(unit: Unit) -> None:
        async with gate:
            await unit.login()

    await asyncio.gather(*(login(u) for u in units))
    mark()
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()
    end = started + seconds

    async def clerk(unit: Unit) -> None:
        await asyncio.sleep(random.uniform(0, interval))  # the clerks do not all type at the same instant
        next_at = time.monotonic()
        while time.monotonic() < end:  # a clerk behind schedule saves again at once (as the editor does), never twice at a time
            took, status, said = await unit.save()
            latencies.append(took)
            if said is not None:
                errors.append(f"{status}: {said}")
            next_at = max(next_at + interval, time.monotonic())
            await asyncio.sleep(max(0.0, min(next_at, end) - time.monotonic()))

    tasks = [asyncio.ensure_future(clerk(u)) for u in units]
    done, late = await asyncio.wait(tasks, timeout=seconds + interval + 30)
    for task in late:  # a save still unanswered 30 s after the end: an error of the run
        task.cancel()
        errors.append("no answer within 30 s of the end")
    await asyncio.gather(*late, return_exceptions=True)
    await asyncio.gather(*(u.close() for u in units), return_exceptions=True)
    return latencies, errors, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between one unit's saves")
    parser.add_argument("--db", help="a PostgreSQL URL (an empty database) instead of a temporary SQLite site")
    parser.add_argument("--workers", type=int, default=1, help="nianbao serve --workers N")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    args = parser.parse_args()
    quiet = args.json
    random.seed(22)
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-serve-") as tmp:
        site = Path(tmp) / "site"
        t0 = time.monotonic()
        tokens = prepare(site, args.db, args.units)
        port = free_port()
        process = start_server(site, args.db, port, Path(tmp), args.workers)
        say(f"site ready in {time.monotonic() - t0:.1f} s: {args.units} units, "
            f"{'PostgreSQL' if args.db else 'SQLite'}, server pid {process.pid}, {args.workers} worker(s), {os.cpu_count()} CPUs", quiet=quiet)
        cpu: list[float | None] = []
        ours: list[float] = []  # the load generator's own CPU (it shares the cores with the server)
        try:
            latencies, errors, took = asyncio.run(load(f"http://127.0.0.1:{port}", tokens, args.seconds, args.interval,
                                                       mark=lambda: (cpu.append(cpu_seconds(process.pid)), ours.append(time.process_time()))))
            cpu.append(cpu_seconds(process.pid))
            ours.append(time.process_time())
            rss = peak_rss_mb(process.pid)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM if sys.platform != "win32" else signal.CTRL_BREAK_EVENT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
    ms = sorted(x * 1000 for x in latencies)
    if not ms:
        say("no save was made", quiet=quiet)
        if args.json:
            emit([at_least("site saves made", 0, 1, "saves")])
        return 1
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
    expected = args.units * args.seconds / args.interval
    per_save = (cpu[1] - cpu[0]) * 1000 / len(ms) if len(cpu) == 2 and None not in cpu else None
    say(f"saves done: {len(ms)} in {took:.1f} s ({len(ms) / took:.1f}/s; {len(ms) / expected:.0%} of the {expected:.0f} asked for)", quiet=quiet)
    say(f"save + check latency: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms", quiet=quiet)
    say(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""), quiet=quiet)
    say(f"server peak RSS: {f'{rss:.0f} MB' if rss is not None else 'n/a'}; server CPU a save: {f'{per_save:.1f} ms' if per_save is not None else 'n/a'}"
        f" (the load generator's own: {(ours[1] - ours[0]) * 1000 / len(ms):.1f} ms)", quiet=quiet)
    ok_p95, ok_err, ok_rss = p95 <= GOAL_P95_MS, not errors, rss is None or rss <= GOAL_RSS_MB
    ok_cpu = per_save is None or per_save <= GOAL_CPU_MS
    say(f"against the goals: p95 {p95 / GOAL_P95_MS:.2f} × 150 ms {'ok' if ok_p95 else 'MISSED'}; "
        f"errors {len(errors)} {'ok' if ok_err else 'MISSED'}; "
        f"memory {f'{rss / GOAL_RSS_MB:.2f} × 300 MB' if rss is not None else 'n/a'} {'ok' if ok_rss else 'MISSED'}; "
        f"CPU a save {f'{per_save / GOAL_CPU_MS:.2f} × 3 ms' if per_save is not None else 'n/a'} {'ok' if ok_cpu else 'MISSED'}", quiet=quiet)
    if args.json:
        found = [at_most(f"site save p95, {args.units} units", p95, GOAL_P95_MS, "ms"),
                 at_most(f"site errors, {args.units} units", len(errors), 0, "errors", "0"),
                 info(f"site saves made, {args.units} units", len(ms) / took, "saves/s")]
        if rss is not None:
            found.append(at_most(f"site peak memory, {args.units} units", rss, GOAL_RSS_MB, "MB"))
        if per_save is not None:
            found.append(at_most("site save, server CPU", per_save, GOAL_CPU_MS, "ms"))
        emit(found)
    return 0 if ok_p95 and ok_err and ok_rss and ok_cpu else 1


if __name__ == "__main__":
    sys.exit(main())
