"""Reports published in the shapes other tools give them (tests/shapes.py) import with
every table cell: for any report, in any of the shapes, the numbers come back exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapes import SUFFIXES, WRITERS
from strategies import published

from nianbao.findings import ERROR
from nianbao.model.standard import SPECS
from nianbao.read.importer import checkable, import_bytes
from nianbao.read.load import load_text
from nianbao.render.reportfile import dump

TODAY = dt.date(2030, 1, 1)


def tables_of(report):
    t3, t4 = report.spec.table3, report.spec.table4
    return (
        [report.item_values(g, i) for g in report.spec.table2 for i in g.items],
        [report.row(line) for line in t3.data_lines()],
        [report.appeal(g) for g in t4.groups],
    )


@pytest.mark.parametrize("spec_id", ["v2021", "v2019"])
@pytest.mark.parametrize("shape", sorted(WRITERS))
def test_every_shape_gives_back_every_cell(shape, spec_id):
    spec = SPECS[spec_id]

    @settings(max_examples=int(__import__("os").environ.get("SHAPES_EXAMPLES", "15")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=published(spec), seed=st.integers(0, 10**6))
    def prop(data, seed):
        report = load_text(dump(spec, data), today=TODAY).report
        assert report is not None
        text = WRITERS[shape](report, seed)
        imported = import_bytes(text.encode("utf-8"), Path("report" + SUFFIXES.get(shape, ".txt")))
        errors = [f for f in imported.findings if f.level == ERROR]
        assert errors == [], text
        back = checkable(imported, today=TODAY)[0].report
        assert back is not None
        assert (back.year, back.spec.id, back.unit_name) == (report.year, spec.id, report.unit_name)
        assert tables_of(back) == tables_of(report), text

    prop()
