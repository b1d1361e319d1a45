"""``nianbao serve`` as a county runs it: a real process on a real port — the setup link printed
once, unit links one a line, tokens never in the request log, SIGTERM stops it within 5 s with
status 0, a port already taken is a Chinese message and status 2."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

NIANBAO = [sys.executable, "-m", "nianbao"]
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX; Windows stops by Ctrl-C")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers={"accept": "text/html"}), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


def start(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env_extra or {})}
    return subprocess.Popen([*NIANBAO, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def read_until(stream, pattern: str, seconds: float = 60) -> list[str]:
    """Lines of ``stream`` up to the one matching ``pattern`` (the server printing as it starts)."""
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline().decode("utf-8")
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if re.search(pattern, line):
            return lines
    raise AssertionError(f"no line matching {pattern!r} in {lines}")


def wait_up(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


@POSIX_ONLY
def test_serve_prints_links_and_stops_on_sigterm(tmp_path):
    port = free_port()
    units = tmp_path / "名单.txt"
    units.write_text("青山镇人民政府\n绿水乡人民政府\n", encoding="utf-8")
    site = tmp_path / "site"
    process = start([str(site), "--no-browser", "--port", str(port), "--units", str(units)])
    try:
        lines = read_until(process.stdout, r"网站已启动")
        setup = next(line.strip() for line in lines if "/setup/" in line)
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/setup/[A-Za-z0-9_\-]{{43}}", setup)
        unit_lines = [line for line in lines if "/u/" in line]
        assert [line.split()[0] for line in unit_lines] == ["青山镇人民政府", "绿水乡人民政府"]
        unit_link = unit_lines[0].split()[1]
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/u/[A-Za-z0-9_\-]{{43}}", unit_link)
        wait_up(port)
        status, headers, body = get(setup)
        assert status == 200 and "设置管理员密码" in body
        assert "frame-ancestors 'none'" in headers["content-security-policy"] and "server" not in {k.lower() for k in headers}
        status, headers, _ = get(unit_link)
        assert status == 303 and headers["location"] == "/report" and "HttpOnly" in headers["set-cookie"]
        assert get(f"http://127.0.0.1:{port}/u/{'x' * 43}")[0] == 404
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        took = time.monotonic() - stopped_at
    finally:
        if process.poll() is None:
            process.kill()
    out, err = process.stdout.read().decode("utf-8"), process.stderr.read().decode("utf-8")
    assert code == 0, err
    assert took < 5, took
    assert "网站已停止" in out
    assert "GET /setup/… 200" in err and "GET /u/… 303" in err and "GET /u/… 404" in err
    for secret in (setup.rsplit("/", 1)[1], unit_link.rsplit("/", 1)[1], "x" * 43):
        assert secret not in err
    assert "Traceback" not in err and "Uvicorn" not in err
    assert (site / "nianbao.db").is_file()

    # the second start: no new setup link once used? (not used here: a fresh one, the old one replaced); names already there said once
    port2 = free_port()
    again = start([str(site), "--no-browser", "--port", str(port2), "--units", str(units)])
    try:
        lines = read_until(again.stdout, r"网站已启动")
        new_setup = next(line.strip() for line in lines if "/setup/" in line)
        assert new_setup.rsplit("/", 1)[1] != setup.rsplit("/", 1)[1]
        assert not [line for line in lines if "/u/" in line]
        assert any("已在网站中的单位（2个）链接不变" in line for line in lines)
        wait_up(port2)
        assert get(setup.replace(str(port), str(port2)))[0] == 200  # the page opens (the POST with the old token would be refused)
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=10) == 0
    finally:
        if again.poll() is None:
            again.kill()


def test_port_taken_is_said_in_chinese_with_status_2(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = subprocess.run([*NIANBAO, "serve", str(tmp_path / "site"), "--no-browser", "--port", str(port)],
                                capture_output=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2, err
    assert f"端口 {port} 已被占用" in err and f"--port {port + 1}" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()  # nothing made by a start that could not happen


def test_bind_refusals_are_chinese():
    from nianbao.errors import NianbaoError
    from nianbao.serve.server import bind

    with pytest.raises(NianbaoError, match="无法识别地址"):
        bind("no such host.invalid", 8000)
    with pytest.raises(NianbaoError, match="不是本机的地址"):
        bind("192.0.2.77", free_port())  # TEST-NET-1: never this machine's


@POSIX_ONLY
def test_other_host_warns_and_gives_the_address(tmp_path):
    port = free_port()
    process = start([str(tmp_path / "site"), "--no-browser", "--port", str(port), "--host", "0.0.0.0"])
    try:
        read_until(process.stdout, r"网站已启动")
        wait_up(port)
        time.sleep(1)
        process.send_signal(signal.SIGINT)  # Ctrl-C: the same quiet stop, status 0
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
    err = process.stderr.read().decode("utf-8")
    assert "局域网中的其他电脑都能访问" in err
    assert re.search(rf"请把这个地址告诉各单位：http://\d+\.\d+\.\d+\.\d+:{port}", err) or "没能查到本机的局域网地址" in err


def test_loopback_and_addresses():
    from nianbao.serve.server import _is_loopback, lan_addresses

    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost") and not _is_loopback("0.0.0.0")
    assert all(not a.startswith("127.") for a in lan_addresses())


def test_serve_module_runs_as_the_cli_says(tmp_path):
    """cli/serve.py calls server.run with these keywords: the signature must take them."""
    import inspect

    from nianbao.serve import server

    parameters = inspect.signature(server.run).parameters
    assert list(parameters)[:1] == ["site"] and {"host", "port", "db", "units", "open_browser"} <= set(parameters)
    assert Path(server.__file__).parent.name == "serve"


def test_browser_opened_once_the_server_is_up(monkeypatch):
    import webbrowser

    from nianbao.serve.server import _open_when_up

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)

    class Server:
        started, should_exit = False, False

    server = Server()
    import threading

    thread = threading.Thread(target=_open_when_up, args=(server, "http://127.0.0.1:1/login"))
    thread.start()
    time.sleep(0.3)
    assert opened == []  # not before uvicorn answers
    server.started = True
    thread.join(5)
    assert opened == ["http://127.0.0.1:1/login"]


# -- issue 30: HTTPS --------------------------------------------------------------------------------------------
def test_the_public_address_proxies_and_certificate_are_checked_before_anything_starts(tmp_path):
    from nianbao.errors import NianbaoError
    from nianbao.serve.server import front

    idn = front("https://年报.青山县.gov.cn/")
    assert (idn.host, idn.origin, idn.url, idn.trusted, idn.secure) == (
        "xn--hwt46g.xn--5nr35r7q5c.gov.cn", "https://xn--hwt46g.xn--5nr35r7q5c.gov.cn", "https://年报.青山县.gov.cn", ("127.0.0.1", "::1"), True)  # as UTS 46 (a browser) writes it; links as typed
    assert front("https://Nianbao.Example.gov.cn:443").origin == "https://nianbao.example.gov.cn"  # the port a browser leaves out
    assert front("http://10.0.0.5:8080", ["10.0.0.1", "10.1.0.0/16"]).origin == "http://10.0.0.5:8080"
    assert not front("http://10.0.0.5:8080").secure and front().trusted == () and not front().secure
    for args, said in ((("nianbao.example.gov.cn",), "--public-url 的写法有误"), (("https://x.gov.cn/nianbao",), "只能是网站的根地址"),
                       (("https://x.gov.cn", ["nginx"]), "--trusted-proxy 应为反向代理的 IP 地址"),
                       ((None, None, tmp_path / "c.pem"), "--cert 和 --key 要一起给出")):
        with pytest.raises(NianbaoError, match=said):
            front(*args)
    (tmp_path / "c.pem").write_text("not a certificate")
    result = subprocess.run([*NIANBAO, "serve", str(tmp_path / "site"), "--no-browser", "--cert", str(tmp_path / "c.pem"), "--key", str(tmp_path / "c.pem")],
                            capture_output=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2 and "无法使用证书" in err and "Traceback" not in err, err
    assert not (tmp_path / "site").exists()


@POSIX_ONLY
def test_the_site_speaks_tls_itself_with_cert_and_key(tmp_path):
    """--cert/--key: https on the port, the printed links https, cookies Secure, HSTS sent."""
    import ssl

    from test_serve_network import self_signed

    cert, key = self_signed(tmp_path)
    port = free_port()
    units = tmp_path / "名单.txt"
    units.write_text("青山镇人民政府\n", encoding="utf-8")
    process = start([str(tmp_path / "site"), "--no-browser", "--port", str(port), "--units", str(units), "--cert", str(cert), "--key", str(key)])
    try:
        lines = read_until(process.stdout, r"网站已启动")
        wait_up(port)
        link = next(line.split()[1] for line in lines if "/u/" in line)
        assert link.startswith(f"https://127.0.0.1:{port}/u/")
        context = ssl.create_default_context(cafile=str(cert))
        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
        try:
            opener.open(link, timeout=10)
        except urllib.error.HTTPError as exc:
            answer = exc
        assert answer.code == 303 and answer.headers["strict-transport-security"] == "max-age=31536000"
        assert "Secure" in answer.headers["set-cookie"] and "HttpOnly" in answer.headers["set-cookie"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_unit_links_line_up_by_display_width(tmp_path, capsys):
    """Names of Chinese (two columns a character), full-width and ASCII letters: every link starts
    in the same console column."""
    from wcwidth import wcswidth

    from nianbao.serve import server

    class Stop(Exception):
        pass

    def no_serve(*args, **kwargs):
        raise Stop

    names = ["青山镇人民政府", "Ａ镇", "青山县交通运输局（青山县公路管理段）", "XX乡"]
    original = server._serve
    server._serve = no_serve
    try:
        with pytest.raises(Stop):
            server.run(tmp_path / "site", port=free_port(), units=names, open_browser=False)
    finally:
        server._serve = original
    lines = [line for line in capsys.readouterr().out.splitlines() if "/u/" in line]
    assert [line.split()[0] for line in lines] == names
    columns = {wcswidth(line[: line.index("http")]) for line in lines}
    assert len(columns) == 1, lines


def test_without_the_serve_extra_the_hint_is_the_readmes_command(cli, monkeypatch):
    import importlib.util

    from conftest import ROOT

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a))
    result = cli("serve", "--no-browser")
    assert result.code == 2 and 'pip install ".[serve]"' in result.err and "uvicorn" in result.err, result
    assert 'pip install ".[serve]"' in (ROOT / "README.md").read_text(encoding="utf-8")
