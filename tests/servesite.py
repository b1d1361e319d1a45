"""A site for the HTTP tests: a Store on a temporary SQLite file (or a PostgreSQL database), the
app over it, and signed-in clients — anonymous, the county's admin, units A and B — each with its
own cookie jar, exactly as three browsers would be."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from conftest import EXAMPLE_2023

with warnings.catch_warnings():  # starlette 1.x prefers "httpx2" for its test client; httpx (the test extra's) works the same
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from nianbao.serve.app import create_app
from nianbao.serve.store import Store

PASSWORD = "county-password-1"
YEAR = 2023  # the year of examples/2023-青山镇.yaml
UNIT_A, UNIT_B, UNIT_C = "青山镇人民政府", "绿水乡人民政府", "白河乡人民政府"
HTML = {"accept": "text/html"}


def report_text(name: str, bump: int = 0) -> str:
    """The 2023 example as ``name``'s report; ``bump`` makes its figures differ (a different
    unit's report, not a copy the county rules would flag)."""
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(  name: )\S+", lambda m: m.group(1) + name, text, count=1)
    return text.replace("normative_documents: [1, 0, 6]", f"normative_documents: [{1 + bump}, 0, {6 + bump}]", 1)


@dataclass
class Site:
    store: Store
    units: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.app = create_app(self.store)
        self.app.state.produce_targets = ("docx", "txt")

    def client(self, **kw) -> TestClient:
        return TestClient(self.app, follow_redirects=False, **kw)

    def csrf(self, client: TestClient) -> str:
        session = self.store.session(client.cookies.get("nianbao_session", ""))
        assert session is not None
        return session.csrf

    def setup_admin(self) -> TestClient:
        """The first admin, through the one-time setup link, as the county would."""
        token = self.store.setup_token()
        assert token
        client = self.client()
        form_token = form_cookie(client, f"/setup/{token}")
        response = client.post(f"/setup/{token}", data={"csrf": form_token, "password": PASSWORD, "again": PASSWORD})
        assert response.status_code == 303 and response.headers["location"] == "/county"
        return client

    def login(self) -> TestClient:
        client = self.client()
        response = client.post("/login", data={"csrf": form_cookie(client, "/login"), "password": PASSWORD})
        assert response.status_code == 303, response.text
        return client

    def add(self, *names: str) -> None:
        for unit, token in self.store.add_units(list(names), "admin", "test"):
            assert token
            self.units[unit.name], self.tokens[unit.name] = unit.id, token

    def unit_client(self, name: str) -> TestClient:
        client = self.client()
        response = client.get(f"/u/{self.tokens[name]}")
        assert response.status_code == 303 and response.headers["location"] == "/report"
        return client

    def submit(self, name: str, bump: int = 0) -> None:
        """The unit saved its report and submitted it (what its own page does, through the Store)."""
        unit = self.units[name]
        latest = self.store.latest(unit, YEAR)
        self.store.save(unit, YEAR, report_text(name, bump), base=latest.number if latest else 0, author=name, address="test",
                        summary=[], errors=0, warnings=0)
        self.store.set_status(unit, YEAR, "已提交", actor=name, address="test")


def form_cookie(client: TestClient, path: str) -> str:
    """GET the sign-in or setup page and return its form token (the hidden field the cookie repeats)."""
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)
    assert client.cookies.get("nianbao_form") == token
    return token


def make_site(store: Store) -> Site:
    site = Site(store)
    store.set_year(YEAR)
    site.add(UNIT_A, UNIT_B, UNIT_C)
    return site
