"""The site as a township clerk and the county's admin use it: real headless Chromium (Debian's,
through Playwright) against ``nianbao serve`` running in its own process, on SQLite and on
PostgreSQL (issue 22 §6).

The scenario: the admin sets the password through the one-time link the server printed; the
units were added with ``--units``; a township's last year's report is on the site (X rules run
against it); the township starts this year's report from last year's PUBLISHED PDF, types a
figure that breaks R1 and sees the R1 error on that cell as it types, fixes it, submits; the
county returns it with a comment on a cell; the township sees the comment, corrects, resubmits;
the county approves, produces everything (the job followed to the end) and aggregates; the zip
is downloaded; then ``nianbao export`` of the site and ``nianbao aggregate`` over the exported
files give exactly the site's aggregate figures, every table cell.

Also: keyboard-only filling (Tab moves through the table in reading order), a reload before the
autosave fires and a dropped connection lose nothing, two tabs on one report (the second save is
refused, the other change shown, nothing overwritten), and screenshots of the pages at 1366×768
and 390×844 (written to ``$NIANBAO_SCREENSHOTS`` when set, for a person to look at).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from browserkit import NIANBAO, WAIT, chromium, live_server, saved, shoot, shots_dir, type_into
from conftest import EXAMPLE_2023, edit
from pgserver import pg_url  # noqa: F401 - a fixture, used by name

from nianbao.model.yamlfile import parse

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the live-server browser tests run on POSIX CI; Windows runs the HTTP tests")

PASSWORD = "临溪县-政务公开-2025"
COUNTY = "临溪县人民政府办公室"
QS, LS = "青山镇人民政府", "绿水乡人民政府"
LAST, YEAR = 2023, 2024
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TABLES = ("proactive", "applications", "appeals", "processing_fees")


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([*NIANBAO, *map(str, args)], capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd, timeout=300)


# -- what the people bring --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """青山镇's 2023 report file and the PDF it published from it (rendered by ``nianbao render``);
    绿水乡's finished 2024 report file (made by ``nianbao next`` from a 2023 report, figures filled)."""
    folder = tmp_path_factory.mktemp("brought")
    qs_2023 = folder / f"{QS}{LAST}.yaml"
    qs_2023.write_bytes(EXAMPLE_2023.read_bytes())
    rendered = run_cli("render", qs_2023, "--to", "pdf", "-o", folder / "pdf")
    assert rendered.returncode == 0, rendered
    (pdf,) = (folder / "pdf").glob("*.pdf")
    ls_2023 = folder / f"{LS}{LAST}.yaml"
    ls_2023.write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), f"name: {QS}", f"name: {LS}"), encoding="utf-8")
    ls_2024 = folder / f"{LS}{YEAR}.yaml"
    made = run_cli("next", ls_2023, "-o", ls_2024)
    assert made.returncode == 0, made
    text = ls_2024.read_text(encoding="utf-8")
    text = edit(text, "new: [0, 0, 0, 0, 0, 0]", "new: [3, 2, 0, 0, 0, 0]")
    text = edit(text, "\n  disclosed: [0, 0, 0, 0, 0, 0]", "\n  disclosed: [4, 2, 0, 0, 0, 0]")  # 3 + 1 carried = 4
    text = re.sub(r"(?m)^(  date:\s*)\S*", r"\g<1>2025-01-20", text, count=1) if re.search(r"(?m)^  date:", text) else text
    ls_2024.write_text(text, encoding="utf-8")
    checked = run_cli("check", ls_2024)
    assert "[错误" not in checked.stdout + checked.stderr, checked
    return {"qs_2023": qs_2023, "qs_pdf": pdf, "ls_2024": ls_2024}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> str | None:
    """None for the site folder's SQLite, or a fresh PostgreSQL database's URL."""
    return None if request.param == "sqlite" else request.getfixturevalue("pg_url")




# -- steps a person takes -----------------------------------------------------------------------------------
def set_admin_password(context, setup_link: str):
    page = context.new_page()
    page.goto(setup_link)
    page.get_by_label("新密码").fill(PASSWORD)
    page.get_by_label("再输入一次").fill(PASSWORD)
    page.get_by_role("button", name="设置密码并进入").click()
    page.wait_for_url("**/county")
    return page


def settings(page, year: int, name: str = COUNTY) -> None:
    page.goto(page.url.split("/county")[0] + "/county/settings")
    page.get_by_label("县（区）名称").fill(name)
    page.get_by_label("收集哪一年度的报告").fill(str(year))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/county")


def upload(page, path: Path) -> None:
    """The start page's upload form: choose the file, press the button."""
    page.locator("#upload-file").set_input_files(str(path))
    page.get_by_role("button", name="上传并开始").click()
    page.wait_for_load_state()




def cell(page, path: str):
    """The input of a table cell, found by its label (its official path)."""
    return page.get_by_label(path, exact=True)


def findings_in(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def described(field) -> list[str]:
    """What a screen reader says of ``field`` beyond its label: the texts its aria-describedby names,
    each marked NEXT when it sits in the table row right under the field's own row (the cell's
    message), ELSEWHERE otherwise."""
    return field.evaluate("""el => (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean).map(id => {
        const d = document.getElementById(id);
        if (!d) { return "MISSING:" + id; }
        const row = d.closest("tr"), mine = el.closest("tr");
        return (row && mine && row.previousElementSibling === mine ? "NEXT:" : "ELSEWHERE:") + d.textContent;
    })""")


# -- the scenario ---------------------------------------------------------------------------------------------
def test_township_and_county_through_the_year(browser, files, database, tmp_path):
    from playwright.sync_api import expect

    site = tmp_path / "site"
    with live_server(site, db=database, units=[QS, LS], logs=tmp_path / "logs") as server:
        assert server.setup and set(server.links) == {QS, LS}
        admin_ctx = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="zh-CN")
        qs_ctx = browser.new_context(viewport=DESKTOP, accept_downloads=True, locale="zh-CN")
        ls_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        said: list[str] = []  # the browser's console errors: a CSP violation, a script error, a missing file
        for context in (admin_ctx, qs_ctx, ls_ctx):
            context.on("console", lambda m: said.append(f"{m.type}: {m.text} @ {m.location.get('url')}") if m.type == "error" else None)
            context.on("weberror", lambda e: said.append(f"pageerror: {e.error}"))
        admin = set_admin_password(admin_ctx, server.setup)
        expect(admin.locator("h1")).to_contain_text("各单位")
        # last year on the site: the county collects 2023, 青山镇 sends its report file
        settings(admin, LAST)
        qs = qs_ctx.new_page()
        qs.goto(server.links[QS])
        qs.wait_for_url("**/report")
        expect(qs.locator("h1")).to_contain_text(f"{QS}{LAST}年度")
        upload(qs, files["qs_2023"])
        expect(qs.locator("#save-status")).to_have_text("已保存 第1版")
        # this year: the township starts from last year's published PDF (not the site's file)
        settings(admin, YEAR)
        qs.goto(server.url + "/report")
        expect(qs.get_by_role("button", name=f"从{LAST}年度的报告开始")).to_be_visible()
        upload(qs, files["qs_pdf"])
        expect(qs.locator("h1")).to_contain_text(f"{YEAR}")
        listed = findings_in(qs, "#findings")
        assert "[错误 R1]" in listed and "自然人列：第一项+第二项=0+1=1" in listed  # the draft: last year's carried-over case
        assert "[提示 X5]" in listed and "与上一年度报告相同" in listed  # X rules against last year's report on the site
        new_0 = cell(qs, "表三.一.自然人")
        expect(new_0).to_have_attribute("aria-invalid", "true")
        # fill the 自然人 column by keyboard: 7 new, 7 disclosed, 1 carried to next year
        type_into(qs, "#" + new_0.get_attribute("id"), "7")
        type_into(qs, "#" + cell(qs, "表三.三（一）.自然人").get_attribute("id"), "7")
        type_into(qs, "#" + cell(qs, "表三.四.自然人").get_attribute("id"), "1")
        saved(qs)
        applications = qs.locator("#s-applications")
        expect(applications).not_to_contain_text("[错误 R1]", timeout=WAIT)
        expect(new_0).not_to_have_attribute("aria-invalid", "true")
        # a figure that breaks R1: the error appears on that very cell as the clerk types
        type_into(qs, "#" + new_0.get_attribute("id"), "17")
        r1 = "表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=17+1=18，第三项（七）总计+第四项=7+1=8）"
        expect(new_0).to_have_attribute("aria-invalid", "true", timeout=WAIT)
        heard = described(new_0)
        assert any(line.startswith("NEXT:") and r1 in line for line in heard), heard  # in the row under the cell, read with it
        expect(qs.locator("#findings")).to_contain_text(r1)
        expect(qs.locator("#submit-button")).to_be_disabled()
        shoot(qs, "r1-on-the-cell", qs.locator("#s-applications"))
        # fixed: the error goes
        type_into(qs, "#" + new_0.get_attribute("id"), "7")
        expect(applications).not_to_contain_text("[错误 R1]", timeout=WAIT)
        expect(new_0).not_to_have_attribute("aria-invalid", "true")
        assert not any(r1 in line for line in described(new_0))
        # the date next left empty is still to choose: no report goes out without one (rule P)
        expect(qs.locator("#n-errors")).to_have_text("1")
        expect(qs.locator("#findings")).to_contain_text("[错误 P] 落款日期：未填写")
        expect(qs.locator("#submit-button")).to_be_disabled()
        type_into(qs, "#" + cell(qs, "机关信息.落款日期").get_attribute("id"), "2025-01-20")
        expect(qs.locator("#n-errors")).to_have_text("0", timeout=WAIT)
        saved(qs)
        with qs_ctx.expect_page() as opened:  # the preview of the published page, in its own tab
            qs.get_by_role("link", name="预览网页").click()
        preview = opened.value
        preview.wait_for_load_state()
        assert f"{QS}{YEAR}年政府信息公开工作年度报告" in preview.title()
        expect(preview.locator("table").first).to_be_visible()
        preview.close()
        qs.get_by_role("button", name="提交县（区）审核").click()
        qs.wait_for_url(re.compile(r"/report$"))  # answered by a redirect: a reload does not post the form again
        expect(qs.get_by_role("alert")).to_contain_text("已提交县（区）审核")
        expect(qs.locator(".badge")).to_have_text("已提交")

        # the county returns it, with a comment on a cell
        admin.goto(server.url + "/county")
        row = admin.locator("tr", has_text=QS)
        expect(row).to_contain_text("已提交")
        row.get_by_role("link", name=QS).click()
        admin.get_by_label("或某一格").fill("机关信息.联系电话")
        admin.get_by_role("textbox", name="意见", exact=True).fill("请核对联系电话。")
        admin.get_by_role("button", name="提出意见").click()
        admin.get_by_label("退回理由").fill("联系电话有误，请改正后再提交。")
        admin.get_by_role("button", name="退回修改").click()
        expect(admin.locator("main")).to_contain_text("已退回")

        # the township sees the comment, corrects, resubmits
        qs.goto(server.url + "/report")
        expect(qs.locator(".badge")).to_have_text("已退回")
        expect(qs.locator("#comments-h + ul")).to_contain_text("联系电话有误，请改正后再提交。")
        phone = cell(qs, "机关信息.联系电话")
        expect(qs.locator('[data-comment-for="机关信息.联系电话"]')).to_contain_text("请核对联系电话。")
        shoot(qs, "unit-returned")
        type_into(qs, "#" + phone.get_attribute("id"), "0731-5550124")
        saved(qs)
        expect(qs.locator("#n-errors")).to_have_text("0", timeout=WAIT)
        qs.get_by_role("button", name="提交县（区）审核").click()
        expect(qs.locator(".badge")).to_have_text("已提交")

        # 绿水乡 sends a finished report file
        ls = ls_ctx.new_page()
        ls.goto(server.links[LS])
        upload(ls, files["ls_2024"])
        expect(ls.locator("#n-errors")).to_have_text("0")
        ls.get_by_role("button", name="提交县（区）审核").click()
        expect(ls.locator(".badge")).to_have_text("已提交")

        # the county approves both, produces everything, aggregates
        for name in (QS, LS):
            admin.goto(server.url + "/county")
            admin.locator("tr", has_text=name).get_by_role("link", name=name).click()
            admin.get_by_role("button", name="通过").click()
            expect(admin.locator("main")).to_contain_text("已通过")
        admin.goto(server.url + "/county")
        admin.get_by_role("button", name="生成全部已通过的报告").click()
        admin.wait_for_url(re.compile(r"/county/jobs/\d+$"))
        expect(admin.locator("main")).to_contain_text("已完成", timeout=180_000)  # the page refreshes itself
        shoot(admin, "county-job")
        with admin.expect_download() as got:
            admin.get_by_role("link", name="下载全部文件（zip）").click()
        names = zipfile.ZipFile(io.BytesIO(Path(got.value.path()).read_bytes())).namelist()
        for name in (QS, LS):
            assert any(n.endswith(".docx") and name in n for n in names), names
            assert any(n.endswith(".txt") and name in n for n in names), names
        assert any(n.endswith("汇总.xlsx") for n in names), names
        admin.goto(server.url + "/county")
        admin.get_by_role("button", name="汇总为本级报告").click()
        admin.wait_for_url("**/county/own")
        shoot(admin, "county-own")
        with admin.expect_download() as got:
            admin.locator("summary", has_text="下载").click()
            admin.get_by_role("link", name="报告文件（YAML）").click()
        site_total = parse(Path(got.value.path()).read_text(encoding="utf-8")).data
        assert not said, said
        admin_ctx.close()
        qs_ctx.close()
        ls_ctx.close()
        assert server.stop() == 0

    # the command line over the site's export gives the same figures, every table cell
    out = tmp_path / "导出"
    exported = run_cli("export", *(["--db", database] if database else [site]), "-o", out)
    assert exported.returncode == 0, exported
    folder = out / f"{YEAR}年度"  # export writes a folder a year: the folder batch and aggregate are given
    assert {f"{QS}{YEAR}.yaml", f"{LS}{YEAR}.yaml"} <= {p.name for p in folder.glob("*.yaml")}
    total = tmp_path / "汇总" / f"临溪县{YEAR}.yaml"
    summed = run_cli("aggregate", folder, "-o", total, "--unit", COUNTY)
    assert summed.returncode == 0, summed
    assert "只计入" not in summed.stdout + summed.stderr  # complete: both units counted, the county's own report skipped
    cli_total = parse(total.read_text(encoding="utf-8")).data
    for table in TABLES:
        assert site_total[table] == cli_total[table], table
    assert site_total["applications"]["new"][:2] == [7 + 3, 0 + 2]
    assert site_total["applications"]["disclosed"][:2] == [7 + 4, 0 + 2]
    qs_file = parse((out / f"{YEAR}年度" / f"{QS}{YEAR}.yaml").read_text(encoding="utf-8")).data
    assert qs_file["applications"]["new"][0] == 7 and qs_file["applications"]["carried_forward"][0] == 1


# -- editing as people do: keyboard, reloads, dropped connections, two tabs --------------------------------------
BH = "白河乡人民政府"
LZ = "绿竹村委会"  # on the list, nothing saved yet: its start page


@contextmanager
def editing_site(files, root: Path, db: str | None):
    """A live site for the editing tests: year 2024, four units, three of them with 绿水乡's finished
    report as their first version (put there through the Store before the server starts); the
    server knows each unit's private link (``server.tokens``)."""
    from nianbao.serve.store import Store
    from nianbao.workflows import editing as editor

    site = root / "site"
    text = files["ls_2024"].read_text(encoding="utf-8")
    store = Store.for_site(None if db else site, db)
    try:
        store.set_year(YEAR)
        store.set_county_name(COUNTY)
        tokens = {unit.name: token for unit, token in store.add_units([LS, BH, QS, LZ], "admin", "test")}
        for unit in store.units(YEAR)[:3]:
            own = text.replace(f"name: {LS}", f"name: {unit.name}", 1)
            errors, warnings = editor.counts(editor.evaluate(own, None))
            store.save(unit.id, YEAR, own, base=0, author=unit.name, address="test", summary=["新建报告"], errors=errors, warnings=warnings)
    finally:
        store.close()
    with live_server(site, db=db, logs=root / "logs") as server:
        server.tokens = tokens
        yield server


@pytest.fixture(scope="module")
def editing(files, tmp_path_factory):
    """The editing site on SQLite (shared by the module's editing tests)."""
    with editing_site(files, tmp_path_factory.mktemp("editing"), None) as server:
        yield server


@pytest.fixture(scope="module")
def editing_pg(files, tmp_path_factory):
    """The editing site on a fresh PostgreSQL database."""
    from pgserver import SKIP_REASON, fresh_database, server_url

    if server_url() is None:
        pytest.skip(SKIP_REASON)
    with fresh_database(server_url()) as url, editing_site(files, tmp_path_factory.mktemp("editing-pg"), url) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def either(request):
    """The editing site on each database, for the tests whose outcome is the database's (saves, conflicts)."""
    return request.getfixturevalue("editing" if request.param == "sqlite" else "editing_pg")


def unit_page(browser, server, name: str, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/u/{server.tokens[name]}")
    page.wait_for_url("**/report")
    return context, page


def site_values(page) -> tuple[int, dict[str, str]]:
    """What the server holds now (the page's own data route, with its cookie)."""
    data = page.request.get(page.url.split("/report")[0] + "/report/data").json()
    return data["version"], data["form"]["values"]


def stored_versions(server, name: str) -> list:
    """Every version of the unit's report, straight from the database (newest first), with text."""
    from nianbao.serve.store import Store

    store = Store.for_site(None if server.db else server.site, server.db)
    try:
        unit = next(u for u in store.units(YEAR) if u.name == name)
        return [store.version(unit.id, YEAR, v.number) for v in store.versions(unit.id, YEAR)]
    finally:
        store.close()


def test_keyboard_alone_fills_the_table_in_reading_order(browser, editing):
    context, page = unit_page(browser, editing, LS)
    try:
        order = page.eval_on_selector_all("#s-applications input[name]", "els => els.map(e => e.id)")
        target = "f-applications-new-0"
        focused: list[str] = []
        for _ in range(400):  # from the top of the page, Tab only, until table 三's first cell
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id"))
            if focused[-1] == target:
                break
        assert focused[-1] == target, focused[-20:]
        page.keyboard.type("5")  # Tab selects the cell's figure: typing replaces it
        walked = [target]
        while walked[-1] != "f-applications-disclosed-0":
            page.keyboard.press("Tab")
            walked.append(page.evaluate("document.activeElement.id"))
            assert len(walked) < 40, walked
        assert walked == order[: len(walked)]  # tab order = reading order: along the row, then the next row
        page.keyboard.type("6")  # 5 new + 1 carried over = 6 disclosed: R1 holds
        page.keyboard.press("Tab")
        version = saved(page)
        number, values = site_values(page)
        assert number == version and values["applications.new.0"] == "5" and values["applications.disclosed.0"] == "6"
        assert page.locator("#n-errors").inner_text() == "0"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).boxShadow")
        assert outline.split()[0] != "none" or "rgb" in outline  # the focused cell is visibly marked
    finally:
        context.close()


def test_reload_before_the_autosave_loses_nothing(browser, either):
    context, page = unit_page(browser, either, LS)
    try:
        before, _ = site_values(page)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/report/save") else None)
        page.locator("#f-applications-new-1").fill("4")
        page.locator("#f-applications-disclosed-1").fill("4")
        assert not sent  # the 500 ms debounce has not fired: the change is only in the page (and its localStorage)
        page.reload()
        page.wait_for_url("**/report")
        version = saved(page)
        assert version == before + 1 and len(sent) == 1  # sent once, by the reloaded page
        number, values = site_values(page)
        assert (number, values["applications.new.1"], values["applications.disclosed.1"]) == (version, "4", "4")
        from playwright.sync_api import expect

        expect(page.locator("#f-applications-new-1")).to_have_value("4")
    finally:
        context.close()


def test_a_dropped_connection_and_a_closed_tab_lose_nothing(browser, either):
    from playwright.sync_api import expect

    context, page = unit_page(browser, either, LS)
    try:
        before, _ = site_values(page)
        context.set_offline(True)
        type_into(page, "#f-applications-new-2", "2")
        type_into(page, "#f-applications-disclosed-2", "2")
        expect(page.locator("#save-status")).to_contain_text("未连接，改动已存在本机", timeout=WAIT)
        context.set_offline(False)  # back online: the browser's online event sends what waited
        version = saved(page)
        assert version == before + 1
        assert site_values(page)[1]["applications.new.2"] == "2"
        # typed while offline, the tab closed before the connection came back: sent on the next visit
        context.set_offline(True)
        type_into(page, "#f-applications-new-3", "1")
        type_into(page, "#f-applications-disclosed-3", "1")
        expect(page.locator("#save-status")).to_contain_text("未连接", timeout=WAIT)
        page.close()
        context.set_offline(False)
        again = context.new_page()
        again.goto(either.url + "/report")
        assert saved(again) == version + 1
        values = site_values(again)[1]
        assert (values["applications.new.3"], values["applications.disclosed.3"]) == ("1", "1")
    finally:
        context.close()


def test_two_tabs_the_later_save_is_refused_and_shows_the_other_change(browser, either):
    from playwright.sync_api import expect

    context, first = unit_page(browser, either, BH)
    try:
        second = context.new_page()
        second.goto(either.url + "/report")
        start = saved(first)
        assert saved(second) == start
        type_into(first, "#f-applications-new-4", "9")
        assert saved(first) == start + 1
        type_into(second, "#f-applications-carried_forward-0", "3")
        conflict = second.locator("#conflict")
        expect(conflict).to_be_visible(timeout=WAIT)
        expect(second.locator("#conflict-text")).to_contain_text(f"已被{BH}于")
        expect(second.locator("#conflict-text")).to_contain_text(f"保存为第{start + 1}版，您的改动没有保存")
        expect(second.locator("#conflict-changes")).to_contain_text("表三 一、本年新收 · 法律服务机构：0 → 9")
        expect(second.locator("#save-status")).to_contain_text("没有保存")
        # nothing overwritten: the newest version is the first tab's, the second tab's figure is nowhere
        versions = stored_versions(either, BH)
        assert [v.number for v in versions] == list(range(start + 1, 0, -1))
        newest = parse(versions[0].text).data["applications"]
        assert newest["new"][4] == 9 and newest["carried_forward"][0] == 0
        # the clerk chooses to put their change on top of the newest version: both are kept
        second.get_by_role("button", name="载入最新版本，再把我的改动填上去").click()
        assert saved(second) == start + 2
        both = parse(stored_versions(either, BH)[0].text).data["applications"]
        assert both["new"][4] == 9 and both["carried_forward"][0] == 3
    finally:
        context.close()


def test_pages_at_desktop_and_phone_sizes(browser, editing):
    """Screenshots for a person to look at, and what can be asserted of them: nothing wider than
    the phone's screen but the tables' own scroll boxes."""
    folder = shots_dir()
    admin_ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    admin = admin_ctx.new_page()
    if editing.setup:
        admin.goto(editing.setup)
        admin.get_by_label("新密码").fill(PASSWORD)
        admin.get_by_label("再输入一次").fill(PASSWORD)
        admin.get_by_role("button", name="设置密码并进入").click()
        admin.wait_for_url("**/county")
    cookies = admin_ctx.cookies()
    admin_ctx.close()
    wide: dict[str, int] = {}
    for size_name, viewport in (("1366x768", DESKTOP), ("390x844", PHONE)):
        context, page = unit_page(browser, editing, QS, viewport)
        history_ctx, history = unit_page(browser, editing, LS, viewport)  # 绿水乡's history: the versions the other tests made
        start_ctx, start = unit_page(browser, editing, LZ, viewport)
        anonymous_ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        anonymous = anonymous_ctx.new_page()
        county_ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        county_ctx.add_cookies(cookies)
        county = county_ctx.new_page()
        try:
            shots = [(page, "/report", "unit"), (history, "/report/history", "history"), (county, "/county", "county"),
                     (start, "/report", "start"), (anonymous, "/login", "login"), (county, "/county/units", "county-units"),
                     (county, "/county/units/1", "county-unit")]
            for where, path, name in shots:
                where.goto(editing.url + path)
                where.wait_for_load_state("load")
                if folder is not None:
                    where.screenshot(path=str(folder / f"{name}-{size_name}.png"))
                    where.screenshot(path=str(folder / f"{name}-{size_name}-full.png"), full_page=True)
                wide[f"{name}@{size_name}"] = where.evaluate("document.documentElement.scrollWidth")
        finally:
            context.close()
            history_ctx.close()
            start_ctx.close()
            anonymous_ctx.close()
            county_ctx.close()
    too_wide = {k: v for k, v in wide.items() if v > int(k.split("@")[1].split("x")[0])}
    assert not too_wide, too_wide


def test_a_conflicted_tab_keeps_its_change_when_the_other_tab_saves(browser, editing):
    """The conflict box promises the change is kept on this machine; the other tab's saves must not
    wipe it: after the conflicted tab is closed, opening the report again still offers it."""
    from playwright.sync_api import expect

    context, first = unit_page(browser, editing, QS)
    try:
        second = context.new_page()
        second.goto(editing.url + "/report")
        start = saved(first)
        type_into(first, "#f-applications-new-5", "2")
        assert saved(first) == start + 1
        type_into(second, "#f-applications-carried_forward-5", "7")
        expect(second.locator("#conflict")).to_be_visible(timeout=WAIT)
        type_into(first, "#f-applications-disclosed-5", "2")  # the first tab goes on working and saves
        assert saved(first) == start + 2
        second.close()
        third = context.new_page()
        third.goto(editing.url + "/report")
        expect(third.locator("#f-applications-carried_forward-5")).to_have_value("7", timeout=2000)
    finally:
        context.close()
