"""The county admin's pages: the units and their reports, return and approve, produce, aggregate.

Every route here calls :func:`.auth.admin_session` first (anonymous → the login page, a unit →
403), and every POST checks the CSRF token.  The pages work without JavaScript: filters are
links, actions are forms, the progress of a produce run refreshes itself with a ``<meta>``.
What the county computes over many reports is the command line's own code (:mod:`.jobs`).
A unit's private link is shown once — on the page that answers the add or the reissue — and
never stored in a form the browser could keep: only its hash is in the database.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import NianbaoError
from ..findings import Finding
from . import jobs
from .auth import address, admin_session, check_csrf, field, form_route, store
from .pages import CSP_PREVIEW, Refusal, page
from .store import ADMIN, APPROVED, RETURNED, STATUSES, SUBMITTED, Status

MAX_NAMES = 500  # units added at once: a county has tens; a pasted book is a mistake
MAX_NAME = 100  # characters of a unit's name
MAX_COMMENT = 5000
AUDIT_PAGE = 200
VERSIONS_SHOWN = 100  # the newest versions listed on a unit's page (all of them: ?versions=all)


def attachment(name: str) -> str:
    """A Content-Disposition for a Chinese file name (RFC 6266: an ASCII fallback and UTF-8)."""
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def _posted(request: Request, form: FormData) -> None:
    """The admin's session and the form's CSRF token, or the refusal."""
    session = admin_session(request)
    check_csrf(request, session, field(form, "csrf", 200))


def _unit_or_404(request: Request, unit_id: int):
    unit = store(request).unit(unit_id)
    if unit is None or unit.is_county:
        raise Refusal(404, "找不到这个单位。")
    return unit


def base_url(request: Request) -> str:
    """Where units reach the site: the address the server printed for them (a non-loopback
    host), else the one the admin is using."""
    public = request.app.state.public
    host = request.url.hostname or ""
    if public and (host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")):
        return public[0].rstrip("/")
    return str(request.base_url).rstrip("/")


# -- the list --------------------------------------------------------------------------------------------
def overview(request: Request) -> Response:
    """``/county``: the units in list order with status, counts and last change; ``?status=`` filters."""
    admin_session(request)
    s = store(request)
    settings = s.settings()
    rows = s.units(settings.year)
    counts = Counter(row.status for row in rows)
    wanted = request.query_params.get("status")
    shown = [row for row in rows if row.status == wanted] if wanted in STATUSES else rows
    own = s.county_unit()
    own_report = s.report(own.id, settings.year)
    return page(request, "county.html", {"rows": shown, "all": len(rows), "counts": counts, "statuses": STATUSES,
                                         "status": wanted if wanted in STATUSES else None, "settings": settings,
                                         "approved": counts.get(APPROVED, 0), "own": own_report})


# -- one unit's report ---------------------------------------------------------------------------------------
def _places(text: str | None) -> tuple[dict[str, str], list[str], list[Finding]]:
    """(each section's place → its name as the form heads it, every input's official path, the
    findings) of a report text: where a comment may be made, and what ``check`` says of the
    version shown.  One entry a section: a table's section is its table (表二, where the unit's page
    shows the comment), named with its heading — never the heading as a second entry."""
    if not text:
        return {}, [], []
    from ..workflows import editing as editor

    findings = editor.evaluate(text, None)
    try:
        data = editor.form(text)
        from .unit import form_context

        context = form_context(text, readonly=True)
    except NianbaoError:
        return {}, [], findings
    from ..model.standard import SPECS

    spec = SPECS[data["spec"]]
    places: dict[str, str] = {}
    for section in context["sections"]:
        places[section["place"]] = f"{section['heading']}（{section['table_name']}）" if section.get("table_name") else section["heading"]
        if section.get("fees_place"):
            places[section["fees_place"]] = section["fees_place"]
    paths = [f.path for f in editor.fields(spec, data.get("overview_text", False))]
    return places, paths, findings


def _report_page(request: Request, unit_id: int, number: int | None = None, *, problem: str | None = None, status: int = 200,
                 typed: dict[str, str] | None = None) -> Response:
    s = store(request)
    unit = _unit_or_404(request, unit_id)
    year = s.settings().year
    report = s.report(unit.id, year)
    version = s.version(unit.id, year, number) if number is not None else s.latest(unit.id, year)
    if number is not None and version is None:
        raise Refusal(404, "找不到这一版。")
    sections, paths, findings = _places(version.text if version else None)
    comments = s.comments(unit.id, year)
    form = None
    if version is not None and version.text:
        from ..workflows import editing as editor
        from .unit import form_context

        try:
            form = form_context(version.text, findings, comments, readonly=True, comment_url=f"/county/units/{unit.id}?at=")
        except NianbaoError:
            form = None
        shown = editor.findings_json(findings)
    else:
        shown = []
    at = (typed or {}).get("at", request.query_params.get("at", ""))[:300]
    return page(request, "county_unit.html", {
        "unit": unit, "year": year, "report": report, "version": version, "latest": report.latest if report else 0,
        "versions": s.versions(unit.id, year, None if request.query_params.get("versions") == "all" else VERSIONS_SHOWN),
        "comments": comments, "sections": sections, "paths": paths,
        "form": form, "findings": shown, "problem": problem, "max_comment": MAX_COMMENT, "typed": typed or {},
        "at_section": at if at in sections else "", "at_cell": at if at in paths else "",
        "can_return": report is not None and report.status in (SUBMITTED, APPROVED),
        "can_approve": report is not None and report.status == SUBMITTED,
    }, status=status)


def unit_report(request: Request) -> Response:
    """``/county/units/{id}``: the unit's newest version, read-only, with its history and comments."""
    admin_session(request)
    return _report_page(request, request.path_params["unit_id"])


def unit_version(request: Request) -> Response:
    """``/county/units/{id}/versions/{n}``: an earlier version, read-only."""
    admin_session(request)
    return _report_page(request, request.path_params["unit_id"], request.path_params["number"])


def comment(request: Request, form: FormData) -> Response:
    """A comment on the whole report, a section, or a cell (its official path)."""
    _posted(request, form)
    unit_id = request.path_params["unit_id"]
    _unit_or_404(request, unit_id)
    s = store(request)
    year = s.settings().year
    text = field(form, "text", MAX_COMMENT + 1).strip()
    where = field(form, "cell", 300).strip() or field(form, "section", 300).strip() or None
    latest = s.latest(unit_id, year)
    sections, paths, _ = _places(latest.text if latest else None)
    problem = None
    if not text:
        problem = "请写下意见。"
    elif len(text) > MAX_COMMENT:
        problem = f"意见不能超过 {MAX_COMMENT} 个字。"
    elif where is not None and where not in sections and where not in paths:
        problem = f"“{where}”不是这份报告中的栏目或单元格：请从列表中选择。"
    if problem:
        return _report_page(request, unit_id, problem=problem, status=400, typed={"text": text[:MAX_COMMENT], "at": where or ""})
    s.add_comment(unit_id, year, where, text, actor=ADMIN, address=address(request))
    return RedirectResponse(f"/county/units/{unit_id}#comments", status_code=303)


def _move(request: Request, form: FormData, status: Status) -> Response:
    _posted(request, form)
    unit_id = request.path_params["unit_id"]
    _unit_or_404(request, unit_id)
    s = store(request)
    text = field(form, "text", MAX_COMMENT + 1).strip()
    if status == RETURNED and not text:
        return _report_page(request, unit_id, problem="退回时请写明理由（单位将看到这段意见）。", status=400, typed={"return": ""})
    if len(text) > MAX_COMMENT:
        return _report_page(request, unit_id, problem=f"意见不能超过 {MAX_COMMENT} 个字。", status=400)
    report = s.report(unit_id, s.settings().year)
    if report is not None and report.status == status:  # a double click (or the form sent again): done already, nothing twice
        return RedirectResponse(f"/county/units/{unit_id}", status_code=303)
    try:
        s.set_status(unit_id, s.settings().year, status, actor=ADMIN, address=address(request), comment=text or None)
    except NianbaoError as exc:
        return _report_page(request, unit_id, problem=str(exc), status=409)
    return RedirectResponse(f"/county/units/{unit_id}", status_code=303)


def return_report(request: Request, form: FormData) -> Response:
    """Return the report to the unit, with the reasons (required)."""
    return _move(request, form, RETURNED)


def approve(request: Request, form: FormData) -> Response:
    """Approve the submitted report (an optional comment)."""
    return _move(request, form, APPROVED)


# -- the units -------------------------------------------------------------------------------------------------
def _units_page(request: Request, *, links: list[tuple[str, str]] | None = None, said: list[str] | None = None,
                problem: str | None = None, status: int = 200) -> Response:
    s = store(request)
    rows = s.units(s.settings().year)
    return page(request, "county_units.html", {"rows": rows, "links": links or [], "said": said or [], "problem": problem,
                                               "max_names": MAX_NAMES}, status=status)


def units_page(request: Request) -> Response:
    """``/county/units``: add, rename, revoke, reissue."""
    admin_session(request)
    return _units_page(request)


def add_units(request: Request, form: FormData) -> Response:
    """Add the units of a textarea, one a line; each new unit's link is shown here, once."""
    _posted(request, form)
    names = [line.strip() for line in field(form, "names", 200_000).splitlines() if line.strip()]
    if not names:
        return _units_page(request, problem="请填写单位名称，每行一个。", status=400)
    if len(names) > MAX_NAMES:
        return _units_page(request, problem=f"一次最多添加 {MAX_NAMES} 个单位。", status=400)
    long = [n for n in names if len(n) > MAX_NAME]
    if long:
        return _units_page(request, problem=f"单位名称不能超过 {MAX_NAME} 个字：{long[0][:MAX_NAME]}…", status=400)
    try:
        added = store(request).add_units(names, ADMIN, address(request))
    except NianbaoError as exc:  # a name the Store refuses (a control character, 管理员…): said, nothing added
        return _units_page(request, problem=str(exc), status=400)
    base = base_url(request)
    links = [(unit.name, f"{base}/u/{token}") for unit, token in added if token]
    said = [f"“{unit.name}”已在名单中，链接不变（如需新链接，请点“重新生成链接”）。" for unit, token in added if not token]
    return _units_page(request, links=links, said=said)


def rename(request: Request, form: FormData) -> Response:
    _posted(request, form)
    unit = _unit_or_404(request, request.path_params["unit_id"])
    name = field(form, "name", MAX_NAME + 1).strip()
    if not name or len(name) > MAX_NAME:
        return _units_page(request, problem=f"单位名称不能为空，也不能超过 {MAX_NAME} 个字。", status=400)
    try:
        store(request).rename_unit(unit.id, name, ADMIN, address(request))
    except NianbaoError as exc:
        return _units_page(request, problem=str(exc), status=409)
    return RedirectResponse("/county/units", status_code=303)


def revoke(request: Request, form: FormData) -> Response:
    """The unit's link stops working at once; whoever is in through it is logged out."""
    _posted(request, form)
    unit = _unit_or_404(request, request.path_params["unit_id"])
    store(request).revoke(unit.id, ADMIN, address(request))
    store(request).end_unit_sessions(unit.id)
    return _units_page(request, said=[f"“{unit.name}”的链接已停用。需要时可重新生成链接。"])


def reissue(request: Request, form: FormData) -> Response:
    """A new link for the unit (shown here, once); the old one stops working."""
    _posted(request, form)
    unit = _unit_or_404(request, request.path_params["unit_id"])
    token = store(request).reissue(unit.id, ADMIN, address(request))
    store(request).end_unit_sessions(unit.id)
    return _units_page(request, links=[(unit.name, f"{base_url(request)}/u/{token}")],
                       said=[f"“{unit.name}”的旧链接已停用，请把新链接发给该单位。"])


# -- settings --------------------------------------------------------------------------------------------------
def settings_page(request: Request) -> Response:
    admin_session(request)
    return page(request, "county_settings.html", {"settings": store(request).settings(), "problem": None})


def settings(request: Request, form: FormData) -> Response:
    """The county's name (its own report's unit) and the year being collected."""
    _posted(request, form)
    s = store(request)
    name = field(form, "county_name", MAX_NAME + 1).strip()
    year_text = field(form, "year", 10).strip()
    problem = None
    if len(name) > MAX_NAME:
        problem = f"名称不能超过 {MAX_NAME} 个字。"
    elif not year_text.isascii() or not year_text.isdigit():
        problem = "年度请写四位数的年份，例如 2025。"
    if problem is None:
        try:
            current = s.settings()
            if name != current.county_name:
                s.set_county_name(name, actor=ADMIN, address=address(request))
            if int(year_text) != current.year:
                s.set_year(int(year_text), actor=ADMIN, address=address(request))
        except NianbaoError as exc:
            problem = str(exc)
    if problem:
        return page(request, "county_settings.html", {"settings": s.settings(), "problem": problem}, status=400)
    return RedirectResponse("/county", status_code=303)


# -- many reports: the worklist, produce, aggregate, export ------------------------------------------------------
def summary(request: Request) -> Response:
    """汇总.xlsx over every unit's newest version, as ``nianbao batch`` builds it."""
    admin_session(request)
    s = store(request)
    year = s.settings().year
    data = jobs.summary(s, year)
    s.audit(ADMIN, address(request), "下载汇总表", f"{year}年")
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": attachment(jobs.SUMMARY)})  # 汇总.xlsx, as the README and nianbao batch name it


def _awaited(request: Request, job_id: int, title: str, status: int):
    """(the finished job, None) once ``job_id`` has ended well within :data:`jobs.WAIT`, else (None,
    a response): the job's progress page while it still runs, an error page saying why it failed."""
    found = jobs.wait(store(request), job_id)
    if found is not None and found.state == "done":
        return found, None
    if found is not None and found.state == "running":
        return None, RedirectResponse(f"/county/jobs/{found.id}", status_code=303)
    message = found.message if found is not None else "找不到这个任务。"
    return None, page(request, "error.html", {"title": title, "message": message, "status": status}, status=status)


def _overview_job(request: Request):
    """The finished overview job of this year's reports as they stand (made now, in the
    background, if they changed since the last one; waited for a little), or a response
    (:func:`_awaited`).  A finished one whose result a newer overview has just replaced is
    asked for again."""
    s = store(request)
    for _ in range(2):
        found, otherwise = _awaited(request, jobs.start_overview(s, s.settings().year, actor=ADMIN, address=address(request)),
                                    "无法生成各单位对比", 500)
        if found is None or found.result:
            return found, otherwise
    return None, page(request, "error.html", {"title": "无法生成各单位对比", "message": "各单位的报告正在不断变化，请稍后再打开。", "status": 503},
                      status=503)


def units_overview(request: Request) -> Response:
    """``/county/overview``: the units side by side with charts — what ``nianbao overview`` writes
    for every unit's newest report against last year's on the site.  The page is standalone (its
    CSS inside, no script), so it is served with the preview's policy: its own styles, no script."""
    admin_session(request)
    found, otherwise = _overview_job(request)
    if found is None:
        return otherwise
    return Response(jobs.overview_part(found, "html"), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": CSP_PREVIEW, "Cache-Control": "no-store"})


def units_overview_xlsx(request: Request) -> Response:
    """The overview's workbook (native Excel charts, conditional formatting), as ``-o 对比.xlsx``."""
    admin_session(request)
    found, otherwise = _overview_job(request)
    if found is None:
        return otherwise
    s = store(request)
    year = s.settings().year
    s.audit(ADMIN, address(request), "下载各单位对比表", f"{year}年")
    return Response(jobs.overview_part(found, "xlsx"), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": attachment(f"{year}年度各单位对比.xlsx")})


def unit_compare(request: Request) -> Response:
    """``/county/units/{id}/compare``: the unit's two years side by side, as ``nianbao compare``
    writes it (the overview links each unit compared with last year here).  Standalone, as the
    overview page: served with the preview's policy."""
    admin_session(request)
    s = store(request)
    unit = _unit_or_404(request, request.path_params["unit_id"])
    year = s.settings().year
    data = jobs.pair(s, unit, year)
    if data is None:
        raise Refusal(404, f"“{unit.name}”在网站上没有{year - 1}年度和{year}年度两份可以读取的报告，无法比对。")
    return Response(data, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": CSP_PREVIEW, "Cache-Control": "no-store"})


def produce(request: Request, form: FormData) -> Response:
    """Render every approved report in the background; the job's page follows it.  While a run
    is still rendering, on this worker or another, a second click goes to that run's page
    (rendering thirty reports twice at once, PDFs included, would only make both slow)."""
    _posted(request, form)
    s = store(request)
    try:
        job = jobs.start_produce(s, s.settings().year, actor=ADMIN, address=address(request), targets=request.app.state.produce_targets)
    except jobs.CountyError as exc:
        return page(request, "error.html", {"title": "无法生成", "message": str(exc), "status": 409}, status=409)
    return RedirectResponse(f"/county/jobs/{job}", status_code=303)


INTERRUPTED = jobs.INTERRUPTED
JOB_PAGES = {jobs.OVERVIEW: "/county/overview", jobs.AGGREGATE: "/county/own"}  # where a finished job of the kind is seen


def _job_or_404(request: Request):
    """The job; one whose worker is gone (killed, or the site stopped while it ran) is said to
    have failed (:func:`jobs.fail_cut_off`), not left refreshing forever."""
    s = store(request)
    job = s.job(request.path_params["job_id"])
    if job is None:
        raise Refusal(404, "找不到这个任务。")
    if job.state == "running":
        jobs.fail_cut_off(s, request.app.state.started_at)
        job = s.job(job.id)
    return job


def job(request: Request) -> Response:
    """The job's progress: a page (refreshing itself while running) for a browser, JSON otherwise."""
    admin_session(request)
    found = _job_or_404(request)
    state = {"id": found.id, "kind": found.kind, "state": found.state, "done": found.done, "total": found.total, "message": found.message,
             "download": f"/county/jobs/{found.id}/download" if found.kind == jobs.PRODUCE and found.state == "done" and found.result else None}
    if found.kind in JOB_PAGES:
        state["next"] = JOB_PAGES[found.kind] if found.state == "done" else None
    if "text/html" not in request.headers.get("accept", ""):
        return JSONResponse(state, headers={"Vary": "Accept"})
    return page(request, "county_job.html", {"job": found, "state": state}, headers={"Vary": "Accept"})


def job_download(request: Request) -> Response:
    admin_session(request)
    found = _job_or_404(request)
    if found.kind != jobs.PRODUCE:
        raise Refusal(404, "这个任务没有可下载的文件。")
    if found.state != "done" or not found.result:
        raise Refusal(409, "任务还没有完成，暂时没有可下载的文件。")
    year = store(request).settings().year
    store(request).audit(ADMIN, address(request), "下载生成的文件", f"任务{found.id}")
    return Response(found.result, media_type="application/zip", headers={"Content-Disposition": attachment(f"{year}年度报告-生成结果.zip")})


def aggregate(request: Request, form: FormData) -> Response:
    """The county's own report: the sum of the approved reports (a background job, waited for a
    little), then edited at ``/county/own``."""
    _posted(request, form)
    s = store(request)
    try:
        job_id = jobs.start_aggregate(s, s.settings().year, actor=ADMIN, address=address(request))
    except NianbaoError as exc:
        return page(request, "error.html", {"title": "无法汇总", "message": str(exc), "status": 409}, status=409)
    _, otherwise = _awaited(request, job_id, "无法汇总", 409)
    return otherwise or RedirectResponse("/county/own", status_code=303)


def audit(request: Request) -> Response:
    """``/county/audit``: every change, newest first, a page of 200 at a time (``?page=2``)."""
    admin_session(request)
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    rows = store(request).audit_log(AUDIT_PAGE + 1, (number - 1) * AUDIT_PAGE)
    return page(request, "county_audit.html", {"rows": rows[:AUDIT_PAGE], "page": number, "more": len(rows) > AUDIT_PAGE})


def export(request: Request) -> Response:
    """What ``nianbao export`` writes (every unit's newest report file and 汇总.xlsx), as one zip,
    written to a private temporary folder and sent from there (the database's copy in it may be
    gigabytes: never held in memory); the folder is removed once sent, or if the export fails."""
    admin_session(request)
    from . import export as exporting

    s = store(request)
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-export-"))
    try:
        exporting.run(None, db=s.url, out=tmp / "export", echo=lambda *args, **kwargs: None)
        jobs.zip_into(tmp / "export", tmp / "export.zip")
        s.audit(ADMIN, address(request), "导出全部报告", "")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return FileResponse(tmp / "export.zip", media_type="application/zip", headers={"Content-Disposition": attachment(f"年报网站导出-{s.settings().year}.zip")},
                        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True))


routes = [
    Route("/county", overview, methods=["GET"]),
    Route("/county/units", units_page, methods=["GET"]),
    Route("/county/units", form_route(add_units), methods=["POST"]),
    Route("/county/units/{unit_id:id}", unit_report, methods=["GET"]),
    Route("/county/units/{unit_id:id}/versions/{number:id}", unit_version, methods=["GET"]),
    Route("/county/units/{unit_id:id}/compare", unit_compare, methods=["GET"]),
    Route("/county/units/{unit_id:id}/comment", form_route(comment), methods=["POST"]),
    Route("/county/units/{unit_id:id}/return", form_route(return_report), methods=["POST"]),
    Route("/county/units/{unit_id:id}/approve", form_route(approve), methods=["POST"]),
    Route("/county/units/{unit_id:id}/rename", form_route(rename), methods=["POST"]),
    Route("/county/units/{unit_id:id}/revoke", form_route(revoke), methods=["POST"]),
    Route("/county/units/{unit_id:id}/reissue", form_route(reissue), methods=["POST"]),
    Route("/county/settings", settings_page, methods=["GET"]),
    Route("/county/settings", form_route(settings), methods=["POST"]),
    Route("/county/summary.xlsx", summary, methods=["GET"]),
    Route("/county/overview", units_overview, methods=["GET"]),
    Route("/county/overview.xlsx", units_overview_xlsx, methods=["GET"]),
    Route("/county/produce", form_route(produce), methods=["POST"]),
    Route("/county/jobs/{job_id:id}", job, methods=["GET"]),
    Route("/county/jobs/{job_id:id}/download", job_download, methods=["GET"]),
    Route("/county/aggregate", form_route(aggregate), methods=["POST"]),
    Route("/county/audit", audit, methods=["GET"]),
    Route("/county/export", export, methods=["GET"]),
]
