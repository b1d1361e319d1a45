"""Values as written, never converted silently (issue 19, points 2 and 8): counts in plain
decimal digits, digits of other scripts named, absurd figures questioned, impossible years
refused without a crash, and bidi controls removed with a warning — from a report file,
a collection workbook and a published report, and never in an output file name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit, line_of
from openpyxl import load_workbook

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")
LICENSING = "licensing: 12 "
LINE = line_of(TEXT, LICENSING)
NEXT_YEAR = dt.date.today().year + 1


def said(result) -> list[str]:
    return [line.strip() for line in result.out.splitlines() if line.startswith("  [")]


def report_file(folder: Path, text: str, name: str = "r.yaml") -> Path:
    """``text`` as the bytes a clerk's editor saves (UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


# -- builders (also used by bench/hostile.py) -------------------------------------------------------------------
def yaml_count_written_as(folder: Path, written: str) -> Path:
    """The example with 行政许可's count written as ``written`` (``0x10``, ``1_000``, ``٣``…)."""
    return report_file(folder, edit(TEXT, LICENSING, f"licensing: {written} "))


def yaml_year(folder: Path, year: str) -> Path:
    """The example with ``year: <year>``."""
    return report_file(folder, edit(TEXT, "year: 2023", f"year: {year}"))


def yaml_bidi_unit_name(folder: Path) -> Path:
    """A unit name holding a right-to-left override, typed raw (U+202E in the bytes) — the
    trick that makes ``报告.exe.docx`` show as something else."""
    return report_file(folder, edit(TEXT, "name: 青山镇人民政府", "name: 青山镇\u202e人民政府"))


# -- counts in YAML ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("written", "value"), [("0x10", "16"), ("0o17", "15"), ("0b11", "3"), ("1_000", "1000"), ("+12", "12"),
                                                ("1e3", "1000"), ("12.", "12")])
def test_a_count_in_another_notation_is_an_error_giving_the_decimal(cli, tmp_path, written, value):
    path = yaml_count_written_as(tmp_path, written)
    result = cli("check", path)
    assert result.code == 1
    assert said(result) == [f"[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：“{written}”不是普通的十进制数字写法，请写成 {value}（r.yaml 第{LINE}行）"]
    rendered = cli("render", path, "-o", tmp_path / "out")
    assert rendered.code == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("digit", ["٣", "३", "৩", "໓"])
def test_a_digit_of_another_script_says_it_is_not_half_width(cli, tmp_path, digit):
    result = cli("check", yaml_count_written_as(tmp_path, digit))
    assert result.code == 1
    assert said(result) == [f"[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：“{digit}”不是半角数字，请写成 3（r.yaml 第{LINE}行）"]


def test_full_width_digits_keep_their_message(cli, tmp_path):
    result = cli("check", yaml_count_written_as(tmp_path, "３"))
    assert said(result) == [f"[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：“３”是全角数字，请改为半角数字 3（r.yaml 第{LINE}行）"]


def test_plain_digits_with_a_leading_zero_or_a_minus_read_as_written(cli, tmp_path):
    result = cli("check", yaml_count_written_as(tmp_path, "012"))
    assert result.code == 0 and said(result) == []
    signed = cli("check", report_file(tmp_path, edit(TEXT, "licensing: 12 ", "licensing: -5 "), "s.yaml"))
    assert said(signed) == [f"[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：不能为负数（填写的是 -5），应为不小于0的整数（s.yaml 第{LINE}行）"]


@pytest.mark.parametrize("digits", [40, 5000])
def test_a_count_with_absurdly_many_digits_is_an_error_not_a_crash(cli, tmp_path, digits):
    result = cli("check", yaml_count_written_as(tmp_path, "1" * digits))
    assert result.code == 1
    assert said(result) == [f"[错误 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：“{'1' * 20}…”位数太多，不可能是件数或金额，请核对（r.yaml 第{LINE}行）"]


def test_a_count_over_a_hundred_million_is_a_warning(cli, tmp_path):
    result = cli("check", yaml_count_written_as(tmp_path, "120000000"))
    assert result.code == 0
    assert said(result) == [f"[提示 S] 表二 第二十条第（五）项 行政许可 · 本年处理决定数量：填写的是 120000000，超过一亿，请核对是否多写了数字（r.yaml 第{LINE}行）"]
    assert cli("check", yaml_count_written_as(tmp_path, "100000000")).code == 0 and said(cli("check", tmp_path / "r.yaml")) == []


def test_a_phone_number_in_hex_notation_stays_the_text_typed(tmp_path):
    from nianbao.read.load import load_file

    loaded = load_file(report_file(tmp_path, edit(TEXT, "phone: 0731-5550123", "phone: 0x5550123")))
    assert loaded.report is not None and loaded.report.unit["phone"] == "0x5550123"


# -- years -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", ["99999", "2007", "0", str(NEXT_YEAR + 1)])
def test_an_impossible_year_is_an_error_in_check_and_render_never_exit_3(cli, tmp_path, year):
    path = yaml_year(tmp_path, year)
    message = f"[错误 S] 报告年度“{year}”不可能：应为2008年至{NEXT_YEAR}年之间的四位数年份，例如 {NEXT_YEAR - 2}（r.yaml 第{line_of(TEXT, 'year: 2023')}行）"
    result = cli("check", path)
    assert result.code == 1 and said(result) == [message]
    rendered = cli("render", path, "-o", tmp_path / "out", "--to", "txt,html,docx")
    assert rendered.code == 1 and not (tmp_path / "out").exists()


def test_a_year_in_hex_says_the_decimal(cli, tmp_path):
    result = cli("check", yaml_year(tmp_path, "0x7E7"))
    assert said(result) == [f"[错误 S] 报告年度应为四位数年份，例如 2023，这里是“0x7E7”，请写成 2023（r.yaml 第{line_of(TEXT, 'year: 2023')}行）"]


def test_a_year_between_the_regulation_and_the_format_stays_r5(cli, tmp_path):
    result = cli("check", yaml_year(tmp_path, "2015"))
    assert result.code == 1
    assert said(result)[0].startswith("[错误 R5] 不支持2015年度的报告")


def test_a_published_report_of_an_impossible_year_is_an_error_in_check_and_render(cli, tmp_path):
    cli("render", EXAMPLE_2023, "-o", tmp_path / "published", "--to", "txt")
    published = next((tmp_path / "published").glob("*.txt")).read_text(encoding="utf-8")
    path = tmp_path / "1999年报.txt"
    path.write_bytes(published.replace("2023年", "1999年").encode("utf-8"))
    result = cli("check", path)
    assert result.code == 1
    assert said(result)[0] == f"[错误 S] 报告年度“1999”不可能：应为2008年至{NEXT_YEAR}年之间的四位数年份，例如 {NEXT_YEAR - 2}（1999年报.txt 第1行）"
    assert cli("render", path, "-o", tmp_path / "out").code == 1 and not (tmp_path / "out").exists()
    imported = cli("import", path, "-o", tmp_path / "imported")
    assert imported.code == 1  # the year kept as printed, and said as check says it of the file written (#32.5)
    assert f"[错误 S] 报告年度“1999”不可能：应为2008年至{NEXT_YEAR}年之间的四位数年份，例如 {NEXT_YEAR - 2}（青山镇人民政府1999.yaml 第4行）" in said(imported)


# -- bidi controls ---------------------------------------------------------------------------------------------------
BIDI_WARNING = "有不可见的文字方向控制字符（从右至左覆盖符，U+202E），它会让文字显示的顺序与实际不同，已删除"


def test_a_bidi_override_in_a_report_file_is_removed_with_a_warning_and_kept_out_of_file_names(cli, tmp_path):
    path = yaml_bidi_unit_name(tmp_path)
    line = line_of(TEXT, "name: 青山镇人民政府")
    result = cli("check", path)
    assert result.code == 0
    assert said(result) == [f"[提示 S] 第12个字符处{BIDI_WARNING}（r.yaml 第{line}行）"]
    assert cli("render", path, "-o", tmp_path / "out", "--to", "txt,html").code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    assert names == ["青山镇人民政府2023年政府信息公开工作年度报告.html", "青山镇人民政府2023年政府信息公开工作年度报告.txt"]
    assert all("\u202e" not in p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.*") if p.suffix in (".txt", ".html"))


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_every_bidi_control_written_as_a_yaml_escape_is_removed_with_a_warning(tmp_path, char):
    from nianbao.read.load import load_file

    escaped = f"\\u{ord(char):04X}"
    loaded = load_file(report_file(tmp_path, edit(TEXT, "name: 青山镇人民政府", f'name: "青山镇{escaped}人民政府"')))
    assert loaded.report is not None and loaded.report.unit_name == "青山镇人民政府" and loaded.name == "青山镇人民政府"
    [finding] = loaded.findings
    assert (finding.level, finding.rule, finding.path) == ("warning", "S", "机关信息.机关名称")
    assert f"U+{ord(char):04X}" in finding.message and "文字方向控制字符" in finding.message


def workbook_bidi_unit_name(folder: Path) -> Path:
    """A collection workbook whose unit typed a name with U+202E and U+2066 in it."""
    from test_workbook_trust import filled, where

    book = filled()
    sheet, coordinate = where(book, ("unit", "name"))
    book[sheet][coordinate] = "青山镇\u202e人民\u2066政府"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "青山镇.xlsx"
    book.save(path)
    return path


def test_bidi_controls_in_a_workbook_are_removed_with_a_warning_and_kept_out_of_batch_names(cli, tmp_path):
    path = workbook_bidi_unit_name(tmp_path / "收回")
    result = cli("check", path)
    assert result.code == 0
    assert said(result) == [
        f"[提示 S] “机关名称”中{BIDI_WARNING}（“机关信息与文字”表 B3 格）",
        "[提示 S] “机关名称”中有不可见的文字方向控制字符（从左至右隔离符，U+2066），它会让文字显示的顺序与实际不同，已删除（“机关信息与文字”表 B3 格）",
    ]
    out = tmp_path / "报告"
    assert cli("batch", tmp_path / "收回", "-o", out).code == 0
    assert sorted(p.name for p in out.glob("*.docx")) == ["青山镇人民政府2023年政府信息公开工作年度报告.docx"]
    units = list(load_workbook(out / "汇总.xlsx")["单位"].iter_rows(min_row=2, values_only=True))
    assert units[0][1] == "青山镇人民政府"


@pytest.mark.parametrize("command", ["init", "sheet"])
def test_init_and_sheet_refuse_an_impossible_year_as_a_usage_mistake(cli, tmp_path, command):
    target = tmp_path / ("r.yaml" if command == "init" else "采集表.xlsx")
    args = (command, "--year", "99999", target) if command == "init" else (command, "--year", "99999", "-o", target)
    result = cli(*args)
    assert result.code == 2 and not target.exists()
    assert f"报告年度“99999”不可能：应为2008年至{NEXT_YEAR}年之间的四位数年份" in result.err


def test_a_bidi_override_in_the_unit_list_never_reaches_a_workbook_or_its_file_name(cli, tmp_path):
    names = tmp_path / "名单.txt"
    names.write_bytes("城关镇\u202e人民政府\r\n白石镇人民政府\u2069\r\n".encode("gb18030"))
    assert cli("sheet", "--year", "2024", "--units", names, "-o", tmp_path / "发出").code == 0
    made = sorted(p.name for p in (tmp_path / "发出").iterdir())
    assert made == ["城关镇人民政府2024年度政府信息公开年报采集表.xlsx", "白石镇人民政府2024年度政府信息公开年报采集表.xlsx"]
    assert load_workbook(tmp_path / "发出" / made[0])["机关信息与文字"]["B3"].value == "城关镇人民政府"
