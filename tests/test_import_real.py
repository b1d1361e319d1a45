"""Published reports as they really are: the real reports of ../shared/corpus with their
values read by hand, PDFs exported from Word, scans, old Word files, damaged files.

The corpus is a sample of what governments publish; what is tested here for it must
hold for reports never seen, so nothing in the importer knows these files."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DATA, EXAMPLE_2020, EXAMPLE_2023, ROOT
from othertool import TABLE3, TABLE4, UNIT
from othertool import build as other_tool_docx

from nianbao.findings import ERROR, Finding
from nianbao.read.importer import checkable, import_bytes, import_file
from nianbao.read.load import load_file
from nianbao.read.sources import load_checked
from nianbao.render import office

CORPUS = ROOT.parent / "shared" / "corpus"
PUBLISHED = DATA / "published"
MAIN_ROWS = ("new", "carried_over", "disclosed", "partially_disclosed", "total", "carried_forward")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix != ".json" and p.name != "README.md" and p.with_suffix(".json").is_file())


def needs_corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus folder {CORPUS} is absent (it sits beside the checkout as ../shared/corpus)")


def read_cells(imported) -> tuple[dict[str, list], list]:
    """Table 三's main rows and table 四 as the report reads them; None for a cell the import
    left empty (a row not in the text, or not readable)."""
    spec = imported.spec
    report = checkable(imported, today=dt.date(2030, 1, 1))[0].report
    assert report is not None
    t3 = spec.table3
    leaves_lost = any(("applications", *t3.keypath(leaf)) in imported.unreadable for leaf in t3.leaves())
    rows = {}
    for key in MAIN_ROWS:
        keys = ("applications", *t3.keypath(t3.row(key)))
        lost = keys in imported.unreadable or (key == "total" and keys not in imported.data.get("applications", {}) and leaves_lost
                                               and imported.data["applications"].get("total") is None)
        rows[key] = [None] * 7 if lost else report.row(t3.row(key))
    appeals = []
    for group in spec.table4.groups:
        lost = ("appeals", group.key) in imported.unreadable
        appeals += [None] * 5 if lost else report.appeal(group)
    return rows, appeals


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_report_every_cell_equals_the_hand_read_value(path):
    needs_corpus()
    want = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    imported = import_file(path)
    assert imported.spec is not None, imported.findings
    assert (imported.data["year"], imported.spec.id, imported.data["unit"]["name"]) == (want["year"], want["format"], want["unit"])
    rows, appeals = read_cells(imported)
    for key in MAIN_ROWS:
        assert rows[key] == want["table3"][key], key  # null in the JSON: not in the text, and not invented
    assert appeals == want["table4"]
    lost = [f for f in imported.findings if f.level == ERROR]
    if not want.get("unreadable"):
        assert lost == [], "a complete report reads without a lost cell"
    else:
        assert lost, "what is not in the text is reported"


def test_corpus_table3_details_where_hand_read():
    needs_corpus()
    checked = 0
    for path in corpus_files():
        want = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        detail = want.get("table3_detail")
        if not detail:
            continue
        imported = import_file(path)
        report = checkable(imported, today=dt.date(2030, 1, 1))[0].report
        lines = list(imported.spec.table3.data_lines())
        special = {"一": "一", "二": "二", "七": "三（七）", "四结转": "四"}
        for label, values in detail.items():
            path = special.get(label, "三" + label)
            line = next(line for line in lines if line.path == path or line.path.startswith(path + "."))
            assert report.row(line) == values, f"{path.name} {label}"
            checked += 1
    assert checked


def test_corpus_blank_cells_are_zero_with_a_warning_and_a_blank_total_is_not_computed():
    needs_corpus()
    path = next((p for p in corpus_files() if p.name.startswith("01_")), None)
    if path is None:
        pytest.skip("corpus file 01 absent")
    imported = import_file(path)
    assert Finding("warning", "I", "表三.三（一）", "表三 三（一）予以公开：原文科研机构、社会公益组织、总计为空白，按0计", 52) in imported.findings
    loaded, findings = load_checked(path)
    rules = {(f.rule, f.path) for f in findings}
    assert ("R2", "表三.三（一）.总计") in rules  # the published defect, not repaired
    assert imported.data["proactive"]["procurement"][1] == Decimal("25.1")


def test_corpus_official_pdf_printed_appeal_totals_are_r4_and_a_single_other_row_is_placed(cli, tmp_path):
    """20 洪泽区 2023: table 四 prints 总计 0 under 10+1 and 5 (check must say so, the import
    must not repair it); （六）其他处理 is one row of zeros without its three items; the
    heading 二 stands in the ruled box of the overview's last paragraphs."""
    needs_corpus()
    path = next((p for p in corpus_files() if p.name.startswith("20_")), None)
    if path is None:
        pytest.skip("corpus file 20 absent")
    imported = import_file(path)
    assert [(f.level, f.rule, f.message.split("（第4页")[0]) for f in imported.findings] == [
        ("warning", "I", "表三 三（六）其他处理 1.申请人无正当理由逾期不补正："
         "原文表三“（六）其他处理”只印了一行（各列均为0），没有分1、2、3项：各分项均按0计"),
    ]
    assert "（第4页第" in imported.findings[0].message  # the place in the PDF where the row is printed
    assert imported.data["appeals"]["review"] == [10, 1, 0, 0, 0]
    assert imported.data["appeals"]["lawsuit_after_review"] == [5, 0, 0, 0, 0]
    assert imported.data["applications"]["other"] == {"no_correction": [0] * 6, "fee_unpaid": [0] * 6, "other": [0] * 6}
    assert imported.data["unit"]["address"] == "淮安市洪泽区洪泽湖大道90号"
    assert "platforms" in imported.data["overview"] and "严格督查" in imported.data["overview"]["platforms"]
    assert "日常监测机制" in imported.data["overview"]["oversight"]
    r4 = [(f.path, f.message) for f in load_checked(path)[1] if f.rule == "R4"]
    assert r4 == [
        ("表四.行政复议.总计", "表四：行政复议的总计填写为0，但结果维持+结果纠正+其他结果+尚未审结=10+1+0+0=11"),
        ("表四.行政诉讼.复议后起诉.总计", "表四：行政诉讼（复议后起诉）的总计填写为0，但结果维持+结果纠正+其他结果+尚未审结=5+0+0+0=5"),
    ]
    out = tmp_path / "out"
    assert cli("import", str(path), "-o", str(out)).code == 0
    written = next(out.glob("*.yaml"))
    result = cli("check", str(written))
    assert result.code == 1 and (result.out + result.err).count("[错误 R4]") == 2, result


# -- PDF ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("pdf", "example"), [("2023-青山镇.pdf", EXAMPLE_2023), ("2020-白河乡.pdf", EXAMPLE_2020)])
def test_own_pdf_imports_every_cell_and_the_unit(pdf, example):
    report = load_file(example).report
    imported = import_file(PUBLISHED / pdf)
    assert imported.findings == []
    back = checkable(imported)[0].report
    assert [back.row(line) for line in back.spec.table3.data_lines()] == [report.row(line) for line in report.spec.table3.data_lines()]
    assert [back.appeal(g) for g in back.spec.table4.groups] == [report.appeal(g) for g in report.spec.table4.groups]
    assert back.plain()["proactive"] == report.plain()["proactive"]
    assert back.plain()["unit"] == report.plain()["unit"]
    assert back.plain()["overview"] == report.plain()["overview"]
    for key in ("problems", "other_matters", "processing_fees"):  # every narrative and figure, through LibreOffice's PDF
        assert back.plain().get(key) == report.plain().get(key), key


def _other_tool_expected(imported, *, lost: set[str] = frozenset()):
    data = imported.data
    assert (data["year"], data["format"], data["unit"]["name"], data["unit"]["date"]) == (2020, "v2019", UNIT, dt.date(2021, 1, 25))
    report = checkable(imported)[0].report
    t3 = imported.spec.table3
    rows = {line.path: report.row(line) for line in t3.data_lines()}
    for (_level1, _level2, _item, values), path in zip(TABLE3, rows):
        if path in lost:
            assert ("applications", *t3.keypath(next(row for row in t3.data_lines() if row.path == path))) in imported.unreadable
            continue
        assert rows[path] == [0 if v == "" else v for v in values], path
    assert sum((report.appeal(g) for g in imported.spec.table4.groups), []) == TABLE4


def test_pdf_of_another_office_ruled_table_over_pages_with_repeated_header():
    imported = import_file(PUBLISHED / "2020-南山乡-ruled.pdf")
    assert [(f.level, f.path) for f in imported.findings] == [("warning", "表二.政府集中采购.采购总金额"), ("warning", "表三.三（六）")]
    _other_tool_expected(imported)


def test_pdf_without_ruling_lines_reads_every_cell_it_can_see_and_reports_the_rest():
    """Labels wrapped in narrow columns; the blank 总计 of 三（六） is invisible in the text, so
    that row is reported, not guessed."""
    imported = import_file(PUBLISHED / "2020-南山乡-unruled.pdf")
    lost = [f for f in imported.findings if f.level == ERROR]
    assert [(f.path, f.message.split("：")[1][:12]) for f in lost] == [("表三.三（六）", "原文这一行有6个数，应为")]
    _other_tool_expected(imported, lost={"三（六）"})


def test_a_scan_is_told_for_what_it_is(cli, tmp_path, monkeypatch):
    from nianbao.read.importer import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)  # without the ocr extra (with it: tests/test_scan.py)
    result = cli("import", PUBLISHED / "scan.pdf", "-o", tmp_path)
    assert result.code == 1
    assert "扫描件" in result.out and "OCR" in result.out
    assert list(tmp_path.iterdir()) == []


def test_check_next_batch_and_aggregate_accept_pdf(cli, tmp_path):
    pdf = tmp_path / "青山镇2023.pdf"
    shutil.copy(PUBLISHED / "2023-青山镇.pdf", pdf)
    assert cli("check", pdf).code == 0
    result = cli("next", pdf, "-o", tmp_path / "2024.yaml")
    assert result.code == 0, result
    assert "year: 2024" in (tmp_path / "2024.yaml").read_text(encoding="utf-8")
    assert cli("batch", pdf, "-o", tmp_path / "out", "--jobs", "1").code == 0
    assert (tmp_path / "out" / "青山镇人民政府2023年政府信息公开工作年度报告.docx").is_file()
    result = cli("aggregate", pdf, PUBLISHED / "2023-青山镇.pdf", "-o", tmp_path / "sum.yaml")
    assert result.code in (0, 1)  # the same report twice: counted once or refused, never summed twice (issue 14)


# -- old Word files -----------------------------------------------------------------------------------------
def test_an_old_word_file_without_libreoffice_says_to_save_as_docx(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    old = tmp_path / "2022年报.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = cli("import", old, "-o", tmp_path)
    assert result.code == 1
    assert "另存为” .docx" in result.out
    assert not list(tmp_path.glob("*.yaml"))


@pytest.mark.skipif(office.soffice() is None, reason="LibreOffice (soffice) is not installed: .doc conversion cannot be tried")
def test_an_old_word_file_is_converted_with_libreoffice(tmp_path):
    docx = tmp_path / "南山乡.docx"
    docx.write_bytes(other_tool_docx(ruled=True))
    office.convert([docx], "doc", tmp_path)
    imported = import_file(tmp_path / "南山乡.doc")
    assert [(f.level, f.path) for f in imported.findings] == [("warning", "表二.政府集中采购.采购总金额"), ("warning", "表三.三（六）")]
    _other_tool_expected(imported)


@pytest.mark.skipif(office.soffice() is None, reason="LibreOffice (soffice) is not installed: no PDF can be made here")
@pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_render_then_pdf_then_import_gives_back_the_tables(example, tmp_path):
    from nianbao.render import docx as render_docx

    report = load_file(example).report
    source = tmp_path / "report.docx"
    source.write_bytes(render_docx.render(report, None))
    pdf = office.convert([source], "pdf", tmp_path)[source]
    back = checkable(import_file(pdf))[0].report
    assert [back.row(line) for line in back.spec.table3.data_lines()] == [report.row(line) for line in report.spec.table3.data_lines()]
    assert [back.appeal(g) for g in back.spec.table4.groups] == [report.appeal(g) for g in report.spec.table4.groups]
    assert back.plain()["proactive"] == report.plain()["proactive"]
    assert back.plain()["unit"] == report.plain()["unit"]


# -- doubtful digits -------------------------------------------------------------------------------------------
def test_ocr_digits_are_reported_not_read_and_ocr_labels_still_found():
    text = (ROOT / "tests" / "data" / "004.yaml").read_text(encoding="utf-8")  # any report file will do for the numbers
    from nianbao.render import txt as render_txt

    report = load_file(EXAMPLE_2023).report
    rendered = render_txt.render(report).decode("utf-8-sig")
    rendered = rendered.replace("5.要求行政机关确认或重新出具已获取信息", "5.要求行政机关确认或重新出具己获取信息")
    rendered = rendered.replace("1.属于国家秘密", "l.属于国家秘密")
    lines = rendered.split("\n")
    new = next(i for i, line in enumerate(lines) if line.startswith("一、本年新收"))
    lines[new] = lines[new].replace("  5  ", "  S  ", 1)
    imported = import_bytes("\n".join(lines).encode("utf-8"), Path("ocr.txt"))
    assert [(f.level, f.path) for f in imported.findings] == [("error", "表三.一.自然人")]
    assert "看不清" in imported.findings[0].message
    assert imported.data["applications"]["new"][0] is None
    assert text  # the fixture exists


# -- damaged files never crash ---------------------------------------------------------------------------------
def _damaged(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:  # cut at a random point
        return data[: rng.randrange(len(data))]
    if kind == 1:  # lines dropped
        lines = data.split(b"\n")
        return b"\n".join(line for line in lines if rng.random() > 0.15)
    if kind == 2:  # whitespace shuffled
        out = bytearray(data)
        for _ in range(max(1, len(out) // 50)):
            i = rng.randrange(len(out))
            if out[i] in b" \t\n":
                out[i] = rng.choice(b" \t\n")
        return bytes(out)
    if kind == 3:  # bytes flipped
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    lines = data.split(b"\n")  # lines repeated and swapped
    for _ in range(rng.randint(1, 10)):
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def _samples() -> list[Path]:
    files = corpus_files()
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        files += sorted(seeds.glob("*.txt"))
    return files + sorted(PUBLISHED.glob("*.html"))


def test_damaged_published_reports_never_escape_as_an_exception(tmp_path):
    rng = random.Random(20261125)
    sources = _samples()
    assert sources
    for source in sources:
        data = source.read_bytes()
        for n in range(25):
            damaged = _damaged(data, rng)
            path = tmp_path / f"{n}{source.suffix}"
            path.write_bytes(damaged)
            loaded, findings = load_checked(path)  # what check does: import, then every rule
            assert all(isinstance(f, Finding) for f in findings)


def test_damaged_docx_and_pdf_never_escape_as_an_exception(tmp_path):
    rng = random.Random(7)
    samples = [("docx", other_tool_docx(ruled=True)), ("pdf", (PUBLISHED / "2020-南山乡-ruled.pdf").read_bytes())]
    for suffix, data in samples:
        for n in range(6):
            damaged = _damaged(data, rng)
            imported = import_bytes(damaged, Path(f"x{n}.{suffix}"))
            assert imported.spec is not None or imported.findings


def test_check_of_damaged_reports_exits_0_or_1(cli, tmp_path):
    rng = random.Random(3)
    paths = []
    for source in _samples()[:4]:
        path = tmp_path / f"damaged-{source.name}"
        path.write_bytes(_damaged(source.read_bytes(), rng))
        paths.append(path)
    result = cli("check", *paths)
    assert result.code in (0, 1), result
    assert "内部错误" not in result.out + result.err and "Traceback" not in result.out + result.err


def test_a_table_published_as_a_picture_is_reported_missing():
    page = (PUBLISHED / "2022-东湖街道.html").read_text(encoding="utf-8")
    start = page.index("<table", page.index("三、行政机关收到"))
    end = page.index("</table>", start) + len("</table>")
    page = page[:start] + "<p><img src='/uploads/table3.png' alt=''/></p>" + page[end:]
    imported = import_bytes(page.encode("utf-8"), Path("page.html"))
    errors = [f for f in imported.findings if f.level == ERROR]
    assert len(errors) == 1 and "表三是图片" in errors[0].message and "24行均留空" in errors[0].message
    assert imported.data["applications"]["new"] is None  # never a zero
    assert imported.data["appeals"]["review"] == [1, 0, 0, 0]  # the rest is still read
