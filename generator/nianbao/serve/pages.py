"""What every page and route of the site shares, below the routes and the application: the
request's session (loaded once, from the cookie, through the Store), the refusal every guard
raises, the security policy, the pages' templates and :func:`page`.

It sits under :mod:`.auth`, :mod:`.unit`, :mod:`.county` and :mod:`.jobs`, which all use it,
and under :mod:`.app`, which mounts their routes — so that no route module needs the
application module and the application needs none of them back (no import circle).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
from starlette.convertors import IntegerConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

if TYPE_CHECKING:
    from .store import SessionInfo, Store

log = logging.getLogger("nianbao.serve")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The published page's preview keeps its own <style> (what the CLI writes, byte for byte): the one
# route that serves it sets this policy itself; scripts stay forbidden there too.
CSP_PREVIEW = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
COOKIE = "nianbao_session"
_UNLOADED = object()


class IdConvertor(IntegerConvertor):
    """A record id in a path (``/county/units/{unit_id:id}``): at most 9 digits, so that a number
    no database column holds is an unknown page (404), not an overflow in the driver."""

    regex = "[0-9]{1,9}"


register_url_convertor("id", IdConvertor())  # before any route module builds its routes


def store(request: Request) -> Store:
    return request.app.state.store


def address(request: Request) -> str:
    """The client's address as the audit log records it (what the connection says, no header trusted)."""
    return request.client.host if request.client else "-"


def current(request: Request, *, cached: bool = False) -> SessionInfo | None:
    """The request's session (loaded once, then kept on the request); None when anonymous, expired,
    or a unit's whose link was revoked since.  ``cached``: as this process last read it (a save,
    whose transaction checks it again: :class:`.store.Expect`)."""
    if getattr(request.state, "session", _UNLOADED) is not _UNLOADED:
        return request.state.session
    found = None
    cookie = request.cookies.get(COOKIE)
    if cookie and len(cookie) < 200:
        found = store(request).session(cookie, cached=cached)
        if found is not None and found.role == "unit":
            unit = found.unit  # read with the session, in its transaction
            if unit is None or unit.revoked:
                found = None
            else:
                request.state.unit = unit
    request.state.session = found
    return found


def who(request: Request, session: SessionInfo | None) -> str | None:
    """The name shown in the page's header: 管理员, or the unit's name."""
    if session is None:
        return None
    if session.is_admin:
        return "管理员"
    unit = getattr(request.state, "unit", None)
    return unit.name if unit is not None else None


class Refusal(HTTPException):
    """An HTTP refusal with a Chinese message of our own (shown as it is: written by us, never
    an exception's text)."""

    def __init__(self, status: int, message: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail=message or "", headers=headers)
        self.message = message


def internal_error(what: str, exc: BaseException) -> None:
    """A bug, said on the server's console in one Chinese line; the traceback only with ``--debug``
    (as the command line does: no traceback reaches a clerk, the admin at the console included)."""
    log.error("%s出现内部错误（%s）；请加 --debug 重新启动网站以查看详情，并告诉维护者", what, type(exc).__name__)
    log.debug("详情", exc_info=exc)


def local_time(value: dt.datetime | None) -> str:
    """A stored (UTC) time as the county office reads it: this machine's local time, to the minute."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


@cache
def templates() -> jinja2.Environment:
    """The pages' environment: ``templates/serve/`` (names like ``base.html``; ``serve/…`` works too),
    autoescape on for every template (a unit's name or a comment is shown, never run).  Templates
    are read once (Jinja's auto_reload stats each one's file at every page): edited templates are
    picked up at the next start, or at once with ``--debug``."""
    from ..render.resources import templates_dir
    from .store import ADMIN

    root = templates_dir()
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(root / "serve")), jinja2.FileSystemLoader(str(root))]),
        autoescape=True,
        auto_reload=log.isEnabledFor(logging.DEBUG),  # a template's file looked at again on every page only under --debug
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = local_time
    env.globals["ADMIN"] = ADMIN  # the county's admin as an author or actor: pages name it, never show the word
    return env


def page(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200,
         headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page from ``templates/serve/name`` with what every page needs: the session's CSRF token
    (the forms' hidden field and the scripts' meta tag) and who is signed in."""
    session = current(request)
    values: dict[str, Any] = {"request": request, "csrf": session.csrf if session else None, "who": who(request, session),
                              "admin": bool(session and session.is_admin)}
    values.update(context or {})
    return HTMLResponse(templates().get_template(name).render(values), status_code=status, headers=headers)
