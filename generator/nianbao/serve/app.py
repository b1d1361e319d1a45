"""The web application: one Starlette app, its guard around every request, its pages' templates.

Why it is built this way:

* One ASGI wrapper (:class:`Guard`) sits OUTSIDE Starlette's own error middleware, so that every
  response — a page, a static file, a 404, the 500 page of a bug — carries the same security
  headers (a Content-Security-Policy without inline script, nosniff, no framing, no referrer),
  and an exception never reaches uvicorn (whose log would print it with its traceback).
* The request body is capped while it is read, not after: a 2 GB upload is refused at the first
  chunk past the cap (Content-Length past the cap: before reading anything).
* uvicorn's access log is off (a unit's private link ``/u/<token>`` would be in it); the guard
  writes its own line per request with ``/u/…`` and ``/setup/…`` redacted and no query string.
* Every error a user sees is a page in Chinese (or ``{"message": …}`` for the page's scripts),
  never a traceback and never the text of an exception.
* Pages are rendered by one Jinja2 environment with autoescape ON (:mod:`.pages`, which the route
  modules share, so that none of them imports this module), loading ``templates/serve/`` from
  where :mod:`nianbao.render.resources` finds the package's templates (a wheel or a checkout).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .pages import CSP, Refusal, internal_error, log, templates

if TYPE_CHECKING:
    from .store import Store

STATIC = Path(__file__).with_name("static")  # inside the package: shipped in the wheel
UPLOAD_LIMIT = 20 * 1024 * 1024  # a published PDF of a report is a few MB; a workbook far less
FORM_SLACK = 256 * 1024  # the other fields of an upload form and the multipart boundaries
BODY_LIMIT = 2 * 1024 * 1024  # JSON and plain forms: a whole report's values are ~50 KB

MESSAGES = {
    400: "请求有误，无法处理。请返回上一页重试。",
    401: "请先登录。各单位请使用县（区）发给本单位的专用链接打开。",
    403: "没有权限访问这个页面，或页面已过期（请返回上一页，刷新后重试）。",
    404: "找不到这个页面，或链接已失效。",
    405: "不能这样访问这个页面。请从网站中的链接或按钮进入。",
    409: "内容已被他人修改，请刷新后重试。",
    413: "上传的内容太大：文件不能超过 20 MB，其他内容不能超过 2 MB。",
    423: "报告已提交或已通过，不能再修改。",
    429: "尝试次数过多，请稍后再试。",
    503: "网站暂时无法完成这次操作，请稍后再试。",
    500: "网站内部出了问题，这次操作没有完成。请稍后重试；如果一再出现，请告诉县（区）政务公开办。",
}
TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "找不到页面", 405: "无法访问", 409: "内容已被修改",
          413: "内容太大", 423: "不能修改", 429: "请稍后再试", 500: "出错了", 503: "请稍后再试"}

_SECRET_PATH = re.compile(r"(?i)(/(?:u|setup)/+)[^/?]*")
# a segment that looks like a token (``secrets.token_urlsafe``: 43 characters of [A-Za-z0-9_-]) wherever
# it is: a link pasted with a doubled slash (``//u/…``), a dot segment (``/x/../u/…``) or a wrong
# letter case reaches no route, yet its 404 line must not carry the token either
_TOKEN_LIKE = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=/|$)")


def redacted(path: str) -> str:
    """A request path as a log may show it: a private link's token replaced by ``…``, wherever in
    the path it is and whatever route (if any) the path reaches."""
    return _TOKEN_LIKE.sub("…", _SECRET_PATH.sub(lambda m: f"{m.group(1)}…", path))


class TooLarge(HTTPException):
    """The request body passed its cap while being read."""

    def __init__(self) -> None:
        super().__init__(413)


def body_limit(scope: Scope) -> int:
    """How many bytes a request may send: an upload form more than JSON or a plain form."""
    for name, value in scope.get("headers", []):
        if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
            return UPLOAD_LIMIT + FORM_SLACK
    return BODY_LIMIT


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _wants_json(scope: Scope) -> bool:
    """A script's request (answered with ``{"message": …}``) rather than a page's."""
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept", b"").decode("latin-1")
    if "text/html" in accept:
        return False
    return ("application/json" in accept or b"x-csrf-token" in headers
            or headers.get(b"content-type", b"").startswith(b"application/json") or scope.get("path", "").endswith("/data"))


def host_name(scope: Scope) -> str:
    """The name the browser asked for (the Host header without its port), lower case."""
    host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(scope: Scope) -> bool:
    """A site listening on loopback answers only to loopback names: a page of another site whose
    name was re-pointed at 127.0.0.1 (DNS rebinding) reaches nothing, not even the sign-in form.
    ``app.state.hosts`` None (another --host, the tests): any name."""
    app = scope.get("app")
    allowed = getattr(getattr(app, "state", None), "hosts", None)
    return not allowed or host_name(scope) in allowed


HSTS = b"max-age=31536000"  # a year; no includeSubDomains: a county's other sites may still be plain HTTP


def security_headers(path: str, https: bool = False) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (the CSP only where a route set none of its own);
    over HTTPS also HSTS, so that the browser never again tries the site in clear."""
    cache_control = b"no-cache" if path.startswith("/static/") else b"no-store"
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cache-control", cache_control),
        *([(b"strict-transport-security", HSTS)] if https else []),
    ]


class Guard:
    """The outermost layer: security headers on every response, the body cap, the redacted
    request log, and the last line of defence (an exception becomes the Chinese 500 page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path = scope.get("path", "")
        status = 0
        limit = body_limit(scope)
        length = _content_length(scope)
        read = 0

        async def capped_receive() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise TooLarge()
            return message

        async def headed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in security_headers(path, scope.get("scheme") == "https") if k not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if not host_allowed(scope):
                await error_response(scope, 400, "请用启动网站时显示的地址打开（例如 http://127.0.0.1:端口/login）。")(scope, receive, headed_send)
            elif length is not None and length > limit:
                await error_response(scope, 413)(scope, receive, headed_send)
            else:
                await self.app(scope, capped_receive, headed_send)
        except ClientDisconnect:  # the browser went away mid-request: nothing to answer, nothing wrong here
            log.info("%s %s：浏览器在请求完成前断开", scope.get("method"), redacted(path))
        except Exception as exc:  # noqa: BLE001 - the last line of defence: the user gets the Chinese page
            internal_error(f"处理 {scope.get('method')} {redacted(path)} 时", exc)
            if not status:
                await error_response(scope, 500)(scope, receive, headed_send)
        finally:
            client = scope.get("client")
            log.info("%s %s %s %s %.0f ms", client[0] if client else "-", scope.get("method"), redacted(path), status or "-",
                     (time.perf_counter() - started) * 1000)


def error_response(scope: Scope, status: int, message: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    """The Chinese error of ``status``: a page, or JSON for a script."""
    text = message or MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if _wants_json(scope):
        return JSONResponse({"message": text}, status_code=status, headers=headers)
    html = templates().get_template("error.html").render(title=TITLES.get(status, "出错了"), message=text, status=status, csrf=None, who=None)
    return HTMLResponse(html, status_code=status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if 300 <= exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    message = exc.message if isinstance(exc, Refusal) else None
    return error_response(request.scope, exc.status_code, message, exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(request.scope, 500)


async def _unavailable(request: Request, exc: Exception) -> Response:
    """The database failed under a request (a full disk, busy past its timeout, the server gone):
    nothing of it was done; the page says so in the Store's words (503: try again later)."""
    return error_response(request.scope, 503, str(exc))


class Site(Starlette):
    """Starlette with :class:`Guard` outside its error middleware (so the 500 page is guarded too)."""

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(super().build_middleware_stack())


# -- the application ----------------------------------------------------------------------------------------
def _unit_routes() -> list[BaseRoute]:
    """The unit's routes (and the county's own report, edited the same way), from :mod:`.unit`."""
    try:
        from . import unit
    except ModuleNotFoundError as exc:  # the editor's module not there yet (a checkout in progress)
        if exc.name != f"{__package__}.unit":
            raise
        return []
    return [*getattr(unit, "routes", []), *getattr(unit, "own_routes", [])]


def _no_icon(request: Request) -> Response:
    """Browsers ask every page for /favicon.ico: an empty answer, not a 404 in the log each time."""
    return Response(status_code=204)


def create_app(store: Store, *, site: Path | None = None) -> Starlette:
    """The site over ``store``: the unit's routes, the county's, sign-in, static files."""
    from . import auth, county

    # the unit's routes first: a save, by far the most frequent request, is matched third, not after forty others
    # (no path of one list is a path of another, so the order decides nothing else)
    routes: list[BaseRoute] = [*_unit_routes(), *auth.routes, *county.routes, Route("/favicon.ico", _no_icon, methods=["GET"]),
                               Mount("/static", app=StaticFiles(directory=STATIC), name="static")]
    from .store import DatabaseUnavailable

    app = Site(routes=routes, exception_handlers={HTTPException: _http_error, DatabaseUnavailable: _unavailable, Exception: _server_error})
    app.state.store = store
    app.state.site = site
    app.state.public = []  # the addresses units reach the site at (set by server.run for a non-loopback host)
    app.state.hosts = None  # the Host names answered (server.run: the loopback names on a loopback host; None = any)
    app.state.origins = frozenset()  # origins accepted besides the request's own Host (server.run: --public-url's)
    app.state.secure = False  # cookies Secure whatever the request's scheme (server.run: --public-url https://…, --cert)
    app.state.started_at = dt.datetime.now(dt.timezone.utc)  # this run of the site (server.run: the first worker's start for all)
    app.state.produce_targets = None  # produce's formats: None = batch's (DOCX, TXT) and PDF where LibreOffice is
    return app
