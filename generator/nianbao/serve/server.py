"""``nianbao serve``: the site on uvicorn, the links printed once, a clean stop.

* The port is bound here, before anything is printed, so that a port already taken is a Chinese
  message and exit status 2 (a :class:`~nianbao.errors.NianbaoError`), not a library's traceback;
  uvicorn then serves on that very socket.
* The first start prints the one-time link that sets the county admin's password; ``--units``
  adds units and prints one private link per NEW unit (a name already on the site keeps its link:
  it is re-issued from the county's page, where the old one then stops working).
* uvicorn's access log is off — it would write every unit's ``/u/<token>`` — and its own lines
  are English: the site's guard logs each request itself, redacted, and the console messages are
  ours, in Chinese.
* Ctrl-C and SIGTERM: uvicorn stops taking requests and waits at most 3 s for those in flight
  (every acknowledged save is already committed), then the database is closed; exit status 0.
* HTTPS (:class:`Front`): ``--public-url`` names the address people use (a reverse proxy's, or
  this server's own with ``--cert``/``--key``).  Its host and origin are then the ones answered
  (with the loopback names, for the admin at the server), cookies are ``Secure`` and HTTPS
  answers carry HSTS; the proxy's ``X-Forwarded-For``/``-Proto`` are believed only from
  ``--trusted-proxy`` (127.0.0.1 by default with ``--public-url``), so the login limit and the
  audit log see the clerk's address, not the proxy's, and nobody else can claim one.
"""

from __future__ import annotations

import datetime as dt
import errno
import ipaddress
import logging
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import click

from ..errors import NianbaoError
from ..system.collector import settle

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})  # the Host names a loopback site answers to
GRACE = 3  # seconds uvicorn waits for requests in flight at a stop: the whole stop stays within 5 s


class ServeError(NianbaoError):
    """The site cannot start as asked (the port is taken, the address is not this machine's)."""


@dataclass(frozen=True)
class Front:
    """How people reach the site: its public address (None: as bound), the proxies whose
    forwarded headers are believed, and the certificate when the server speaks TLS itself."""

    url: str | None = None  # https://年报.某某县.gov.cn: printed in the links (the host as typed, without a default port)
    origin: str | None = None  # https://xn--….gov.cn[:port]: what a browser sends as Origin
    host: str | None = None  # xn--….gov.cn: the Host name answered besides the loopback ones
    trusted: tuple[str, ...] = ()
    cert: Path | None = None
    key: Path | None = None

    @property
    def secure(self) -> bool:
        """Cookies are Secure whatever the request's own scheme (a proxy ends TLS, or we do)."""
        return self.cert is not None or (self.url is not None and self.url.startswith("https://"))


def front(public_url: str | None = None, trusted: list[str] | None = None, cert: Path | None = None, key: Path | None = None) -> Front:
    """The :class:`Front` these options describe, or a Chinese refusal saying what to write."""
    origin = host = None
    if public_url:
        parts = urlsplit(public_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServeError(f"--public-url 的写法有误：“{public_url}”；请写各单位在浏览器中打开的完整地址，例如 https://nianbao.example.gov.cn")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
            raise ServeError(f"--public-url 只能是网站的根地址（https://主机名[:端口]），不能带路径、参数或用户名：“{public_url}”")
        try:
            host = parts.hostname.encode("idna").decode("ascii").lower()
            port = parts.port
        except (UnicodeError, ValueError) as exc:
            raise ServeError(f"--public-url 中的主机名或端口无法识别：“{public_url}”") from exc
        default = {"http": 80, "https": 443}[parts.scheme]
        shown_port = f":{port}" if port and port != default else ""
        origin = f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{shown_port}"
        public_url = f"{parts.scheme}://{f'[{parts.hostname}]' if ':' in parts.hostname else parts.hostname}{shown_port}"  # as typed: 年报.某某县.gov.cn
    if trusted is None:
        trusted = ["127.0.0.1", "::1"] if public_url else []
    for entry in trusted:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise ServeError(f"--trusted-proxy 应为反向代理的 IP 地址（如 127.0.0.1 或 10.0.0.5）或网段（如 10.0.0.0/24）：“{entry}”") from None
    if (cert is None) != (key is None):
        raise ServeError("--cert 和 --key 要一起给出：证书文件和它的私钥文件")
    if cert is not None and key is not None:
        import ssl

        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(cert), str(key))
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise ServeError(f"无法使用证书 {cert} 和私钥 {key}（{getattr(exc, 'strerror', None) or exc}）：请给出 PEM 格式的证书和与之配对、没有口令的私钥") from exc
    return Front(public_url, origin, host, tuple(t.strip() for t in trusted), cert, key)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_any(host: str) -> bool:
    return host in ("0.0.0.0", "::", "[::]", "")


def _url_host(host: str) -> str:
    return f"[{host.strip('[]')}]" if ":" in host else host


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port), or a Chinese refusal."""
    bare = host.strip("[]")
    try:
        infos = socket.getaddrinfo(bare or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"无法识别地址“{host}”：请写本机的 IP 地址（如 192.168.1.10）、0.0.0.0（所有网卡）或 127.0.0.1（仅本机）") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        if sys.platform != "win32":  # a restart binds at once despite the last run's closing connections (Windows would let two servers share)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        elif hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        if family == socket.AF_INET6 and _is_any(host):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1), 10048):
            raise ServeError(f"端口 {port} 已被占用（网站可能已经在运行，或有其他程序在用这个端口）：请关闭它，或用 --port 换一个端口，例如 --port {port + 1}") from exc
        if exc.errno in (errno.EACCES, getattr(errno, "WSAEACCES", -1), 10013):
            raise ServeError(f"没有权限使用端口 {port}：请换一个 1024 以上的端口，例如 --port 8000") from exc
        if exc.errno in (errno.EADDRNOTAVAIL, getattr(errno, "WSAEADDRNOTAVAIL", -1), 10049):
            raise ServeError(f"地址 {host} 不是本机的地址：请写本机的 IP 地址，或 0.0.0.0（所有网卡）") from exc
        raise ServeError(f"无法在 {host}:{port} 上启动网站（{exc.strerror or exc}）") from exc
    return sock


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other machines may reach it at (the default route's first)."""
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: the kernel only picks the interface
        found.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]  # IPv4: (address, port)
    except OSError:
        pass
    out: list[str] = []
    for address in found:
        if address not in out and not ipaddress.ip_address(address).is_loopback and not address.startswith("0."):
            out.append(address)
    return out


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal (a Chinese character two, ｆｕｌｌ-width forms two): the
    links printed after the names line up in a console, not only in an editor."""
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)  # a name is never unprintable (the unit-name rule), but never negative either


def _say(text: str = "", *, err: bool = False) -> None:
    click.echo(text, err=err)
    (sys.stderr if err else sys.stdout).flush()


_CONSOLE_EXTRA = re.compile("[\t\n\u2028\u2029\ud800-\udfff]")  # what visible() leaves as it is, yet must not reach a console


def printable(text: str) -> str:
    """``text`` as one console line: every control (a line break, a carriage return, ESC, NUL),
    direction override and lone surrogate shown as its code point (``[U+001B]``), so that a
    request path cannot forge a log line, clear the terminal or reorder what is shown."""
    from ..county.filenames import visible

    return visible(_CONSOLE_EXTRA.sub(lambda m: f"[U+{ord(m.group()):04X}]", text))


class ConsoleFormatter(logging.Formatter):
    """The console's lines, each made :func:`printable` (a traceback, shown with --debug only, kept as it is)."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "msg": printable(record.getMessage()), "args": None})
        return super().format(record)


class _ConsoleHandler(logging.StreamHandler):
    """The site's own console handler: added once, however often the site starts in one process."""


def _request_log() -> None:
    """The site's own request lines (tokens redacted) on the console, with the time."""
    logger = logging.getLogger("nianbao.serve")
    if not any(isinstance(h, _ConsoleHandler) for h in logger.handlers):
        handler = _ConsoleHandler(sys.stderr)
        handler.setFormatter(ConsoleFormatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if "--debug" in sys.argv[1:] else logging.INFO)  # DEBUG: the tracebacks of internal errors
    logger.propagate = False


def _open_when_up(server, url: str) -> None:
    """Open the browser once uvicorn answers (at most 15 s of waiting)."""
    import webbrowser

    deadline = time.monotonic() + 15
    while not server.started and not server.should_exit and time.monotonic() < deadline:
        time.sleep(0.1)
    if server.started and not server.should_exit:
        try:
            webbrowser.open(url)
        except Exception:  # noqa: BLE001 - no browser on this machine: the address is printed anyway
            pass


@dataclass(frozen=True)
class Setting:
    """What each worker process needs to serve the site as the first one does (picklable: a
    worker is a fresh interpreter on Windows and under ``spawn``)."""

    site: Path | None
    db: str | None
    public: tuple[str, ...]
    secure: bool
    origins: frozenset[str]
    hosts: frozenset[str] | None
    reach: Front
    started: dt.datetime  # this run of the site: a job nobody claimed from before it was left by a run that stopped


def _app(store, setting: Setting):
    from .app import create_app

    app = create_app(store, site=setting.site)
    app.state.public = list(setting.public)
    app.state.secure = setting.secure
    app.state.origins = setting.origins
    app.state.started_at = setting.started
    if setting.hosts is not None:
        app.state.hosts = setting.hosts
    return app


def _uvicorn(app, reach: Front):
    import uvicorn

    cert, key = (str(reach.cert), str(reach.key)) if reach.cert and reach.key else (None, None)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=GRACE, lifespan="off", server_header=False,
                            proxy_headers=bool(reach.trusted), forwarded_allow_ips=list(reach.trusted) or None, ssl_certfile=cert, ssl_keyfile=key)
    return uvicorn.Server(config)


def worker(setting: Setting, sock: socket.socket) -> None:
    """One of ``--workers N`` processes: its own connection to the database, the same app, the
    listening socket the first process bound (the kernel hands each connection to one of them),
    its own job runner; stopped by SIGTERM or Ctrl-C like the single server."""
    from . import jobs
    from .store import Store

    _request_log()
    store = Store.for_site(setting.site, setting.db)
    try:
        jobs.runner(store, setting.started)
        _serve(_uvicorn(_app(store, setting), setting.reach), sock)
    finally:
        store.close()
        sock.close()


RESTARTS = 10  # a worker that dies is started again, at most this many times a minute (a bug that kills every start is said)


def _supervise(count: int, setting: Setting, sock: socket.socket, started: Callable[[], None] = lambda: None) -> None:
    """``count`` worker processes on ``sock`` until Ctrl-C or SIGTERM; one that dies (killed, out
    of memory) is started again — its job, if it ran one, is said failed by the others
    (:func:`nianbao.serve.jobs.fail_cut_off`) — and the stop waits for each, then kills what lingers."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a threaded server is not safe
    stopping = threading.Event()
    wanted = [s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None), getattr(signal, "SIGBREAK", None)) if s is not None]
    main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in wanted} if main else {}

    def start():
        process = context.Process(target=worker, args=(setting, sock), name="nianbao-worker", daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(count)]
    started()
    restarts: list[float] = []
    try:
        while not stopping.is_set():
            stopping.wait(0.5)
            for i, process in enumerate(processes):
                if process.is_alive() or stopping.is_set():
                    continue
                process.join()
                restarts = [t for t in restarts if t > time.monotonic() - 60] + [time.monotonic()]
                if len(restarts) > RESTARTS:
                    _say(f"网站的工作进程一分钟内退出了{len(restarts)}次，网站停止：请查看上面的出错信息", err=True)
                    stopping.set()
                    break
                _say(f"网站的一个工作进程意外退出（退出码 {process.exitcode}），已重新启动", err=True)
                processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's own graceful stop (GRACE seconds for requests in flight)
        deadline = time.monotonic() + GRACE + 5
        for process in processes:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)
        for s_, handler in previous.items():
            signal.signal(s_, handler)


def _open_later(url: str) -> None:
    """Open the browser once the workers have had a moment to start (the socket takes
    connections already: the first request waits for one of them)."""
    import webbrowser

    time.sleep(1.0)
    try:
        webbrowser.open(url)
    except Exception:  # noqa: BLE001 - no browser on this machine: the address is printed anyway
        pass


def run(site: Path | None, *, host: str = "127.0.0.1", port: int = 8000, db: str | None = None, units: list[str] | None = None,
        open_browser: bool = True, reach: Front | None = None, workers: int = 1) -> None:
    """Serve the site until Ctrl-C or SIGTERM; ``reach``: its public address, proxies, TLS;
    ``workers``: processes serving it on the one database (sessions, CSRF tokens, sign-in
    limits and jobs are all in the database, so any of them answers any request)."""
    from . import jobs
    from .store import Store

    reach = reach or Front()
    sock = bind(host, port)  # first: a port taken leaves no site folder behind
    try:
        store = Store.for_site(site, db)
        try:
            scheme = "https" if reach.cert else "http"
            local = f"{scheme}://{'127.0.0.1' if _is_any(host) or _is_loopback(host) else _url_host(host)}:{port}"
            if reach.url:
                public = [reach.url]
            else:
                public = [] if _is_loopback(host) else [f"{scheme}://{a}:{port}" for a in lan_addresses()] if _is_any(host) else [local]
            started = dt.datetime.now(dt.timezone.utc)
            setting = Setting(site, db, tuple(public), reach.secure, frozenset({reach.origin}) if reach.origin else frozenset(), _hosts(host, reach),
                              reach, started)
            first = store.setup_token()
            where = f"站点文件夹 {Path(site).resolve()}（数据库 nianbao.db）" if db is None and site is not None else "PostgreSQL 数据库"  # Store.for_site wants one
            _say(f"年报网站的数据在：{where}")
            if first:
                _say("第一次启动：请用下面的链接设置管理员密码（只能用一次；下次启动前未设置，会给出新的链接）：")
                _say(f"  {local}/setup/{first}")
            if units:
                _add_units(store, units, public[0] if public else local)
            _say_where(host, port, reach, public, bool(units))
            _request_log()
            jobs.fail_cut_off(store, started)  # what a run of this site before was doing when it stopped: said failed now
            if workers > 1:
                def started_all() -> None:
                    _say(f"网站已启动：{local}/login（{workers}个工作进程；按 Ctrl+C 停止）")
                    if open_browser:
                        threading.Thread(target=_open_later, args=(f"{local}/setup/{first}" if first else f"{local}/login",), daemon=True).start()

                _supervise(workers, setting, sock, started_all)
            else:
                jobs.runner(store, started)
                server = _uvicorn(_app(store, setting), reach)
                if open_browser:
                    threading.Thread(target=_open_when_up, args=(server, f"{local}/setup/{first}" if first else f"{local}/login"), daemon=True).start()
                _say(f"网站已启动：{local}/login（按 Ctrl+C 停止）")
                _serve(server, sock)
        finally:
            store.close()
    finally:
        sock.close()
    _say("网站已停止。")


def _hosts(host: str, reach: Front) -> frozenset[str] | None:
    """The names the site answers to (None: any): the public name and loopback behind a proxy,
    loopback alone when it listens there (DNS rebinding), any name on a LAN address."""
    if reach.host:
        return LOOPBACK_NAMES | {reach.host} | ({host.strip("[]").lower()} if not _is_any(host) else set())
    if _is_loopback(host):
        return LOOPBACK_NAMES | {host.strip("[]").lower()}
    return None


def _add_units(store, units: list[str], links: str) -> None:
    """Add the units named on the command line and print each new one's private link."""
    from .store import ADMIN

    added = store.add_units(units, ADMIN, "命令行")
    new = [(unit, token) for unit, token in added if token]
    there = [unit.name for unit, token in added if not token]
    if new:
        _say(f"新加入的单位及其专用链接（{len(new)}个；请分别发给各单位，不要公开）：")
        width = max(_width(unit.name) for unit, _ in new)
        for unit, token in new:
            _say(f"{unit.name}{' ' * (width - _width(unit.name))}  {links}/u/{token}")
    if there:
        _say(f"已在网站中的单位（{len(there)}个）链接不变，不再显示：{'、'.join(there)}；如需新链接，请在“单位管理”页面重新生成。")


def _say_where(host: str, port: int, reach: Front, public: list[str], units: bool) -> None:
    """Tell the admin the address to give the units, and warn where the site is reachable from."""
    if reach.url:
        via = f"（经反向代理，只信任 {', '.join(reach.trusted)} 转来的客户地址）" if reach.trusted else ""
        _say(f"请把这个地址告诉各单位：{reach.url}{via}", err=True)
        if not _is_loopback(host):
            _say(f"注意：网站在 {host} 上监听；请只让反向代理访问这个端口（防火墙），各单位通过 {reach.url} 访问。", err=True)
    elif not _is_loopback(host):
        _say(f"注意：网站在 {host} 上监听，局域网中的其他电脑都能访问；请只在单位内网中使用，不要让互联网访问到。", err=True)
        if public:
            _say(f"请把这个地址告诉各单位：{'  或  '.join(public)}", err=True)
        else:
            _say("没能查到本机的局域网地址：请用 ipconfig（Windows）或 ip addr 查看，并告诉各单位 http://<本机地址>:" + str(port), err=True)
    elif units:
        _say("提示：网站现在只有本机能访问；要让各单位的电脑打开这些链接，请加 --host 0.0.0.0 重新启动（链接不变）。", err=True)


def _serve(server, sock: socket.socket) -> None:
    """uvicorn on ``sock``; a stop signal ends it with status 0.  uvicorn re-raises the signal it
    caught once it has stopped (for the handler it found): ours, installed here, takes it quietly
    instead of Python's (KeyboardInterrupt, or death by SIGTERM) — and one that comes while uvicorn
    is still starting (the socket already takes connections) makes it stop once started."""
    wanted = [s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None), getattr(signal, "SIGBREAK", None)) if s is not None]
    main = threading.current_thread() is threading.main_thread()

    def stop(*_) -> None:  # before uvicorn takes the signals over (it is starting): stop as soon as it is up
        server.should_exit = True

    previous = {s: signal.signal(s, stop) for s in wanted} if main else {}
    if main:  # a server process of its own (a test's server in a thread leaves the test's collector alone)
        settle(collect=True)  # a save makes a few thousand objects; with Python's defaults one save in a hundred waited 30–130 ms for a walk over every unit's report
    try:
        server.run(sockets=[sock])
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
