"""Hypothesis strategies for reports of both versions: consistent ones to check, and
complete ones as a clerk would publish them (for render → import round trips)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from nianbao.model.standard import Spec, ValueType

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
count = st.integers(min_value=0, max_value=9)


def cell(vt: ValueType):
    if vt is ValueType.SIGNED:
        return st.integers(min_value=-9, max_value=9)
    if vt is ValueType.AMOUNT:
        return st.decimals(min_value=0, max_value=999, places=2, allow_nan=False, allow_infinity=False)
    return count


@st.composite
def reports(draw, spec: Spec, totals: bool = True) -> dict:
    """A consistent report of ``spec``: leaves and carry-overs drawn, 一 derived so R1 holds.
    ``totals``: sometimes write the optional 总计 cells and row."""
    t3 = spec.table3
    width = len(t3.columns)
    with_total = lambda row: row + [sum(row)] if totals and draw(st.booleans()) else row  # noqa: E731
    rows: dict[str, list[int]] = {}
    for leaf in t3.leaves():
        rows[leaf.path] = draw(st.lists(count, min_size=width, max_size=width))
    results = [sum(rows[leaf.path][c] for leaf in t3.leaves()) for c in range(width)]
    forward = draw(st.lists(count, min_size=width, max_size=width))
    carried = [draw(st.integers(0, results[c] + forward[c])) for c in range(width)]
    new = [results[c] + forward[c] - carried[c] for c in range(width)]

    def nest(lines) -> dict:
        out: dict = {}
        for line in lines:
            if line.key is None:
                out.update(nest(line.children))
            elif line.is_group:
                out[line.key] = nest(line.children)
            elif line.total:
                if totals and draw(st.booleans()):
                    out[line.key] = with_total(list(results))
            elif line.path in rows:
                out[line.key] = with_total(list(rows[line.path]))
        return out

    applications = nest(t3.lines)
    applications.update(new=with_total(new), carried_over=with_total(carried), carried_forward=with_total(forward))
    proactive = {}
    for group in spec.table2:
        for item in group.items:
            values = [draw(cell(c.type)) for c in group.columns]
            proactive[item.key] = values[0] if group.scalar else values
    appeals = {}
    for g in spec.table4.groups:
        row = draw(st.lists(count, min_size=4, max_size=4))
        appeals[g.key] = with_total(row)
    year = draw(st.integers(spec.first_year, spec.last_year or 2025))
    data = {
        "year": year,
        "unit": {"name": "青山镇人民政府", "date": dt.date(year + 1, 1, 15)},
        "overview": {f.key: "本年度按要求开展了这方面的工作，具体情况如下。" for f in spec.section("overview").subsections},
        "proactive": proactive,
        "applications": applications,
        "appeals": appeals,
        "problems": "一是信息报送不够及时；二是解读形式单一。针对这些问题已建立月度通报制度并加以改进。",
        "other_matters": "无其他需要报告的事项。",
    }
    if spec.fees:
        data["processing_fees"] = {"notices": 1, "billed": Decimal("20.00"), "collected": Decimal("20.00")}
    return data


WORDS = "政府信息公开工作本镇全年开展了情况规范专栏群众办理制度落实0123456789"
paragraph = st.text(alphabet=WORDS, min_size=1, max_size=60).map(lambda t: t + "。")
narrative = st.one_of(st.none(), st.lists(paragraph, min_size=1, max_size=3).map("\n".join))
letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)


@st.composite
def published(draw, spec: Spec) -> dict:
    """A report as a clerk might write it, without optional totals (they are computed), with
    narratives, unit facts and fees drawn, in the form nianbao prints completely."""
    data = draw(reports(spec, totals=False))
    name = draw(st.text(alphabet="青山白河东湖南岭镇乡街道", min_size=2, max_size=8)) + "人民政府"
    unit = {"name": name, "date": draw(st.one_of(st.none(), st.dates(dt.date(data["year"] + 1, 1, 1), dt.date(data["year"] + 1, 3, 31))))}
    if draw(st.booleans()):  # the preamble is generated from the unit facts, which are printed in it
        unit.update(
            compiler=draw(st.one_of(st.none(), st.just(name[:-4] + "党政综合办公室"))),
            website=draw(st.one_of(st.none(), letters.map(lambda s: f"https://{s}.gov.cn/xxgk"))),
            address=draw(st.one_of(st.none(), st.text(alphabet="临溪县青山镇文昌路0123456789号", min_size=4, max_size=16))),
            postcode=draw(st.one_of(st.none(), st.from_regex(r"[1-8]\d{5}", fullmatch=True))),
            phone=draw(st.one_of(st.none(), st.from_regex(r"0\d{3}-\d{7}", fullmatch=True))),
            email=draw(st.one_of(st.none(), st.tuples(letters, letters).map(lambda p: f"{p[0]}@{p[1]}.cn"))),
        )
        data["preamble"] = None
    else:  # a preamble of the clerk's own: the unit facts are not printed anywhere
        data["preamble"] = draw(paragraph)
    data["unit"] = unit
    subjects = [f.key for f in spec.section("overview").subsections]
    if spec.overview_may_be_text and draw(st.booleans()):
        data["overview"] = draw(narrative)
    else:
        data["overview"] = {key: draw(narrative) for key in subjects}
    data["problems"] = draw(narrative)
    data["other_matters"] = draw(narrative)
    if spec.fees:
        data["processing_fees"] = draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {"notices": count, "billed": cell(ValueType.AMOUNT), "collected": cell(ValueType.AMOUNT)}
                ),
            )
        )
    return data


