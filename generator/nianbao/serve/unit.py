"""The unit's report on the site: the editor page and its routes.

The same handlers serve a unit's report under ``/report…`` (the unit's session; the unit is the
session's, never one named in the URL) and the county's own aggregate report under
``/county/own…`` (the admin's session; the report of the Store's ``county_unit()``).  They
differ only in how the owner is resolved (:class:`Owner`), so a fix in one is a fix in both.

Every state change checks the session's CSRF token.  Saves name the version the page started
from; a save on top of someone else's is refused (409) with the other change shown, never
overwritten.  Documents are made by :func:`nianbao.produce.produce_loaded` from the stored
report file, so they are byte for byte what ``nianbao render`` makes of the same file.

The form (``templates/serve/report_form.html``) is built from the spec and the renderers'
grids (:func:`form_context`); the county's pages include it read-only to show a unit's report.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..findings import ERROR, Finding, Rule
from ..model.places import place
from ..model.standard import SPECS, Spec
from ..render import grid as grids
from ..render.html import SCROLL_HINT
from ..workflows import editing as editor
from .auth import field, form_route
from .pages import CSP_PREVIEW, Refusal, page
from .store import ADMIN, LOCKED, Status

SUBMITTABLE = (Status.FILLING, Status.RETURNED)
HISTORY_SHOWN = 100  # versions listed on the history page unless all are asked for (autosave makes thousands)
FORMATS = {  # download name → (what is made, media type)
    "docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("pdf", "application/pdf"),
    "html": ("html", "text/html; charset=utf-8"),
    "fragment": ("fragment", "text/html; charset=utf-8"),
    "txt": ("txt", "text/plain; charset=utf-8"),
    "yaml": ("yaml", "application/yaml; charset=utf-8"),
}
FORMAT_NAMES = {"docx": "Word 文档（DOCX）", "pdf": "PDF", "html": "网页（HTML）", "fragment": "网页片段（贴进网站编辑器）",
                "txt": "纯文本（TXT）", "yaml": "报告文件（YAML）"}


# -- whose report ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Owner:
    """Whose report a request works on, resolved from the session (never from the URL)."""

    unit_id: int
    name: str  # the unit's name (a new report's 机关名称)
    author: str  # who the versions and moves are recorded as
    base: str  # where its pages are: /report or /county/own
    csrf: str
    county: bool  # the county's own report (edited by the admin; never submitted)


def _store(request: Request):
    return request.app.state.store


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


def unit_owner(request: Request) -> Owner:
    """The unit of the unit's session."""
    from . import auth

    session = auth.unit_session(request)
    unit = getattr(request.state, "unit", None)
    if unit is None or unit.id != session.unit_id:
        unit = _store(request).unit(session.unit_id)
    if unit is None:
        raise Refusal(404)
    return Owner(unit.id, unit.name, unit.name, "/report", session.csrf, False)


def county_owner(request: Request) -> Owner:
    """The county's own report, for the admin's session."""
    from . import auth

    session = auth.admin_session(request)
    unit = _store(request).county_unit(_address(request))
    return Owner(unit.id, unit.name, ADMIN, "/county/own", session.csrf, True)


def _csrf(request: Request, owner: Owner, value: str | None = None) -> None:
    from . import auth

    session = auth.current(request)
    assert session is not None  # the owner was resolved from it
    auth.check_csrf(request, session, value)


def _year(request: Request) -> int:
    return _store(request).settings().year


def _last_text(request: Request, owner: Owner, year: int) -> str | None:
    """Last year's report of the same owner on the site (X1–X5 and 从上一年度开始)."""
    last = _store(request).latest(owner.unit_id, year - 1)
    return last.text if last is not None else None


# -- the form ---------------------------------------------------------------------------------------------
def _input(spec: Spec, f: editor.Field, data: dict, label: str | None = None) -> dict[str, Any]:
    name = editor.key_name(f.keys)
    given = name in data["given"]
    value = data["values"].get(name, "")
    computed = f.kind == "total" and not given
    if computed:
        value = data["computed"].get(name, "")
    return {
        "name": name,
        "id": "f-" + name.replace(".", "-"),
        "path": f.path,
        "label": label or f.path.rsplit(".", 1)[-1],
        "place_label": f.label,  # as messages name the cell: the chip that follows the focus shows it
        "value": value,
        "kind": f.kind,
        "hint": f.hint,
        "computed": computed,
        "given": given,
        "note": data["notes"].get(f.path),
    }


def _table(spec: Spec, grid: grids.Grid, by_keys: dict[tuple, editor.Field], data: dict) -> list[list[dict]]:
    rows: list[list[dict]] = []
    for row in grid.rows():
        cells = []
        for cell in row:
            entry: dict[str, Any] = {"text": cell.text, "rowspan": cell.rowspan, "colspan": cell.colspan, "kind": cell.kind}
            if cell.kind == "number" and cell.keys is not None:
                f = by_keys[tuple(cell.keys)]
                entry["input"] = _input(spec, f, data)
            cells.append(entry)
        rows.append(cells)
    return rows


def form_context(text: str, findings: list[Finding] | None = None, comments: list | None = None, *, readonly: bool,
                 comment_url: str | None = None) -> dict[str, Any]:
    """The context of ``serve/report_form.html`` for ``text``: the sections in the report's order,
    each with its inputs or its table (the renderers' grids with their merges), the values as
    typed, the totals computed, the importer's notes and (given) the findings and comments.
    ``readonly``: values shown, not editable; ``comment_url``: a link per cell and section to
    ``comment_url + urlencoded official path`` (the county's comment form)."""
    data = editor.form(text, findings)
    spec = SPECS[data["spec"]]
    year = data["year"] if isinstance(data["year"], int) else None
    all_fields = editor.fields(spec, data["overview_text"], year)
    by_keys = {f.keys: f for f in all_fields}
    t2, t3, t4 = spec.table_names
    sections: list[dict[str, Any]] = [
        {"id": "s-unit", "heading": "机关信息", "place": "机关信息",
         "inputs": [_input(spec, f, data, f.path.split(".", 1)[1]) for f in all_fields if f.keys[0] == "unit"]},
        {"id": "s-preamble", "heading": "前言", "place": place(spec.id, ("preamble",)).path,
         "inputs": [_input(spec, by_keys[("preamble",)], data, "前言")]},
    ]
    overview = spec.section("overview")
    sections.append({"id": "s-overview", "heading": overview.heading, "place": overview.heading,
                     "note": None if data["overview_text"] else overview.note,
                     "inputs": [_input(spec, f, data, f.path.split(".", 1)[1] if "." in f.path else f.path)
                                for f in all_fields if f.keys[0] == "overview"]})
    for key, name, make in (("proactive", t2, grids.table2), ("applications", t3, grids.table3), ("appeals", t4, grids.table4)):
        section = spec.section(key)
        grid = make(spec, None)
        sections.append({"id": f"s-{key}", "heading": section.heading, "place": name, "table_name": name,
                         "label_cols": grid.label_cols, "rows": _table(spec, grid, by_keys, data)})
    sections.append({"id": "s-problems", "heading": spec.section("problems").heading, "place": spec.section("problems").heading,
                     "inputs": [_input(spec, by_keys[("problems",)], data, spec.section("problems").heading)]})
    other = spec.section("other_matters")
    fees = [_input(spec, f, data, f.path.rsplit(".", 1)[-1]) for f in all_fields if f.keys[0] == "processing_fees"]
    sections.append({"id": "s-other", "heading": other.heading, "place": other.heading, "fees": fees,
                     "fees_place": place(spec.id, ("processing_fees",)).path if fees else None,
                     "inputs": [_input(spec, by_keys[("other_matters",)], data, other.heading)]})
    by_place: dict[str, list] = {}
    for c in comments or []:
        by_place.setdefault(c.where or "", []).append(c)
    return {
        "sections": sections,
        "spec": spec,
        "form_data": data,
        "readonly": readonly,
        "comment_url": comment_url,
        "comments_at": by_place,
        "quote": urllib.parse.quote,
        "scroll_hint": SCROLL_HINT,
    }


# -- helpers ----------------------------------------------------------------------------------------------
def _findings(request: Request, owner: Owner, year: int, text: str) -> list[Finding]:
    return editor.evaluate(text, _last_text(request, owner, year))


def _outcome(request: Request, report, latest, proof: str) -> str | None:
    """What a form just did, said on the page it redirected to (Post/Redirect/Get: a reload of that
    page re-sends nothing).  The query only picks one of these fixed sentences — no text from the
    URL reaches the page — and a stale flag (the report moved on since) says nothing."""
    done = request.query_params.get("done")
    if done == "submitted" and report.status == Status.SUBMITTED:
        return "已提交县（区）审核。审核期间报告不能修改；如被退回，可改正后再次提交。"
    if done == "started" and latest.number >= 1:
        return f"报告已建立（第{latest.number}版）。请逐项核对，“检查结果”列出了需要补填或改正的地方。" + (
            "上传的是扫描件：表格中未经合计确认的数字留空，请打开下面的“校对页”对照原图填写。" if proof else "")
    if done == "restored":
        restored = request.query_params.get("n", "")
        if restored.isdigit() and 0 < int(restored) < latest.number:
            return f"已恢复为第{int(restored)}版的内容，另存为第{latest.number}版；原来的各版都还在历史版本中。"
    return None


def _proof_of(request: Request, owner: Owner) -> str:
    """The proof page the redirect after a scanned upload names, if the site still keeps it for
    this unit (:meth:`Store.keep_proof`); "" otherwise."""
    n = request.query_params.get("proof", "")
    return n if n and _store(request).proof(owner.unit_id, n) is not None else ""


def _report_page(request: Request, owner: Owner, *, message: str | None = None, problems: list[str] | None = None,
                 status: int = 200) -> Response:
    store = _store(request)
    start = store.starting_point(owner.unit_id)  # the year, this version and last year's in one read, remembered for the saves
    year, latest = start.year, start.latest
    if latest is None:
        return _start_page(request, owner, year, message=message, problems=problems, status=status)
    report = store.report(owner.unit_id, year)
    proof = _proof_of(request, owner) if message is None and request.method == "GET" else ""
    done = _outcome(request, report, latest, proof) if message is None and request.method == "GET" else None
    findings = editor.evaluate(latest.text, start.last_text)
    comments = store.comments(owner.unit_id, year)
    locked = report.status in LOCKED and not owner.county
    context = form_context(latest.text, findings, comments, readonly=locked)
    errors, warnings = editor.counts(findings)
    name = context["form_data"]["values"].get("unit.name", "").strip() or owner.name
    boot = {
        "base": owner.base,
        "key": f"nianbao:{owner.base}:{owner.unit_id}:{year}",
        "version": latest.number,
        "status": report.status,
        "locked": locked,
        "form": context["form_data"],
        "comments": [_comment_json(c) for c in comments],
    }
    return page(request, "unit.html", {
        **context,
        "owner": owner, "year": year, "report": report, "latest": latest, "title": _title(name, year),
        "errors": errors, "warnings": warnings, "findings": editor.findings_json(findings), "comments": comments,
        "locked": locked, "boot": boot, "message": message or done, "message_ok": done is not None, "problems": problems or [],
        "proof": f"{owner.base}/proof/{proof}" if done and proof else "",
        "formats": FORMAT_NAMES, "last": start.last, "can_submit": not owner.county and report.status in SUBMITTABLE,
    }, status=status)


def _title(name: str, year: int) -> str:
    """The report's title as the documents print it: its own 机关名称 (for the county's own report
    the county's office, not the site's name for that row) and the year."""
    from ..model.standard import spec_for_year

    spec = spec_for_year(year)
    return spec.title(name, year) if spec is not None else f"{name}{year}年报告"


def _comment_json(c) -> dict:
    from .pages import local_time

    return {"where": c.where, "text": c.text, "author": "县（区）" if c.author == ADMIN else c.author,
            "at": local_time(c.created_at), "kind": c.kind, "version": c.version}


def _start_page(request: Request, owner: Owner, year: int, *, message: str | None = None, problems: list[str] | None = None,
                status: int = 200) -> Response:
    last = _store(request).latest(owner.unit_id, year - 1)
    return page(request, "unit_start.html", {"owner": owner, "year": year, "last": last, "message": message,
                                             "problems": problems or [], "title": f"{owner.name}{year}年度报告：开始填写"}, status=status)


def _save(request: Request, owner: Owner, year: int, text: str, base: int, summary: list[str], upload: tuple[str, bytes] | None = None):
    findings = _findings(request, owner, year, text)
    errors, warnings = editor.counts(findings)
    version = _store(request).save(owner.unit_id, year, text, base=base, author=owner.author, address=_address(request),
                                   summary=summary, errors=errors, warnings=warnings, upload=upload)
    return version, findings


# -- handlers, written once for both owners ---------------------------------------------------------------
class Handlers:
    """The pages and actions on one report, written once for both of its owners — a unit through
    its link, and the county on its own report: ``resolve`` says whose report a request is about
    (and refuses one that is nobody's)."""

    def __init__(self, resolve: Callable[[Request], Owner], *, remembered: bool = False) -> None:
        self.resolve = resolve
        self.remembered = remembered  # a unit's saves: made from what this process remembers, checked where they are written

    def report_page(self, request: Request) -> Response:
        return _report_page(request, self.resolve(request))

    def data(self, request: Request) -> Response:
        owner = self.resolve(request)
        store = _store(request)
        start = store.starting_point(owner.unit_id)  # one read, remembered: the page's saves start from it
        year, latest = start.year, start.latest
        if latest is None:
            return JSONResponse({"version": 0, "status": Status.NOT_STARTED})
        findings = editor.evaluate(latest.text, start.last_text)
        report = store.report(owner.unit_id, year)
        return JSONResponse({"version": latest.number, "status": report.status, "form": editor.form(latest.text, findings),
                             "comments": [_comment_json(c) for c in store.comments(owner.unit_id, year)]})

    async def save(self, request: Request) -> Response:
        from .pages import COOKIE, current

        if self.remembered:  # the session as this process knows it: the save's own transaction checks it again
            current(request, cached=True)
        owner = self.resolve(request)
        _csrf(request, owner)
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: brackets nested past the parser's depth
            raise Refusal(400, "请求内容不是有效的 JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("base"), int) or not isinstance(body.get("values"), dict):
            raise Refusal(400, "请求内容应为 {base: 版本号, values: {…}}")
        cookie = request.cookies.get(COOKIE, "")
        session = _store(request).session_key(cookie) if self.remembered and not owner.county else None
        return await run_in_threadpool(self._save_values, request, owner, body["base"], body["values"], session)

    def _save_values(self, request: Request, owner: Owner, base: int, values: dict, session: str | None = None) -> Response:
        """A save of changed cells: the change made on the base version's :class:`editor.Reading`
        (its text written, never read back), checked, and stored in one transaction — the
        conditional one that refuses a save on a stale base.  ``session`` (a unit's save: its
        cookie's hash): what the save starts from is what this process remembers (no read at all);
        the write checks the session, the year, last year's version and the base's text again
        (:class:`.store.Expect`), and a save whose grounds moved is worked out again from the
        database, once."""
        from .store import Conflict, DatabaseUnavailable, Expect, Locked, SessionGone, Stale, StoreError

        store = _store(request)
        for remembered in ((True, False) if session is not None else (False,)):
            start = store.starting_point(owner.unit_id, cached=remembered)
            latest = start.latest
            if remembered and (latest is None or latest.number != base):
                continue  # a page ahead of what this process knows (another process saved): read it
            if latest is None:
                raise Refusal(409, "还没有开始填写这份报告：请刷新页面，先选择从哪里开始")
            try:
                old = editor.read(latest.text)
                new = editor.change(old, values)
            except editor.EditorError as exc:  # the page stops sending the value named, and says why
                return JSONResponse({"message": str(exc), "fields": [exc.field] if exc.field else []}, status_code=400)
            if new is old and remembered:
                continue  # nothing new: answered with the database's newest, as read now
            findings = editor.evaluate(new, start.last_text)
            if new is old:  # nothing new (a resend of changes already saved): acknowledged as they are
                return JSONResponse({"version": latest.number, "findings": editor.findings_json(findings), "summary": [],
                                     "computed": dict(new.computed), "unchanged": True})
            if latest.number != base:
                return _conflict(latest)
            errors, warnings = editor.counts(findings)
            # a unit's save names what it was worked out from, remembered or read just now: its session (perhaps
            # remembered either way) is checked where it is written, and so is all the rest
            expect = Expect(session, start.year, start.last.number if start.last is not None else 0, latest.text,
                            latest.report_id) if session is not None else None
            try:
                version = store.save(owner.unit_id, start.year, new.text, base=base, author=owner.author, address=_address(request),
                                     summary=editor.summary(old, new), errors=errors, warnings=warnings, expect=expect)
            except Stale as exc:
                store.forget_start(owner.unit_id)
                if remembered:
                    continue
                return JSONResponse({"message": str(exc)}, status_code=409)  # moved again between the read and the write
            except SessionGone:
                store.forget_session(session or "")
                raise Refusal(401) from None  # as for a request without a session
            except Conflict as exc:
                store.forget_start(owner.unit_id)
                return _conflict(exc.current)
            except Locked as exc:
                return JSONResponse({"message": str(exc)}, status_code=423)
            except DatabaseUnavailable as exc:  # a full disk, the database busy: nothing saved, the page keeps the change and tries again
                return JSONResponse({"message": str(exc)}, status_code=503)
            except StoreError as exc:
                return JSONResponse({"message": str(exc)}, status_code=409)
            return JSONResponse({"version": version.number, "findings": editor.findings_json(findings), "summary": list(version.summary),
                                 "computed": editor.computed_since(old, new), "errors": version.errors, "warnings": version.warnings})
        raise AssertionError("the save read from the database returns")  # the last round reads, never continues

    def start(self, request: Request, form: FormData) -> Response:
        from .store import Conflict, Locked, StoreError, visible_name

        owner = self.resolve(request)
        _csrf(request, owner, field(form, "csrf", 200))
        store = _store(request)
        year = _year(request)
        how = field(form, "from", 20)
        latest = store.latest(owner.unit_id, year)
        base = latest.number if latest is not None else 0
        if latest is not None and field(form, "again", 10) != "1":
            return _report_page(request, owner, message="这份报告已经开始填写；如要重新开始，请在页面下方的“重新开始”中选择", status=409)
        problems: list[str] = []
        kept: tuple[str, Path] | None = None  # the upload the text was read from: kept with the version, never before
        proof = ""
        with ExitStack() as held:
            try:
                if how == "last":
                    last = _last_text(request, owner, year)
                    if last is None:
                        raise editor.EditorError(f"网站上没有本单位{year - 1}年度的报告，请改为上传或从空白开始")
                    text, said = editor.next_from(last, year), [f"由网站上{year - 1}年度的报告生成草稿"]
                elif how == "empty":
                    text, said = editor.blank(year, owner.name), ["从空白开始"]
                elif how == "upload":
                    upload = form.get("file")
                    if not isinstance(upload, UploadFile) or not upload.filename:
                        raise editor.EditorError("请选择要上传的文件")
                    name, cleaned = visible_name(upload.filename[:200], "文件名")
                    made, path = held.enter_context(editor.received(name, upload.file))
                    problems = [f["text"] for f in editor.findings_json(made.findings) if f["level"] == "error"]
                    text = editor.adopt(made, year)
                    said = [f"由上传的文件“{name}”开始", *([cleaned] if cleaned else []), *problems[:5]]
                    kept = (name, path)
                    if made.proof is not None:
                        proof = f"&proof={_store(request).keep_proof(owner.unit_id, made.proof)}"
                else:
                    raise editor.EditorError("请选择从哪里开始：上一年度的报告、上传文件或空白")
            except editor.EditorError as exc:
                if latest is None:
                    return _start_page(request, owner, year, message=str(exc), problems=problems, status=400)
                return _report_page(request, owner, message=str(exc), problems=problems, status=400)
            try:
                _save(request, owner, year, text, base, said, (kept[0], kept[1].read_bytes()) if kept else None)
            except (Conflict, Locked, StoreError) as exc:
                return _report_page(request, owner, message=str(exc), status=409)
        return RedirectResponse(f"{owner.base}?done=started{proof}", status_code=303)

    def proof_page(self, request: Request) -> Response:
        """The proof page of a scan this unit uploaded (its newest few are kept)."""
        owner = self.resolve(request)
        shown = _store(request).proof(owner.unit_id, request.path_params.get("n", ""))
        if shown is None:
            raise Refusal(404, "校对页只保留本单位最近几次上传的扫描件：请重新上传扫描件")
        return Response(shown, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CSP_PREVIEW, "Cache-Control": "no-store"})

    def history(self, request: Request) -> Response:
        owner = self.resolve(request)
        store = _store(request)
        year = _year(request)
        report = store.report(owner.unit_id, year)
        every = request.query_params.get("versions") == "all"
        versions = store.versions(owner.unit_id, year, limit=None if every else HISTORY_SHOWN + 1)
        more = not every and len(versions) > HISTORY_SHOWN
        return page(request, "unit_history.html", {"owner": owner, "year": year, "report": report,
                                                   "versions": versions[:HISTORY_SHOWN] if more else versions, "more": more,
                                                   "comments": store.comments(owner.unit_id, year),
                                                   "title": f"{year}年度报告：历史版本",
                                                   "locked": report is not None and report.status in LOCKED and not owner.county})

    def _version_of(self, request: Request, owner: Owner, year: int):
        try:
            number = int(request.path_params["n"])
        except ValueError:
            raise Refusal(404) from None
        version = _store(request).version(owner.unit_id, year, number)
        if version is None:
            raise Refusal(404, "没有这个版本")
        return version

    def version_page(self, request: Request) -> Response:
        owner = self.resolve(request)
        year = _year(request)
        version = self._version_of(request, owner, year)
        findings = _findings(request, owner, year, version.text)
        latest = _store(request).latest(owner.unit_id, year)
        return page(request, "unit_version.html", {**form_context(version.text, findings, readonly=True), "owner": owner, "year": year,
                                                   "version": version, "latest": latest, "findings": editor.findings_json(findings),
                                                   "title": f"{year}年度报告：第{version.number}版"})

    def restore(self, request: Request, form: FormData) -> Response:
        from .store import Conflict, Locked, StoreError

        owner = self.resolve(request)
        _csrf(request, owner, field(form, "csrf", 200))
        year = _year(request)
        version = self._version_of(request, owner, year)
        latest = _store(request).latest(owner.unit_id, year)
        try:
            base = int(field(form, "base", 20) or (latest.number if latest else 0))
        except ValueError:
            base = -1
        summary = [f"恢复为第{version.number}版", *editor.summary(latest.text if latest else None, version.text)]
        try:
            _save(request, owner, year, version.text, base, summary[: editor.SUMMARY_LINES])
        except (Conflict, Locked, StoreError) as exc:
            return _report_page(request, owner, message=str(exc), status=409)
        return RedirectResponse(f"{owner.base}?done=restored&n={version.number}", status_code=303)

    def _produced(self, request: Request, owner: Owner, targets: list[str], draft: bool = False):
        from ..produce import Options, produce_loaded

        year = _year(request)
        latest = _store(request).latest(owner.unit_id, year)
        if latest is None:
            raise Refusal(404, "还没有开始填写这份报告")
        loaded, findings = editor.checked(latest.text)
        return produce_loaded(loaded, findings, targets, Options(draft=draft)), latest

    def _refused(self, request: Request, owner: Owner, produced) -> Response:
        problems = [f["text"] for f in editor.findings_json(produced.findings) if f["level"] == "error"]
        return _report_page(request, owner, message="报告还有错误，不能生成文件；请先改正下列错误：", problems=problems, status=409)

    def preview(self, request: Request) -> Response:
        owner = self.resolve(request)
        produced, _ = self._produced(request, owner, ["html"])
        if produced.refused and produced.report is not None and all(f.rule == Rule.P for f in produced.findings if f.level == ERROR):
            produced, _ = self._produced(request, owner, ["html"], draft=True)  # unfinished texts: the layout as a draft
        if produced.refused and produced.report is not None:  # errors left: the page as it would look, marked 草稿
            from .. import render as rendering

            produced.outputs["html"] = rendering.render(produced.report, "html", None, True)
        elif produced.refused:
            return self._refused(request, owner, produced)
        return Response(produced.outputs["html"], media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": CSP_PREVIEW, "Cache-Control": "no-store"})

    def download(self, request: Request) -> Response:
        from .. import render as rendering
        from ..system.output import safe_name
        from ..workflows.publishing import to_pdf

        owner = self.resolve(request)
        fmt = request.path_params["fmt"]
        if fmt not in FORMATS:
            raise Refusal(404, "没有这种格式")
        if fmt == "yaml":
            year = _year(request)
            latest = _store(request).latest(owner.unit_id, year)
            if latest is None:
                raise Refusal(404, "还没有开始填写这份报告")
            return _attachment(latest.text.encode("utf-8"), safe_name(f"{owner.name}{year}.yaml"), FORMATS[fmt][1])
        produced, _ = self._produced(request, owner, [fmt])
        if produced.refused or produced.report is None:
            return self._refused(request, owner, produced)
        title = produced.report.title
        if fmt == "pdf":
            made, reason = to_pdf(produced)
            if made is None:
                return _report_page(request, owner, message=f"未生成 PDF：{reason}。可下载 Word 文档（DOCX）后自行转换。", status=503)
            return _attachment(made, rendering.file_name(title, "pdf"), FORMATS[fmt][1])
        return _attachment(produced.outputs[fmt], rendering.file_name(title, fmt), FORMATS[fmt][1])

    def submit(self, request: Request, form: FormData) -> Response:
        from .store import SUBMITTED, StoreError

        owner = self.resolve(request)
        _csrf(request, owner, field(form, "csrf", 200))
        if owner.county:
            raise Refusal(404)
        year = _year(request)
        report = _store(request).report(owner.unit_id, year)
        if report is not None and report.status == SUBMITTED:  # a double click, or the form sent again from the back button
            return RedirectResponse(f"{owner.base}?done=submitted", status_code=303)
        latest = _store(request).latest(owner.unit_id, year)
        if latest is None:
            return _report_page(request, owner, message="还没有填写报告，不能提交", status=409)
        findings = _findings(request, owner, year, latest.text)
        errors = [f["text"] for f in editor.findings_json(findings) if f["level"] == "error"]
        if errors:
            return _report_page(request, owner, message=f"报告还有{len(errors)}处错误，改正后才能提交：", problems=errors, status=409)
        try:
            _store(request).set_status(owner.unit_id, year, SUBMITTED, actor=owner.author, address=_address(request),
                                       comment=field(form, "comment", 2000) or None)
        except StoreError as exc:
            return _report_page(request, owner, message=str(exc), status=409)
        return RedirectResponse(f"{owner.base}?done=submitted", status_code=303)



READERS = 2  # start forms carrying a file handled at once: each reads it in a child process (editor.received)


def _reading_route(handler: Callable[[Request, FormData], Response]) -> Callable:
    """:func:`.auth.form_route` for the start form, but a form carrying a file waits for one of
    :data:`READERS` places without holding a worker thread: forty uploads sent at once are read
    two by two while the other units' saves go on."""
    async def endpoint(request: Request) -> Response:
        import anyio
        import anyio.to_thread

        async with request.form(max_files=2, max_fields=400) as form:
            if not isinstance(form.get("file"), UploadFile):
                return await run_in_threadpool(handler, request, form)
            state = request.app.state
            if getattr(state, "readers", None) is None:
                state.readers = anyio.CapacityLimiter(READERS)
            return await anyio.to_thread.run_sync(handler, request, form, limiter=state.readers)

    endpoint.__name__ = handler.__name__
    return endpoint


def _conflict(current) -> Response:
    from .store import Conflict

    message = str(Conflict(current, 0))
    return JSONResponse({"message": message, "current": current.as_json()}, status_code=409)


def _attachment(data: bytes, name: str, media_type: str) -> Response:
    quoted = urllib.parse.quote(name)
    fallback = "report" + name[name.rfind("."):] if "." in name else "report"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}",
                             "Cache-Control": "no-store"})


def _routes(prefix: str, resolve: Callable[[Request], Owner], *, submit: bool) -> list[Route]:
    h = Handlers(resolve, remembered=submit)  # a unit's report (the county's own: the admin's session, read each time)
    out = [
        Route(prefix, h.report_page, methods=["GET"]),
        Route(f"{prefix}/data", h.data, methods=["GET"]),
        Route(f"{prefix}/save", h.save, methods=["POST"]),
        Route(f"{prefix}/start", _reading_route(h.start), methods=["POST"]),
        Route(f"{prefix}/history", h.history, methods=["GET"]),
        Route(f"{prefix}/versions/{{n}}", h.version_page, methods=["GET"]),
        Route(f"{prefix}/restore/{{n}}", form_route(h.restore), methods=["POST"]),
        Route(f"{prefix}/preview", h.preview, methods=["GET"]),
        Route(f"{prefix}/download/{{fmt}}", h.download, methods=["GET"]),
        Route(f"{prefix}/proof/{{n}}", h.proof_page, methods=["GET"]),
    ]
    if submit:
        out.append(Route(f"{prefix}/submit", form_route(h.submit), methods=["POST"]))
    return out


routes = _routes("/report", unit_owner, submit=True)
own_routes = _routes("/county/own", county_owner, submit=False)
