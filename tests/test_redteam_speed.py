"""Red-team trial of the shortcuts put in front of the full readings (import, load, check):
each case is an input on which a shortcut answered otherwise than the reading it skips,
with the answer the full reading gives asserted exactly."""

from __future__ import annotations

from pathlib import Path

from conftest import edit
from test_visible import _licensing, _report

from nianbao.model.standard import ValueType
from nianbao.read.importer import import_bytes
from nianbao.read.importer.words import number
from nianbao.render import txt as render_txt

LONG = "1" * 5000  # more digits than int() reads from a text (sys.get_int_max_str_digits, 4300 by default)
TOO_MANY = "“11111111111111111111…”位数太多，不可能是件数或金额，请核对"  # the loader's own words for such a figure


def test_a_figure_of_more_digits_than_any_count_is_left_empty_and_said():
    """ASCII digits are read directly by int() — a figure of thousands of digits stopped the
    whole import with an internal error, and one of 29–4 300 digits was imported and then
    stopped the writing of the report file.  No count or amount has more than 30 digits (the
    loader's bound): such a cell is left empty and said, in the loader's words."""
    assert number(LONG, ValueType.COUNT, False).problem == TOO_MANY
    assert number("1" * 31, ValueType.COUNT, False).value is None
    assert number("1" * 30, ValueType.COUNT, False).value == (10**30 - 1) // 9
    assert number("１" * 40, ValueType.AMOUNT, False).problem == TOO_MANY.replace("1", "１")
    assert number("0012", ValueType.AMOUNT, False).value == 12
    text = edit(render_txt.render(_report()).decode("utf-8"), "行政许可" + " " * 46 + "12\r\n", "行政许可" + " " * 46 + LONG + "\r\n")
    imported = import_bytes(text.encode("utf-8"), Path("long.txt"))
    assert imported.spec is not None and imported.spec.id == "v2021"
    assert _licensing(imported) is None
    assert ("proactive", "licensing") in imported.unreadable
