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
LONG_READ = (10**28 - 1) // 9 * 10**4972  # as the full reading reads it: a Decimal, of 28 significant digits


def test_a_figure_of_more_digits_than_int_reads_is_read_as_the_full_reading_reads_it():
    """ASCII digits are read directly by int() — a figure of thousands of digits stopped the
    whole import with an internal error; it is read as before (and the loader then says it has
    too many digits to be a count).  Forty digits int() reads whole, exactly."""
    assert number(LONG, ValueType.COUNT, False).value == LONG_READ
    assert number("1" * 40, ValueType.COUNT, False).value == (10**40 - 1) // 9
    assert number("0012", ValueType.AMOUNT, False).value == 12
    text = edit(render_txt.render(_report()).decode("utf-8"), "行政许可" + " " * 46 + "12\r\n", "行政许可" + " " * 46 + LONG + "\r\n")
    imported = import_bytes(text.encode("utf-8"), Path("long.txt"))
    assert imported.spec is not None and imported.spec.id == "v2021"
    assert imported.findings == []
    assert _licensing(imported) == LONG_READ
    assert ("proactive", "licensing") not in imported.unreadable
