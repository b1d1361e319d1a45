"""A save on the site runs again only the rules its change touches (``check.rules.READS``,
``check.crossyear.READS``) and keeps the others' findings from the version before: over random
chains of changes, every finding shown and every computed total is what a whole check of the
saved text gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import SETTINGS

from nianbao.check import rules
from nianbao.model.places import places
from nianbao.model.standard import SPECS, ValueType
from nianbao.render import reportfile
from nianbao.workflows import editing as editor

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {"v2021": ROOT / "examples" / "2023-青山镇.yaml", "v2019": ROOT / "examples" / "2020-白河乡.yaml"}

# What clerks type in a cell: figures (some beyond 一亿, some breaking R1–R4), amounts, empties, text
# the loader refuses, dates, and one-line narratives that quote figures (R6), leave placeholders
# (R7, P), open with an old year (X4) or name the fees (R7) — a line or two, so that most changes
# keep every value on its line and the findings kept from the version before are used.
FIGURES = st.one_of(st.integers(0, 40).map(str), st.sampled_from(["", "0", "12", "１２", "12件", "1,200", "-3", "2.50", "0.12345",
                                                                    "123456789", "abc", "null", "2024-01-15"]))
TEXTS = st.sampled_from([
    "", "本年度共收到政府信息公开申请12件。", "收到政府信息公开申请3件，上年结转申请1件，结转下年度继续办理2件。",
    "行政复议和行政诉讼共2件。", "XX镇人民政府", "待补充", "2021年，我镇扎实推进政务公开。", "全年未收取信息处理费。",
    "针对上一年度问题已整改，下一步将继续加强培训和完善制度建设。", "# （一）主动公开", "两行\n第二行", "2024-01-15", "2024年1月15日",
])


def _last(text: str) -> str:
    """Last year's report on the site: the same text a year earlier (X1–X5 then say much)."""
    year = int(text.split("year: ", 1)[1][:4])
    return text.replace(f"year: {year}", f"year: {year - 1}", 1)


@st.composite
def saves(draw, names: list[str], kinds: dict[str, str]) -> list[dict[str, str]]:
    """1–4 saves of 1–3 cells, each cell picked from one part of the report (the tables, the texts,
    the unit, the fees) picked first, so that the texts meet changes of every table's figures."""
    parts: dict[str, list[str]] = {}
    for name in names:
        parts.setdefault("texts" if kinds[name] == "narrative" else name.split(".")[0], []).append(name)
    pick = st.sampled_from(sorted(parts)).flatmap(lambda part: st.sampled_from(parts[part]))
    out = []
    for _ in range(draw(st.integers(1, 4))):
        picked = draw(st.lists(pick, min_size=1, max_size=3, unique=True))
        out.append({n: draw(FIGURES if kinds[n] in ("number", "total") else TEXTS) for n in picked})
    return out


def _shapes(value) -> list:
    """The type of every value and container, in order (a row held as a tuple stays one)."""
    if isinstance(value, dict):
        return [type(value)] + [leaf for key in value for leaf in _shapes(value[key])]
    if isinstance(value, (list, tuple)):
        return [type(value)] + [leaf for item in value for leaf in _shapes(item)]
    return [type(value)]


def _chain(spec_id: str, data) -> None:
    text = editor.canonical(EXAMPLES[spec_id].read_text(encoding="utf-8"))
    last = _last(text)
    base = editor.read(text)
    kinds = {n: f.kind for n, f in editor._known(base.spec.id, base.overview_text).items()}
    names = sorted(kinds)
    editor.evaluate(base, last)  # worked out, as the version a unit saved last is
    for values in data.draw(saves(names, kinds)):
        try:
            made = editor.change(base, values)
        except editor.EditorError:
            continue
        page = dict(base.__dict__.get("computed", {}))  # the totals a page of the version before shows
        page.update(editor.computed_since(base, made))  # what a save's answer tells it
        assert not made.computed or page == dict(made.computed)
        shown = editor.evaluate(made, last)
        whole = editor._reading(made.text)  # read afresh: nothing kept from any version before
        assert whole.after is None
        assert made.text == reportfile.dump(whole.spec, whole.tree(), header=whole.header, notes=dict(whole.notes))
        assert (made.parsed.data, made.parsed.lines, made.parsed.raw) == (whole.parsed.data, whole.parsed.lines, whole.parsed.raw)
        assert shown == editor.evaluate(whole, last)
        assert made.checked[1] == whole.checked[1]
        ours, theirs = made.checked[0], whole.checked[0]  # what the loader gives, made from the version before's where it may be
        assert (ours.findings, ours.name, ours.year, ours.previous) == (theirs.findings, theirs.name, theirs.year, theirs.previous)
        assert (ours.report is None) == (theirs.report is None)
        if ours.report is not None:
            assert (ours.report.data, ours.report.lines, ours.report.spec) == (theirs.report.data, theirs.report.lines, theirs.report.spec)
            assert _shapes(ours.report.data) == _shapes(theirs.report.data)
        assert dict(made.computed) == dict(whole.computed)
        base = made


@SETTINGS
@given(st.data())
def test_findings_of_a_save_are_those_of_a_whole_check_v2021(data) -> None:
    _chain("v2021", data)


@SETTINGS
@given(st.data())
def test_findings_of_a_save_are_those_of_a_whole_check_v2019(data) -> None:
    _chain("v2019", data)


def test_kept_findings_are_used_where_a_save_changes_nothing_a_rule_reads(monkeypatch) -> None:
    """A figure of table 二 touches no rule but the amounts': the others are not run again, the
    findings shown are theirs from the version before, and the text is not loaded again."""
    ran: list[str] = []

    def counted(rule):
        def run(report):
            ran.append(rule.__name__)
            return rule(report)
        return run

    wrapped = {rule: counted(rule) for rule in rules.RULES}
    monkeypatch.setattr(rules, "RULES", tuple(wrapped.values()))
    monkeypatch.setattr(rules, "READS", {wrapped[rule]: reads for rule, reads in rules.READS.items()})
    text = editor.canonical(EXAMPLES["v2021"].read_text(encoding="utf-8"))
    base = editor.change(editor.read(text), {"problems": "待补充", "applications.new.0": "1000"})  # R1, R2 and P (R7 as a refusal) say something
    before = editor.evaluate(base, None)
    assert {"R1", "R2", "P"} <= {f.rule for f in before}
    ran.clear()
    from nianbao.read import load

    loads: list[str] = []
    monkeypatch.setattr(load, "load_text", lambda text, **kw: loads.append(text))  # not asked: the report is the version before's with the figure
    made = editor.change(base, {"proactive.licensing": "99"})
    assert editor.evaluate(made, None) == before
    assert ran == ["amounts_precision"] and loads == []
    assert made.checked[0].report.get(("proactive", "licensing")) == 99
    made.computed  # noqa: B018 - worked out, as a save's answer asks
    assert made.after.loaded is made.after.rules is made.after.computed is None  # the version before's report and findings let go


def test_every_rule_says_what_it_reads() -> None:
    assert set(rules.READS) == set(rules.RULES)
    for spec_id in SPECS:  # the amounts' rule reads every amount cell
        amounts = [keys for keys, where in places(spec_id).items() if where.kind == "cell" and where.columns[0].type is ValueType.AMOUNT]
        assert amounts and all(rules.touches(rules.READS[rules.amounts_precision], [keys]) for keys in amounts)
        report = editor.read(EXAMPLES[spec_id].read_text(encoding="utf-8")).checked[0].report
        assert all(rules.touches(rules.NARRATIVES, [keys]) for keys, _, _ in rules.narratives(report))


# Saves the loader has something to say of (or a figure to convert): an amount (a Decimal, not the
# int typed), a figure beyond 一亿 and back, a negative, a 总计 typed into a row of six and emptied.
EDGES = {
    "v2021": [{"proactive.fees": "12"}, {"processing_fees.billed": "30"}, {"proactive.licensing": "123456789"}, {"proactive.licensing": "5"},
              {"applications.new.0": "-3"}, {"applications.new.0": "4"}, {"applications.new.6": "99"}, {"applications.new.6": ""},
              {"appeals.review.0": "100000001"}, {"appeals.review.0": "1"}],
    "v2019": [{"proactive.procurement.1": "12"}, {"proactive.procurement.1": "13"}, {"proactive.procurement.0": "123456789"},
              {"proactive.procurement.0": "2"}, {"applications.new.0": "-1"}, {"applications.new.0": "0"}],
}


@pytest.mark.parametrize("spec_id", sorted(EDGES))
def test_saves_the_loader_speaks_of_give_what_a_whole_check_gives(spec_id) -> None:
    base = editor.read(editor.canonical(EXAMPLES[spec_id].read_text(encoding="utf-8")))
    editor.evaluate(base, None)
    for values in EDGES[spec_id]:
        made = editor.change(base, values)
        whole = editor._reading(made.text)
        assert editor.evaluate(made, None) == editor.evaluate(whole, None), values
        ours, theirs = made.checked[0].report, whole.checked[0].report
        assert (ours is None) == (theirs is None), values
        if ours is not None:
            assert ours.data == theirs.data and _shapes(ours.data) == _shapes(theirs.data), values
        base = made
