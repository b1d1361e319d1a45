"""Properties over generated reports of both versions: consistent ones check clean, and
any single changed cell of table 三 is caught by some rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import SETTINGS, published, reports

from nianbao.check.rules import check
from nianbao.findings import ERROR
from nianbao.model.standard import SPECS, Spec
from nianbao.read.load import load_text
from nianbao.render.reportfile import dump


def errors_of(data: dict, spec: Spec) -> list:
    loaded = load_text(dump(spec, data), today=dt.date(2030, 1, 1))
    assert loaded.report is not None, loaded.findings
    return [f for f in loaded.findings + check(loaded.report) if f.level == ERROR]


def rows_of(applications: dict, prefix=()):
    for key, value in applications.items():
        if isinstance(value, dict):
            yield from rows_of(value, prefix + (key,))
        else:
            yield prefix + (key,), value


def _check_both(spec_id):
    spec = SPECS[spec_id]

    @SETTINGS
    @given(data=reports(spec), choice=st.data())
    def prop(data, choice):
        assert errors_of(data, spec) == []
        rows = list(rows_of(data["applications"]))
        keys, row = choice.draw(st.sampled_from(rows))
        column = choice.draw(st.integers(0, len(row) - 1))
        delta = choice.draw(st.sampled_from([d for d in (-2, -1, 1, 3) if row[column] + d >= 0]))
        row[column] += delta
        found = errors_of(data, spec)
        assert found, f"changing {keys}[{column}] by {delta} went unnoticed"
        assert {f.rule for f in found} <= {"R1", "R2", "R3"}

    prop()


def test_v2021_consistent_reports_check_clean_and_any_changed_cell_is_caught():
    _check_both("v2021")


def test_v2019_consistent_reports_check_clean_and_any_changed_cell_is_caught():
    _check_both("v2019")


@SETTINGS
@given(data=reports(SPECS["v2021"]))
def test_dump_then_load_gives_back_the_same_values(data):
    spec = SPECS["v2021"]
    report = load_text(dump(spec, data)).report
    assert report.get(("applications", "new")) == data["applications"]["new"]
    assert report.get(("proactive", "fees")) == data["proactive"]["fees"]
    assert report.get(("processing_fees", "billed")) == Decimal("20.00")


# -- render → import gives back the same data ------------------------------------------------------------
def _round_trip(spec_id: str) -> None:
    from pathlib import Path

    from nianbao.read.importer import checkable, import_bytes
    from nianbao.render import docx as render_docx
    from nianbao.render import html as render_html
    from nianbao.render import txt as render_txt

    spec = SPECS[spec_id]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=published(spec))
    def prop(data):
        loaded = load_text(dump(spec, data), today=dt.date(2030, 1, 1))
        assert loaded.report is not None, loaded.findings
        expected = loaded.report.plain()
        for kind, render in (("txt", render_txt.render), ("docx", lambda r: render_docx.render(r, None)), ("html", render_html.render)):
            imported = import_bytes(render(loaded.report), Path(f"report.{kind}"))
            assert imported.findings == [], kind
            back = checkable(imported, today=dt.date(2030, 1, 1))[0].report
            assert back is not None, kind
            assert back.plain() == expected, kind

    prop()


def test_v2021_render_then_import_gives_back_the_data():
    _round_trip("v2021")


def test_v2019_render_then_import_gives_back_the_data():
    _round_trip("v2019")
