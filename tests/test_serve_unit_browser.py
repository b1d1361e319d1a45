"""The unit's page in real headless Chromium (Debian's, through Playwright) against ``nianbao serve``
in its own process: what only a browser shows (site-bugs B2–B5).

* B2: every tab keeps its unsent changes under a key of its own; a conflicted tab's kept change
  survives the other tab's saves and is offered when the report is opened again — as a conflict
  when the report moved on since, never put silently over the newer version; a reload of one tab
  never sends another open tab's change; several sets left by closed tabs are all offered.
* B3: submitting answers with a redirect: the address is /report again, the outcome said once,
  and a reload posts nothing.
* B4: a table cell's finding is in a row right under the cell's row, tied to the input by
  ``aria-describedby``; the table's grid is the same before, during and after.
* B5: on a 390 px phone the findings are folded right under the counts, which open them; on a
  wide screen they are a column beside the form.
* Keyboard alone reaches the findings and opens them; no console error or CSP violation on the
  unit's pages (editor, start, history, a version) at 1366×768 and 390×844; nothing wider than
  the screen but the tables' own scroll boxes.  Screenshots go to ``$NIANBAO_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import os
import sys

import pytest
from browserkit import WAIT, chromium, live_server, saved, shoot, shots_dir, type_into
from conftest import EXAMPLE_2023, edit

from nianbao.model.yamlfile import parse

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the live-server browser tests run on POSIX CI; Windows runs the HTTP tests")

YEAR = 2023
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TABS, LEFT, SUBMIT, CELLS, LOOK, BLANK = ("甲镇人民政府", "乙乡人民政府", "丙镇人民政府", "丁乡人民政府", "戊镇人民政府", "己乡人民政府")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live SQLite site for year 2023: five units whose first version is the finished example
    report (no error) under their own name, one unit with nothing yet (its start page)."""
    from nianbao.serve.store import Store
    from nianbao.workflows import editing as editor

    root = tmp_path_factory.mktemp("unitpage")
    site = root / "site"
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    store = Store.for_site(site, None)
    try:
        store.set_year(YEAR)
        tokens = {unit.name: token for unit, token in store.add_units([TABS, LEFT, SUBMIT, CELLS, LOOK, BLANK], "admin", "test")}
        for unit in store.units(YEAR)[:5]:
            own = editor.canonical(edit(text, "name: 青山镇人民政府", f"name: {unit.name}"))
            errors, warnings = editor.counts(editor.evaluate(own, None))
            assert errors == 0
            store.save(unit.id, YEAR, own, base=0, author=unit.name, address="test", summary=["新建报告"], errors=errors, warnings=warnings)
    finally:
        store.close()
    with live_server(site, logs=root / "logs") as running:
        running.tokens = tokens
        yield running


def expected(console_text: str) -> bool:
    """The browser's own line for a refused save (409: someone saved since): the page shows the
    conflict; every other console error (a script error, a CSP violation) fails the test."""
    return "status of 409 (Conflict)" in console_text


def open_unit(browser, server, name: str, viewport=DESKTOP):
    """A fresh browser profile signed in by the unit's private link; its console errors kept."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.said = []
    context.on("console", lambda m: context.said.append(f"{m.type}: {m.text}") if m.type == "error" and not expected(m.text) else None)
    context.on("weberror", lambda e: context.said.append(f"pageerror: {e.error}"))
    page = context.new_page()
    page.goto(f"{server.url}/u/{server.tokens[name]}")
    page.wait_for_url("**/report")
    return context, page




def newest(server, name: str) -> tuple[int, dict]:
    """The newest stored version of the unit's report: its number and its data."""
    from nianbao.serve.store import Store

    store = Store.for_site(server.site, None)
    try:
        unit = next(u for u in store.units(YEAR) if u.name == name)
        latest = store.latest(unit.id, YEAR)
        return latest.number, parse(latest.text).data
    finally:
        store.close()


def kept(page) -> list[dict]:
    """Every set of unsent changes this browser keeps for the report (all tabs)."""
    return page.evaluate("""() => {
        const boot = JSON.parse(document.getElementById("boot").textContent);
        const prefix = boot.key.slice(0, boot.key.lastIndexOf(":tab:") + 5);
        const out = [];
        for (let i = 0; i < localStorage.length; i++) {
            const k = localStorage.key(i);
            if (k.startsWith(prefix)) { out.push(JSON.parse(localStorage.getItem(k))); }
        }
        return out;
    }""")




# -- B2: one key per tab; every left set offered ------------------------------------------------------------------
def test_a_conflicted_tabs_change_outlives_the_other_tabs_saves_and_comes_back_as_a_conflict(browser, server):
    from playwright.sync_api import expect

    context, first = open_unit(browser, server, TABS)
    try:
        second = context.new_page()
        second.goto(server.url + "/report")
        start = saved(first)
        assert saved(second) == start
        first_key = first.evaluate("JSON.parse(document.getElementById('boot').textContent).key")
        second_key = second.evaluate("JSON.parse(document.getElementById('boot').textContent).key")
        assert first_key != second_key and first_key.rsplit(":tab:", 1)[0] == second_key.rsplit(":tab:", 1)[0]
        type_into(first, "#f-applications-new-5", "2")
        assert saved(first) == start + 1
        type_into(second, "#f-applications-carried_forward-5", "7")
        expect(second.locator("#conflict")).to_be_visible(timeout=WAIT)
        # the first tab goes on saving; its reload does not send the second tab's change
        type_into(first, "#f-applications-disclosed-5", "2")
        assert saved(first) == start + 2
        first.reload()
        assert saved(first) == start + 2
        expect(first.locator("#conflict")).to_be_hidden()
        assert [s["values"] for s in kept(first)] == [{"applications.carried_forward.5": "7"}]  # the second tab's, kept
        number, data = newest(server, TABS)
        assert number == start + 2 and data["applications"]["carried_forward"][5] == 0
        # the conflicted tab is closed; the report opened again offers its change, as a conflict
        second.close()
        third = context.new_page()
        third.goto(server.url + "/report")
        expect(third.locator("#f-applications-carried_forward-5")).to_have_value("7", timeout=5000)
        expect(third.locator("#conflict")).to_be_visible(timeout=WAIT)
        expect(third.locator("#conflict-changes")).to_contain_text("表三 三（一）予以公开")  # what the other tab's last save changed
        assert newest(server, TABS)[0] == start + 2  # not put over the newer version
        third.get_by_role("button", name="载入最新版本，再把我的改动填上去").click()
        assert saved(third) == start + 3
        number, data = newest(server, TABS)
        applications = data["applications"]
        assert (applications["new"][5], applications["disclosed"][5], applications["carried_forward"][5]) == (2, 2, 7)
        assert kept(third) == []
        assert not context.said, context.said
    finally:
        context.close()


CLOSED_TABS_ROUNDS = 50 if os.environ.get("CI") else 3  # CI repeats it: a race shows in one round of many


def test_every_set_left_by_closed_tabs_is_offered_one_after_the_other(browser, server):
    """Two tabs type while the connection is down, then are closed; the report opened again offers
    both sets, the one typed first first: saved on the version both were typed on, then the other
    one shown as a conflict, never merged silently; the clerk puts it on top.  Rounds alternate
    which tab is closed first.

    The `[1, 3]` once seen here (the second tab's 3 saved, the example's own 1 beside it, the first
    tab's set shown as a conflict) has two ways in; neither loses a figure.  (a) The page offered
    the left sets by the time of their last write — refreshed by an open tab's heartbeat, and by a
    closing tab's last write, which may or may not land — and the sets marked left before the Web
    Locks said which others were: a set typed later could go first.  With that page, closing the
    tab typed second first gives `(1, 3)` in the first round.  The sets are now offered in the order
    they were typed.  (b) A tab Playwright has closed may still be going away in the browser, and
    its "offline" is an emulation held by the page's DevTools session: once the connection is back,
    the going tab may send its change itself (its "online" event, or a retry) — the server's log
    shows that save before the report is opened again.  That is what a real tab coming back online
    as it closes does, and right for the site (saved on the version it was typed on, the other set
    a conflict), so a round whose log shows a save the reopened page did not send expects exactly
    one of the two sets saved; every other round, the set typed first."""
    from playwright.sync_api import expect

    context, page = open_unit(browser, server, LEFT)
    try:
        start = saved(page)
        page.close()
        applications = newest(server, LEFT)[1]["applications"]
        before = (applications["new"][4], applications["disclosed"][4])
        again = None
        for round_ in range(CLOSED_TABS_ROUNDS):
            figure = 3 + round_ % 5  # never the figure of the round before
            first, second = again or context.new_page(), context.new_page()  # the page of the round before is the first tab of this one
            for tab in (first, second)[1 if again else 0:]:  # loaded at once
                tab.goto(server.url + "/report", wait_until="commit")
            for tab in (first, second):
                tab.wait_for_load_state("domcontentloaded")
                saved(tab)
            context.set_offline(True)
            type_into(first, "#f-applications-new-4", str(figure))  # typed first
            type_into(second, "#f-applications-disclosed-4", str(figure))
            for tab in (first, second):
                expect(tab.locator("#save-status")).to_contain_text("未连接", timeout=WAIT)
            logged = server.stderr().count("POST /report/save")  # before the close: a going tab may send at once, its emulation gone
            for tab in ((first, second) if round_ % 2 else (second, first)):  # closed in either order
                tab.close()
            context.set_offline(False)
            left = [i["value"] for o in context.storage_state()["origins"] for i in o["localStorage"]]  # said if the round fails
            again = context.new_page()
            posted: list = []
            again.on("request", lambda r, posted=posted: posted.append(r.url) if r.method == "POST" else None)
            again.goto(server.url + "/report")
            expect(again.locator("#conflict")).to_be_visible(timeout=WAIT)
            number, data = newest(server, LEFT)
            got = (data["applications"]["new"][4], data["applications"]["disclosed"][4])
            stray = server.stderr().count("POST /report/save") - logged - len(posted)  # saves the reopened page did not send
            assert number == start + 1, (round_, left)
            assert got in ([(figure, before[1]), (before[0], figure)] if stray else [(figure, before[1])]), (round_, stray, left)
            again.get_by_role("button", name="载入最新版本，再把我的改动填上去").click()
            assert saved(again) == start + 2
            data = newest(server, LEFT)[1]["applications"]
            assert (data["new"][4], data["disclosed"][4]) == (figure, figure), round_
            assert kept(again) == []
            start, before = start + 2, (figure, figure)
    finally:
        context.close()


# -- B3: Post/Redirect/Get -------------------------------------------------------------------------------------
def test_submit_redirects_and_a_reload_posts_nothing(browser, server):
    from playwright.sync_api import expect

    context, page = open_unit(browser, server, SUBMIT)
    try:
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.get_by_role("button", name="提交县（区）审核").click()
        expect(page.locator("#outcome")).to_contain_text("已提交县（区）审核")
        expect(page.locator(".badge")).to_have_text("已提交")
        expect(page).to_have_url(server.url + "/report")  # the flag is dropped from the address once said (by the page's script)
        assert [p.rsplit("/", 2)[-2:] for p in posts] == [["report", "submit"]]
        page.reload()
        expect(page.locator(".badge")).to_have_text("已提交")
        expect(page.locator("#outcome")).to_have_count(0)  # said once
        assert len(posts) == 1
        assert not context.said, context.said
    finally:
        context.close()


# -- B4: a cell's finding next to the cell and tied to it --------------------------------------------------------
def grid_of(page) -> list:
    """Every cell's row and column spans in table 三, in the page's order (what a finds row must
    not disturb once it is gone)."""
    return page.eval_on_selector("#s-applications table", "t => Array.from(t.rows).filter(r => !r.classList.contains('finds-row'))"
                                 ".map(r => Array.from(r.cells).map(c => [c.rowSpan, c.colSpan]))")


def test_a_cells_finding_is_under_its_row_and_described_on_the_input(browser, server):
    from playwright.sync_api import expect

    context, page = open_unit(browser, server, CELLS)
    try:
        start = saved(page)
        before = grid_of(page)
        cell = page.locator("#f-applications-withheld-third_party_rights-0")  # deep in table 三, under labels spanning rows
        path, label = cell.get_attribute("aria-label"), cell.get_attribute("data-label")
        assert (path, label) == ("表三.三（三）4.保护第三方合法权益.自然人", "表三 三（三）不予公开 4.保护第三方合法权益 · 自然人")
        type_into(page, "#f-applications-withheld-third_party_rights-0", "1件")
        assert saved(page) == start + 1
        message = f"[错误 S] {label}：只填数字，不要带单位：“1件”请写成 1（单位已印在表头）"  # the cell as check names it
        described = page.locator(f"[id='{cell.get_attribute('aria-describedby').split()[0]}']")
        expect(described).to_have_text(message)
        expect(described).to_be_visible()
        row = described.locator("xpath=ancestor::tr[1]")
        expect(row).to_have_class("finds-row")
        assert row.evaluate("r => r.previousElementSibling.contains(document.getElementById('f-applications-withheld-third_party_rights-0'))")
        box, under = cell.bounding_box(), described.bounding_box()
        assert 0 <= under["y"] - (box["y"] + box["height"]) < 40  # right under the cell's row, not far above the table
        expect(cell).to_have_attribute("aria-invalid", "true")
        # the grid holds: the row after the message lines up with the row before it, column for column
        xs = page.eval_on_selector("#s-applications table", """t => {
            const rows = Array.from(t.rows); const at = rows.findIndex(r => r.classList.contains('finds-row'));
            const x = r => Array.from(r.querySelectorAll('input, output')).map(e => Math.round(e.getBoundingClientRect().right));
            return [x(rows[at - 1]), x(rows[at + 1])];
        }""")
        assert xs[0] == xs[1], xs
        shoot(page, "unitpage-cell-finding", page.locator("#s-applications"))
        page.set_viewport_size(PHONE)
        cell.scroll_into_view_if_needed()
        shoot(page, "unitpage-cell-finding-390x844")
        page.set_viewport_size(DESKTOP)
        # a field outside the tables: its message under it, described too
        type_into(page, "#f-unit-date", "二〇二四年")
        assert saved(page) == start + 2
        date = page.locator("#f-unit-date")
        ids = date.get_attribute("aria-describedby").split()
        expect(page.locator(f"[id='{ids[-1]}']")).to_contain_text("[错误 S] 落款日期：应写成")
        # a figure breaking R1 as the clerk types, then put right: its message comes and goes with it
        new_0 = page.locator("#f-applications-new-0")
        type_into(page, "#f-applications-new-0", "15")
        expect(new_0).to_have_attribute("aria-invalid", "true", timeout=WAIT)
        r1 = page.locator(f"[id='{new_0.get_attribute('aria-describedby').split()[0]}']")
        expect(r1).to_contain_text("[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=15+1=16")
        type_into(page, "#f-applications-new-0", "5")
        saved(page)
        expect(new_0).not_to_have_attribute("aria-invalid", "true")
        assert new_0.get_attribute("aria-describedby") is None
        expect(page.locator("#s-applications")).not_to_contain_text("[错误 R1]")
        # fixed: the message row goes, the input is described by nothing, the table is as it was
        type_into(page, "#f-applications-withheld-third_party_rights-0", "1")
        type_into(page, "#f-unit-date", "2024-01-18")
        saved(page)
        expect(page.locator("#n-errors")).to_have_text("0")
        expect(page.locator("tr.finds-row")).to_have_count(0)
        assert cell.get_attribute("aria-describedby") is None and cell.get_attribute("aria-invalid") is None
        assert date.get_attribute("aria-describedby") in (None, "f-unit-date-hint")
        assert grid_of(page) == before
        assert not context.said, context.said
    finally:
        context.close()


# -- B5 and a look at every page of the unit ---------------------------------------------------------------------
def test_the_findings_are_reachable_at_once_on_a_phone(browser, server):
    from playwright.sync_api import expect

    context, page = open_unit(browser, server, LOOK, PHONE)
    try:
        start = saved(page)
        type_into(page, "#f-applications-new-0", "99")  # R1 and R2 break
        assert saved(page) == start + 1
        panel = page.locator("#panel")
        assert panel.get_attribute("open") is None  # folded: the form is right under it
        assert panel.bounding_box()["y"] + panel.bounding_box()["height"] < PHONE["height"]
        expect(page.locator("#panel-h")).to_contain_text("错误 2 个")
        # keyboard alone: Tab to the counts from the top, Enter opens the list there
        page.reload()  # from the top of the page
        assert saved(page) == start + 1
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "counts":
                break
        assert page.evaluate("document.activeElement.id") == "counts"
        page.keyboard.press("Enter")
        expect(panel).to_have_attribute("open", "")
        first = page.locator("#findings a").first
        expect(first).to_be_in_viewport()
        expect(first).to_contain_text("[错误 R")
        shoot(page, "unitpage-findings-opened-390x844")
        page.keyboard.press("Tab")  # from the list's summary on to its links
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('#findings') !== null")
        page.keyboard.press("Enter")  # a finding's link takes the focus to its cell
        assert page.evaluate("document.activeElement.id").startswith("f-applications-")
        assert not context.said, context.said
    finally:
        context.close()
    wide, page = open_unit(browser, server, LOOK, DESKTOP)
    try:
        panel, form = page.locator("#panel").bounding_box(), page.locator("#report-form").bounding_box()
        assert page.locator("#panel").get_attribute("open") == "" and panel["x"] > form["x"] + form["width"]  # beside the form
    finally:
        wide.close()


def test_the_unit_pages_at_desktop_and_phone_sizes(browser, server):
    """The editor, the start page, the history and a version, at both sizes: no console error
    (a CSP violation is one), nothing wider than the screen; screenshots when asked for."""
    folder = shots_dir()
    wide: dict[str, int] = {}
    for size, viewport in (("1366x768", DESKTOP), ("390x844", PHONE)):
        context, page = open_unit(browser, server, LOOK, viewport)
        blank_ctx, blank = open_unit(browser, server, BLANK, viewport)
        try:
            for where, path, name in ((page, "/report", "unitpage-editor"), (page, "/report/history", "unitpage-history"),
                                      (page, "/report/versions/1", "unitpage-version"), (blank, "/report", "unitpage-start")):
                where.goto(server.url + path)
                where.wait_for_load_state("load")
                wide[f"{name}@{size}"] = where.evaluate("document.documentElement.scrollWidth")
                if folder is not None:
                    where.screenshot(path=str(folder / f"{name}-{size}.png"))
                    where.screenshot(path=str(folder / f"{name}-{size}-full.png"), full_page=True)
            # deep in table 三 by keyboard: the status line stays in sight and the focused cell is not under it
            page.goto(server.url + "/report")
            page.locator("#f-applications-new-0").focus()
            for _ in range(12):
                page.keyboard.press("Tab")
            bar, focused = page.locator(".statusline").bounding_box(), page.evaluate(
                "(() => { const r = document.activeElement.getBoundingClientRect(); return {y: r.top, h: r.height}; })()")
            assert bar["y"] == 0 and focused["y"] >= bar["y"] + bar["height"] and focused["y"] + focused["h"] <= viewport["height"]
            path, label = page.evaluate("[document.activeElement.getAttribute('data-place'), document.activeElement.getAttribute('data-label')]")
            assert path.startswith("表三.") and label.startswith("表三 ") and " · " in label
            assert page.locator("#where").inner_text() == f"当前：{label}"  # the row labels may be out of sight: the cell as messages name it
            if folder is not None:
                page.screenshot(path=str(folder / f"unitpage-editor-table-{size}.png"))
            assert not context.said and not blank_ctx.said, context.said + blank_ctx.said
        finally:
            context.close()
            blank_ctx.close()
    too_wide = {k: v for k, v in wide.items() if v > int(k.split("@")[1].split("x")[0])}
    assert not too_wide, too_wide


def test_a_value_that_cannot_be_saved_is_said_once_and_a_full_disk_in_the_servers_words(browser, server):
    """A lone surrogate pasted into a narrative (valid JSON, no database can keep it): the server's
    Chinese 400 names the field; the page says why, stops sending it (it was a 500 resent every
    30 s), and saves the other changes.  A full disk (the server's 503 with the Store's own words):
    said as the server says it — not 未连接 — kept and sent again once the server takes it."""
    import json
    import sqlite3

    from playwright.sync_api import expect
    from sqlalchemy.exc import OperationalError

    from nianbao.serve.store import _failed

    context, page = open_unit(browser, server, CELLS)
    try:
        start = saved(page)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.post_data) if r.method == "POST" else None)
        page.evaluate("""() => { const t = document.getElementById("f-preamble");
            t.value = "本报告" + String.fromCharCode(0xD800); t.dispatchEvent(new Event("input", {bubbles: true})); }""")
        expect(page.locator("#save-status")).to_have_text("这次改动没有保存：前言中有无法保存的字符（多半是复制粘贴带进来的乱码）：请删去后再试", timeout=WAIT)
        page.wait_for_timeout(3000)
        assert len(posts) == 1 and kept(page) == []  # not sent again, not kept to be sent again
        type_into(page, "#f-proactive-penalties", "4")  # the other changes go on
        expect(page.locator("#save-status")).to_have_text(f"已保存 第{start + 1}版；这次改动没有保存：前言中有无法保存的字符（多半是复制粘贴带进来的乱码）：请删去后再试",
                                                          timeout=WAIT)
        type_into(page, "#f-preamble", "本报告")  # typed again: sent again, and the refusal is said no more
        assert saved(page) == start + 2
        assert newest(server, CELLS)[1]["preamble"] == "本报告"
        full = _failed(OperationalError("INSERT", None, sqlite3.OperationalError("database or disk is full")))
        answered: list[int] = []

        def disk_full_once(route):
            if not answered:
                answered.append(503)
                route.fulfill(status=503, content_type="application/json", body=json.dumps({"message": full}))
            else:
                route.continue_()

        page.route("**/report/save", disk_full_once)
        type_into(page, "#f-proactive-coercion", "2")
        expect(page.locator("#save-status")).to_have_text(full + "（改动已存在本机，稍后自动重试）", timeout=WAIT)
        assert full.startswith("服务器的磁盘已满") and kept(page)[0]["values"]["proactive.coercion"] == "2"  # kept here, to be sent again
        assert saved(page) == start + 3  # tried again two seconds later, taken
        assert all("status of 400 (Bad Request)" in said or "status of 503 (Service Unavailable)" in said for said in context.said), context.said
    finally:
        context.close()


def test_every_figure_of_table_two_is_in_sight_on_a_phone(browser, server):
    """Table 二 has at most three figures a row: on a 390 px phone it fits the screen, so no row
    looks empty with its figure scrolled off to the right (a trial from the README found that)."""
    context, page = open_unit(browser, server, LOOK, PHONE)
    try:
        saved(page)
        box = page.locator("#s-proactive .table-box")
        assert box.evaluate("b => b.scrollWidth <= b.clientWidth"), "table 二 scrolls sideways"
        out = page.eval_on_selector_all("#s-proactive input", "els => els.filter(e => { const r = e.getBoundingClientRect();"
                                        " return r.left < 0 || r.right > window.innerWidth || r.width < 24; }).map(e => e.id)")
        assert page.locator("#s-proactive input").count() == 10 and out == [], out
        assert not page.locator("#s-proactive .scroll-hint").is_visible()
        shoot(page, "unitpage-table2-390x844", page.locator("#s-proactive"))
    finally:
        context.close()


def test_a_click_into_a_blank_reports_zero_then_typing_replaces_it(browser, server):
    """A blank report shows 0 in every cell: clicked into (the caret once landed beside the 0) and
    typed 5, the cell must hold 5 — it held 50, a figure the clerk never typed (a trial from the
    README found it).  By Tab too; a second click inside the cell places the caret as usual."""
    context, page = open_unit(browser, server, BLANK)
    try:
        page.get_by_role("button", name="从空白开始").click()
        page.wait_for_url("**/report*")
        saved(page)
        first, second = page.locator("#f-applications-new-0"), page.locator("#f-applications-new-1")
        assert first.input_value() == "0" and second.input_value() == "0"
        first.click()
        page.keyboard.type("5", delay=30)
        page.keyboard.press("Tab")  # into the next cell: its 0 selected too
        page.keyboard.type("3", delay=30)
        version = saved(page)
        assert (first.input_value(), second.input_value()) == ("5", "3")
        number, data = newest(server, BLANK)
        assert number == version and data["applications"]["new"][:2] == [5, 3]
        assert context.said == []
    finally:
        context.close()
