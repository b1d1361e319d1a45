"""The unit's routes (nianbao.serve.unit) through Starlette's TestClient on a real Store: start,
save → versions → findings, the conflict of two tabs, submit refused while errors remain,
history and restore, downloads byte-equal to ``nianbao render``, the county's own report."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLE_2023
from starlette.testclient import TestClient

from nianbao.serve.app import create_app
from nianbao.serve.store import Store
from nianbao.workflows import editing as editor

YEAR = 2023
UNIT, OTHER = "青山镇人民政府", "绿水乡人民政府"
PASSWORD = "county-password-1"


class Site:
    def __init__(self, tmp_path) -> None:
        self.store = Store(f"sqlite:///{tmp_path / 'site.db'}")
        self.store.set_year(YEAR)
        added = self.store.add_units([UNIT, OTHER], "admin", "test")
        self.tokens = {unit.name: token for unit, token in added}
        self.ids = {unit.name: unit.id for unit, _ in added}
        self.app = create_app(self.store)

    def unit(self, name: str = UNIT) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        assert client.get(f"/u/{self.tokens[name]}").status_code == 303
        return client

    def admin(self) -> TestClient:
        token = self.store.setup_token()
        client = TestClient(self.app, follow_redirects=False)
        page = client.get(f"/setup/{token}", headers={"accept": "text/html"})
        form = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        assert client.post(f"/setup/{token}", data={"csrf": form, "password": PASSWORD, "again": PASSWORD}).status_code == 303
        return client

    def csrf(self, client: TestClient) -> str:
        return self.store.session(client.cookies.get("nianbao_session")).csrf


@pytest.fixture
def site(tmp_path):
    made = Site(tmp_path)
    yield made
    made.store.close()


def start_with_example(site: Site, client: TestClient, base: str = "/report") -> None:
    response = client.post(f"{base}/start", data={"csrf": site.csrf(client), "from": "upload"},
                           files={"file": ("青山镇.yaml", EXAMPLE_2023.read_bytes(), "application/yaml")})
    assert response.status_code == 303 and response.headers["location"] == f"{base}?done=started", response.text


def save(site: Site, client: TestClient, base: int, values: dict, prefix: str = "/report"):
    return client.post(f"{prefix}/save", json={"base": base, "values": values}, headers={"X-CSRF-Token": site.csrf(client)})


def test_the_start_page_then_the_editor(site):
    client = site.unit()
    page = client.get("/report")
    assert page.status_code == 200 and "还没有开始填写" in page.text and "从空白开始" in page.text
    assert "从上一年度的报告开始" not in page.text  # none on the site
    assert client.post("/report/start", data={"from": "empty"}).status_code == 403  # no CSRF token
    response = client.post("/report/start", data={"csrf": site.csrf(client), "from": "empty"})
    assert response.status_code == 303
    latest = site.store.latest(site.ids[UNIT], YEAR)
    assert latest.number == 1 and latest.text == editor.blank(YEAR, UNIT) and latest.summary == ("从空白开始",)
    assert latest.errors == 7  # rule P: the empty sections and the date
    page = client.get("/report")
    assert 'id="f-applications-new-0"' in page.text and 'aria-label="表三.一.自然人"' in page.text
    assert "[错误 P] 一、总体情况（一）主动公开：没有内容" in page.text


def test_save_makes_a_version_with_findings_and_a_conflict_shows_the_other_change(site):
    client = site.unit()
    start_with_example(site, client)
    response = save(site, client, 1, {"applications.new.0": "12件"})
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2 and body["summary"] == ["表三 一、本年新收 · 自然人：5 → 12件"]
    assert body["findings"][0]["text"] == "[错误 S] 表三 一、本年新收 · 自然人：只填数字，不要带单位：“12件”请写成 12（单位已印在表头）"
    assert body["findings"][0]["path"] == "表三.一.自然人"
    assert site.store.latest(site.ids[UNIT], YEAR).errors == 1
    # a second tab still on version 1
    conflict = save(site, client, 1, {"applications.new.1": "2"})
    assert conflict.status_code == 409
    other = conflict.json()["current"]
    assert other["number"] == 2 and other["author"] == UNIT and other["summary"] == ["表三 一、本年新收 · 自然人：5 → 12件"]
    assert "已被青山镇人民政府于" in conflict.json()["message"] and "保存为第2版" in conflict.json()["message"]
    assert site.store.latest(site.ids[UNIT], YEAR).number == 2  # nothing overwritten
    # the same change sent again (its answer was lost): acknowledged, no new version
    again = save(site, client, 1, {"applications.new.0": "12件"})
    assert again.status_code == 200 and again.json()["version"] == 2 and again.json()["unchanged"]
    fixed = save(site, client, 2, {"applications.new.0": "5"})
    assert fixed.json()["version"] == 3 and fixed.json()["findings"] == [] and fixed.json()["computed"]["applications.new.6"] == "7"
    assert save(site, client, 3, {"nonsense": "1"}).status_code == 400
    assert client.post("/report/save", json={"base": 3, "values": {}}).status_code == 403  # no token


def test_submit_is_refused_while_errors_remain(site):
    client = site.unit()
    start_with_example(site, client)
    save(site, client, 1, {"applications.new.0": "6"})
    refused = client.post("/report/submit", data={"csrf": site.csrf(client)})
    assert refused.status_code == 409 and "报告还有2处错误，改正后才能提交" in refused.text
    assert "[错误 R2] 表三：一、本年新收政府信息公开申请数量的总计填写为7" in refused.text
    assert site.store.report(site.ids[UNIT], YEAR).status == "填写中"
    save(site, client, 2, {"applications.new.0": "5"})
    done = client.post("/report/submit", data={"csrf": site.csrf(client)})
    assert done.status_code == 303 and done.headers["location"] == "/report?done=submitted"  # Post/Redirect/Get
    assert site.store.report(site.ids[UNIT], YEAR).status == "已提交"
    shown = client.get(done.headers["location"])
    assert shown.status_code == 200 and '<div class="message ok" role="alert" id="outcome">' in shown.text
    assert "<p>已提交县（区）审核。审核期间报告不能修改；如被退回，可改正后再次提交。</p>" in shown.text
    locked = save(site, client, 3, {"applications.new.0": "4"})
    assert locked.status_code == 423 and "报告已提交县（区）审核" in locked.json()["message"]


def test_history_view_and_restore(site):
    client = site.unit()
    start_with_example(site, client)
    save(site, client, 1, {"problems": "改过的问题。"})
    history = client.get("/report/history")
    assert history.status_code == 200 and "第2版（最新）" in history.text and "五、存在的主要问题及改进情况：修改（196字 → 6字）" in history.text
    assert "由上传的文件“青山镇.yaml”开始" in history.text
    old = client.get("/report/versions/1")
    assert old.status_code == 200 and "本年度工作中仍有不足" in old.text and "readonly" in old.text
    assert client.get("/report/versions/9").status_code == 404
    restored = client.post("/report/restore/1", data={"csrf": site.csrf(client), "base": "2"})
    assert restored.status_code == 303
    latest = site.store.latest(site.ids[UNIT], YEAR)
    assert latest.number == 3 and latest.text == site.store.version(site.ids[UNIT], YEAR, 1).text
    assert latest.summary[0] == "恢复为第1版"


def test_a_unit_reaches_only_its_own_report(site):
    mine = site.unit()
    start_with_example(site, mine)
    theirs = site.unit(OTHER)
    assert theirs.get("/report/versions/1").status_code == 404  # OTHER has none: the URL's number is looked up in its own report
    assert "还没有开始填写" in theirs.get("/report").text
    assert theirs.get("/report/download/yaml").status_code == 404
    anonymous = TestClient(site.app, follow_redirects=False)
    assert anonymous.get("/report/data").status_code == 401
    assert anonymous.get("/report", headers={"accept": "text/html"}).status_code == 303
    assert mine.get("/county/own").status_code == 403


@pytest.mark.parametrize("fmt", ["docx", "txt", "html", "fragment"])
def test_downloads_are_byte_equal_to_nianbao_render(site, cli, tmp_path, fmt):
    client = site.unit()
    start_with_example(site, client)
    yaml = client.get("/report/download/yaml")
    assert yaml.status_code == 200 and yaml.content.decode("utf-8") == editor.canonical(EXAMPLE_2023.read_text(encoding="utf-8"))
    path = tmp_path / "site.yaml"
    path.write_bytes(yaml.content)
    out = tmp_path / "out"
    assert cli("render", path, "--to", fmt, "-o", out).code == 0
    made = next(out.iterdir())
    response = client.get(f"/report/download/{fmt}")
    assert response.status_code == 200
    assert response.content == made.read_bytes()
    assert response.headers["content-disposition"].endswith("''" + __import__("urllib.parse").parse.quote(made.name))


def test_preview_is_the_published_page_with_its_own_style_and_no_script(site):
    client = site.unit()
    start_with_example(site, client)
    preview = client.get("/report/preview")
    assert preview.status_code == 200 and preview.text.startswith("<!DOCTYPE html>")
    csp = preview.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self'" in csp and "<script" not in preview.text
    save(site, client, 1, {"applications.new.0": "6"})  # errors left: still shown, as a draft
    assert "草稿" in client.get("/report/preview").text


def test_the_pdf_download(site):
    client = site.unit()
    start_with_example(site, client)
    pdf = client.get("/report/download/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_the_county_edits_its_own_report_with_the_same_handlers(site):
    admin = site.admin()
    assert "还没有开始填写" in admin.get("/county/own").text
    start_with_example(site, admin, "/county/own")
    county = site.store.county_unit()
    response = save(site, admin, 1, {"applications.new.0": "6"}, "/county/own")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert site.store.latest(county.id, YEAR).author == "admin"
    assert admin.get("/county/own/history").status_code == 200
    assert admin.post("/county/own/submit", data={"csrf": site.csrf(admin)}).status_code in (404, 405)
    assert site.unit().get("/county/own/data").status_code == 403


def test_starting_from_last_years_report_on_the_site(site):
    unit = site.ids[UNIT]
    site.store.save(unit, YEAR - 1, editor.apply(editor.blank(YEAR - 1, UNIT), {"applications.carried_forward.0": "2"}),
                    base=0, author=UNIT, address="test", summary=[], errors=0, warnings=0)
    client = site.unit()
    page = client.get("/report")
    assert "从上一年度的报告开始" in page.text and "2022年度的报告" in page.text
    assert client.post("/report/start", data={"csrf": site.csrf(client), "from": "last"}).status_code == 303
    form = editor.form(site.store.latest(unit, YEAR).text)
    assert form["year"] == YEAR and form["values"]["applications.carried_over.0"] == "2"


def test_an_upload_that_is_no_report_is_said_on_the_start_page(site):
    client = site.unit()
    response = client.post("/report/start", data={"csrf": site.csrf(client), "from": "upload"},
                           files={"file": ("<script>.pdf", b"%PDF-1.4 nothing", "application/pdf")})
    assert response.status_code == 400 and "上传的文件无法读成报告" in response.text
    assert "<script>.pdf" not in response.text
    assert site.store.latest(site.ids[UNIT], YEAR) is None


def test_without_libreoffice_the_pdf_download_says_so(site, monkeypatch):
    from nianbao.render import office, pdf

    def absent(documents):
        raise office.OfficeUnavailable("找不到 LibreOffice（soffice）")

    monkeypatch.setattr(pdf, "convert", absent)
    client = site.unit()
    start_with_example(site, client)
    response = client.get("/report/download/pdf", headers={"accept": "text/html"})
    assert response.status_code == 503
    assert "未生成 PDF：找不到 LibreOffice（soffice）。可下载 Word 文档（DOCX）后自行转换。" in response.text


# -- Post/Redirect/Get, the findings reachable at once, the county's own report (site-bugs B3, B5, B7) ------------
def test_start_restore_and_submit_redirect_to_the_report_which_says_what_was_done(site):
    """A reload after a form re-sends nothing: every successful form answers 303 to /report with a
    flag that picks one fixed sentence (nothing from the URL is shown), said once."""
    client = site.unit()
    started = client.post("/report/start", data={"csrf": site.csrf(client), "from": "empty"})
    assert (started.status_code, started.headers["location"]) == (303, "/report?done=started")
    page = client.get(started.headers["location"])
    assert "<p>报告已建立（第1版）。请逐项核对，“检查结果”列出了需要补填或改正的地方。</p>" in page.text
    save(site, client, 1, {"applications.new.0": "3"})
    restored = client.post("/report/restore/1", data={"csrf": site.csrf(client), "base": "2"})
    assert (restored.status_code, restored.headers["location"]) == (303, "/report?done=restored&n=1")
    page = client.get(restored.headers["location"])
    assert "<p>已恢复为第1版的内容，另存为第3版；原来的各版都还在历史版本中。</p>" in page.text
    # flags that do not fit what the report is now say nothing; no text of the URL reaches the page
    for query in ("?done=submitted", "?done=restored&n=3", "?done=restored&n=x", "?done=%3Cscript%3E", "?n=1"):
        page = client.get("/report" + query)
        assert page.status_code == 200 and 'id="outcome"' not in page.text and "<script>" not in page.text.split('id="boot"')[0], query
    # an error is still said on the page that answers the form (nothing was done: nothing to re-send)
    refused = client.post("/report/restore/1", data={"csrf": site.csrf(client), "base": "2"})
    assert refused.status_code == 409 and '<div class="message error" role="alert" id="outcome">' in refused.text


def test_the_counts_lead_to_the_findings_which_come_before_the_form(site):
    """On a phone the list must be reachable at once: the counts link to it, and it is the first
    thing after the status line (a folded <details> there, a column beside the form when wide)."""
    client = site.unit()
    start_with_example(site, client)
    save(site, client, 1, {"applications.new.0": "6"})
    page = client.get("/report").text
    assert '<a id="counts" class="counts" href="#panel">错误 <b id="n-errors">2</b> 个，提示 <b id="n-warnings">0</b> 个' in page
    panel, form = page.index('<details class="panel" id="panel" open>'), page.index('<div class="report-form" id="report-form">')
    assert panel < form
    listed = page[panel:form]
    assert '<h2 id="panel-h">检查结果 <span class="panel-counts">错误 <b id="p-errors">2</b> 个，提示 <b id="p-warnings">0</b> 个' in listed
    assert "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项" in listed and "[错误 R2]" in listed
    version = client.get("/report/versions/2").text
    assert version.index('<details class="panel" id="panel" open>') < version.index('id="report-form"')
    assert "2 个错误，0 个提示" in version


def test_the_county_own_report_is_titled_as_printed_and_has_the_county_nav(site):
    from nianbao.model.standard import spec_for_year

    admin = site.admin()
    start = admin.get("/county/own").text
    assert '<a href="/county/units">单位管理</a>' in start and '<a href="/county/audit">操作记录</a>' in start
    start_with_example(site, admin, "/county/own")
    page = admin.get("/county/own").text
    title = spec_for_year(YEAR).title(UNIT, YEAR)  # the report's 机关名称, not the site's name of the county's row
    assert site.store.county_unit().name != UNIT
    assert f"<title>{title}</title>" in page and f"<h1>{title}</h1>" in page
    for link in ('<a href="/county">各单位</a>', '<a href="/county/units">单位管理</a>', '<a href="/county/own">本级汇总报告</a>',
                 '<a href="/county/audit">操作记录</a>', '<a href="/county/settings">设置</a>'):
        assert link in page and link in admin.get("/county/own/history").text and link in admin.get("/county/own/versions/1").text
    unit = site.unit()
    start_with_example(site, unit)
    mine = unit.get("/report").text
    assert "单位管理" not in mine and "/county/units" not in mine  # a unit's page has no county links


# -- what the red team found (site-bugs R1, R2, R3) -------------------------------------------------------------------
def test_a_second_submit_lands_on_the_submitted_report_and_nested_json_is_a_400(site):
    client = site.unit()
    start_with_example(site, client)
    for _ in range(2):  # a double click, or the form sent again from the back button
        done = client.post("/report/submit", data={"csrf": site.csrf(client)})
        assert (done.status_code, done.headers["location"]) == (303, "/report?done=submitted")
    assert [c.kind for c in site.store.comments(site.ids[UNIT], YEAR)].count("submit") <= 1
    assert client.post("/report/submit", data={"csrf": "wrong"}).status_code == 403  # still the form's token first
    deep = client.post("/report/save", content=b"[" * 100_000, headers={"X-CSRF-Token": site.csrf(client), "content-type": "application/json"})
    assert deep.status_code == 400 and deep.json()["message"] == "请求内容不是有效的 JSON"


def test_history_lists_the_newest_hundred_versions_with_a_link_to_all(site):
    client = site.unit()
    start_with_example(site, client)
    unit = site.ids[UNIT]
    latest = site.store.latest(unit, YEAR)
    for n in range(2, 106):  # autosave for weeks: versions by the hundred
        text = editor.apply(latest.text, {"problems": f"第{n}次修改。"})
        latest = site.store.save(unit, YEAR, text, base=latest.number, author=UNIT, address="test", summary=[f"改动{n}"], errors=0, warnings=0)
    page = client.get("/report/history").text
    assert page.count('<td data-label="版本">') == 100 and "第105版（最新）" in page and "第6版" in page and "第5版" not in page
    assert '只列出了最新的100个版本。<a href="/report/history?versions=all">列出全部版本</a>' in page
    every = client.get("/report/history?versions=all").text
    assert every.count('<td data-label="版本">') == 105 and "第1版" in every and "列出全部版本" not in every


def test_the_county_view_puts_each_comment_link_on_the_line_of_its_label_or_figure(site):
    """site-bugs B6: the read-only form with comment links keeps a field's link beside its label and a
    cell's beside its figure (one line each); the unit's own editor has no such link."""
    client = site.unit()
    start_with_example(site, client)
    page = site.admin().get(f"/county/units/{site.ids[UNIT]}").text
    link = '<a class="comment-link" href="/county/units/{}?at=%E6%9C%BA%E5%85%B3%E4%BF%A1%E6%81%AF.%E6%9C%BA%E5%85%B3%E5%90%8D%E7%A7%B0"'
    assert '<div class="field-head"><label for="f-unit-name">机关名称</label>' + link.format(site.ids[UNIT]) in page
    assert re.search(r'<td class="num commentable"><span id="f-applications-new-0" data-place="表三.一.自然人" aria-label="表三.一.自然人">5</span>'
                     r'<a class="comment-link" href="[^"]+" aria-label="对“表三.一.自然人”提意见">意见</a></td>', page)
    assert "comment-link" not in client.get("/report").text and "field-head" not in client.get("/report").text


# -- issue 30: hostile bytes, a full disk, what an upload leaves behind ---------------------------------------------
def save_values(site: Site, client: TestClient, base: int, values: dict, raw: str | None = None):
    body = raw if raw is not None else __import__("json").dumps({"base": base, "values": values})
    return client.post("/report/save", content=body.encode("utf-8"),
                       headers={"content-type": "application/json", "x-csrf-token": site.csrf(client), "accept": "application/json"})


@pytest.mark.parametrize("typed, said", [("\\ud800", "无法保存的字符"), ("\\u0000", "空字符")])
def test_a_lone_surrogate_or_a_nul_is_a_chinese_400_naming_the_field(site, typed, said):
    """Valid JSON, yet no database can keep it: 400 naming the field (the page stops sending it), never a 500
    nor a version holding it."""
    client = site.unit()
    start_with_example(site, client)
    response = save_values(site, client, 1, {}, raw='{"base": 1, "values": {"preamble": "前言' + typed + '", "proactive.licensing": "13"}}')
    assert response.status_code == 400, response.text
    assert response.json()["fields"] == ["preamble"] and said in response.json()["message"] and response.json()["message"].startswith("前言")
    assert site.store.latest(site.ids[UNIT], YEAR).number == 1


def test_a_full_disk_is_a_503_in_the_stores_words(site):
    """SQLite's own 'database or disk is full' under a save: 503 with 磁盘已满 (the page keeps the change
    and tries again), not a conflict and not a 500."""
    from sqlalchemy import event

    client = site.unit()
    start_with_example(site, client)

    def full(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO VERSIONS"):
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")

    event.listen(site.store.engine, "before_cursor_execute", full)
    try:
        response = save_values(site, client, 1, {"proactive.licensing": "13"})
        assert response.status_code == 503
        assert response.json()["message"].startswith("服务器的磁盘已满，这次的操作没有完成")
        page = client.get("/report/history", headers={"accept": "text/html"})
        assert page.status_code == 200
    finally:
        event.remove(site.store.engine, "before_cursor_execute", full)
    assert save_values(site, client, 1, {"proactive.licensing": "13"}).status_code == 200


def test_an_upload_is_kept_once_read_at_most_five_and_its_name_without_bidi_controls(site):
    from nianbao.serve import store as stores

    client = site.unit()
    refused = client.post("/report/start", data={"csrf": site.csrf(client), "from": "upload"},
                          files={"file": ("不是报告.pdf", b"%PDF-1.4 junk", "application/pdf")})
    assert refused.status_code == 400 and site.store.uploads(site.ids[UNIT]) == []  # refused: never kept
    for n in range(6):
        response = client.post("/report/start", data={"csrf": site.csrf(client), "from": "upload", "again": "1"},
                               files={"file": (f"青山镇{n}\u202ecod.yaml", EXAMPLE_2023.read_bytes(), "application/yaml")})
        assert response.status_code == 303, response.text
    kept = site.store.uploads(site.ids[UNIT])
    assert [name for _, name, _ in kept] == [f"青山镇{n}cod.yaml" for n in (5, 4, 3, 2, 1)]  # the newest five; the control gone
    assert all(size == len(EXAMPLE_2023.read_bytes()) for _, _, size in kept)
    latest = site.store.versions(site.ids[UNIT], YEAR)[0]
    assert latest.summary[:2] == ("由上传的文件“青山镇5cod.yaml”开始", "文件名中有看不见的控制字符（U+202E，多半是复制粘贴带进来的），已删去")
    rows = site.store.audit_log()
    assert rows[0].action == "上传文件" and rows[0].address == "testclient" and "删去较早的上传文件1个" in rows[0].detail
    assert all("\u202e" not in r.detail for r in rows)
    stores.UPLOAD_BYTES_KEPT, saved = 2 * len(EXAMPLE_2023.read_bytes()), stores.UPLOAD_BYTES_KEPT
    try:  # the bytes kept are capped too: with room for two, a third upload leaves two
        site.store.put_upload(site.ids[UNIT], "第三.yaml", EXAMPLE_2023.read_bytes(), "10.0.0.1")
    finally:
        stores.UPLOAD_BYTES_KEPT = saved
    assert [name for _, name, _ in site.store.uploads(site.ids[UNIT])] == ["第三.yaml", "青山镇5cod.yaml"]


def test_every_audit_row_says_where_from(site):
    """Setup, sign-in, a unit's upload and save, the county's own report: each audit row has an address."""
    admin = site.admin()
    assert admin.get("/county/own", headers={"accept": "text/html"}).status_code == 200
    client = site.unit()
    start_with_example(site, client)
    assert save_values(site, client, 1, {"proactive.licensing": "13"}).status_code == 200
    rows = site.store.audit_log()
    assert {r.action for r in rows} >= {"设置管理员密码", "登录", "上传文件", "保存", "建立县（区）本级的汇总报告"}
    assert all(r.address for r in rows), [(r.action, r.address) for r in rows if not r.address]
