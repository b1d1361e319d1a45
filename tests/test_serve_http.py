"""The site over HTTP (issue 22): who reaches what, CSRF, the private links, sign-in, escaping,
errors, security headers, logs.

The authorization matrix is data: every route of the app × {anonymous, unit A, unit B, admin}
with the status each must get.  A route added to the app without an entry here fails
:func:`test_every_route_has_an_entry`, so nobody adds a page without deciding who may see it.
The matrix runs on SQLite and on a real PostgreSQL (``NIANBAO_TEST_PG``; CI sets it)."""

from __future__ import annotations

import logging
import re

import pytest
from pgserver import pg_url  # noqa: F401 - a fixture, used by name
from servesite import HTML, PASSWORD, UNIT_A, UNIT_B, UNIT_C, YEAR, Site, form_cookie, make_site, report_text
from starlette.routing import Mount, Route

from nianbao.serve.store import Store

ROLES = ("anon", "A", "B", "admin")
LOGIN = "login"  # 303 to /login: a page asked by nobody signed in
ALLOWED = "allowed"  # the role may: anything but 401, 403 and the way to /login (the exact answer is the route's own test)
ANON_JSON = 401

# (method, path template) → (how the request is made, {role: expected})
#   form: a form post with the role's own CSRF token in the hidden field (a page's request)
#   json: a script's request: JSON body, the token in X-CSRF-Token (anonymous gets 401, not a redirect)
#   get:  a page (Accept: text/html);  getjson: a script's GET (Accept: application/json)
COUNTY = {"anon": LOGIN, "A": 403, "B": 403, "admin": ALLOWED}
UNIT = {"anon": LOGIN, "A": ALLOWED, "B": ALLOWED, "admin": 403}
UNIT_JSON = {"anon": ANON_JSON, "A": ALLOWED, "B": ALLOWED, "admin": 403}
OWN = COUNTY
OWN_JSON = {"anon": ANON_JSON, "A": 403, "B": 403, "admin": ALLOWED}
EVERYONE = {role: 200 for role in ROLES}
MATRIX: dict[tuple[str, str], tuple[str, dict[str, object]]] = {
    # signing in: open to all; the forms before a session need their own form token (not a session's)
    ("GET", "/"): ("get", {"anon": 303, "A": 303, "B": 303, "admin": 303}),
    ("GET", "/login"): ("get", EVERYONE),
    ("POST", "/login"): ("form", {role: 403 for role in ROLES}),
    ("GET", "/setup/{token}"): ("get", {role: 404 for role in ROLES}),  # a password is set: the link is closed
    ("POST", "/setup/{token}"): ("form", {role: 403 for role in ROLES}),
    ("GET", "/u/{token}"): ("get", {role: 404 for role in ROLES}),  # a forged token
    ("POST", "/logout"): ("form", {"anon": 303, "A": 303, "B": 303, "admin": 303}),
    ("GET", "/favicon.ico"): ("get", {role: 204 for role in ROLES}),
    # the county's pages
    ("GET", "/county"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/units"): ("get", {**COUNTY, "admin": 200}),
    ("POST", "/county/units"): ("form", {**COUNTY, "admin": 400}),  # no names sent
    ("GET", "/county/units/{unit_id:id}"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/units/{unit_id:id}/versions/{number:id}"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/units/{unit_id:id}/compare"): ("get", COUNTY),  # the admin's: 404 where the unit has no report of last year
    ("POST", "/county/units/{unit_id:id}/comment"): ("form", {**COUNTY, "admin": 400}),  # no text
    ("POST", "/county/units/{unit_id:id}/return"): ("form", {**COUNTY, "admin": 400}),  # no reasons
    ("POST", "/county/units/{unit_id:id}/approve"): ("form", {**COUNTY, "admin": 303}),
    ("POST", "/county/units/{unit_id:id}/rename"): ("form", {**COUNTY, "admin": 400}),  # no name
    ("POST", "/county/units/{unit_id:id}/revoke"): ("form", {**COUNTY, "admin": 200}),
    ("POST", "/county/units/{unit_id:id}/reissue"): ("form", {**COUNTY, "admin": 200}),
    ("GET", "/county/settings"): ("get", {**COUNTY, "admin": 200}),
    ("POST", "/county/settings"): ("form", {**COUNTY, "admin": 400}),  # no year
    ("GET", "/county/summary.xlsx"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/overview"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/overview.xlsx"): ("get", {**COUNTY, "admin": 200}),
    ("POST", "/county/produce"): ("form", {**COUNTY, "admin": 303}),
    ("GET", "/county/jobs/{job_id:id}"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/jobs/{job_id:id}/download"): ("get", {**COUNTY, "admin": 200}),
    ("POST", "/county/aggregate"): ("form", {**COUNTY, "admin": 303}),
    ("GET", "/county/audit"): ("get", {**COUNTY, "admin": 200}),
    ("GET", "/county/export"): ("get", {**COUNTY, "admin": 200}),
    # the unit's page (unit.py): each unit reaches its own report only — the session says which
    ("GET", "/report"): ("get", UNIT),
    ("GET", "/report/data"): ("getjson", UNIT_JSON),
    ("POST", "/report/save"): ("json", UNIT_JSON),
    ("POST", "/report/start"): ("form", UNIT),
    ("GET", "/report/history"): ("get", UNIT),
    ("GET", "/report/versions/{n}"): ("get", UNIT),
    ("POST", "/report/restore/{n}"): ("form", UNIT),
    ("GET", "/report/preview"): ("get", UNIT),
    ("GET", "/report/download/{fmt}"): ("get", UNIT),
    ("GET", "/report/proof/{n}"): ("get", UNIT),  # a scanned upload's proof page: its own unit's only (404 when none is kept)
    ("POST", "/report/submit"): ("form", UNIT),
    # the county's own report, edited like a unit's (unit.py), by the admin only
    ("GET", "/county/own"): ("get", OWN),
    ("GET", "/county/own/data"): ("getjson", OWN_JSON),
    ("POST", "/county/own/save"): ("json", OWN_JSON),
    ("POST", "/county/own/start"): ("form", OWN),
    ("GET", "/county/own/history"): ("get", OWN),
    ("GET", "/county/own/versions/{n}"): ("get", OWN),
    ("POST", "/county/own/restore/{n}"): ("form", OWN),
    ("GET", "/county/own/preview"): ("get", OWN),
    ("GET", "/county/own/download/{fmt}"): ("get", OWN),
    ("GET", "/county/own/proof/{n}"): ("get", OWN),
}
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every route of the app (static files apart)."""
    out = []
    for route in app.routes:
        if isinstance(route, Route):
            out += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
        else:
            assert isinstance(route, Mount) and route.path == "/static", f"an unexpected mount {route}"
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'nianbao.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store.for_site(tmp_path / "site")
    yield store
    store.close()


@pytest.fixture
def site(sqlite_store) -> Site:
    return make_site(sqlite_store)


def assert_guarded(response) -> None:
    """The headers every response carries, whatever it is."""
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "cache-control" in response.headers


def path_for(template: str, site: Site, job: int) -> str:
    values = {"{unit_id:id}": str(site.units[UNIT_C]), "{number:id}": "1", "{job_id:id}": str(job), "{token}": "forged-" + "x" * 40,
              "{n}": "1", "{fmt}": "txt"}
    for key, value in values.items():
        template = template.replace(key, value)
    assert "{" not in template, template
    return template


def role_client(site: Site, role: str):
    """A fresh browser signed in as ``role`` (a session of its own: a logout in one row ends nothing else)."""
    client = site.client()
    if role == "admin":
        cookie, _ = site.store.new_session("admin", None, "testclient")
        client.cookies.set("nianbao_session", cookie)
    elif role in ("A", "B"):
        client = site.unit_client(UNIT_A if role == "A" else UNIT_B)
    return client


def request_as(site: Site, client, role: str, how: str, method: str, path: str, *, csrf: str | None | bool = True,
               headers: dict[str, str] | None = None):
    token = None
    if csrf is True and role != "anon":
        token = site.csrf(client)
    elif isinstance(csrf, str):
        token = csrf
    extra = dict(headers or {})
    if how == "get":
        return client.get(path, headers={**HTML, **extra})
    if how == "getjson":
        return client.get(path, headers={"accept": "application/json", **extra})
    if how == "json":
        if token is not None:
            extra["x-csrf-token"] = token
        return client.post(path, json={"base": 0, "values": {}}, headers={"accept": "application/json", **extra})
    return client.post(path, data={} if token is None else {"csrf": token}, headers={**HTML, **extra})


def expected_ok(status: int, location: str | None, want: object) -> bool:
    if want == LOGIN:
        return status == 303 and location == "/login"
    if want == ALLOWED:
        return status not in (401, 403) and not (status == 303 and location == "/login")
    return status == want


def prepared(site: Site) -> int:
    """The data the matrix's rows work on: C has submitted (approve works), A has a version (its
    history, downloads), a finished job; returns the job's id."""
    site.store.county_unit()  # the county's own report's row (made on first use)
    site.submit(UNIT_C)
    site.submit(UNIT_A, bump=1)
    site.store.set_status(site.units[UNIT_A], YEAR, "已通过", actor="admin", address="test")
    job = site.store.new_job("produce", 1)
    site.store.update_job(job, done=1, state="done", result=b"PK\x05\x06" + b"\0" * 18)
    return job


def test_every_route_has_an_entry(site):
    routes = app_routes(site.app)
    missing = [r for r in routes if r not in MATRIX]
    assert not missing, f"routes without an authorization entry in MATRIX: {missing}"
    from nianbao.serve import unit  # noqa: F401 - the editor's routes are mounted: every entry names a route

    stale = [r for r in MATRIX if r not in routes]
    assert not stale, f"MATRIX entries for routes the app does not have: {stale}"


def test_authorization_matrix(store):
    """Every route × every role, on SQLite and PostgreSQL; every answer carries the security headers."""
    site = make_site(store)
    site.setup_admin()
    job = prepared(site)
    failures = []
    count = 0
    for method, template in app_routes(site.app):
        how, wanted = MATRIX[(method, template)]
        for role in ROLES:
            client = role_client(site, role)
            response = request_as(site, client, role, how, method, path_for(template, site, job))
            count += 1
            assert_guarded(response)
            if not expected_ok(response.status_code, response.headers.get("location"), wanted[role]):
                failures.append(f"{method} {template} as {role}: {response.status_code} {response.headers.get('location', '')}, want {wanted[role]}")
            assert "Traceback" not in response.text
    assert not failures, "\n".join(failures)
    assert count == 4 * len(app_routes(site.app)) and count >= 4 * 45


def test_csrf_missing_wrong_or_cross_origin_is_refused_on_every_post(site):
    """Every state-changing route, asked by the role it belongs to: no token, a wrong token, the
    right token from another site's page — 403 each, and nothing changed."""
    site.setup_admin()
    job = prepared(site)
    before = site.store.audit_log(10_000)
    posts = [(m, t) for m, t in app_routes(site.app) if m == "POST" and t not in ("/login", "/setup/{token}")]
    assert len(posts) >= 18
    for method, template in posts:
        how, wanted = MATRIX[(method, template)]
        role = "admin" if wanted["admin"] != 403 else "A"
        client = role_client(site, role)
        path = path_for(template, site, job)
        for csrf, headers in ((None, {}), ("wrong-" + "x" * 40, {}), (True, {"origin": "http://evil.example"}),
                              (True, {"origin": "null"}), (True, {"sec-fetch-site": "cross-site"})):
            response = request_as(site, client, role, how, method, path, csrf=csrf, headers=headers)
            assert response.status_code == 403, (template, csrf, headers, response.status_code)
            assert_guarded(response)
    after = site.store.audit_log(10_000)
    changes = [row for row in after[: len(after) - len(before)] if row.action not in ("通过专用链接进入", "登录")]
    assert changes == []  # sessions were opened; nothing else happened
    assert site.store.unit_by_token(site.tokens[UNIT_C]) is not None  # revoke and reissue did not run
    assert site.store.report(site.units[UNIT_C], YEAR).status == "已提交"  # neither did approve or return


def test_sign_in_and_setup_forms_need_their_form_token(site):
    token = site.store.setup_token()
    client = site.client()
    response = client.post(f"/setup/{token}", data={"password": PASSWORD, "again": PASSWORD})
    assert response.status_code == 403  # no form token: a page of another site cannot set the password
    form_token = form_cookie(client, f"/setup/{token}")
    response = client.post(f"/setup/{token}", data={"csrf": form_token, "password": PASSWORD, "again": PASSWORD},
                           headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    assert not site.store.settings().admin_set
    for password, again, said in (("short", "short", "至少要有 10 个字符"), ("0123456789", "0123456780", "两次输入的密码不一致")):
        response = client.post(f"/setup/{token}", data={"csrf": form_token, "password": password, "again": again})
        assert response.status_code == 400 and said in response.text
    response = client.post("/setup/not-the-token", data={"csrf": form_token, "password": PASSWORD, "again": PASSWORD})
    assert response.status_code == 404 and "链接无效" in response.text
    response = client.post(f"/setup/{token}", data={"csrf": form_token, "password": PASSWORD, "again": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/county"
    assert client.get("/county", headers=HTML).status_code == 200
    # once set, the link is closed, and no new one is made
    again = site.client()
    assert again.get(f"/setup/{token}", headers=HTML).status_code == 404
    assert site.store.setup_token() is None


def test_login_rate_limited(site):
    site.setup_admin()
    client = site.client()
    form_token = form_cookie(client, "/login")
    for _ in range(5):
        response = client.post("/login", data={"csrf": form_token, "password": "wrong password"})
        assert response.status_code == 401 and "密码不正确" in response.text
        assert "nianbao_session" not in client.cookies
    response = client.post("/login", data={"csrf": form_token, "password": PASSWORD})
    assert response.status_code == 429 and "次数过多" in response.text
    assert "nianbao_session" not in client.cookies
    # another address is not held up by the first one's failures
    other = site.client(client=("10.0.0.9", 50000))
    response = other.post("/login", data={"csrf": form_cookie(other, "/login"), "password": PASSWORD})
    assert response.status_code == 303 and response.headers["location"] == "/county"


def test_session_cookie_flags(site):
    site.setup_admin()
    client = site.client()
    response = client.post("/login", data={"csrf": form_cookie(client, "/login"), "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("nianbao_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    secure = site.client(base_url="https://testserver")
    response = secure.post("/login", data={"csrf": form_cookie(secure, "/login"), "password": PASSWORD},
                           headers={"origin": "https://testserver"})
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]
    response = secure.get(f"/u/{site.tokens[UNIT_A]}")
    assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]


def test_logout_ends_the_session(site):
    admin = site.setup_admin()
    cookie = admin.cookies["nianbao_session"]
    response = admin.post("/logout", data={"csrf": site.csrf(admin)})
    assert response.status_code == 303 and response.headers["location"] == "/login?out=1"
    assert site.store.session(cookie) is None
    stolen = site.client()
    stolen.cookies.set("nianbao_session", cookie)
    assert stolen.get("/county", headers=HTML).headers.get("location") == "/login"
    assert "已退出" in site.client().get("/login?out=1", headers=HTML).text


def test_unit_links_forged_revoked_reissued(site):
    admin = site.setup_admin()
    forged = site.client().get("/u/" + "A" * 43, headers=HTML)
    assert forged.status_code == 404 and "链接无效或已停用" in forged.text and "nianbao_session" not in forged.headers.get("set-cookie", "")
    inside = site.unit_client(UNIT_B)
    assert inside.get("/report", headers=HTML).status_code == 200
    # revoked: the link no longer works, and whoever is inside through it is out
    response = admin.post(f"/county/units/{site.units[UNIT_B]}/revoke", data={"csrf": site.csrf(admin)})
    assert response.status_code == 200 and "链接已停用" in response.text
    assert site.client().get(f"/u/{site.tokens[UNIT_B]}", headers=HTML).status_code == 404
    assert inside.get("/report", headers=HTML).headers.get("location") == "/login"
    # reissued: the new link works (shown once), the old one not, A's old sessions ended
    old_inside = site.unit_client(UNIT_A)
    response = admin.post(f"/county/units/{site.units[UNIT_A]}/reissue", data={"csrf": site.csrf(admin)})
    assert response.status_code == 200
    links = re.findall(r'<code class="link">http://testserver/u/([^<]+)</code>', response.text)
    assert len(links) == 1 and links[0] != site.tokens[UNIT_A]
    assert site.client().get(f"/u/{site.tokens[UNIT_A]}", headers=HTML).status_code == 404
    assert site.client().get(f"/u/{links[0]}", headers=HTML).status_code == 303
    assert old_inside.get("/report", headers=HTML).headers.get("location") == "/login"
    # the link is never shown again
    listing = admin.get("/county/units", headers=HTML).text
    assert links[0] not in listing and site.tokens[UNIT_C] not in listing


def test_a_unit_reaches_only_its_own_records(site):
    site.setup_admin()
    site.submit(UNIT_A)
    a, b = site.unit_client(UNIT_A), site.unit_client(UNIT_B)
    assert a.get("/report/versions/1", headers=HTML).status_code == 200
    assert b.get("/report/versions/1", headers=HTML).status_code == 404  # A's version 1 is not B's
    assert UNIT_A not in b.get("/report/history", headers=HTML).text
    for path in (f"/county/units/{site.units[UNIT_A]}", f"/county/units/{site.units[UNIT_A]}/versions/1", "/county/summary.xlsx"):
        assert b.get(path, headers=HTML).status_code == 403
    # a unit's session naming another unit in a form changes nothing of it
    response = b.post(f"/county/units/{site.units[UNIT_A]}/comment", data={"csrf": site.csrf(b), "text": "x"}, headers=HTML)
    assert response.status_code == 403
    assert site.store.comments(site.units[UNIT_A], YEAR) == []


MARKUP = ('<script>alert(1)</script>', '"><img src=x onerror=alert(2)>')


def test_markup_in_names_and_comments_is_shown_escaped(site):
    admin = site.setup_admin()
    response = admin.post("/county/units", data={"csrf": site.csrf(admin), "names": "\n".join(f"某镇{m}" for m in MARKUP)})
    assert response.status_code == 200
    unit_a = site.units[UNIT_A]
    narrative = report_text(UNIT_A).replace("全年通过县政府门户网站", "</textarea>" + MARKUP[0] + MARKUP[1] + "全年通过县政府门户网站", 1)
    assert narrative.count("</textarea>") == 1
    site.store.save(unit_a, YEAR, narrative, base=0, author=UNIT_A, address="t", summary=[MARKUP[0]], errors=0, warnings=0)
    site.store.set_status(unit_a, YEAR, "已提交", actor=UNIT_A, address="t")
    response = admin.post(f"/county/units/{unit_a}/comment", data={"csrf": site.csrf(admin), "text": MARKUP[0] + MARKUP[1]})
    assert response.status_code == 303
    response = admin.post(f"/county/units/{unit_a}/return", data={"csrf": site.csrf(admin), "text": "退回" + MARKUP[1]})
    assert response.status_code == 303
    pages = [admin.get(p, headers=HTML).text for p in ("/county", "/county/units", f"/county/units/{unit_a}", "/county/audit")]
    pages.append(response.text)
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html and "</textarea><script" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)" in pages[2]  # the narrative, shown as typed
    assert "某镇&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in pages[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in pages[2]
    assert "退回&#34;&gt;&lt;img" in pages[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3]
    # and the unit sees the county's comments escaped too
    unit_page = site.unit_client(UNIT_A).get("/report", headers=HTML).text
    assert "<script>alert" not in unit_page and "<img src=x" not in unit_page


def test_errors_are_chinese_pages_with_the_headers(site, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="nianbao.serve")
    admin = site.setup_admin()
    for response, status, said in (
        (admin.get("/no/such/page", headers=HTML), 404, "找不到这个页面"),
        (admin.get("/county/units/999999999", headers=HTML), 404, "找不到这个单位"),
        (admin.get("/county/units/99999999999999999999", headers=HTML), 404, "找不到这个页面"),  # past any id: no overflow
        (admin.get("/logout", headers=HTML), 405, "不能这样访问"),
        (admin.get("/county/jobs/424242", headers=HTML), 404, "找不到这个任务"),
        (admin.get("/static/../store.py", headers=HTML), 404, "找不到"),
    ):
        assert response.status_code == status, (response.request.url, response.status_code)
        assert said in response.text and "<title>" in response.text
        assert_guarded(response)
    json_404 = admin.get("/no/such/data", headers={"accept": "application/json"})
    assert json_404.status_code == 404 and json_404.json() == {"message": "找不到这个页面，或链接已失效。"}
    assert_guarded(json_404)

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the failure /u/abcdefabcdefabcdefabcdefabcdefabcdef")

    monkeypatch.setattr(site.store, "units", broken)
    response = admin.get("/county", headers=HTML)
    assert response.status_code == 500 and "网站内部出了问题" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text and "RuntimeError" not in response.text
    assert_guarded(response)
    response = admin.get("/county", headers={"accept": "application/json"})
    assert response.status_code == 500 and response.json()["message"].startswith("网站内部出了问题")
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert said == ["处理 GET /county 时出现内部错误（RuntimeError）；请加 --debug 重新启动网站以查看详情，并告诉维护者"] * 2
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.INFO)  # the traceback only at DEBUG (--debug)


def test_static_files_are_guarded_and_shipped_in_the_package(site):
    for name in ("site.css", "county.css", "editor.js"):
        response = site.client().get(f"/static/{name}")
        assert response.status_code == 200, name
        assert_guarded(response)
        assert response.headers["cache-control"] == "no-cache"
    from nianbao.serve.app import STATIC

    assert STATIC.parent.name == "serve" and (STATIC / "county.css").is_file()


def test_request_bodies_are_capped_while_read(site):
    admin = site.setup_admin()
    csrf = site.csrf(admin)
    # JSON and plain forms: 2 MB
    big = "x" * (2 * 1024 * 1024 + 10)
    response = admin.post("/county/units", data={"csrf": csrf, "names": big}, headers=HTML)
    assert response.status_code == 413 and "内容太大" in response.text
    assert_guarded(response)
    # announced too big: refused before reading
    response = admin.post("/county/units", content=b"x" * 10, headers={**HTML, "content-length": str(50 * 1024 * 1024),
                                                                      "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    # a body streamed without a length is cut off at the cap
    def chunks():
        for _ in range(40):
            yield b"names=" + b"y" * 100_000

    response = admin.post("/county/units", content=chunks(), headers={**HTML, "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    # uploads: 20 MB; one past it is refused, one under passes the cap (the route then says what it thinks)
    unit = site.unit_client(UNIT_A)
    files = {"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024 + 300 * 1024), "application/pdf")}
    response = unit.post("/report/start", data={"csrf": site.csrf(unit), "from": "upload"}, files=files, headers=HTML)
    assert response.status_code == 413
    assert site.store.audit_log(1)[0].action != "上传文件"


def test_no_token_reaches_the_log(site, caplog):
    caplog.set_level(logging.INFO, logger="nianbao.serve")
    token = site.store.setup_token()
    client = site.client()
    client.get(f"/setup/{token}?x=1", headers=HTML)
    client.get(f"/u/{site.tokens[UNIT_A]}")
    client.get(f"/u/{site.tokens[UNIT_B]}/../x")
    client.get("/u/" + "Z" * 43)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /setup/… 200" in text and "GET /u/… 303" in text and "GET /u/… 404" in text
    for secret in (token, site.tokens[UNIT_A], site.tokens[UNIT_B], "Z" * 43):
        assert secret not in text


def test_anonymous_pages_go_to_login_scripts_get_401(site):
    client = site.client()
    response = client.get("/county", headers=HTML)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    response = client.get("/report/data", headers={"accept": "application/json"})
    assert response.status_code == 401 and "专用链接" in response.json()["message"]
    login = client.get("/login", headers=HTML).text
    assert "各单位无需登录" in login and 'for="password"' in login


def test_home_sends_each_to_its_page(site):
    admin = site.setup_admin()
    assert admin.get("/", headers=HTML).headers["location"] == "/county"
    assert site.unit_client(UNIT_A).get("/", headers=HTML).headers["location"] == "/report"
    assert site.client().get("/", headers=HTML).headers["location"] == "/login"


def test_report_text_helper_makes_distinct_units():
    a, b = report_text(UNIT_A), report_text(UNIT_B, bump=2)
    assert f"name: {UNIT_B}" in b and "normative_documents: [3, 0, 8]" in b and a != b
