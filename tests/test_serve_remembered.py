"""A unit's save is one transaction, made from what its process remembers (its session, the
version it saved last, last year's report) — and that memory is never trusted as it is: two
processes on one database (two Stores, two apps, as ``--workers 2``) each remember their own,
and whatever the other changed meanwhile is refused or read again, never written over."""

from __future__ import annotations

import dataclasses

import pytest
import test_serve_workers
from servesite import UNIT_A, YEAR, Site, make_site, report_text

from nianbao.serve.store import Store
from nianbao.workflows import editing as editor

CELL = "proactive.licensing"


store_url = test_serve_workers.store_url  # the same two databases: SQLite, and PostgreSQL where NIANBAO_TEST_PG says


@pytest.fixture
def two(store_url):
    """Two workers' Stores and apps on one database; the first made the site."""
    first, second = Store(store_url), Store(store_url)
    site = make_site(first)
    other = Site(second, units=site.units, tokens=site.tokens)
    first.save(site.units[UNIT_A], YEAR, report_text(UNIT_A), base=0, author=UNIT_A, address="test", summary=[], errors=0, warnings=0)
    yield site, other
    second.close()
    first.close()


def _save(site: Site, client, base: int, value: int):
    return client.post("/report/save", json={"base": base, "values": {CELL: str(value)}}, headers={"X-CSRF-Token": site.csrf(client)})


def _value(text: str) -> str:
    return editor.read(text).values[CELL]


def _stored(site: Site) -> str:
    return site.store.latest(site.units[UNIT_A], YEAR).text


def test_a_save_on_the_other_worker_is_neither_overwritten_nor_missed(two):
    a, b = two
    on_a = a.unit_client(UNIT_A)
    on_b = b.client(cookies={"nianbao_session": on_a.cookies.get("nianbao_session")})
    assert _save(a, on_a, 1, 31).json()["version"] == 2  # a remembers version 2
    assert _save(b, on_b, 2, 32).json()["version"] == 3  # saved by the other worker
    stale = _save(a, on_a, 2, 33)  # a page still on version 2, on the worker that remembers it
    assert stale.status_code == 409 and stale.json()["current"]["number"] == 3
    assert _value(_stored(a)) == "32"
    made = _save(a, on_a, 3, 34)  # the page refreshed: a reads version 3, does not start from its 2
    assert made.status_code == 200 and made.json()["version"] == 4
    assert _stored(a) == _stored(b) and _value(_stored(a)) == "34"


def test_a_remembered_base_whose_text_is_not_the_stored_one_is_read_again(two):
    a, _ = two
    client = a.unit_client(UNIT_A)
    assert _save(a, client, 1, 41).status_code == 200
    unit = a.units[UNIT_A]
    start = a.store.starting_point(unit, cached=True)
    assert start.latest is not None and start.latest.number == 2
    wrong = dataclasses.replace(start.latest, text=editor.apply(start.latest.text, {"proactive.penalties": "99"}))
    a.store._starts[unit] = dataclasses.replace(start, latest=wrong)  # as if the database were restored under this process
    true = a.store.version(unit, YEAR, 2).text
    made = _save(a, client, 2, 42)
    assert made.status_code == 200 and made.json()["version"] == 3
    assert _stored(a) == editor.apply(true, {CELL: "42"})  # made on the stored text, not on the remembered one


@pytest.mark.parametrize("behind", [False, True])
def test_a_session_ended_on_the_other_worker_saves_nothing(two, behind):
    a, b = two
    on_a = a.unit_client(UNIT_A)
    csrf = a.csrf(on_a)
    assert _save(a, on_a, 1, 51).status_code == 200  # a remembers the session and version 2
    base = 2
    if behind:  # the other worker saved since: a reads where the save starts from, yet with the session it remembers
        on_b = b.client(cookies={"nianbao_session": on_a.cookies.get("nianbao_session")})
        assert _save(b, on_b, 2, 52).json()["version"] == 3
        base = 3
    b.store.end_unit_sessions(a.units[UNIT_A])  # the county revoked the link on the other worker
    refused = on_a.post("/report/save", json={"base": base, "values": {CELL: "53"}}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 401
    assert a.store.latest(a.units[UNIT_A], YEAR).number == base
