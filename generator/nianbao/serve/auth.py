"""Who is asking: sessions, the guards every route calls, CSRF, and the ways in.

* A session is a random cookie (``nianbao_session``: HttpOnly, SameSite=Lax, Secure under HTTPS)
  whose hash the Store keeps with the role ('admin' or 'unit'), the unit and a CSRF token; the
  guards (:func:`unit_session`, :func:`admin_session`) load it once per request and refuse
  anyone else: nobody signed in → 303 to ``/login`` for a page, 401 for a script; signed in
  in the other role → 403.
* Every state-changing request carries the session's CSRF token (the ``X-CSRF-Token`` header of
  the page's scripts, or the forms' hidden ``csrf`` field) and must not come from another
  origin.  The sign-in and setup forms, before any session exists, use a second cookie
  (``nianbao_form``) the form repeats: a page of another site can neither read nor set it.
* A unit comes in by its private link ``/u/<token>`` (the token only ever hashed in the
  database, never in a log); the county's admin by the password set once through the setup
  link the first start prints, with sign-in attempts rate-limited per address by the Store.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .pages import COOKIE, Refusal, address, current, page, store
from .store import ADMIN

if TYPE_CHECKING:
    from .store import SessionInfo

FORM_COOKIE = "nianbao_form"  # the sign-in and setup forms' token, before there is a session
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 would take any length; nobody types more


# -- sessions and guards ----------------------------------------------------------------------------------
def _wants_page(request: Request) -> bool:
    """A browser's page or form (sent to /login) rather than a script's call (told 401)."""
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return True
    if "application/json" in accept or "x-csrf-token" in request.headers or request.headers.get("content-type", "").startswith("application/json"):
        return False
    return request.method == "POST"


def _anonymous(request: Request) -> Refusal:
    if _wants_page(request):
        return Refusal(303, headers={"Location": "/login"})
    return Refusal(401)


def unit_session(request: Request) -> SessionInfo:
    """The unit's session, or the refusal (anonymous: 303 /login or 401; the admin: 403)."""
    session = current(request)
    if session is None:
        raise _anonymous(request)
    if session.role != "unit":
        raise Refusal(403, "这是各单位填写报告的页面；管理员请到“各单位”页面查看。")
    return session


def admin_session(request: Request) -> SessionInfo:
    """The county admin's session, or the refusal (anonymous: 303 /login or 401; a unit: 403)."""
    session = current(request)
    if session is None:
        raise _anonymous(request)
    if not session.is_admin:
        raise Refusal(403, "这是县（区）管理员的页面，本单位无权访问。")
    return session


def same_origin(request: Request) -> bool:
    """The request does not come from a page of another site (Origin, else Sec-Fetch-Site)."""
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    if origin == "null":
        # a form posted from our own page carries Origin: null under our Referrer-Policy: no-referrer
        # (Fetch standard); the browser's Sec-Fetch-Site still says it came from this site
        return request.headers.get("sec-fetch-site") == "same-origin"
    if origin.lower() in getattr(request.app.state, "origins", ()):  # --public-url: a proxy may have rewritten Host
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def check_csrf(request: Request, session: SessionInfo, value: str | None = None) -> None:
    """Refuse (403) a state-changing request without the session's token, or from another origin.
    ``value``: the form's ``csrf`` field; the ``X-CSRF-Token`` header when None."""
    if value is None:
        value = request.headers.get("x-csrf-token")
    if not same_origin(request):
        raise Refusal(403, "请求来自其他网站，已拒绝。")
    if not isinstance(value, str) or not value or not hmac.compare_digest(value.encode(), session.csrf.encode()):
        raise Refusal(403, "页面已过期或请求不完整，操作没有完成。请刷新页面后重试。")


def secure(request: Request) -> bool:
    """Cookies with ``Secure``: the request came by HTTPS (ours, or a trusted proxy's), or the
    site is published at an https:// address (--public-url) or speaks TLS itself."""
    return request.url.scheme == "https" or bool(getattr(request.app.state, "secure", False))


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(COOKIE, value, httponly=True, samesite="lax", secure=secure(request), path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=secure(request), path="/")


def begin(request: Request, role: str, unit_id: int | None, to: str) -> Response:
    """A new session (any earlier one of this browser ended: no session fixation), 303 to ``to``."""
    old = request.cookies.get(COOKIE)
    if old and len(old) < 200:
        store(request).end_session(old)
    value, _ = store(request).new_session(role, unit_id, address(request))
    response = RedirectResponse(to, status_code=303)
    set_session_cookie(request, response, value)
    return response


def form_route(handler: Callable[[Request, FormData], Response]) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint that reads the posted form here and does its work (database, templates) in a
    worker thread, so that one slow request never holds up the others."""

    async def endpoint(request: Request) -> Response:
        async with request.form(max_files=2, max_fields=400) as form:
            return await run_in_threadpool(handler, request, form)

    endpoint.__name__ = handler.__name__
    endpoint.__doc__ = handler.__doc__
    return endpoint


def field(form: FormData, name: str, limit: int = 10_000) -> str:
    """A text field of a form (a file sent in its place, or a missing field: empty)."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


# -- the forms before a session: sign-in and setup ---------------------------------------------------------
def _form_token(request: Request) -> tuple[str, bool]:
    existing = request.cookies.get(FORM_COOKIE)
    if existing and 10 < len(existing) < 100:
        return existing, False
    return secrets.token_urlsafe(24), True


def _pre_page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    token, new = _form_token(request)
    response = page(request, name, {**context, "form_token": token}, status=status)
    if new:
        response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/")
    return response


def _check_form_token(request: Request, form: FormData) -> None:
    cookie = request.cookies.get(FORM_COOKIE, "")
    sent = field(form, "csrf", 200)
    if not same_origin(request):
        raise Refusal(403, "请求来自其他网站，已拒绝。")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Refusal(403, "页面已过期，请刷新登录页面后重新输入。")


def home(request: Request) -> Response:
    """``/``: where the visitor belongs."""
    session = current(request)
    to = "/login" if session is None else "/county" if session.is_admin else "/report"
    return RedirectResponse(to, status_code=303)


def login_page(request: Request) -> Response:
    settings = store(request).settings()
    return _pre_page(request, "login.html", {"admin_set": settings.admin_set, "out": request.query_params.get("out") == "1", "problem": None})


def login(request: Request, form: FormData) -> Response:
    """Sign the admin in; attempts per address are limited (too many: 429 for a while)."""
    _check_form_token(request, form)
    s = store(request)
    where = address(request)
    settings = s.settings()
    attempt = s.reserve_login(where)  # counted before the password is looked at: no burst gets past the limit
    if attempt is None:
        return _pre_page(request, "login.html", {"admin_set": settings.admin_set, "out": False,
                                                 "problem": "密码错误的次数过多，请过一段时间再试。"}, status=429)
    password = field(form, "password", MAX_PASSWORD + 1)
    ok = bool(password) and len(password) <= MAX_PASSWORD and settings.admin_set and s.admin_password_ok(password)
    s.finish_login(attempt, where, ok)
    if not ok:
        problem = "密码不正确，请重新输入。" if settings.admin_set else "管理员密码尚未设置：请使用启动网站时显示的设置链接。"
        return _pre_page(request, "login.html", {"admin_set": settings.admin_set, "out": False, "problem": problem}, status=401)
    return begin(request, ADMIN, None, "/county")


def _setup_closed(request: Request) -> Response:
    return page(request, "error.html", {"title": "链接已失效", "status": 404,
                                        "message": "管理员密码已经设置，这个设置链接不再有效。请直接登录。"}, status=404)


def setup_page(request: Request) -> Response:
    if store(request).settings().admin_set:
        return _setup_closed(request)
    return _pre_page(request, "setup.html", {"problem": None, "min": MIN_PASSWORD})


def setup(request: Request, form: FormData) -> Response:
    """Set the admin's password once, through the one-time link the first start printed."""
    _check_form_token(request, form)
    s = store(request)
    if s.settings().admin_set:
        return _setup_closed(request)
    password, again = field(form, "password", MAX_PASSWORD + 1), field(form, "again", MAX_PASSWORD + 1)
    problem = None
    if len(password) < MIN_PASSWORD:
        problem = f"密码至少要有 {MIN_PASSWORD} 个字符。"
    elif len(password) > MAX_PASSWORD:
        problem = f"密码不能超过 {MAX_PASSWORD} 个字符。"
    elif password != again:
        problem = "两次输入的密码不一致，请重新输入。"
    if problem:
        return _pre_page(request, "setup.html", {"problem": problem, "min": MIN_PASSWORD}, status=400)
    if not s.use_setup_token(request.path_params["token"], password, address(request)):
        return page(request, "error.html", {"title": "链接无效", "status": 404,
                                            "message": "这个设置链接无效或已被替换：请使用最近一次启动网站时显示的链接。"}, status=404)
    return begin(request, ADMIN, None, "/county")


def unit_link(request: Request) -> Response:
    """A unit's private link: a unit session, then its report."""
    unit = store(request).unit_by_token(request.path_params["token"][:200])
    if unit is None:
        return page(request, "error.html", {"title": "链接无效", "status": 404,
                                            "message": "这个链接无效或已停用。请向县（区）政务公开办索取本单位新的专用链接。"}, status=404)
    return begin(request, "unit", unit.id, "/report")


def logout(request: Request, form: FormData) -> Response:
    session = current(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    sent = form.get("csrf")
    check_csrf(request, session, sent if isinstance(sent, str) else None)
    cookie = request.cookies.get(COOKIE, "")
    store(request).end_session(cookie)
    response = RedirectResponse("/login?out=1", status_code=303)
    clear_session_cookie(request, response)
    return response


routes = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_page, methods=["GET"]),
    Route("/login", form_route(login), methods=["POST"]),
    Route("/setup/{token}", setup_page, methods=["GET"]),
    Route("/setup/{token}", form_route(setup), methods=["POST"]),
    Route("/u/{token}", unit_link, methods=["GET"]),
    Route("/logout", form_route(logout), methods=["POST"]),
]
