"""Next year's draft from this year's report file (``nianbao next``).

The clerk's file is edited in place with ruamel.yaml's round trip, so that their own
comments, key order and text blocks survive: the year moves on, the counts start at
zero, stocks carry over (现行有效件数; v2019's 上一年项目数量 rolls with 本年增/减),
二、上年结转 takes last year's 四、结转下年度继续办理, the date is cleared, the narratives
stay for the clerk to revise.  A v2019 file becomes a v2021 draft in the v2021 layout,
with a note in the file for each figure that has no v2021 counterpart.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..model.places import place
from ..model.report import Report
from ..model.standard import Group2, Spec, ValueType, spec_for_year
from .grid import number
from .reportfile import COMMENT_COLUMN, dump, table3_rows, unit_comment


@dataclass
class Draft:
    text: str
    spec: Spec
    year: int
    notes: list[str] = field(default_factory=list)  # told to the clerk after writing


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def next_values(group: Group2, values: tuple[Any, ...]) -> list[Any]:
    """One row of table 二 as next year's draft starts it."""
    signed = next((i for i, c in enumerate(group.columns) if c.type is ValueType.SIGNED), None)
    out: list[Any] = []
    for i, column in enumerate(group.columns):
        if column.next == "keep":
            out.append(values[i])
        elif column.next == "roll":
            out.append(values[i] + (values[signed] if signed is not None else 0))
        else:
            out.append(0)
    return out


def draft(report: Report, text: str) -> Draft:
    """``text`` is the report file ``report`` was loaded from."""
    year = report.year + 1
    spec = spec_for_year(year)
    assert spec is not None
    if spec.id != report.spec.id:
        return _converted(report, spec, year)
    yaml = _yaml()
    doc = yaml.load(text)
    doc["year"] = year
    unit = doc.get("unit")
    if isinstance(unit, CommentedMap):  # the date is the clerk's to choose: empty, with this year's hint beside it
        unit["date"] = None
        unit.yaml_add_eol_comment("# " + unit_comment(next(f for f in spec.unit if f.key == "date"), year), "date", column=COMMENT_COLUMN)
    proactive = doc.setdefault("proactive", CommentedMap())
    for group in spec.table2:
        for item in group.items:
            values = next_values(group, report.item_values(group, item))
            _put(proactive, item.key, values[0] if group.scalar else values)
    applications = doc.setdefault("applications", CommentedMap())
    t3 = spec.table3
    width = len(t3.columns)
    carried = report.row(t3.row("carried_forward"))[:width]
    for line in t3.data_lines():
        keys = t3.keypath(line)
        parent = applications
        for key in keys[:-1]:
            parent = parent.setdefault(key, CommentedMap())
        if line.total:
            parent.pop(keys[-1], None)  # computed from the rows
        else:
            _put(parent, keys[-1], list(carried) if line.key == "carried_over" else [0] * width)
    appeals = doc.setdefault("appeals", CommentedMap())
    for appeal in spec.table4.groups:
        _put(appeals, appeal.key, [0] * len(spec.table4.columns))
    if spec.fees:
        fees = doc.get("processing_fees")
        if not isinstance(fees, dict):
            fees = doc["processing_fees"] = CommentedMap()
        for f in spec.fees:
            fees[f.key] = 0
    out = io.StringIO()
    yaml.dump(doc, out)
    return Draft(out.getvalue(), spec, year)


def _put(parent: dict, key: str, value: Any) -> None:
    """Replace a value, keeping a flow list a flow list (and so the line's comment)."""
    old = parent.get(key)
    if isinstance(value, list):
        if isinstance(old, CommentedSeq):
            old[:] = value
            return
        seq = CommentedSeq(value)
        seq.fa.set_flow_style()
        value = seq
    parent[key] = value


def _shown(values: tuple[Any, ...]) -> str:
    return "[" + ", ".join(number(v) for v in values) + "]"


def _converted(report: Report, spec: Spec, year: int) -> Draft:
    """A v2019 report's draft in the v2021 layout (the files differ too much to edit)."""
    old = report.spec
    data: dict[str, Any] = {
        "year": year,
        "format": spec.id,
        "unit": {**report.unit, "date": None},
        "preamble": report.get(("preamble",)),
        "problems": report.get(("problems",)),
        "other_matters": report.get(("other_matters",)),
    }
    notes: dict[tuple, str] = {}
    told: list[str] = []
    overview = report.get(("overview",))
    subjects = spec.section("overview").subsections
    tips: list[str] = []  # told after writing, one per subsection left empty
    if isinstance(overview, str):
        first, rest = subjects[0], subjects[1:]
        data["overview"] = {first.key: overview}
        notes[("overview", first.key)] = (
            f"{report.year}年度报告（{old.name}）的总体情况是一段文字，已整段放在{first.label}下；"
            f"{spec.name}要求分五个方面写，请把属于下面各方面的内容移过去"
        )
        for f in rest:
            notes[("overview", f.key)] = f"提示：{spec.name}要求{f.label}{f.note}；{report.year}年度的总体情况未分方面，都在{first.label}下"
            tips.append(f"{place(spec.id, ('overview', f.key)).label}：{spec.name}要求这里{f.note}，已留空（上一年度的总体情况整段放在{first.label}下）")
    else:
        data["overview"] = {f.key: report.text("overview", f.key) or None for f in subjects}

    proactive: dict[str, Any] = {}
    before = {item.key: (group, item) for group in old.table2 for item in group.items}
    for group in spec.table2:
        for item in group.items:
            proactive[item.key] = 0 if group.scalar else [0] * len(group.columns)
            if item.key in before and any(c.next for c in group.columns):
                old_group, old_item = before[item.key]
                values = report.item_values(old_group, old_item)
                notes[("proactive", item.key)] = (
                    f"{report.year}年度（{old.name}）为{_shown(values)}（{'、'.join(c.label for c in old_group.columns)}），"
                    f"与本格式的{'、'.join(c.label for c in group.columns)}含义不同，请按实际填写"
                )
    for key, (group, item) in before.items():
        if key not in proactive:
            told.append(f"{report.year}年度的“{item.label}”{_shown(report.item_values(group, item))}在{spec.name}中没有对应项，未带入")
    data["proactive"] = proactive

    t3 = spec.table3
    width = len(t3.columns)
    carried = report.row(old.table3.row("carried_forward"))[:width]

    data["applications"] = table3_rows(spec, lambda line: list(carried) if line.key == "carried_over" else [0] * width)
    data["appeals"] = {g.key: [0] * len(spec.table4.columns) for g in spec.table4.groups}
    data["processing_fees"] = {f.key: 0 for f in spec.fees}
    header = "\n".join(
        [f"{spec.title(report.unit_name, year)}（草稿：由{report.year}年度的报告生成，已改用{spec.name}，{spec.source}）", *told]
    )
    table2 = place(spec.id, ("proactive",)).label
    return Draft(dump(spec, data, header=header, notes=notes), spec, year, tips + [f"{table2}：{n}" for n in told])
