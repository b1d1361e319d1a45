"""#20.4 A bad cell does not hide the other rules of its table: the report's tables are
checked with that cell unknown, every check that does not read it runs, and each rule
that must wait for it says so once — one round of corrections for the clerk, not two."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import EXAMPLE_2023, edit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_workbook_trust import filled, said, save

from nianbao.check.rules import check
from nianbao.findings import ERROR, WARNING
from nianbao.model.places import places, put
from nianbao.model.standard import SPECS
from nianbao.read.load import load_file, load_text
from nianbao.render.reportfile import dump

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")
NEW = "  new: [5, 1, 0, 0, 1, 0, 7]"
CARRIED = "  carried_over: [1, 0, 0, 0, 0, 0]"
WAIT_R1 = "表三自然人列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


# -- builders (for bench/hostile.py) ------------------------------------------------------------------------------
def unit_in_table3(folder: Path) -> Path:
    """表三 一、本年新收 自然人 written ``25件``; 二、上年结转 商业企业 3 where 0 balances: an R1
    error in another column that the bad cell used to hide."""
    text = edit(edit(TEXT, NEW, "  new: [25件, 1, 0, 0, 1, 0, 7]"), CARRIED, "  carried_over: [1, 3, 0, 0, 0, 0]")
    return write(folder, "2023-青山镇.yaml", text)


def unit_in_a_workbook_cell(folder: Path) -> Path:
    """The same in a collection workbook: D4 (一、自然人) typed ``25件``, E5 (二、商业企业) 3."""
    book = filled()
    book["表三"]["D4"], book["表三"]["E5"] = "25件", 3
    return save(book, folder)


# -- table 三 -------------------------------------------------------------------------------------------------------
def test_a_cell_with_a_unit_does_not_hide_the_r1_error_of_another_column(cli, tmp_path):
    result = cli("check", unit_in_table3(tmp_path))
    assert result.code == 1
    assert result.out.splitlines()[0].endswith("未通过（错误3个，提示2个）")
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 自然人：只填数字，不要带单位：“25件”请写成 25（单位已印在表头）（2023-青山镇.yaml 第39行）",
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（商业企业列：第一项+第二项=1+3=4，第三项（七）总计+第四项=1+0=1）（2023-青山镇.yaml 第39行）",
        # the written 总计 of row 一 (7) does not depend on the bad cell: that column is checked
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=7+4=11，第三项（七）总计+第四项=7+1=8）（2023-青山镇.yaml 第39行）",
        f"[提示 R1] “表三 一、本年新收 · 自然人”无法读取，{WAIT_R1}（2023-青山镇.yaml 第39行）",
        "[提示 R2] “表三 一、本年新收 · 自然人”无法读取，表三“一、本年新收政府信息公开申请数量”的总计要等改正后才能核对（2023-青山镇.yaml 第39行）",
    ]


def test_the_same_in_json_names_the_rule_that_waits_as_a_warning(cli, tmp_path):
    result = cli("check", "--json", unit_in_table3(tmp_path))
    findings = json.loads(result.out)["findings"]
    assert [(f["level"], f["rule"], f["path"]) for f in findings] == [
        ("error", "S", "表三.一.自然人"),
        ("error", "R1", "表三.一.商业企业"),
        ("error", "R1", "表三.一.总计"),
        ("warning", "R1", "表三.一.自然人"),
        ("warning", "R2", "表三.一.自然人"),
    ]


def test_a_cell_typed_with_a_unit_in_a_workbook_does_not_hide_r1_either(cli, tmp_path):
    result = cli("check", unit_in_a_workbook_cell(tmp_path))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 自然人：只填数字，不要带单位：“25件”请写成 25（单位已印在表头）（“表三”表 D4 格）",
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（商业企业列：第一项+第二项=1+3=4，第三项（七）总计+第四项=1+0=1）（“表三”表 E4 格）",
        # 一's 总计 is the workbook's formula: the sum of the row, which reads the bad cell
        "[提示 R1] “表三 一、本年新收 · 自然人”无法读取，表三自然人列、总计列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（“表三”表 D4 格）",
    ]


def test_a_bad_result_row_cell_holds_back_r3_for_its_column_only(cli, tmp_path):
    text = edit(edit(TEXT, "  disclosed: [3, 1, 0, 0, 0, 0]", "  disclosed: [两件, 1, 0, 0, 0, 0]"),
                "  total: [5, 1, 0, 0, 1, 0, 7]", "  total: [5, 2, 0, 0, 1, 0, 7]")
    result = cli("check", write(tmp_path, "a.yaml", text))
    assert result.code == 1
    assert said(result) == [
        "[错误 R1] 表三：第一项+第二项≠第三项（七）总计+第四项（商业企业列：第一项+第二项=1+0=1，第三项（七）总计+第四项=2+0=2）（a.yaml 第39行）",
        "[错误 S] 表三 三（一）予以公开 · 自然人：应为不小于0的整数，这里是文字“两件”（a.yaml 第42行）",
        "[错误 R2] 表三：（七）总计的总计填写为7，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+2+0+0+1+0=8（a.yaml 第67行）",
        "[错误 R3] 表三：（七）总计≠（一）至（六）各项之和（商业企业列：填写为2，各项之和为1，其中三（一）予以公开=1）（a.yaml 第67行）",
        "[提示 R3] “表三 三（一）予以公开 · 自然人”无法读取，表三自然人列、总计列的核对（（七）总计=（一）至（六）各项之和）要等改正后才能进行（a.yaml 第42行）",
    ]


def test_a_row_left_out_holds_back_every_column_of_r1_and_says_it_is_missing(cli, tmp_path):
    text = edit(TEXT, "  carried_forward: [1, 0, 0, 0, 0, 0]       # 四、结转下年度继续办理\n", "")
    result = cli("check", write(tmp_path, "a.yaml", text))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 缺少“表三 四、结转下年度继续办理”这一行；没有的请填 0（或用 --zero-missing 按0计）（a.yaml 第37行）",
        "[提示 R1] “表三 四、结转下年度继续办理”没有填写，表三各列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（a.yaml 第37行）",
    ]


def test_a_row_of_the_wrong_length_is_unknown_as_a_whole(cli, tmp_path):
    text = edit(edit(TEXT, CARRIED, "  carried_over: [1, 0, 0]"), NEW, "  new: [5, 1, 0, 0, 1, 0, 8]")
    result = cli("check", write(tmp_path, "a.yaml", text))
    assert said(result) == [
        "[错误 R2] 表三：一、本年新收政府信息公开申请数量的总计填写为8，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=5+1+0+0+1+0=7（a.yaml 第39行）",
        "[错误 S] 表三 二、上年结转：应为6个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），可再加第7个数“总计”，这里有3个（a.yaml 第40行）",
        "[提示 R1] “表三 二、上年结转”无法读取，表三各列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（a.yaml 第40行）",
    ]


# -- table 四 ----------------------------------------------------------------------------------------------------------
def test_a_bad_cell_in_table_4_holds_back_its_own_group_and_checks_the_others(cli, tmp_path):
    text = edit(edit(TEXT, "  review: [1, 0, 0, 0, 1]", "  review: [1, 0, 0, 0, 1件]"),
                "  lawsuit_direct: [0, 0, 0, 0, 0]", "  lawsuit_direct: [0, 1, 0, 0, 0]")
    result = cli("check", write(tmp_path, "a.yaml", text))
    assert result.code == 1
    assert said(result) == [
        "[错误 S] 表四 行政复议 · 总计：只填数字，不要带单位：“1件”请写成 1（单位已印在表头）（a.yaml 第71行）",
        "[错误 R4] 表四：行政诉讼（未经复议直接起诉）的总计填写为0，但结果维持+结果纠正+其他结果+尚未审结=0+1+0+0=1（a.yaml 第72行）",
        "[提示 R4] “表四 行政复议 · 总计”无法读取，表四“行政复议”的总计要等改正后才能核对（a.yaml 第71行）",
    ]


# -- a bad value outside the tables -------------------------------------------------------------------------------------
def test_a_bad_date_does_not_hide_r1_and_nothing_waits_for_it(cli, tmp_path):
    text = edit(edit(TEXT, "  date: 2024-01-18", "  date: 明年一月"), CARRIED, "  carried_over: [1, 3, 0, 0, 0, 0]")
    result = cli("check", write(tmp_path, "a.yaml", text))
    assert result.code == 1
    errors = [line for line in said(result) if line.startswith("[错误")]
    assert [line[:6] for line in errors] == ["[错误 S]", "[错误 R1", "[错误 R1"]
    assert "商业企业列：第一项+第二项=5+3=8" not in result.out  # 一 is 5, 1…: the figures as written
    assert "商业企业列：第一项+第二项=1+3=4" in result.out
    assert "要等改正后" not in result.out


# -- nothing is published, nothing guessed ------------------------------------------------------------------------------
def test_render_still_refuses_and_lists_both_errors(cli, tmp_path):
    source = unit_in_table3(tmp_path / "in")
    result = cli("render", source, "-o", tmp_path / "out")
    assert result.code == 1
    assert "“25件”请写成 25" in result.out and "商业企业列：第一项+第二项=1+3=4" in result.out
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_balanced_report_with_a_bad_cell_says_only_what_waits(cli, tmp_path):
    result = cli("check", write(tmp_path, "a.yaml", edit(TEXT, NEW, "  new: [5, 1件, 0, 0, 1, 0, 7]")))
    assert said(result) == [
        "[错误 S] 表三 一、本年新收 · 商业企业：只填数字，不要带单位：“1件”请写成 1（单位已印在表头）（a.yaml 第39行）",
        "[提示 R1] “表三 一、本年新收 · 商业企业”无法读取，表三商业企业列的核对（第一项+第二项=第三项（七）总计+第四项）要等改正后才能进行（a.yaml 第39行）",
        "[提示 R2] “表三 一、本年新收 · 商业企业”无法读取，表三“一、本年新收政府信息公开申请数量”的总计要等改正后才能核对（a.yaml 第39行）",
    ]


# -- never a guess: what runs says what the corrected report says ----------------------------------------------------
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_errors_found_around_a_bad_cell_are_those_of_the_corrected_report(data):
    """Any cells of tables 三 and 四 changed (R1–R4 errors), then one written with 件: every
    R error reported is one the corrected report has too, and what is not reported waits."""
    spec = SPECS["v2021"]
    plain = load_file(EXAMPLE_2023).report.plain()
    cells = [keys for keys, where in places(spec.id).items()
             if where.kind == "cell" and keys[0] in ("applications", "appeals") and _written(plain, keys)]
    for keys in data.draw(st.lists(st.sampled_from(cells), max_size=3), label="changed"):
        put(plain, keys, data.draw(st.integers(0, 9)))
    bad = data.draw(st.sampled_from(cells), label="bad")
    corrected = load_text(dump(spec, plain), today=dt.date(2030, 1, 1))
    assert corrected.report is not None
    expected = {(f.rule, f.path, f.message) for f in check(corrected.report) if f.rule in ("R1", "R2", "R3", "R4")}
    put(plain, bad, f"{_written(plain, bad)}件")
    loaded = load_text(dump(spec, plain), today=dt.date(2030, 1, 1))
    assert loaded.report is None
    errors = {(f.rule, f.path, f.message) for f in loaded.findings if f.rule in ("R1", "R2", "R3", "R4") and f.level == ERROR}
    waiting = [f for f in loaded.findings if f.rule in ("R1", "R2", "R3", "R4") and f.level == WARNING]
    assert errors <= expected
    assert {rule for rule, _, _ in expected - errors} <= {f.rule for f in waiting}
    assert all(f"“{places(spec.id)[bad].label}”" in f.message for f in waiting)


def _written(plain: dict, keys: tuple) -> object:
    node: object = plain
    for key in keys:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
    return node
