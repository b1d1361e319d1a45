"""The site on a county's real network (issue 30), tried as an attacker and an IT department would:
``nianbao serve`` in its own process behind a real nginx with TLS on loopback, Debian's Chromium and
plain sockets.

* HTTPS: docs/HTTPS.md's nginx configuration, used as the document writes it (only the name, the
  ports and the certificate's files replaced), in front of ``nianbao serve --public-url
  https://nianbao.test:P``; a self-signed certificate made here.  In Chromium through https: the
  admin signs in, a unit saves a figure and submits; every cookie is ``Secure``, the pages carry
  HSTS, the audit log names the browser's machine, not nginx.  ``X-Forwarded-For`` from a machine
  that is not the proxy is not believed; a proxy that rewrites Host still gets through the forms.
* The login limit: 300 wrong passwords at once through nginx from one address: five verified
  (401), 295 refused (429).
* Disk and memory: 40 uploads of 20 MB of junk at once are refused, store nothing, and leave the
  server under 300 MB; a site whose database is 400 MB exports (the county's 导出全部 and ``nianbao
  export``) with the server, and the command, under 300 MB.
* The console: a request path holding line breaks, ESC and NUL is logged on one line, escaped.
* The site folder 0700 and its database files (-wal, -shm too) 0600.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from browserkit import WAIT, chromium, free_port, live_server, peak_rss_kb, program, saved, type_into
from conftest import EXAMPLE_2023, ROOT, edit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="nginx, /proc and the live-server tests run on POSIX CI; Windows runs the HTTP tests")

HOST = "nianbao.test"  # a name only this test's Chromium (--host-resolver-rules) and its requests know
YEAR = 2023
FILLED, EMPTY = "青山镇人民政府", "绿水乡人民政府"
PASSWORD = "county-password-30"
MB = 1024 * 1024


def nginx_binary() -> str | None:
    """Debian's nginx (``/usr/sbin/nginx``, not on a user's PATH), or one on PATH."""
    return program("/usr/sbin/nginx", "nginx")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for nianbao.test (and 127.0.0.1) signed by its own key, made now."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def documented_nginx(prefix: Path, https_port: int, http_port: int, backend: int, cert: Path, key: Path) -> Path:
    """docs/HTTPS.md's server blocks, as written there, with this test's name, ports and files,
    inside the few lines a private nginx needs (its own pid, logs and temporary folders)."""
    document = (ROOT / "docs" / "HTTPS.md").read_text(encoding="utf-8")
    block = re.search(r"```nginx\n(.*?)```", document, re.S).group(1)
    for old, new, count in (("nianbao.example.gov.cn", HOST, 2), ("/etc/ssl/nianbao/fullchain.pem", str(cert), 1),
                            ("/etc/ssl/nianbao/privkey.pem", str(key), 1), ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;", 1),
                            ("listen 80;", f"listen 127.0.0.1:{http_port};", 1), ("http://127.0.0.1:8000", f"http://127.0.0.1:{backend}", 1)):
        assert block.count(old) == count, f"docs/HTTPS.md's nginx block no longer holds {old!r} {count}×"
        block = block.replace(old, new)
    temp = "\n".join(f"    {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
{temp}
{block}
}}
""", encoding="utf-8")
    return conf


class Nginx:
    def __init__(self, prefix: Path, conf: Path, port: int) -> None:
        self.prefix, self.port = prefix, port
        self.process = subprocess.Popen([nginx_binary(), "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.process.stderr.read().decode(errors='replace')}\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nginx did not listen on {port}: {self.log()}")

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def seed(site: Path) -> dict[str, str]:
    """The site before its first start: the year, the admin's password, two units (one with the
    finished example report as its first version); their private tokens."""
    from nianbao.serve.store import Store
    from nianbao.workflows import editing as editor

    store = Store.for_site(site, None)
    try:
        store.set_year(YEAR)
        assert store.use_setup_token(store.setup_token(), PASSWORD)
        tokens = {unit.name: token for unit, token in store.add_units([FILLED, EMPTY], "admin", "test")}
        unit = next(u for u in store.units(YEAR) if u.name == FILLED)
        own = editor.canonical(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", f"name: {FILLED}"))
        errors, warnings = editor.counts(editor.evaluate(own, None))
        store.save(unit.id, YEAR, own, base=0, author=FILLED, address="test", summary=["新建报告"], errors=errors, warnings=warnings)
        return tokens
    finally:
        store.close()


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """``nianbao serve --public-url https://nianbao.test:P`` on loopback, and nginx on P in front of it."""
    if nginx_binary() is None:
        pytest.skip("没有 nginx（Debian: apt-get install nginx）")
    root = tmp_path_factory.mktemp("network")
    tokens = seed(root / "site")
    prefix = root / "nginx"
    prefix.mkdir()
    cert, key = self_signed(prefix)
    https_port, http_port = free_port(), free_port()
    public = f"https://{HOST}:{https_port}"
    with live_server(root / "site", logs=root / "logs", extra=("--public-url", public)) as server:
        nginx = Nginx(prefix, documented_nginx(prefix, https_port, http_port, server.port, cert, key), https_port)
        try:
            server.public, server.tokens, server.nginx = public, tokens, nginx
            yield server
        finally:
            nginx.stop()


def audit(server) -> list:
    from nianbao.serve.store import Store

    store = Store.for_site(server.site, None)
    try:
        return store.audit_log(10000)
    finally:
        store.close()


# -- HTTPS through nginx, in Chromium -------------------------------------------------------------------------
def test_through_nginx_with_tls_sign_in_save_submit_with_secure_cookies(network):
    from playwright.sync_api import expect

    with chromium(f"--host-resolver-rules=MAP {HOST} 127.0.0.1") as browser:
        admin = browser.new_context(ignore_https_errors=True, locale="zh-CN")
        unit = browser.new_context(ignore_https_errors=True, locale="zh-CN")
        try:
            page = admin.new_page()
            answers: list = []
            page.on("response", lambda r: answers.append(r))
            page.goto(f"{network.public}/login")
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_url(f"{network.public}/county")
            expect(page.locator("h1")).to_be_visible()
            chips = page.eval_on_selector_all("span.status", "els => els.map(e => { const c = getComputedStyle(e);"
                                              " return [e.textContent, c.borderTopWidth, c.backgroundColor, c.cursor]; })")
            assert sorted(c[0] for c in chips) == ["填写中", "未开始"]  # a dot and a word: no border, no box, no hand — not a button
            assert all(c[1:] == ["0px", "rgba(0, 0, 0, 0)", "auto"] for c in chips), chips
            clerk = unit.new_page()
            clerk.goto(f"{network.public}/u/{network.tokens[FILLED]}")
            clerk.wait_for_url(f"{network.public}/report")
            start = saved(clerk)
            type_into(clerk, "#f-proactive-licensing", "13")
            assert saved(clerk) == start + 1
            clerk.get_by_role("button", name="提交县（区）审核").click()
            expect(clerk.locator("#outcome")).to_contain_text("已提交县（区）审核", timeout=WAIT)
            cookies = admin.cookies() + unit.cookies()
            assert {c["name"] for c in cookies} >= {"nianbao_session", "nianbao_form"}
            assert all(c["secure"] and c["httpOnly"] and c["domain"] == HOST for c in cookies), cookies
            hsts = {r.url: r.headers.get("strict-transport-security") for r in answers if r.url.startswith(network.public)}
            assert hsts and set(hsts.values()) == {"max-age=31536000"}, hsts
        finally:
            admin.close()
            unit.close()
    rows = [(r.actor, r.address, r.action) for r in audit(network)]
    assert (FILLED, "127.0.0.1", "提交") in rows and (FILLED, "127.0.0.1", "保存") in rows and ("admin", "127.0.0.1", "登录") in rows


def raw_request(port: int, head: str, *, source: str = "127.0.0.1", body: bytes = b"") -> tuple[int, str]:
    """One HTTP/1.1 request on a socket from ``source`` (any 127.x is loopback on Linux): status, text."""
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(source, 0)) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.decode("utf-8", "replace")


def test_forwarded_headers_are_believed_from_the_proxy_only(network):
    """A direct request from 127.0.0.1 (the trusted proxy's address) with X-Forwarded-For is the
    clerk's address in the log; from 127.0.0.2 (not the proxy) the same header is not believed,
    nor is X-Forwarded-Proto: no HSTS over plain HTTP.  A proxy that rewrites Host to the
    backend's own name still gets through the sign-in form (the public origin is accepted)."""
    token = network.tokens[EMPTY]
    for source, claimed in (("127.0.0.1", "10.20.30.40"), ("127.0.0.2", "10.20.30.41")):
        status, text = raw_request(network.port, f"GET /u/{token} HTTP/1.1\r\nHost: {HOST}\r\nX-Forwarded-For: {claimed}\r\n"
                                                 f"X-Forwarded-Proto: https\r\nConnection: close\r\n", source=source)
        assert status == 303
        assert ("strict-transport-security" in text.lower()) == (source == "127.0.0.1")
    entered = [r.address for r in audit(network) if r.actor == EMPTY and r.action == "通过专用链接进入"]
    assert entered[:2] == ["127.0.0.2", "10.20.30.40"]  # newest first: the forged one is not believed
    # Host rewritten by a proxy (nginx without proxy_set_header Host): the public origin still passes
    status, text = raw_request(network.port, f"GET /login HTTP/1.1\r\nHost: 127.0.0.1:{network.port}\r\nConnection: close\r\n", source="127.0.0.3")
    form = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    body = f"csrf={form}&password=wrong-password".encode()
    status, text = raw_request(network.port, f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{network.port}\r\nOrigin: {network.public}\r\n"
                                             f"Cookie: nianbao_form={form}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                                             f"Content-Length: {len(body)}\r\nConnection: close\r\n", source="127.0.0.3", body=body)
    assert status == 401 and "密码不正确" in text  # checked as a sign-in, not refused as another site's form
    status, text = raw_request(network.port, "GET /login HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n", source="127.0.0.3")
    assert status == 400  # any other name is refused (DNS rebinding)


# -- the login limit, through nginx ----------------------------------------------------------------------------------
def test_300_wrong_passwords_at_once_through_nginx_get_five_verifications(network):
    import httpx

    async def attack() -> Counter:
        transport = httpx.AsyncHTTPTransport(local_address="127.0.0.7", verify=False, limits=httpx.Limits(max_connections=300))
        async with httpx.AsyncClient(transport=transport, base_url=f"https://127.0.0.1:{network.nginx.port}",
                                     headers={"Host": f"{HOST}:{network.nginx.port}"}, timeout=120) as client:
            page = await client.get("/login")
            form = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            answers = await asyncio.gather(*[client.post("/login", data={"csrf": form, "password": f"guess-{n}"}) for n in range(300)])
            return Counter(a.status_code for a in answers)

    assert asyncio.run(attack()) == Counter({401: 5, 429: 295})
    failed = [r for r in audit(network) if r.action == "管理员登录失败（密码不对）" and r.address == "127.0.0.7"]
    assert len(failed) == 5  # nginx's X-Forwarded-For: the attacker's own address is the one held back


# -- disk and memory -----------------------------------------------------------------------------------------------------
def test_40_uploads_of_20_mb_of_junk_at_once_store_nothing_and_leave_the_server_small(network):
    """Through nginx, as a unit's link would send them."""
    import httpx

    database = network.site / "nianbao.db"
    before = database.stat().st_size + (network.site / "nianbao.db-wal").stat().st_size

    async def flood() -> list:
        async with httpx.AsyncClient(base_url=f"https://127.0.0.1:{network.nginx.port}", headers={"Host": f"{HOST}:{network.nginx.port}"}, timeout=600,
                                     verify=False, limits=httpx.Limits(max_connections=40)) as client:
            await client.get(f"/u/{network.tokens[EMPTY]}")
            page = await client.get("/report", headers={"Accept": "text/html"})
            csrf = re.search(r'<meta name="csrf" content="([^"]+)"', page.text).group(1)
            with contextlib.ExitStack() as files:  # each request reads the junk from disk: this test stays small too
                sent = [files.enter_context(open(junk, "rb")) for _ in range(40)]
                return await asyncio.gather(*[client.post("/report/start", data={"csrf": csrf, "from": "upload"}, headers={"Accept": "text/html"},
                                                          files={"file": (f"报告{n}.{('pdf', 'docx', 'xlsx', 'yaml')[n % 4]}", sent[n], "application/octet-stream")})
                                              for n in range(40)])

    junk = network.site.parent / "junk.bin"
    junk.write_bytes(os.urandom(20 * MB - 4096))

    began = time.monotonic()
    answers = asyncio.run(flood())
    took = time.monotonic() - began
    assert [a.status_code for a in answers] == [400] * 40
    assert all('class="message error"' in a.text for a in answers)
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from uploads").fetchone()[0] == 0
    after = database.stat().st_size + (network.site / "nianbao.db-wal").stat().st_size
    assert after - before < MB, (before, after)  # the database grew 652 MB in 9 s before issue 30
    now, peak = peak_rss_kb(network.process.pid, "VmRSS"), peak_rss_kb(network.process.pid)
    print(f"40 × 20 MB refused in {took:.1f} s; server now {now / 1024:.0f} MB, peak {peak / 1024:.0f} MB")
    assert now < 300 * 1024, f"the server holds {now / 1024:.0f} MB after the uploads (2.2 GB before issue 30)"


def test_the_site_folder_and_its_database_files_are_private(network):
    modes = {p.name: p.stat().st_mode & 0o777 for p in (network.site, *network.site.glob("nianbao.db*"))}
    assert modes == {"site": 0o700, "nianbao.db": 0o600, "nianbao.db-wal": 0o600, "nianbao.db-shm": 0o600}


# -- the console ------------------------------------------------------------------------------------------------------
def test_controls_in_a_request_path_are_escaped_on_the_console(network):
    status, _ = raw_request(network.port, f"GET /x%0a2099-01-01%2000:00:00%20127.0.0.1%20POST%20/county/units%20303%0d%1b%5B2J%00%e2%80%aeabc%ed%a0%80 HTTP/1.1\r\n"
                                          f"Host: {HOST}\r\nConnection: close\r\n")
    assert status == 404
    deadline = time.monotonic() + 10
    while "/x" not in network.stderr() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [line for line in network.stderr().splitlines() if "/x" in line]
    assert len(lines) == 1, lines
    assert "[U+000A]2099-01-01 00:00:00 127.0.0.1 POST /county/units 303[U+000D][U+001B][2J[U+0000][U+202E]abc" in lines[0]
    log = network.stderr()
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", log) and not any(line.startswith("2099-01-01") for line in log.splitlines())


# -- a database of 400 MB, exported ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    """A site whose database holds 400 MB (twenty 20 MB uploads, put there directly: the site
    itself keeps five a unit)."""
    root = tmp_path_factory.mktemp("bigsite")
    seed(root / "site")
    with sqlite3.connect(root / "site" / "nianbao.db") as db:
        unit = db.execute("select id from units order by id limit 1").fetchone()[0]
        chunk = (b"nianbao " * (MB // 8)) * 20
        for n in range(20):
            db.execute("insert into uploads (unit_id, name, size, data, created_at) values (?, ?, ?, ?, ?)",
                       (unit, f"大文件{n}.pdf", len(chunk), chunk, dt.datetime.now(dt.timezone.utc).isoformat()))
    assert (root / "site" / "nianbao.db").stat().st_size > 400 * MB
    return root


def test_the_county_exports_a_400_mb_site_in_bounded_memory(big_site):
    import httpx

    with live_server(big_site / "site", logs=big_site / "logs") as server:
        with httpx.Client(base_url=server.url, timeout=600, follow_redirects=False) as client:
            page = client.get("/login", headers={"Accept": "text/html"})
            form = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            assert client.post("/login", data={"csrf": form, "password": PASSWORD}).status_code == 303
            target = big_site / "导出.zip"
            with client.stream("GET", "/county/export") as answer, open(target, "wb") as out:
                assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
                for chunk in answer.iter_bytes(MB):
                    out.write(chunk)
        peak = peak_rss_kb(server.process.pid)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        snapshot = archive.getinfo("网站数据库备份.db")
    assert f"{YEAR}年度/{FILLED}{YEAR}.yaml" in names and snapshot.file_size > 400 * MB
    print(f"导出全部 of a {snapshot.file_size / MB:.0f} MB database: server peak {peak / 1024:.0f} MB")
    assert peak < 300 * 1024, f"the server reached {peak / 1024:.0f} MB exporting (the zip was built in memory before issue 30)"
    deadline = time.monotonic() + 10  # the temporary folder goes once the answer is sent
    while list(Path(tempfile.gettempdir()).glob("nianbao-export-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(Path(tempfile.gettempdir()).glob("nianbao-export-*"))


PEAK_AT_EXIT = """
import atexit, sys
atexit.register(lambda: sys.stderr.write(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))))
sys.argv = ["nianbao", *sys.argv[1:]]
from nianbao.cli import run
run()
"""


def test_nianbao_export_of_a_400_mb_site_in_bounded_memory(big_site):
    """The command in a child process of its own, its peak memory read from the kernel as it exits."""
    out = big_site / "备份"
    done = subprocess.run([sys.executable, "-c", PEAK_AT_EXIT, "export", str(big_site / "site"), "-o", str(out)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=600)
    said = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    assert (out / "网站数据库备份.db").stat().st_size > 400 * MB
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", said).group(1))
    print(f"nianbao export of a 400 MB database: peak {peak / 1024:.0f} MB")
    assert peak < 300 * 1024
