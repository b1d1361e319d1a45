"""The site as people use it: ``nianbao serve`` in a real process on a free loopback port, and
Debian's Chromium driven by Playwright (never a downloaded browser: ``playwright install`` is not
run anywhere; the binary is the system's ``chromium``).

* :class:`LiveServer` starts ``python -m nianbao serve SITE --no-browser --port P`` (or ``--db URL``)
  with ``--units``, reads the one-time setup link and the units' private links from what it
  prints, and stops it by SIGTERM (or kills it, for the crash tests).  Its output goes to files,
  not pipes, so a chatty server never blocks on a full pipe.
* :func:`chromium` launches the browser headless with a fresh profile (Playwright gives every
  ``launch`` a new temporary user-data directory) and the switches that keep it from calling
  anywhere.  Without the binary the tests skip with a reason, which CI turns into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CHROMIUM_NAMES = ("/usr/bin/chromium", "chromium", "chromium-browser")
NIANBAO = [sys.executable, "-m", "nianbao"]


def program(*names: str) -> str | None:
    """The first of ``names`` that can be run: an absolute path as it is, a bare name from PATH."""
    for name in names:
        found = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


def chromium_path() -> str | None:
    """Debian's Chromium (``/usr/bin/chromium``), or one on PATH."""
    return program(*CHROMIUM_NAMES)


def free_port() -> int:
    """A loopback port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a server's workers), where /proc says; none elsewhere."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return out


@dataclass
class LiveServer:
    """One ``nianbao serve`` process.  ``links``: unit name → private link, as printed;
    ``setup``: the one-time setup link (first start only)."""

    site: Path
    port: int
    db: str | None = None
    units_file: Path | None = None
    logs: Path | None = None
    process: subprocess.Popen | None = None
    setup: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    printed: list[str] = field(default_factory=list)
    started_at: int = 0  # how many times started (each start has its own log files)
    extra: tuple[str, ...] = ()  # more options of nianbao serve (--public-url …)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        args = [*NIANBAO, "serve"]
        args += ["--db", self.db] if self.db else [str(self.site)]
        args += ["--no-browser", "--port", str(self.port)]
        if self.units_file is not None:
            args += ["--units", str(self.units_file)]
        return args + list(self.extra)

    def start(self, seconds: float = 60) -> LiveServer:
        """Start and wait until it answers; parse the links it printed."""
        logs = self.logs or self.site.parent
        logs.mkdir(parents=True, exist_ok=True)
        self.started_at += 1
        out_path = logs / f"serve-{self.port}-{self.started_at}.out"
        err_path = logs / f"serve-{self.port}-{self.started_at}.err"
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            self.process = subprocess.Popen(self.command(), stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        self.out_path, self.err_path = out_path, err_path
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = out_path.read_text(encoding="utf-8", errors="replace")
            if "网站已启动" in text and self._answers():
                self._parse(text)
                return self
            if self.process.poll() is not None:
                raise AssertionError(f"nianbao serve exited with {self.process.returncode}: {text}\n{self.stderr()}")
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"nianbao serve did not start in {seconds} s: {out_path.read_text(encoding='utf-8')}\n{self.stderr()}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _parse(self, text: str) -> None:
        self.printed = text.splitlines()
        for line in self.printed:
            found = re.search(r"(https?://\S+/setup/\S+)", line)
            if found:
                self.setup = found.group(1)
            found = re.match(r"^(\S+)\s+(https?://\S+/u/\S+)$", line)
            if found:
                self.links[found.group(1)] = found.group(2)

    def stderr(self) -> str:
        path = getattr(self, "err_path", None)
        return path.read_text(encoding="utf-8", errors="replace") if path and path.is_file() else ""

    def stop(self, seconds: float = 10) -> int:
        """SIGTERM (Ctrl-C's equivalent), then wait; the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if sys.platform != "win32" else signal.CTRL_BREAK_EVENT)
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                raise AssertionError(f"nianbao serve did not stop within {seconds} s of SIGTERM") from None
        return self.process.returncode

    def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def peak_rss_kb(self) -> int | None:
        """VmHWM of the server process (Linux), in kB; None elsewhere."""
        return peak_rss_kb(self.process.pid) if self.process is not None else None


def peak_rss_kb(pid: int, field: str = "VmHWM") -> int | None:
    """A process's peak memory (``VmHWM``) or, with ``field="VmRSS"``, its memory now, in kB (Linux)."""
    status = Path(f"/proc/{pid}/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@contextmanager
def live_server(site: Path, *, db: str | None = None, units: list[str] | None = None, logs: Path | None = None,
                extra: tuple[str, ...] = ()) -> Iterator[LiveServer]:
    """A started server (stopped at the end, killed if it will not stop)."""
    units_file = None
    if units:
        units_file = site.parent / f"名单-{site.name}.txt"
        units_file.parent.mkdir(parents=True, exist_ok=True)
        units_file.write_text("\n".join(units) + "\n", encoding="utf-8")
    server = LiveServer(site, free_port(), db=db, units_file=units_file, logs=logs, extra=extra)
    server.start()
    try:
        yield server
    finally:
        try:
            if server.process is not None and server.process.poll() is None:
                server.stop()
        finally:
            server.kill()


@contextmanager
def chromium(*args: str) -> Iterator[object]:
    """Playwright's Browser on Debian's Chromium, headless, fresh profile; skipped without it.
    ``args``: more switches (``--host-resolver-rules=…`` for a name only the test knows)."""
    import pytest

    path = chromium_path()
    if path is None:
        pytest.skip("没有 Chromium（Debian: apt-get install chromium）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("没有 Playwright（pip install playwright；不要运行 playwright install）")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=[*CHROMIUM_ARGS, *args])
        try:
            yield browser
        finally:
            browser.close()


def shots_dir() -> Path | None:
    """Where to write screenshots for a person to look at (``$NIANBAO_SCREENSHOTS``), or None:
    taking them costs seconds, and on CI nobody looks."""
    wanted = os.environ.get("NIANBAO_SCREENSHOTS")
    if not wanted:
        return None
    Path(wanted).mkdir(parents=True, exist_ok=True)
    return Path(wanted)


def shoot(page, name: str, part=None) -> None:
    """A screenshot of the page (or of ``part``) when someone will look at it."""
    folder = shots_dir()
    if folder is not None:
        (part or page).screenshot(path=str(folder / f"{name}.png"))


WAIT = 20_000  # ms: a save with its check, on a loaded 2-core machine


def saved(page, version: int | None = None) -> int:
    """Wait until everything typed is acknowledged — the status line says 已保存 and this tab
    keeps no unsent change — and return the version number it names.  (Right after a load the
    status line shows the stored version before the page re-sends a kept change: the kept
    change in localStorage tells the two apart.  A page being loaded again — 载入最新版本 reloads
    it — has neither element for a moment: asked then, the answer is "not yet".)"""
    said = page.wait_for_function(
        """(wanted) => {
            const status = document.getElementById("save-status");
            const bootTag = document.getElementById("boot");
            if (!status || !bootTag) { return false; }  // the page is being loaded again
            const boot = JSON.parse(bootTag.textContent);
            const m = /^已保存 第(\\d+)版$/.exec(status.textContent.trim());
            if (!m || window.localStorage.getItem(boot.key)) { return false; }
            return wanted === null || Number(m[1]) === wanted ? Number(m[1]) : false;
        }""", arg=version, timeout=WAIT)
    return int(said.json_value())


def type_into(page, selector: str, text: str, delay: int = 30) -> None:
    """Focus (no click), select what is there, type as a person types."""
    field = page.locator(selector)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=delay)
