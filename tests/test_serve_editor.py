"""The web editor's pure functions (nianbao.workflows.editing): what a clerk types in the browser gives
exactly the findings the same text gives to ``nianbao check``; uploads (report file, collection
workbook, published PDF) become report text with exact values; the change summary."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit
from test_batch import fill

from nianbao.findings import ERROR
from nianbao.model.yamlfile import number_text
from nianbao.read.load import load_file
from nianbao.read.workbook import build_sheet
from nianbao.render.reportfile import scalar
from nianbao.workflows import editing as editor

TEXT = editor.canonical(EXAMPLE_2023.read_text(encoding="utf-8"))


def check_json(cli, tmp_path, text: str) -> list[dict]:
    """``nianbao check --json`` on ``text`` written as a report file."""
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("check", "--json", path)
    return json.loads(result.out)["findings"]


def test_the_canonical_text_is_what_dump_writes_and_reads_back_unchanged():
    assert editor.canonical(TEXT) == TEXT
    assert TEXT.startswith("# 示例：一个乡镇 2023 年度的报告文件（2021年修订格式）。\n")  # the header is kept
    assert "new: [5, 1, 0, 0, 1, 0, 7]" in TEXT
    assert editor.evaluate(TEXT, None) == []


@pytest.mark.parametrize("typed", ["１２", "12件", "1,200", "0x10", "+12", " 12 ", "-3", "2.5"])
def test_a_typed_cell_gives_the_findings_check_gives_for_the_same_yaml(cli, tmp_path, typed):
    text = editor.apply(TEXT, {"applications.new.0": typed})
    cell = scalar(number_text(typed))  # "1,200" quoted: unquoted in a flow list it would be two numbers
    by_hand = edit(TEXT, "new: [5, 1, 0, 0, 1, 0, 7]", f"new: [{cell}, 1, 0, 0, 1, 0, 7]")
    written = f"  new: [{cell}, 1, 0, 0, 1, 0, 7]"  # written as a clerk would write it in the file
    assert [line.startswith(written) for line in text.split("\n")].count(True) == 1
    assert [f.as_json() for f in editor.evaluate(text, None)] == check_json(cli, tmp_path, by_hand)


def test_typed_figures_give_the_exact_findings():
    full = editor.evaluate(editor.apply(TEXT, {"applications.new.0": "１２"}), None)
    assert [(f.level, f.rule, f.path) for f in full][0] == (ERROR, "S", "表三.一.自然人")
    assert full[0].message == "表三 一、本年新收 · 自然人：“１２”是全角数字，请改为半角数字 12"
    unit = editor.evaluate(editor.apply(TEXT, {"applications.new.0": "12件"}), None)
    assert unit[0].message == "表三 一、本年新收 · 自然人：只填数字，不要带单位：“12件”请写成 12（单位已印在表头）"


def test_a_wrong_total_is_r2_and_an_emptied_total_is_computed_again(cli, tmp_path):
    wrong = editor.apply(TEXT, {"applications.new.0": "6"})
    findings = editor.evaluate(wrong, None)
    assert [(f.rule, f.path) for f in findings] == [("R1", "表三.一.自然人"), ("R2", "表三.一.总计")]
    assert findings[1].message == "表三：一、本年新收政府信息公开申请数量的总计填写为7，但自然人+商业企业+科研机构+社会公益组织+法律服务机构+其他=6+1+0+0+1+0=8"
    assert [f.as_json() for f in findings] == check_json(cli, tmp_path, wrong)
    dropped = editor.apply(wrong, {"applications.new.6": ""})
    assert "new: [6, 1, 0, 0, 1, 0]" in dropped  # the given 总计 left: computed from the row again
    assert editor.computed(dropped)["applications.new.6"] == "8"
    assert [f.rule for f in editor.evaluate(dropped, None) if f.level == ERROR] == ["R1", "R1"]


def test_the_form_shows_values_as_typed_and_totals_as_computed():
    form = editor.form(editor.apply(TEXT, {"applications.new.0": "12件"}))
    assert form["spec"] == "v2021" and form["year"] == 2023
    assert form["values"]["applications.new.0"] == "12件"
    assert form["values"]["unit.postcode"] == "412300" and form["values"]["unit.date"] == "2024-01-18"
    assert form["values"]["proactive.licensing"] == "12" and form["values"]["proactive.normative_documents.2"] == "6"
    assert "applications.new.6" in form["given"] and "applications.carried_over.6" not in form["given"]
    assert editor.form(editor.blank(2023, "某镇"))["given"] == []
    assert form["computed"] == {}  # the report cannot be built while a cell is unreadable
    assert editor.form(TEXT)["computed"]["appeals.lawsuit_direct.4"] == "0"
    assert editor.form(TEXT)["computed"]["applications.carried_over.6"] == "1"


def test_narratives_dates_and_unknown_keys():
    text = editor.apply(TEXT, {"problems": "一是……\n二是……", "unit.date": "2024-01-20", "unit.email": "a@b.cn"})
    report = load_file_text(text)
    assert report.text("problems") == "一是……\n二是……"
    assert str(report.get(("unit", "date"))) == "2024-01-20" and report.get(("unit", "email")) == "a@b.cn"
    with pytest.raises(editor.EditorError, match="不认识的项"):
        editor.apply(TEXT, {"applications.nonsense.0": "1"})
    with pytest.raises(editor.EditorError, match="超过20000字"):
        editor.apply(TEXT, {"problems": "字" * 20001})


def load_file_text(text: str):
    loaded, findings = editor.checked(text)
    assert loaded.report is not None, findings
    return loaded.report


def test_summary_names_the_cells_in_official_labels():
    new = editor.apply(TEXT, {"applications.new.0": "6", "problems": "改写后的问题。", "unit.phone": ""})
    assert editor.summary(TEXT, new) == [
        "联系电话：0731-5550123 → 空",
        "表三 一、本年新收 · 自然人：5 → 6",
        "五、存在的主要问题及改进情况：修改（196字 → 7字）",
    ]
    assert editor.summary(None, TEXT) == ["新建报告"]
    many = editor.apply(TEXT, {f"applications.withheld.state_secret.{i}": "1" for i in range(6)}
                        | {f"applications.withheld.prohibited_by_law.{i}": "1" for i in range(7)})
    lines = editor.summary(TEXT, many)
    assert len(lines) == editor.SUMMARY_LINES and lines[-1] == "另有2处改动"  # 13 changes: 11 shown


def test_blank_and_next_year():
    blank = editor.blank(2024, "青山镇人民政府")
    assert blank.startswith("# 青山镇人民政府2024年政府信息公开工作年度报告\nyear: 2024")
    form = editor.form(blank)
    assert form["values"]["unit.name"] == "青山镇人民政府" and form["values"]["applications.new.0"] == "0"
    assert [f.rule for f in editor.evaluate(blank, None)] == ["P"] * 7  # the empty sections and the date nobody chose yet
    draft = editor.next_from(TEXT, 2024)
    values = editor.form(draft)["values"]
    assert values["applications.carried_over.0"] == "1"  # last year's 四、结转下年度继续办理
    assert values["proactive.normative_documents.2"] == "6" and values["applications.new.0"] == "0"
    assert values["unit.date"] == "" and values["problems"].startswith("本年度工作中仍有不足：一是")
    x = [f.rule for f in editor.evaluate(draft, TEXT) if f.rule.startswith("X")]
    assert x and set(x) <= {"X1", "X2", "X3", "X4", "X5"}
    with pytest.raises(editor.EditorError, match="不是2022年度的"):
        editor.next_from(TEXT, 2023)


def test_the_v2019_form_keeps_its_one_text_overview():
    text = editor.canonical(EXAMPLE_2020.read_text(encoding="utf-8"))
    form = editor.form(text)
    assert form["overview_text"] and form["values"]["overview"].startswith("2020年，白河乡")
    assert "processing_fees.notices" not in form["values"]
    assert editor.evaluate(text, None) == []


# -- uploads -------------------------------------------------------------------------------------------------
def test_an_uploaded_report_file_is_read_as_check_reads_it():
    made = editor.upload("../../etc/passwd.yaml", EXAMPLE_2023.read_bytes())  # only the suffix of the name is used
    assert made.text == TEXT and made.findings == [] and made.year == 2023
    assert editor.adopt(made, 2023) == TEXT
    assert editor.form(editor.adopt(made, 2024))["values"]["applications.carried_over.0"] == "1"  # last year's: a draft
    with pytest.raises(editor.EditorError, match="上传的是2023年度的报告"):
        editor.adopt(made, 2025)


def test_an_uploaded_workbook_gives_the_exact_values():
    report = load_file(EXAMPLE_2023).report
    data = fill(build_sheet(report.spec, 2023, report.unit_name), report)
    made = editor.upload("采集表.xlsx", data)
    assert made.findings == [] and made.year == 2023
    values, expected = editor.form(made.text)["values"], editor.form(TEXT)["values"]
    for name, value in expected.items():
        total = name.startswith("applications.total") or name.endswith(".6") and name.startswith("applications") or (
            name.startswith("appeals") and name.endswith(".4"))
        if not total:  # the workbook computes the totals the example writes
            assert values[name] == value, name


def test_hostile_and_strange_uploads_are_findings():
    assert editor.upload("a.yaml", b"").findings[0].message == "上传的文件是空的"
    assert editor.upload("a.bin", b"\x00\x01garbage").findings[0].message.startswith("不认识这种文件")
    big = editor.upload("a.pdf", b"%PDF-" + b"0" * (editor.MAX_UPLOAD_BYTES + 1))
    assert big.text is None and big.findings[0].message.startswith("文件过大")
    deep = editor.upload("a.yaml", deep_brackets())
    assert deep.text is None and "嵌套" in deep.findings[0].message
    laughs = editor.upload("a.yaml", billion_laughs())
    assert laughs.text is None and "锚点和别名" in laughs.findings[0].message
    bomb = editor.upload("a.xlsx", zip_bomb())
    assert bomb.text is None and bomb.findings and bomb.findings[0].level == ERROR


def deep_brackets() -> bytes:
    """A report file whose brackets nest 5000 deep (the C parser would overflow its stack)."""
    return b"year: " + b"[" * 5000


def billion_laughs() -> bytes:
    """Aliases of aliases: refused rather than expanded."""
    return b"a: &a [1,1]\nb: &b [*a,*a]\nc: [*b,*b]\nyear: 2023\n"


def zip_bomb() -> bytes:
    """An .xlsx whose one member inflates to 200 MB: the workbook reader's bounds refuse it."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


def test_a_published_pdf_rendered_by_nianbao_gives_the_exact_values(cli, tmp_path):
    result = cli("render", EXAMPLE_2023, "--to", "pdf", "-o", tmp_path)
    assert result.code == 0, result
    pdf = next(tmp_path.glob("*.pdf"))
    made = editor.upload("青山镇2023.pdf", pdf.read_bytes())
    assert made.text is not None and made.year == 2023, made.findings
    assert [f for f in made.findings if f.level == ERROR] == []
    imported, expected = editor.form(made.text), editor.form(TEXT)
    differ = {name for name, value in expected["values"].items() if imported["values"][name] != value}
    # every cell, text and unit field as in the file it was printed from; the totals the file
    # wrote are computed from the rows read, to the same figures
    assert differ == {"applications.new.6", *(f"applications.total.{i}" for i in range(7)),
                      "appeals.review.4", "appeals.lawsuit_direct.4", "appeals.lawsuit_after_review.4"}
    assert all(imported["computed"][name] == expected["values"][name] for name in differ)
    assert imported["values"]["applications.new.0"] == "5" and imported["values"]["proactive.licensing"] == "12"


def test_a_cell_the_importer_could_not_read_stays_empty_with_its_note_until_typed(cli, tmp_path):
    assert cli("render", EXAMPLE_2023, "--to", "txt", "-o", tmp_path).code == 0
    txt = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    row = "一、本年新收政府信息公开申请数量" + " " * 51 + "5         1"
    made = editor.upload("报告.txt", edit(txt, row, row[:-11] + "五         1").encode("utf-8"))
    assert [(f.level, f.rule, f.path) for f in made.findings][0] == (ERROR, "I", "表三.一")
    form = editor.form(made.text)
    assert form["values"]["applications.new.0"] == "" and form["values"]["applications.new.1"] == ""  # never a zero
    assert form["notes"] == {"表三.一": "导入时无法读取：原文这一行没有数字（表格可能在此截断），整行留空，请按原件填写（原文第37行）"}
    assert editor.evaluate(made.text, None)[0].message.startswith("表三 一、本年新收：没有填写")
    typed = editor.apply(made.text, {f"applications.new.{i}": v for i, v in enumerate("510010")})
    assert editor.form(typed)["notes"] == {} and editor.evaluate(typed, None) == []
