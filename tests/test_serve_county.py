"""The county's pages (issue 22): the list, review (comments, return, approve), units, settings,
and the work over many reports — produce, aggregate, 汇总.xlsx, export — which must give what the
command line gives for the same report files, byte for byte."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from servesite import HTML, UNIT_A, UNIT_B, UNIT_C, YEAR, Site, make_site, report_text

from nianbao.serve.store import Store

COUNTY_NAME = "临溪县人民政府办公室"


@pytest.fixture
def site(tmp_path):
    store = Store.for_site(tmp_path / "site")
    yield make_site(store)
    store.close()


def approve(site: Site, admin, name: str) -> None:
    response = admin.post(f"/county/units/{site.units[name]}/approve", data={"csrf": site.csrf(admin), "text": "同意"})
    assert response.status_code == 303, response.text
    assert site.store.report(site.units[name], YEAR).status == "已通过"


def approved_files(site: Site, folder: Path, *names: str) -> Path:
    """The approved versions as report files, named as ``nianbao export`` names them."""
    folder.mkdir(parents=True)
    for name in names:
        text = site.store.latest(site.units[name], YEAR).text
        (folder / f"{name}{YEAR}.yaml").write_bytes(text.encode("utf-8"))
    return folder


def wait_for(admin, job_path: str, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        state = admin.get(job_path, headers={"accept": "application/json"}).json()
        if state["state"] != "running" or time.monotonic() > deadline:
            return state
        time.sleep(0.3)


def test_list_in_order_with_status_counts_and_filters(site):
    admin = site.setup_admin()
    site.submit(UNIT_B)
    page = admin.get("/county", headers=HTML).text
    order = [page.index(name) for name in (UNIT_A, UNIT_B, UNIT_C)]
    assert order == sorted(order)  # the list's order
    row_b = page[page.index(UNIT_B):].split("</tr>")[0]
    assert "已提交" in row_b and re.search(r'class="num">0</td>', row_b)  # 0 errors, 0 warnings of its saved version
    assert "全部（3）" in page and "未开始（2）" in page and "已提交（1）" in page
    filtered = admin.get("/county?status=已提交", headers=HTML).text
    assert UNIT_B in filtered and UNIT_A not in filtered.split("<table", 1)[1]
    assert 'aria-current="page">已提交（1）' in filtered
    bogus = admin.get("/county?status=<b>", headers=HTML)
    assert bogus.status_code == 200 and UNIT_A in bogus.text  # an unknown filter shows everything


def test_review_comments_return_and_approve(site):
    admin = site.setup_admin()
    site.submit(UNIT_A)
    unit = site.units[UNIT_A]
    csrf = site.csrf(admin)
    page = admin.get(f"/county/units/{unit}", headers=HTML)
    assert page.status_code == 200
    assert 'id="report-form"' in page.text and " readonly" in page.text  # the editor's form, read-only
    assert f'href="/county/units/{unit}?at=' in page.text  # a comment link per cell and section
    cell = "表三.一.自然人"
    assert f'value="{cell}"' in page.text  # offered in the cell list
    targets = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', page.text.split('id="section"', 1)[1].split("</select>", 1)[0])
    assert targets == [("", "整份报告"), ("机关信息", "机关信息"), ("前言", "前言"), ("一、总体情况", "一、总体情况"),
                       ("表二", "二、主动公开政府信息情况（表二）"), ("表三", "三、收到和处理政府信息公开申请情况（表三）"),
                       ("表四", "四、政府信息公开行政复议、行政诉讼情况（表四）"), ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况"),
                       ("六、其他需要报告的事项", "六、其他需要报告的事项"), ("六、其他需要报告的事项.信息处理费", "六、其他需要报告的事项.信息处理费")]
    focused = admin.get(f"/county/units/{unit}?at={cell}", headers=HTML).text
    assert f'list="cells" autocomplete="off" value="{cell}"' in focused and "autofocus" in focused
    # a comment on a cell, on a section, on the whole report; a place the report has not: refused
    for data in ({"cell": cell, "text": "请核对自然人申请数"}, {"section": "表二", "text": "表二请补充"}, {"text": "整体意见"}):
        assert admin.post(f"/county/units/{unit}/comment", data={"csrf": csrf, **data}).status_code == 303
    refused = admin.post(f"/county/units/{unit}/comment", data={"csrf": csrf, "cell": "表九.不存在", "text": "x"})
    assert refused.status_code == 400 and "不是这份报告中的栏目或单元格" in refused.text and "x</textarea>" in refused.text
    assert admin.post(f"/county/units/{unit}/comment", data={"csrf": csrf, "text": "  "}).status_code == 400
    comments = site.store.comments(unit, YEAR)
    assert [(c.where, c.text, c.kind) for c in comments] == [(cell, "请核对自然人申请数", "comment"), ("表二", "表二请补充", "comment"),
                                                             (None, "整体意见", "comment")]
    # return needs its reasons
    response = admin.post(f"/county/units/{unit}/return", data={"csrf": csrf, "text": ""})
    assert response.status_code == 400 and "退回时请写明理由" in response.text
    assert site.store.report(unit, YEAR).status == "已提交"
    assert admin.post(f"/county/units/{unit}/return", data={"csrf": csrf, "text": "表三数字有误"}).status_code == 303
    assert site.store.report(unit, YEAR).status == "已退回"
    assert site.store.comments(unit, YEAR)[-1].kind == "return"
    # approving what is not submitted is refused, said in Chinese
    response = admin.post(f"/county/units/{unit}/approve", data={"csrf": csrf})
    assert response.status_code == 409 and "不能改为" in response.text
    site.submit(UNIT_A)
    assert admin.post(f"/county/units/{unit}/approve", data={"csrf": csrf}).status_code == 303
    page = admin.get(f"/county/units/{unit}", headers=HTML).text
    assert "已通过" in page and "表三数字有误" in page and "第2版" in page
    assert admin.get(f"/county/units/{unit}/versions/1", headers=HTML).status_code == 200
    assert admin.get(f"/county/units/{unit}/versions/9", headers=HTML).status_code == 404
    # the unit sees the county's comments on its page
    assert "表三数字有误" in site.unit_client(UNIT_A).get("/report", headers=HTML).text


def test_units_added_links_shown_once_renamed(site):
    admin = site.setup_admin()
    csrf = site.csrf(admin)
    response = admin.post("/county/units", data={"csrf": csrf, "names": f"东山街道办事处\n{UNIT_A}\n\n 南湖镇人民政府 "})
    assert response.status_code == 200
    links = re.findall(r'<th scope="row">([^<]+)</th><td><code class="link">(http://testserver/u/[^<]+)</code>', response.text)
    assert [name for name, _ in links] == ["东山街道办事处", "南湖镇人民政府"]
    assert f"“{UNIT_A}”已在名单中，链接不变" in response.text
    for _, link in links:
        assert site.client().get(link.removeprefix("http://testserver")).status_code == 303
        assert link not in admin.get("/county/units", headers=HTML).text
    # behind a non-loopback server the links carry the address the units reach (not 127.0.0.1)
    site.app.state.public = ["http://192.168.1.20:8000"]
    local = site.client(base_url="http://127.0.0.1:8000")
    local.cookies.set("nianbao_session", admin.cookies["nianbao_session"])
    response = local.post("/county/units", data={"csrf": csrf, "names": "西岭镇人民政府"}, headers={"origin": "http://127.0.0.1:8000"})
    assert "http://192.168.1.20:8000/u/" in response.text
    # rename; a name another unit has is refused
    unit = site.units[UNIT_C]
    assert admin.post(f"/county/units/{unit}/rename", data={"csrf": csrf, "name": "白河镇人民政府"}).status_code == 303
    assert site.store.unit(unit).name == "白河镇人民政府"
    response = admin.post(f"/county/units/{unit}/rename", data={"csrf": csrf, "name": UNIT_A})
    assert response.status_code == 409 and "已有名为" in response.text
    too_many = admin.post("/county/units", data={"csrf": csrf, "names": "\n".join(f"单位{i}" for i in range(501))})
    assert too_many.status_code == 400 and "最多" in too_many.text


def test_settings_name_and_year(site):
    admin = site.setup_admin()
    csrf = site.csrf(admin)
    assert admin.post("/county/settings", data={"csrf": csrf, "county_name": COUNTY_NAME, "year": "2024"}).status_code == 303
    settings = site.store.settings()
    assert (settings.county_name, settings.year) == (COUNTY_NAME, 2024)
    for year in ("20x4", "９９", "1800"):
        response = admin.post("/county/settings", data={"csrf": csrf, "county_name": COUNTY_NAME, "year": year})
        assert response.status_code == 400
    assert site.store.settings().year == 2024
    assert "2024年度" in admin.get("/county", headers=HTML).text


def test_produce_zip_holds_what_nianbao_batch_writes(site, tmp_path, cli):
    admin = site.setup_admin()
    site.submit(UNIT_A)
    site.submit(UNIT_B, bump=3)
    approve(site, admin, UNIT_A)
    approve(site, admin, UNIT_B)
    response = admin.post("/county/produce", data={"csrf": site.csrf(admin)})
    assert response.status_code == 303
    job_path = response.headers["location"]
    assert re.fullmatch(r"/county/jobs/\d+", job_path)
    state = wait_for(admin, job_path)
    assert state["state"] == "done" and state["done"] == state["total"] == 2, state
    page = admin.get(job_path, headers=HTML).text
    assert "下载全部文件" in page and "http-equiv" not in page  # finished: no more refreshing
    response = admin.get(state["download"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    got = {info.filename: archive.read(info) for info in archive.infolist()}
    # the command line over the same report files
    sources = approved_files(site, tmp_path / "报告文件", UNIT_A, UNIT_B)
    out = tmp_path / "out"
    result = cli("batch", sources, "-o", out)
    assert result.code == 0, result.err
    expected = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    expected.update({f"报告文件/{p.name}": p.read_bytes() for p in sources.iterdir()})
    assert sorted(got) == sorted(expected)
    assert {name for name in got if name.endswith(".docx")} == {f"{UNIT_A}2023年政府信息公开工作年度报告.docx", f"{UNIT_B}2023年政府信息公开工作年度报告.docx"}
    for name, data in expected.items():
        assert got[name] == data, name


def test_produce_with_nothing_approved_is_said(site):
    admin = site.setup_admin()
    response = admin.post("/county/produce", data={"csrf": site.csrf(admin)})
    assert response.status_code == 409 and "还没有已通过的报告" in response.text


def test_job_page_refreshes_without_script_while_running(site):
    admin = site.setup_admin()
    job = site.store.new_job("produce", 5)
    site.store.update_job(job, done=2)
    page = admin.get(f"/county/jobs/{job}", headers=HTML)
    assert '<meta http-equiv="refresh" content="2">' in page.text and "2 / 5" in page.text and "<script" not in page.text
    assert admin.get(f"/county/jobs/{job}", headers={"accept": "application/json"}).json() == {
        "id": job, "kind": "produce", "state": "running", "done": 2, "total": 5, "message": "", "download": None}
    assert admin.get(f"/county/jobs/{job}/download", headers=HTML).status_code == 409
    site.store.update_job(job, state="failed", message="生成时出了意外的问题")
    assert "没有完成：生成时出了意外的问题" in admin.get(f"/county/jobs/{job}", headers=HTML).text


def test_a_job_cut_off_by_a_restart_is_said_to_have_failed(site):
    admin = site.setup_admin()
    job = site.store.new_job("produce", 3)
    site.__post_init__()  # the server restarted: a new app over the same database
    admin = site.login()
    state = admin.get(f"/county/jobs/{job}", headers={"accept": "application/json"}).json()
    assert state["state"] == "failed" and state["message"].startswith("网站在生成过程中停止过")


def test_aggregate_equals_nianbao_aggregate(site, tmp_path, cli):
    admin = site.setup_admin()
    assert admin.post("/county/settings", data={"csrf": site.csrf(admin), "county_name": COUNTY_NAME, "year": str(YEAR)}).status_code == 303
    response = admin.post("/county/aggregate", data={"csrf": site.csrf(admin)})
    assert response.status_code == 409 and "还没有已通过的报告" in response.text
    site.submit(UNIT_A)
    site.submit(UNIT_B, bump=3)
    site.submit(UNIT_C, bump=5)
    approve(site, admin, UNIT_A)
    approve(site, admin, UNIT_B)  # C is submitted, not approved: not counted
    response = admin.post("/county/aggregate", data={"csrf": site.csrf(admin)})
    assert response.status_code == 303 and response.headers["location"] == "/county/own"
    own = site.store.county_unit()
    version = site.store.latest(own.id, YEAR)
    assert version.number == 1 and version.author == "admin" and version.summary[0] == "由2个已通过的报告汇总表格数字"
    sources = approved_files(site, tmp_path / "报告文件", UNIT_A, UNIT_B)
    out = tmp_path / "agg" / "汇总.yaml"
    result = cli("aggregate", sources, "-o", out, "--unit", COUNTY_NAME)
    assert result.code == 0, result.err
    assert version.text == out.read_text(encoding="utf-8")
    assert "normative_documents: [5, 0, 15]" in version.text  # 1+4, 6+9: the figures added up
    assert admin.get("/county/own", headers=HTML).status_code == 200  # where the admin edits it
    # the admin writes the county's texts; one more report is approved; aggregating again renews the
    # figures and keeps what the admin wrote
    edited = re.sub(r"(?m)^(problems:)\s.*$", r"\1 本县存在的主要问题及改进情况。", version.text, count=1)
    edited = re.sub(r"(?m)^(  phone:)\s.*$", r"\1 0731-5550000", edited, count=1)
    assert "本县存在的主要问题及改进情况。" in edited and "0731-5550000" in edited
    site.store.save(own.id, YEAR, edited, base=1, author="admin", address="t", summary=["改了文字"], errors=0, warnings=0)
    approve(site, admin, UNIT_C)
    assert admin.post("/county/aggregate", data={"csrf": site.csrf(admin)}).status_code == 303
    again = site.store.latest(own.id, YEAR)
    assert again.number == 3 and again.summary == ("由3个已通过的报告汇总表格数字", "文字和机关信息沿用第2版")
    assert "normative_documents: [11, 0, 26]" in again.text  # 1+4+6, 6+9+11
    assert "本县存在的主要问题及改进情况。" in again.text and "0731-5550000" in again.text and f"name: {COUNTY_NAME}" in again.text


def test_summary_xlsx_is_exports(site, tmp_path, cli):
    admin = site.setup_admin()
    site.submit(UNIT_A)
    bad = site.units[UNIT_B]
    site.store.save(bad, YEAR, "year: 2023\nformat: v2021\n", base=0, author=UNIT_B, address="t", summary=[], errors=1, warnings=0)
    response = admin.get("/county/summary.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response.headers["content-disposition"].endswith("filename*=UTF-8''%E6%B1%87%E6%80%BB.xlsx")  # 汇总.xlsx, as the README names it
    result = cli("export", tmp_path / "site", "-o", tmp_path / "export")
    assert result.code == 0, result.err
    assert response.content == (tmp_path / "export" / f"{YEAR}年度" / "汇总.xlsx").read_bytes()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content))["单位"]
    rows = [(row[1], row[3], row[4]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    # A passes; B's file names no unit (未通过), so B counts as not returned, as C
    assert (UNIT_A, f"{UNIT_A}{YEAR}.yaml", "已生成") in rows and (UNIT_C, None, "未交回") in rows
    assert any(file == f"{UNIT_B}{YEAR}.yaml" and status == "未通过" for _, file, status in rows)


def test_export_zip_and_audit_log(site):
    admin = site.setup_admin()
    site.submit(UNIT_A)
    response = admin.get("/county/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read(f"{YEAR}年度/{UNIT_A}{YEAR}.yaml").decode("utf-8") == site.store.latest(site.units[UNIT_A], YEAR).text
    assert f"{YEAR}年度/汇总.xlsx" in archive.namelist() and not any(n.startswith(".") for n in archive.namelist())
    audit = admin.get("/county/audit", headers=HTML).text
    for action in ("添加单位", "设置管理员密码", "提交", "导出全部报告"):
        assert action in audit
    assert admin.get("/county/audit?page=2", headers=HTML).status_code == 200
    assert admin.get("/county/audit?page=abc", headers=HTML).status_code == 200
    for token in site.tokens.values():
        assert token not in audit


def test_produce_makes_pdfs_where_libreoffice_is(site):
    """The default formats are batch's and PDF where LibreOffice is (CI installs it)."""
    from nianbao.render import office
    from nianbao.serve import jobs

    if office.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    assert jobs.default_targets() == ("docx", "txt", "pdf")
    site.submit(UNIT_A)
    site.store.set_status(site.units[UNIT_A], YEAR, "已通过", actor="admin", address="t")
    seen: list[int] = []
    data = jobs.produced_zip(site.store.approved(YEAR), jobs.default_targets(), seen.append)
    archive = zipfile.ZipFile(io.BytesIO(data))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert pdfs == [f"{UNIT_A}2023年政府信息公开工作年度报告.pdf"] and archive.read(pdfs[0]).startswith(b"%PDF")
    assert seen == [1]


def test_a_failing_produce_is_the_jobs_message(site, monkeypatch):
    from nianbao.serve import jobs

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "produced_zip", boom)
    site.submit(UNIT_A)
    site.store.set_status(site.units[UNIT_A], YEAR, "已通过", actor="admin", address="t")
    job = site.store.new_job("produce", 1, args={"year": YEAR, "targets": ["txt"]}, owner=jobs.owner())  # claimed here: no runner takes it
    jobs.run_job(site.store, site.store.job(job))
    found = site.store.job(job)
    assert found.state == "failed" and "意外的问题（RuntimeError）" in found.message and "disk on fire" not in found.message


def test_review_with_the_keyboard_alone(tmp_path):
    """Sign in, open a submitted report, jump to the review and approve it — Tab and Enter only,
    in a real Chromium against a real server; every control reached shows its focus."""
    from browserkit import chromium, live_server

    site = tmp_path / "site"
    with live_server(site, units=[UNIT_A]) as server, chromium() as browser:
        store = Store.for_site(site)
        try:
            store.set_year(YEAR)
            unit = store.units(YEAR)[0].id
            store.save(unit, YEAR, report_text(UNIT_A), base=0, author=UNIT_A, address="t", summary=[], errors=0, warnings=0)
            store.set_status(unit, YEAR, "已提交", actor=UNIT_A, address="t")
        finally:
            store.close()
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(server.setup)
        # the first field has the focus (autofocus, applied after load: typing before it lost characters on a busy machine)
        page.wait_for_function("() => document.activeElement && document.activeElement.type === 'password'")
        page.keyboard.type("county-password-1")
        page.keyboard.press("Tab")
        page.keyboard.type("county-password-1")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.endswith("/county")

        def tab_to(text: str, limit: int = 40) -> None:
            for _ in range(limit):
                page.keyboard.press("Tab")
                focused = page.evaluate("() => [document.activeElement.textContent.trim(), getComputedStyle(document.activeElement).outlineStyle]")
                if focused[0] == text:
                    assert focused[1] != "none", f"{text}: no visible focus"
                    return
            raise AssertionError(f"{text} not reached by Tab")

        tab_to(UNIT_A)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        tab_to("审核")  # the page's own jump links come before the report's hundred cells
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # the approval's comment
        page.keyboard.type("同意发布")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "通过"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "已通过" in page.inner_text(".status")
    store = Store.for_site(site)
    try:
        assert store.report(unit, YEAR).status == "已通过" and store.comments(unit, YEAR)[-1].text == "同意发布"
    finally:
        store.close()


def test_overview_is_the_commands_over_the_export(site, tmp_path, cli):
    """/county/overview is ``nianbao overview`` of every unit's newest report (the page and the
    workbook, byte for byte, over the files ``nianbao export`` writes), linked from /county, served
    with no script allowed."""
    admin = site.setup_admin()
    site.submit(UNIT_A)
    assert 'href="/county/overview"' in admin.get("/county", headers=HTML).text
    page = admin.get("/county/overview", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"] and "<script" not in page.text
    sheet = admin.get("/county/overview.xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert cli("export", tmp_path / "site", "-o", tmp_path / "export").code == 0
    year = tmp_path / "reports"  # the exported report files alone (export's 汇总.xlsx would be a skipped file, said on the page)
    year.mkdir()
    for exported in (tmp_path / "export" / f"{YEAR}年度").glob("*.yaml"):
        (year / exported.name).write_bytes(exported.read_bytes())
    names = tmp_path / "名单.txt"
    names.write_text("\n".join((UNIT_A, UNIT_B, UNIT_C)), encoding="utf-8")
    for suffix, got in (("html", page.content), ("xlsx", sheet.content)):
        out = tmp_path / f"对比.{suffix}"
        result = cli("overview", year, "--units", names, "--unit", site.store.settings().county_name, "-o", out)
        assert result.code == 1, result  # B and C have not replied
        assert out.read_bytes() == got, suffix


def test_overview_links_each_unit_to_its_two_years_and_copying_and_grading_are_there(site):
    """With last year's report on the site, the county's overview links the unit to its pair
    page (``nianbao compare`` of its two newest versions), names the unit it copies this year
    and has the 评分 sheet in its workbook; a unit without last year's report has no pair page."""
    admin = site.setup_admin()
    site.submit(UNIT_A)
    site.submit(UNIT_B, bump=1)
    last = report_text(UNIT_A).replace("year: 2023 ", "year: 2022 ", 1).replace("date: 2024-01-18", "date: 2023-01-18", 1)
    site.store.save(site.units[UNIT_A], YEAR - 1, last, base=0, author=UNIT_A, address="", summary=[], errors=0, warnings=0)
    page = admin.get("/county/overview", headers=HTML)
    assert page.status_code == 200
    link = f'href="/county/units/{site.units[UNIT_A]}/compare"'
    assert page.text.count(link) == 2 and f'/county/units/{site.units[UNIT_B]}/compare' not in page.text  # 一 and 三; B has no 2022 report
    assert "单位间文字重复率" in page.text and f"<br><small>{UNIT_B}</small>" in page.text  # A and B share the example's text
    pair = admin.get(f"/county/units/{site.units[UNIT_A]}/compare", headers=HTML)
    assert pair.status_code == 200 and "script-src 'self'" in pair.headers["content-security-policy"] and "<script" not in pair.text
    assert "2022" in pair.text and "2023" in pair.text and "文字重复率" in pair.text
    assert admin.get(f"/county/units/{site.units[UNIT_B]}/compare", headers=HTML).status_code == 404
    assert site.unit_client(UNIT_A).get(f"/county/units/{site.units[UNIT_A]}/compare").status_code == 403  # the county's page only
    book = load_workbook(io.BytesIO(admin.get("/county/overview.xlsx").content))
    grades = {row[1]: row for row in book["评分"].iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)}  # the note under the table apart
    assert set(grades) == {UNIT_A, UNIT_B, UNIT_C} and grades[UNIT_C][2] == "未交回"


def overview_jobs(site: Site) -> list:
    from nianbao.serve import db

    with site.store.engine.connect() as connection:
        return connection.execute(db.Job.__table__.select().where(db.Job.kind == "overview").order_by(db.Job.id)).all()


def test_the_overview_is_a_job_made_again_only_when_a_report_changed(site, monkeypatch):
    """The overview of three hundred units takes seconds: it is a background job (one at a time
    per worker), shown again while nothing it was made from changed, made anew after a save (the
    older result forgotten); the workbook is the same job's."""
    from nianbao.serve import jobs

    admin = site.setup_admin()
    site.submit(UNIT_A)
    first = admin.get("/county/overview", headers=HTML)
    assert first.status_code == 200 and len(overview_jobs(site)) == 1
    assert admin.get("/county/overview", headers=HTML).content == first.content
    assert admin.get("/county/overview.xlsx").content[:2] == b"PK"
    assert len(overview_jobs(site)) == 1  # nothing changed: the same job's page and workbook
    site.submit(UNIT_B, bump=2)
    second = admin.get("/county/overview", headers=HTML)
    assert second.status_code == 200 and second.content != first.content
    rows = overview_jobs(site)
    assert [row.state for row in rows] == ["done", "done"] and rows[0].result is None and rows[1].result is not None
    # a job that outlasts the page's wait: its progress page, which links the overview once done
    monkeypatch.setattr(jobs, "WAIT", 0.0)
    site.submit(UNIT_C, bump=4)
    response = admin.get("/county/overview", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/county/jobs/")
    state = wait_for(admin, response.headers["location"], 120)
    assert state["state"] == "done" and state["next"] == "/county/overview" and state["download"] is None
    assert "查看各单位对比" in admin.get(response.headers["location"], headers=HTML).text
    assert admin.get(response.headers["location"] + "/download").status_code == 404
    assert len(overview_jobs(site)) == 3


def test_a_failing_overview_or_aggregate_says_why(site, monkeypatch):
    from nianbao.serve import jobs

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    admin = site.setup_admin()
    site.submit(UNIT_A)
    monkeypatch.setattr(jobs, "overview_zip", boom)
    response = admin.get("/county/overview", headers=HTML)
    assert response.status_code == 500 and "意外的问题（RuntimeError）" in response.text and "disk on fire" not in response.text
    approve(site, admin, UNIT_A)
    monkeypatch.setattr(jobs, "aggregate", boom)
    response = admin.post("/county/aggregate", data={"csrf": site.csrf(admin)})
    assert response.status_code == 409 and "意外的问题（RuntimeError）" in response.text
