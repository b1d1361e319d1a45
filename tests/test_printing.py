"""#20.3 The worklist on paper: every visible sheet of 汇总.xlsx and of the collection workbook
prints on A4, one page wide, its header rows on every page, a footer with the sheet's name
and page number — read back with openpyxl, and printed by LibreOffice and read page by page."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from conftest import EXAMPLE_2023, edit
from openpyxl import load_workbook

from nianbao.county import worklist
from nianbao.county.batch import Outcome
from nianbao.findings import ERROR, WARNING, Finding
from nianbao.model.standard import spec_for_year
from nianbao.read.workbook import KEYS_SHEET, build_sheet
from nianbao.render import office
from nianbao.render.printing import FOOTER_LEFT, FOOTER_RIGHT

A4_LANDSCAPE = (841.89, 595.304)  # points, as pdfinfo gives them
A4_PORTRAIT = A4_LANDSCAPE[::-1]


def assert_prints(sheet, orientation: str, title_rows: str | None) -> None:
    """The print settings of one sheet, as the file holds them."""
    setup = sheet.page_setup
    assert (setup.orientation, str(setup.paperSize)) == (orientation, "9")  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == title_rows
    assert (sheet.oddFooter.left.text, sheet.oddFooter.right.text) == (FOOTER_LEFT, FOOTER_RIGHT) == ("&A", "第 &P 页，共 &N 页")
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.6, 0.6, 0.8, 0.85)


def outcomes(count: int) -> list[Outcome]:
    """``count`` units, each sent back with two findings of a length a real one has."""
    out = []
    for i in range(1, count + 1):
        outcome = Outcome(Path(f"第{i}单位.xlsx"), shown=f"收回/第{i:02d}街道办事处/第{i}单位2025年度政府信息公开年报采集表.xlsx",
                          name=f"第{i:02d}街道办事处", year=2025, status="未通过")
        outcome.findings = [
            Finding(ERROR, "R1", "表三.一、本年新收政府信息公开申请数量.自然人",
                    f"表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项={i}+0={i}，第三项（七）总计+第四项={i + 1}+0={i + 1}）", cell="表三!D4"),
            Finding(WARNING, "R7", "五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况：没有写改进和上年问题的整改情况", cell="机关信息与文字!B19"),
        ]
        out.append(outcome)
    return out


def pdf_pages(pdf: Path) -> list[tuple[tuple[float, float], str]]:
    """(page size in points, page text) of every page."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    texts = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    return list(zip(sizes, texts))


def printed(tmp_path: Path, name: str, data: bytes) -> list[tuple[tuple[float, float], str]]:
    source = tmp_path / name
    source.write_bytes(data)
    done = office.convert([source], "pdf", tmp_path / "pdf")
    assert source in done, "LibreOffice did not print the workbook"
    return pdf_pages(done[source])


# -- 汇总.xlsx ------------------------------------------------------------------------------------------------------
def test_every_sheet_of_the_worklist_prints_landscape_one_page_wide_with_its_header_and_a_footer():
    wb = load_workbook(io.BytesIO(worklist.build(outcomes(3), {"表三主要行": [("机关名称", "文件", "（一）予以公开"), ("甲", "a.yaml", 1)]})))
    assert wb.sheetnames == ["单位", "问题清单", "表三主要行"]
    for sheet in wb.worksheets:
        assert_prints(sheet, "landscape", "$1:$1")


def test_the_table_sheet_aggregate_adds_prints_the_same_and_the_batch_sheets_keep_theirs():
    batch = worklist.build(outcomes(2))
    wb = load_workbook(io.BytesIO(worklist.with_sheet(batch, "表三主要行", [("机关名称", "文件", "（一）予以公开"), ("甲", "a.yaml", 1)])))
    assert wb.sheetnames == ["单位", "问题清单", "表三主要行"]
    for sheet in wb.worksheets:
        assert_prints(sheet, "landscape", "$1:$1")
    alone = load_workbook(io.BytesIO(worklist.with_sheet(None, "表三主要行", [("机关名称",), ("甲",)])))
    assert alone.sheetnames == ["表三主要行"]
    assert_prints(alone["表三主要行"], "landscape", "$1:$1")


def test_the_worklist_a_batch_writes_and_aggregate_extends_print_set_up(cli, tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    for name in ("城关镇人民政府", "白石镇人民政府"):
        (inbox / f"{name}.yaml").write_text(edit(text, "name: 青山镇人民政府", f"name: {name}"), encoding="utf-8")
    assert cli("batch", inbox, "-o", tmp_path / "out").code == 0
    assert cli("aggregate", inbox, "--unit", "青山县人民政府", "-o", tmp_path / "out" / "汇总.yaml").code == 0
    wb = load_workbook(tmp_path / "out" / "汇总.xlsx")
    assert wb.sheetnames == ["单位", "问题清单", "表三主要行"]
    for sheet in wb.worksheets:  # aggregate's sheet repeats its title (what it counts, what it lacks) with the header
        assert_prints(sheet, "landscape", "$1:$3" if sheet.title == "表三主要行" else "$1:$1")


def test_a_worklist_of_sixty_units_prints_whole_rows_on_landscape_pages_each_with_the_header(tmp_path):
    pages = printed(tmp_path, "汇总.xlsx", worklist.build(outcomes(60)))
    assert len(pages) >= 4  # 60 rows and 120 findings do not fit on one page each
    for size, text in pages:
        assert size == A4_LANDSCAPE
        lines = [line for line in text.split("\n") if line.strip()]
        # one page wide: a page holds the first column's and the last column's header, never a fragment
        assert re.search(r"序号\s+机关名称", text), text[:300]
        assert "生成的文件" in text or "问题（退回意见）" in text
        footer = lines[-1]
        assert re.fullmatch(r"\s*(单位|问题清单)\s+第 \d+ 页，共 \d+ 页\s*", footer), footer
    sheets = [re.fullmatch(r"\s*(\S+)\s+第 (\d+) 页，共 (\d+) 页\s*", [line for line in text.split("\n") if line.strip()][-1]).groups() for _, text in pages]
    names = [name for name, _, _ in sheets]
    assert names == sorted(names, key=["单位", "问题清单"].index) and set(names) == {"单位", "问题清单"}
    unit_pages = [text for (_, text), (name, _, _) in zip(pages, sheets) if name == "单位"]
    # every unit's row is printed once, whole: its number, name, status and the counts
    found = sorted(int(n) for text in unit_pages for n in re.findall(r"^\s*(\d+)\s+第\d\d街道办事处", text, re.M))
    assert found == list(range(1, 61))
    # a finding of two lines prints both (the row is as tall as its text), not its first line cut
    assert all(f"={i + 1}+0={i + 1}）" in "".join(unit_pages).replace(" ", "") for i in range(1, 61))


# -- the collection workbook ---------------------------------------------------------------------------------------------
def test_every_visible_sheet_of_the_collection_workbook_prints_set_up():
    spec = spec_for_year(2025)
    wb = load_workbook(io.BytesIO(build_sheet(spec, 2025, "青山镇人民政府")))
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert [ws.title for ws in visible] == ["填写说明", "机关信息与文字", *spec.table_names]
    expected = {
        "填写说明": ("portrait", None),  # one column of text
        "机关信息与文字": ("portrait", "$1:$2"),  # a two-column form; the year and format on every page
        spec.table_names[0]: ("portrait", None),  # four columns; each article has its own header row
        spec.table_names[1]: ("landscape", "$1:$3"),
        spec.table_names[2]: ("landscape", "$1:$3"),
    }
    for sheet in visible:
        assert_prints(sheet, *expected[sheet.title])
    assert wb[KEYS_SHEET].sheet_state == "hidden"


def test_the_collection_workbook_prints_each_table_on_one_page_wide(tmp_path):
    spec = spec_for_year(2025)
    pages = printed(tmp_path, "采集表.xlsx", build_sheet(spec, 2025, "青山镇人民政府"))
    footers = [[line for line in text.split("\n") if line.strip()][-1].split() for _, text in pages]
    assert [f[0] for f in footers] == ["填写说明", "机关信息与文字", *spec.table_names]
    assert [" ".join(f[1:]) for f in footers] == [f"第 {i} 页，共 5 页" for i in range(1, 6)]
    assert [size for size, _ in pages] == [A4_PORTRAIT, A4_PORTRAIT, A4_PORTRAIT, A4_LANDSCAPE, A4_LANDSCAPE]
    intro, facts, table2, table3, table4 = (text for _, text in pages)
    assert "政府信息公开工作年度报告 数据采集表" in intro  # the first line whole, not cut at the left edge
    t3 = spec.table3
    for label in ("申请人情况", "自然人", "总计", t3.row("new").label, t3.row("carried_forward").label, "勾稽关系检查"):
        assert label in table3, label
    assert "行政复议" in table4 and "行政诉讼" in table4


def test_the_table_sheet_of_aggregate_prints_its_names_and_headings_whole(tmp_path):
    """The sheet aggregate adds gives no column widths: each is as wide as its text, so a
    printed heading or unit name is not cut at the next filled cell."""
    spec = spec_for_year(2025)
    main = [spec.table3.row(k).label for k in ("new", "carried_over", "total", "carried_forward")]
    rows = [("机关名称", "文件", *main), ("青山县城关镇人民政府", "收回/城关镇人民政府.yaml", 7, 1, 7, 1), ("合计", None, 7, 1, 7, 1)]
    book = worklist.with_sheet(None, "表三主要行", rows)
    sheet = load_workbook(io.BytesIO(book))["表三主要行"]
    assert [sheet.column_dimensions[c].width for c in "ABCDEF"] == [22, 26, 34, 34, 12, 24]
    (size, text), = printed(tmp_path, "汇总.xlsx", book)
    assert size == A4_LANDSCAPE
    assert re.search(r"机关名称\s+文件\s+" + r"\s+".join(map(re.escape, main)), text), text
    assert re.search(r"青山县城关镇人民政府\s+收回/城关镇人民政府\.yaml\s+7\s+1\s+7\s+1", text), text
