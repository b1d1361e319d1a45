"""Issue 19, the county's side: a unit not on the list is not published (4), default texts
are bounded (7), file names in any bytes never stop a batch (8), and a previous run's
outputs are not submissions (10).  Every case is built here byte for byte from the
bundled example, and the outcome read back: statuses in 汇总.xlsx, the files written,
the exact findings, the exit status (0/1/2, never 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, ROOT, edit
from openpyxl import load_workbook
from test_hostile import MEASURE

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")
REPORT = "2023年政府信息公开工作年度报告"
NOT_POSIX_BYTES = sys.platform == "win32" or sys.platform == "darwin"  # names there are Unicode, never raw bytes


def unit_text(name: str, licensing: int = 12) -> str:
    """The example report of unit ``name`` (its figures told apart by ``licensing``)."""
    return edit(edit(TEXT, "name: 青山镇人民政府", f"name: {name}"), "licensing: 12", f"licensing: {licensing}")


def put(folder: Path, file: str | bytes, name: str, licensing: int = 12) -> Path:
    """A unit's report file; ``file`` as bytes is a name exactly as the disk holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    data = unit_text(name, licensing).encode("utf-8")
    if isinstance(file, bytes):
        path = os.fsencode(folder) + b"/" + file
        with open(path, "wb") as handle:
            handle.write(data)
        return Path(os.fsdecode(path))
    (folder / file).write_bytes(data)
    return folder / file


def rows(book: Path, sheet: str = "单位") -> list[tuple]:
    return [tuple(row) for row in load_workbook(book)[sheet].iter_rows(min_row=2, values_only=True)]


def made(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".docx", ".txt"))


def nianbao(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    """The command as a clerk runs it, in its own process: its real exit status."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "nianbao", *map(str, args)], capture_output=True, cwd=cwd, env=env, timeout=120)


# -- 4. a unit not on the list is not published -----------------------------------------------------------------
TYPO = "柳林真人民政府 不在名单中，是否为柳林镇人民政府？请改正机关名称（若确是名单外的单位，请把它加入名单）；改正前不生成报告、不计入汇总"
ABSENT = "名单上的这个单位没有交回报告；柳林/柳林真.yaml 填的机关名称是“柳林真人民政府”，是否就是这个单位？"


def typo_inbox(folder: Path) -> Path:
    """收回/ with 青山镇, 青石镇 (one character apart, both real) and 柳林/柳林真.yaml whose unit
    is typed 柳林真人民政府; 名单.txt beside it lists 青山镇, 柳林镇, 青石镇."""
    inbox = folder / "收回"
    put(inbox, "青山镇.yaml", "青山镇人民政府", 12)
    put(inbox / "柳林", "柳林真.yaml", "柳林真人民政府", 30)
    put(inbox, "青石镇.yaml", "青石镇人民政府", 5)
    (folder / "名单.txt").write_text("青山镇人民政府\n柳林镇人民政府\n青石镇人民政府\n", encoding="utf-8")
    return inbox


@pytest.fixture
def county(tmp_path) -> Path:
    typo_inbox(tmp_path)
    return tmp_path


def test_with_a_list_a_typo_of_a_listed_unit_is_an_error_not_rendered_and_the_unit_stays_unreturned(cli, county):
    result = cli("batch", county / "收回", "-o", county / "out", "--units", county / "名单.txt", "--jobs", "1")
    assert result.code == 1, result
    assert made(county / "out") == [f"{unit}{REPORT}.{kind}" for unit in ("青山镇人民政府", "青石镇人民政府") for kind in ("docx", "txt")]
    units = rows(county / "out" / "汇总.xlsx")
    assert [(r[1], r[3], r[4], r[5], r[7]) for r in units] == [
        ("青山镇人民政府", "青山镇.yaml", "已生成", 0, None),
        ("柳林镇人民政府", None, "未交回", 1, ABSENT),
        ("青石镇人民政府", "青石镇.yaml", "已生成", 0, None),
        ("柳林真人民政府", "柳林/柳林真.yaml", "未通过", 1, TYPO),
    ]
    b_findings = [(r[1], r[3], r[4], r[7]) for r in rows(county / "out" / "汇总.xlsx", "问题清单") if r[4] == "B"]
    assert b_findings == [("柳林镇人民政府", "错误", "B", ABSENT), ("柳林真人民政府", "错误", "B", TYPO)]
    # the printed summary is one line a unit (#32.6): the unit stays unreturned there, and the line
    # after it sends to 汇总.xlsx, whose 问题清单 (above) points to the file
    row = next(line for line in result.out.split("\n") if "柳林镇人民政府" in line)
    assert "未交回" in row and "B 名单上的这个单位没有交回报告" in row
    assert "“问题清单”表列出每个问题的完整说明" in result.out


def test_with_a_list_the_aggregate_leaves_the_typo_out_and_points_to_it(cli, county):
    result = cli("aggregate", county / "收回", "-o", county / "汇总" / "全县.yaml", "--units", county / "名单.txt")
    assert result.code == 1, result
    assert f"柳林/柳林真.yaml：{TYPO}" in result.err
    assert f"柳林镇人民政府：{ABSENT}" in result.err
    summed = (county / "汇总" / "全县.yaml").read_text(encoding="utf-8")
    assert "licensing: 17 " in summed  # 12 + 5: the typo's 30 is not in it
    assert "2个单位的表格数字之和" in summed and "注意：以下文件未计入：柳林/柳林真.yaml" in summed


def test_a_listed_unit_written_without_its_suffix_is_that_unit_with_a_warning(cli, tmp_path):
    """The one same-unit rule (county.unitnames.same_unit) that compare and overview pair by:
    柳林镇 is 柳林镇人民政府, counted as the listed unit and said — it once was "not on the list"
    while compare paired it (issue 27's trial)."""
    put(tmp_path / "收回", "柳林.yaml", "柳林镇", 12)
    (tmp_path / "名单.txt").write_text("柳林镇人民政府\n", encoding="utf-8")
    result = cli("batch", tmp_path / "收回", "-o", tmp_path / "out", "--units", tmp_path / "名单.txt")
    assert result.code == 0, result
    assert [(r[1], r[4]) for r in rows(tmp_path / "out" / "汇总.xlsx")] == [("柳林镇", "已生成")]
    warned = [r[7] for r in rows(tmp_path / "out" / "汇总.xlsx", "问题清单") if r[4] == "B"]
    assert warned == ["机关名称“柳林镇”与名单上的“柳林镇人民政府”只差空格或“人民政府”等字样，按名单上的这个单位计入"]
    assert len(made(tmp_path / "out")) == 2


def test_without_a_list_a_name_one_character_from_another_is_a_warning_and_series_of_units_are_not(cli, tmp_path):
    inbox = tmp_path / "收回"
    for i, name in enumerate(("柳林镇人民政府", "柳林真人民政府", "城关镇人民政府", "白石镇人民政府", "城东镇人民政府", "城西镇人民政府",
                              "城南镇人民政府", "第一中学", "第二中学")):
        put(inbox, f"{i}.yaml", name, i)
    result = cli("batch", inbox, "-o", tmp_path / "out", "--jobs", "1")
    assert result.code == 0, result
    assert len(made(tmp_path / "out")) == 18
    warned = [(r[2], r[7]) for r in rows(tmp_path / "out" / "汇总.xlsx", "问题清单") if r[4] == "B"]
    assert warned == [
        ("0.yaml", "机关名称“柳林镇人民政府”与本批另一份报告（1.yaml）的“柳林真人民政府”只差1个字：若是同一个单位，请改正写错的那份；若确是两个单位，可不理会"),
        ("1.yaml", "机关名称“柳林真人民政府”与本批另一份报告（0.yaml）的“柳林镇人民政府”只差1个字：若是同一个单位，请改正写错的那份；若确是两个单位，可不理会"),
    ]


def test_a_near_name_check_of_two_thousand_units_is_quick():
    import time

    from nianbao.county.rules import Entry, similar_names

    entries = [Entry(Path(f"{i}.yaml"), f"{i}.yaml", f"{chr(0x4E00 + i)}{chr(0x5000 + i)}镇人民政府") for i in range(2000)]
    entries.append(Entry(Path("typo.yaml"), "typo.yaml", f"{chr(0x4E00 + 7)}{chr(0x5000 + 7)}真人民政府"))
    start = time.perf_counter()
    similar_names(entries)
    assert time.perf_counter() - start < 2
    assert [e.shown for e in entries if e.findings] == ["7.yaml", "typo.yaml"]


# -- 8. file names in any bytes ----------------------------------------------------------------------------------
GBK_NOTE = "{}个文件的文件名不是 UTF-8 编码（多半是 Windows 上压缩的 zip 在别的系统上解开的），已按 GBK/GB18030 显示文件名"
BAD_NOTE = "文件名中有无法识别的字节，显示为“{}”（无法识别的部分为 �）：请给文件改个名"


def gbk_named_inbox(folder: Path) -> Path:
    """收回/ as a Windows zip unzipped on Linux leaves it: 青山镇.yaml and the folder 乡镇/ with
    柳林镇.yaml named in GBK bytes, and a name with bytes of no encoding (bad\\xff\\xfe.yaml)."""
    inbox = folder / "收回"
    put(inbox, "青山镇.yaml".encode("gbk"), "青山镇人民政府", 12)
    put(inbox, b"bad\xff\xfe.yaml", "白沙乡人民政府", 30)
    put(inbox / "乡镇", "柳林镇.yaml".encode("gbk"), "柳林镇人民政府", 1)
    os.rename(os.fsencode(inbox / "乡镇"), os.fsencode(inbox) + b"/" + "乡镇".encode("gbk"))
    return inbox


@pytest.mark.skipif(NOT_POSIX_BYTES, reason="only a POSIX file system keeps a name's raw bytes")
def test_file_names_in_gbk_or_invalid_utf8_are_shown_readably_in_batch_and_aggregate(tmp_path):
    inbox = gbk_named_inbox(tmp_path)
    done = nianbao("batch", inbox, "-o", tmp_path / "out", "--jobs", "2", cwd=tmp_path)
    said = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    assert "内部错误" not in said and "Traceback" not in said
    units = rows(tmp_path / "out" / "汇总.xlsx")
    assert [(r[1], r[3], r[4], r[6]) for r in units] == [
        ("白沙乡人民政府", "bad\ufffd\ufffd.yaml", "已生成", 1),
        ("柳林镇人民政府", "乡镇/柳林镇.yaml", "已生成", 0),
        ("青山镇人民政府", "青山镇.yaml", "已生成", 0),
    ]
    assert [r[7] for r in rows(tmp_path / "out" / "汇总.xlsx", "问题清单")] == [BAD_NOTE.format("bad\ufffd\ufffd.yaml")]
    assert GBK_NOTE.format(2) in said  # once for all, not a warning a file
    assert made(tmp_path / "out") == sorted(f"{u}{REPORT}.{k}" for u in ("白沙乡人民政府", "柳林镇人民政府", "青山镇人民政府") for k in ("docx", "txt"))

    done = nianbao("aggregate", inbox, "-o", tmp_path / "汇总" / "全县.yaml", cwd=tmp_path)
    said = done.stdout.decode("utf-8") + done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    bad = "bad\ufffd\ufffd.yaml"
    assert GBK_NOTE.format(2) in said and f"{bad}：{BAD_NOTE.format(bad)}" in said
    table = [tuple(r) for r in load_workbook(tmp_path / "汇总" / "汇总.xlsx")["表三主要行"].iter_rows(values_only=True)]
    assert [r[:2] for r in table[3:]] == [("白沙乡人民政府", "bad\ufffd\ufffd.yaml"), ("柳林镇人民政府", "乡镇/柳林镇.yaml"), ("青山镇人民政府", "青山镇.yaml"),
                                        ("合计（已计入的3个单位）", None)]


def test_a_right_to_left_override_in_a_file_name_is_shown_as_its_code_point(cli, tmp_path):
    inbox = tmp_path / "收回"
    put(inbox, "青山镇\u202elmth.yaml", "青山镇人民政府")
    result = cli("batch", inbox, "-o", tmp_path / "out")
    assert result.code == 0, result
    [unit] = rows(tmp_path / "out" / "汇总.xlsx")
    assert unit[3] == "青山镇[U+202E]lmth.yaml"
    assert [r[7] for r in rows(tmp_path / "out" / "汇总.xlsx", "问题清单")] == [
        "文件名中有不可见的文字方向控制字符，它会让文件名显示的顺序与实际不同；显示为“青山镇[U+202E]lmth.yaml”：请给文件改个名"]
    assert "\u202e" not in result.out + result.err


def test_a_bidi_control_never_reaches_an_output_file_name(tmp_path):
    from nianbao.system.output import safe_name

    assert safe_name("青山镇\u202e人民政府\u2066\u2069") == "青山镇人民政府"
    assert safe_name("\udcc7\udce0镇") == "镇"


def test_readable_names():
    from nianbao.county.filenames import readable, readable_text

    gbk = os.fsdecode("青山镇/柳林镇.yaml".encode("gbk")) if not NOT_POSIX_BYTES else "青山镇/柳林镇.yaml"
    assert readable(gbk) == "青山镇/柳林镇.yaml"
    assert readable("a\u202eb\x07c") == "a[U+202E]b[U+0007]c"
    assert readable_text(f"文件“{gbk}”有错误") == "文件“青山镇/柳林镇.yaml”有错误"
    assert readable("\ud800x") == "\ufffdx"


# -- 10. previous outputs are not submissions --------------------------------------------------------------------
def test_a_previous_batchs_outputs_inside_the_inbox_are_skipped_with_a_note(cli, tmp_path):
    inbox = tmp_path / "收回"
    put(inbox, "青山镇.yaml", "青山镇人民政府")
    put(inbox, "白沙乡.yaml", "白沙乡人民政府")
    first = cli("batch", inbox, "-o", inbox / "生成", "--to", "docx,txt,html")
    assert first.code == 0, first
    again = cli("batch", inbox, "-o", tmp_path / "第二次")
    assert again.code == 0, again
    assert "已跳过 生成 中 nianbao 自己生成的7个文件（汇总.xlsx、白沙乡人民政府2023年政府信息公开工作年度报告.docx、白沙乡人民政府2023年政府信息公开工作年度报告.html等）：它们不是交回的报告" in again.err
    assert [r[3] for r in rows(tmp_path / "第二次" / "汇总.xlsx")] == ["白沙乡.yaml", "青山镇.yaml"]

    total = cli("aggregate", inbox, "-o", inbox / "全县.yaml")
    assert total.code == 0, total
    assert "已生成" in total.out and "2个单位" in total.out
    record = json.loads((inbox / ".nianbao-生成记录.json").read_text(encoding="utf-8"))
    assert sorted(record) == ["全县.yaml", "汇总.xlsx"]
    again = cli("aggregate", inbox, "-o", tmp_path / "全县.yaml")
    assert again.code == 0 and "（2个单位）" in again.out, again
    assert f"已跳过 {inbox} 中 nianbao 自己生成的2个文件（全县.yaml、汇总.xlsx）：它们不是交回的报告" in again.err


def oversized_records(folder: Path) -> Path:
    """收回/青山镇.yaml and out/留着.txt (the clerk's own file), each folder with a record of
    over 1 MB that lists 20 000 files that are not there, and 留着.txt."""
    inbox = folder / "收回"
    put(inbox, "青山镇.yaml", "青山镇人民政府")
    out = folder / "out"
    out.mkdir()
    (out / "留着.txt").write_text("文员自己的文件", encoding="utf-8")
    huge = {f"不存在的文件{i}.docx": "0" * 64 for i in range(20_000)}
    huge["留着.txt"] = "0" * 64
    (out / ".nianbao-生成记录.json").write_text(json.dumps(huge, ensure_ascii=False), encoding="utf-8")
    (inbox / ".nianbao-生成记录.json").write_bytes((out / ".nianbao-生成记录.json").read_bytes())
    return inbox


def test_a_record_over_one_megabyte_is_ignored_with_a_note_and_rewritten_with_the_present_names(cli, tmp_path):
    inbox = oversized_records(tmp_path)
    out = tmp_path / "out"
    assert (out / ".nianbao-生成记录.json").stat().st_size > 1024 * 1024
    result = cli("batch", inbox, "-o", out)
    assert result.code == 0, result
    assert f"{inbox / '.nianbao-生成记录.json'} 超过 1 MB，不像 nianbao 写的记录，已忽略：该文件夹中以前生成的报告会被当作交回的文件" in result.err
    assert f"{out / '.nianbao-生成记录.json'} 超过 1 MB，不像 nianbao 写的记录，已忽略，并按文件夹中现有的文件重写" in result.err
    record = json.loads((out / ".nianbao-生成记录.json").read_text(encoding="utf-8"))
    assert sorted(record) == ["汇总.xlsx", f"青山镇人民政府{REPORT}.docx", f"青山镇人民政府{REPORT}.txt"]
    assert (out / "留着.txt").read_text(encoding="utf-8") == "文员自己的文件"


def test_a_record_names_only_files_of_its_own_folder(tmp_path):
    from nianbao.system.output import read_record

    path = tmp_path / ".nianbao-生成记录.json"
    path.write_text(json.dumps({"../外面.yaml": "x", "a/b.yaml": "x", "好.docx": "x", "": "x", "..": "x", "数": 1}), encoding="utf-8")
    assert read_record(path) == {"好.docx": "x"}
    path.write_text("[" * 100_000, encoding="utf-8")
    assert read_record(path) == {}


# -- 7. default texts are bounded --------------------------------------------------------------------------------
# the child runs a command and reports its own peak memory (MEASURE, shared with the hostile-input tests)
# nianbao as on a system without fork (Windows, macOS): the sandbox's own bounds, in one process
WITHOUT_CHILD = "import sys; import nianbao.county.batch as b; b._CHILD = False; from nianbao.cli import run; sys.argv = ['nianbao', *sys.argv[1:]]; run()"
WHERE = "默认文字文件 默认文字.yaml 中 problems（五、存在的主要问题及改进情况）"
BOMBS = {
    "nested_range": ("{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}{% endfor %}",
                     "的模板太大（循环超过100000次），已停止；请简化"),
    "range_of_a_billion": ("{% for x in range(10**9) %}x{% endfor %}", "的模板太大（range 超过1000个数），已停止；请简化"),
    "chained_power": ("{{ ((10**64)**64)**64 }}", "的模板太大（数字超过4096位（二进制）），已停止；请简化"),
    "big_power": ("{{ 2**(10**8) }}", "的模板太大（数字超过4096位（二进制）），已停止；请简化"),
    "center": ("{{ 'x'.center(10**9) }}", "的模板太大（宽度超过1000），已停止；请简化"),
    "center_filter": ("{{ 'x'|center(10**9) }}", "的模板太大（宽度超过1000），已停止；请简化"),
    "format_width": ("{{ '{:>1000000000}'.format(1) }}", "的模板太大（宽度超过1000），已停止；请简化"),
    "percent_width": ("{{ '%1000000000s' % 'x' }}", "的模板太大（宽度超过1000），已停止；请简化"),
    "repeated_list": ("{{ ['x' * 1000] * 1000000 }}", "的模板太大（生成的文字超过100000字），已停止；请简化"),
    "join": ("{{ ('x' * 1000)|list|join('y' * 99000) }}", "的模板太大（生成的文字超过100000字），已停止；请简化"),
    "replace": ("{% set s = 'x' * 100000 %}{{ s|replace('x', s) }}", "的模板太大（生成的文字超过100000字），已停止；请简化"),
    "doubling": ("{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
                 "的模板太大（生成的文字超过100000字），已停止；请简化"),
    "doubling_macro": ("{% macro d(s) %}{{ s }}{{ s }}{% endmacro %}" + "{{ " + "d(" * 40 + "'x'" + ")" * 40 + " }}",
                       "的模板太大（生成的文字超过100000字），已停止；请简化"),
    "lipsum": ("{{ lipsum(10**8) }}", "有不允许的写法（lipsum 生成的是随机的拉丁文，不能用在报告里）：占位符只能引用 unit.name、year 等数据"),
    "recursion": ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "的模板调用自身的层数过多（递归），已停止；请简化"),
    "exponential_macro": ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}{% endmacro %}{{ f(60) }}",
                          "的模板运行超过2秒，已停止；请简化"),
}


def defaults_bomb(folder: Path, template: str) -> Path:
    """A defaults file whose text for 五、存在的主要问题 is ``template``, and an inbox of two
    units: 青山镇 leaves that section empty (it needs the default), 白沙乡 wrote its own."""
    inbox = folder / "收回"
    lines = TEXT.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("problems:"))
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("  "))
    inbox.mkdir(parents=True)
    (inbox / "青山镇.yaml").write_text("\n".join(lines[:at] + ["problems: null"] + lines[end:]), encoding="utf-8")
    (inbox / "白沙乡.yaml").write_text(unit_text("白沙乡人民政府", 3), encoding="utf-8")
    path = folder / "默认文字.yaml"
    path.write_text("problems: " + json.dumps(template, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def measured(*command: object, cwd: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, *map(str, command)], capture_output=True, cwd=cwd, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout)


def assert_bomb_stopped(tmp_path: Path, result: dict, said: str) -> None:
    """Exit 1 within seconds and a few hundred MB; the unit that needed the text failed,
    blamed on the defaults file (no line of its own file), the other rendered."""
    told = result["out"] + result["err"]
    assert result["code"] == 1, told
    assert "Traceback" not in told and "内部错误" not in told
    assert result["seconds"] < 8, f"{result['seconds']:.1f} s"
    if result["mb"] is not None:
        assert result["mb"] < 300, f"{result['mb']:.0f} MB"
    units = {r[3]: r for r in rows(tmp_path / "out" / "汇总.xlsx")}
    assert (units["青山镇.yaml"][4], units["青山镇.yaml"][7]) == ("未通过", WHERE + said)
    assert units["白沙乡.yaml"][4] == "已生成"
    [finding] = [r for r in rows(tmp_path / "out" / "汇总.xlsx", "问题清单") if r[2] == "青山镇.yaml"]
    assert finding[3:6] == ("错误", "B", None)
    assert made(tmp_path / "out") == [f"白沙乡人民政府{REPORT}.docx", f"白沙乡人民政府{REPORT}.txt"]


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_default_text_that_asks_too_much_fails_the_unit_that_needed_it_within_bounds(tmp_path, bomb):
    template, said = BOMBS[bomb]
    defaults = defaults_bomb(tmp_path, template)
    result = measured(sys.executable, "-m", "nianbao", "batch", tmp_path / "收回", "-o", tmp_path / "out", "--defaults", defaults, "--jobs", "2", cwd=tmp_path)
    assert_bomb_stopped(tmp_path, result, said)


@pytest.mark.parametrize("bomb", ["nested_range", "center", "format_width", "join", "doubling_macro", "recursion", "exponential_macro"])
def test_without_a_child_process_the_sandbox_alone_bounds_a_default_text(tmp_path, bomb):
    template, said = BOMBS[bomb]
    defaults = defaults_bomb(tmp_path, template)
    result = measured(sys.executable, "-c", WITHOUT_CHILD, "batch", tmp_path / "收回", "-o", tmp_path / "out", "--defaults", defaults, "--jobs", "1", cwd=tmp_path)
    assert_bomb_stopped(tmp_path, result, said)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child process with a memory limit is Linux's")
def test_what_the_sandbox_misses_the_child_process_stops(tmp_path, monkeypatch):
    """The last line: with the sandbox's checks switched off (as if a way around them were
    found), the child's memory limit and the parent's clock still stop the text."""
    import time

    from nianbao.county import batch, bounded
    from nianbao.read.load import load_file

    defaults_bomb(tmp_path, "")
    report = load_file(tmp_path / "收回" / "青山镇.yaml").report
    monkeypatch.setattr(bounded, "MAX_WIDTH", 10**12)
    start = time.perf_counter()
    with pytest.raises(batch.DefaultsError) as told:
        batch.apply_defaults(report, batch.Defaults(((("problems",), "{{ 'x'.center(10**10) }}"),), "默认文字.yaml"))
    assert str(told.value) == WHERE + "的模板太大（内存超过256 MB），已停止；请简化"
    monkeypatch.setattr(bounded.Sandbox, "tick", lambda self: None)
    with pytest.raises(batch.DefaultsError) as told:
        batch.apply_defaults(report, batch.Defaults(((("problems",), BOMBS["exponential_macro"][0]),), "默认文字.yaml"))
    assert str(told.value) == WHERE + "的模板运行超过2秒或占用内存超过256 MB，已停止；请简化"
    assert time.perf_counter() - start < 8


def test_an_ordinary_default_text_still_renders(cli, tmp_path):
    defaults = defaults_bomb(tmp_path, "{% for n in range(2) %}{{ unit.name|replace('人民政府', '') }}{{ '%d' % year }}年第{{ loop.index }}项；{% endfor %}"
                                       "{{ '{:>4}'.format(applications.new.总计) }}件{{ ['甲', '乙']|join('、') }}{{ 'x'.center(5) }}。")
    result = cli("batch", tmp_path / "收回", "-o", tmp_path / "out", "--defaults", defaults, "--draft")
    assert result.code == 0, result
    text = (tmp_path / "out" / f"青山镇人民政府{REPORT}.txt").read_text(encoding="utf-8-sig")
    assert "青山镇2023年第1项；青山镇2023年第2项；   7件甲、乙  x  。" in text


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ ('{0}' * 1000).format('x' * 99000) }}", "生成的文字超过100000字"),
        ("{{ ('%(a)s' * 1000) % {'a': 'x' * 99000} }}", "生成的文字超过100000字"),
        ("{{ ('%s' * 1000)|format(*(['x' * 99] * 1000)) }}", "生成的文字超过100000字"),
        ("{{ '{:{w}}'.format(1, w=10**9) }}", "格式中的宽度不能用占位符给出"),
        ("{{ '%*d' % (10**9, 1) }}", "宽度超过1000"),
        ("{{ 'x\tx'.expandtabs(10**9) }}", "生成的文字超过100000字"),
        ("{{ ['x'] + ['y' * 100000] }}", "生成的文字超过100000字"),
        ("{% set ns = namespace(n=3) %}{% for i in range(1000) %}{% set ns.n = ns.n * ns.n %}{% endfor %}", "数字超过4096位（二进制）"),
        ("{{ 'x'|indent(10**9) }}", "宽度超过1000"),
        ("{{ ('x\n' * 50000)|indent(900) }}", "生成的文字超过100000字"),
        ("{{ ('x' * 99999)|wordwrap(1, wrapstring='y' * 1000) }}", "生成的文字超过100000字"),
        ("{{ range(1000)|slice(10**9)|list }}", "分组数超过1000"),
    ],
)
def test_the_sandbox_sizes_a_result_before_making_it(template, said):
    """Each way to multiply text that jinja offers, refused before the text is made."""
    from nianbao.county.bounded import NotAllowed, Sandbox, TooBig

    env = Sandbox()
    env.start()
    with pytest.raises((TooBig, NotAllowed)) as told:
        env.compile_text(template).render()
    assert str(told.value) == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "默认文字文件 默认文字.yaml：problems 的占位符或括号嵌套过深，请简化"),
        ("{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000, "默认文字文件 默认文字.yaml：problems 的占位符或括号嵌套过深，请简化"),
        ("{% for i in range(2) %}" * 30 + "x" + "{% endfor %}" * 30, "默认文字文件 默认文字.yaml：problems 的占位符或括号嵌套过深，请简化"),
        ("字" * 200_000, "默认文字文件 默认文字.yaml 超过 512 KB，不像几段默认文字：请检查是否选错了文件"),
    ],
)
def test_a_defaults_file_python_cannot_compile_is_refused_before_any_unit(tmp_path, text, said):
    defaults = defaults_bomb(tmp_path, text)
    result = measured(sys.executable, "-m", "nianbao", "batch", tmp_path / "收回", "-o", tmp_path / "out", "--defaults", defaults, cwd=tmp_path)
    assert result["code"] == 2, result
    assert result["err"].strip().endswith(said), result["err"]
    assert result["seconds"] < 8 and not (tmp_path / "out").exists()


def test_a_list_too_big_to_be_a_countys_is_refused(cli, tmp_path):
    inbox = typo_inbox(tmp_path)
    (tmp_path / "大名单.txt").write_text("".join(f"第{i}单位\n" for i in range(6000)), encoding="utf-8")
    result = cli("batch", inbox, "-o", tmp_path / "out", "--units", tmp_path / "大名单.txt")
    assert result.code == 2 and "名单 大名单.txt 有6000个单位，超过5000个，不像一个县（区）的名单：请检查是否选错了文件" in result.err
    (tmp_path / "大名单.txt").write_bytes(b"x" * (3 * 1024 * 1024))
    result = cli("aggregate", inbox, "-o", tmp_path / "全县.yaml", "--units", tmp_path / "大名单.txt")
    assert result.code == 2 and "名单 大名单.txt 超过 2 MB，不像单位名单：请检查是否选错了文件" in result.err


def test_the_typo_distance_is_levenshtein_within_its_limit():
    from nianbao.county.rules import distance, slip

    assert distance("柳林镇", "柳林真") == 1 and distance("柳林镇", "林镇") == 1 and distance("abc", "cab") == 2
    assert distance("城关镇", "白石镇") == 2 and distance("城关镇人民政府", "县财政局") == 3
    assert slip("柳林真人民政府", "柳林镇人民政府") == 1 and slip("柳林镇", "柳林镇人民政府") == 0
    assert slip("城关镇人民政府", "白石镇人民政府") is None  # two of three characters: another place
    assert slip("临溪县交通运输局", "临溪县交通运输厅") == 1 and slip("临溪县交通运输局", "临溪县文化旅游局") is None
