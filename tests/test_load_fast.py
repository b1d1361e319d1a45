"""The short cuts of loading and checking (issue 29, point 2) give what the long way gives: the
strict schema read first gives the checked schema's values, or leaves the file to it; a text
without a backslash holds no control character in its values; the fast NFKC is NFKC."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import ValidationError

from nianbao.check.folding import nfkc
from nianbao.model import schema, yamlfile
from nianbao.model.places import places
from nianbao.read.load import load_text, validate
from nianbao.system.decode import scan_controls

TEXTS = {path.name: path.read_text(encoding="utf-8") for path in (EXAMPLE_2023, EXAMPLE_2020)}


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="，；：（）！？％～\u3000…年件起aA1２\u0301\u0308\u3099か。、“”①ﾊﾟ\uff9e·—\u2002 \n\t", max_size=20))
def test_nfkc_is_unicodedatas(text):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def _shape(value):
    """The value with the type of each part: the same values must come back as the same types."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v) for v in value])
    return (type(value).__name__, repr(value))


def _both(spec_id: str, data: dict):
    try:
        strict = schema.checked(spec_id, yamlfile.tree_copy(data))
    except ValidationError as exc:
        strict = ("refused", str(exc))
    try:
        slow = schema.validator(spec_id).validate_python(yamlfile.tree_copy(data))
    except ValidationError as exc:
        return strict, ("refused", str(exc))
    return strict, slow


LEAVES = st.one_of(
    st.integers(-5, 5), st.sampled_from([10**8, 10**8 + 1, -(10**8) - 1, True, False, None, "12", "１２", "", "文字", 2.5,
                                          Decimal("2.50"), Decimal("-0.0"), Decimal("NaN"), Decimal("100000000.01"),
                                          yamlfile.WrittenNumber("0x10", 16), dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 8),
                                          "2024年1月15日", [1, 2], {"a": 1}]),
)


@pytest.mark.parametrize("name", sorted(TEXTS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_strict_schema_gives_the_checked_schemas_answer(name, data):
    parsed = yamlfile.parse(TEXTS[name])
    spec_id = "v2021" if "2023" in name else "v2019"
    tree = yamlfile.tree_copy(parsed.data)
    tree.pop("format", None)
    keys = [k for k, where in places(spec_id).items() if where.kind in ("cell", "text", "date") or (k and isinstance(k[-1], int))]
    for _ in range(data.draw(st.integers(0, 3))):
        path = data.draw(st.sampled_from(keys))
        node = tree
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else node[key] if isinstance(node, list) and key < len(node) else None
        if isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)):
            node[path[-1]] = data.draw(LEAVES)
    strict, slow = _both(spec_id, tree)
    if isinstance(slow, tuple):
        assert strict == slow
        return
    values, bounded = strict
    assert _shape(values) == _shape(slow)
    if bounded:  # nothing for the loader's warning of absurd figures to find
        figures = [v for v in _leaves(values) if isinstance(v, (int, Decimal)) and not isinstance(v, bool)]
        assert all(-schema.ABSURD <= v <= schema.ABSURD for v in figures)


def _leaves(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "year":
                yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet="年件\x07\x0b\x1b\u200b\u202e\ufeff\ufffe\u2028\x85\t a", max_size=6))
def test_a_text_without_a_backslash_needs_no_search_for_control_characters(inserted):
    text = TEXTS["2023-青山镇.yaml"].replace("name: 青山镇人民政府", f"name: 青山镇{inserted}人民政府", 1)
    text = text.replace("  本年度工作中仍有不足", f"  本年度{inserted}工作中仍有不足", 1)
    fast = load_text(text)
    cleaned, findings = scan_controls(text)
    parsed = yamlfile.parse(cleaned)
    findings += parsed.findings
    assert parsed.data is not None
    searched = validate(parsed, findings=findings, escapes=True)  # every value searched, as before
    assert fast.findings == searched.findings
    assert (fast.report is None) == (searched.report is None)
    if fast.report is not None:
        assert fast.report.data == searched.report.data


def test_an_escape_is_still_told():
    text = TEXTS["2023-青山镇.yaml"].replace("name: 青山镇人民政府", 'name: "青山镇\\x1b人民政府"', 1)
    messages = [f.message for f in load_text(text).findings]
    assert any("转义字符（ESC）" in m for m in messages), messages


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_examples_need_only_the_strict_schema(name):
    parsed = yamlfile.parse(TEXTS[name])
    tree = yamlfile.tree_copy(parsed.data)
    tree.pop("format", None)
    assert schema.checked("v2021" if "2023" in name else "v2019", tree)[1] is True
