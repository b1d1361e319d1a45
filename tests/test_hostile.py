"""Every file of the bad-input corpus (:mod:`hostile`), given to the command a clerk would
give it, in a child process as a clerk runs it: a clear Chinese message, exit 1 or 2,
within 10 s and 500 MB, no traceback, no file written outside ``-o``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile
import pytest
from conftest import EXAMPLE_2023, ROOT

LIMIT_S = 10.0
LIMIT_MB = 500

# the child runs nianbao and reports its own peak memory (POSIX; Windows reports none)
MEASURE = """
import json, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
peak = None
try:
    import resource
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
except ImportError:
    pass
print(json.dumps({"code": done.returncode, "seconds": time.perf_counter() - start, "mb": peak,
                  "out": done.stdout.decode("utf-8", "replace"), "err": done.stderr.decode("utf-8", "replace")}))
"""


def measured(*args: object, cwd: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "nianbao", *map(str, args)]
    done = subprocess.run(command, capture_output=True, cwd=cwd, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return json.loads(done.stdout)


def assert_refused_well(result: dict, *, codes=(1, 2)) -> str:
    said = result["out"] + result["err"]
    assert result["code"] in codes, said
    assert "Traceback" not in said and "内部错误" not in said and "Error:" not in said, said
    assert result["seconds"] < LIMIT_S, f"{result['seconds']:.1f} s"
    if result["mb"] is not None:
        assert result["mb"] < LIMIT_MB, f"{result['mb']:.0f} MB"
    return said


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "rendered"
    subprocess.run([sys.executable, "-m", "nianbao", "render", str(EXAMPLE_2023), "-o", str(out)], check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=str(ROOT / "generator")))
    docx = next(out.glob("*.docx")).read_bytes()
    subprocess.run([sys.executable, "-m", "nianbao", "sheet", "--year", "2025", "--unit", "青山镇人民政府", "-o", str(folder / "采集表.xlsx")],
                   check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "generator")))
    workbook = (folder / "采集表.xlsx").read_bytes()
    inbox = folder / "收回"
    inbox.mkdir()
    files = {
        "docx_zip_bomb": hostile.docx_zip_bomb(inbox),
        "docx_entity_bomb": hostile.docx_entity_bomb(inbox),
        "xlsx_zip_bomb": hostile.xlsx_zip_bomb(inbox, workbook),
        "xlsx_entity_bomb": hostile.xlsx_entity_bomb(inbox, workbook),
        "xlsx_million_rows": hostile.xlsx_million_rows(inbox, workbook),
        "truncated_docx": hostile.truncated_docx(inbox, docx),
        "text_named_docx": hostile.text_named_docx(inbox),
    }
    loose = folder / "散件"
    loose.mkdir()
    files.update({
        "huge_html": hostile.huge_html(loose),
        "deep_html": hostile.deep_html(loose),
        "big_text": hostile.big_text(loose),
        "junk_pdf": hostile.junk_pdf(loose),
        "many_lines": hostile.text_of_many_lines(loose),
        "many_paragraphs_html": hostile.html_of_many_paragraphs(loose),
        "many_paragraphs_docx": hostile.docx_of_many_paragraphs(loose),
        "yaml_aliases": hostile.yaml_aliases(loose),
        "yaml_deep": hostile.yaml_deep(loose),
        "yaml_deep_block": hostile.yaml_deep_block(loose),
        "yaml_50mb": hostile.yaml_50mb(loose),
        "xlsx_formulas": hostile.xlsx_formulas(loose, workbook),
        "jinja_narratives": hostile.jinja_narratives(loose),
    })
    files["folder"] = folder
    files["inbox"] = inbox
    return files


PACKAGES = ["docx_zip_bomb", "docx_entity_bomb", "xlsx_zip_bomb", "xlsx_entity_bomb", "xlsx_million_rows", "truncated_docx", "text_named_docx"]
PUBLISHED = ["huge_html", "deep_html", "big_text", "junk_pdf", "many_lines", "many_paragraphs_html", "many_paragraphs_docx"]
REPORT_FILES = ["yaml_aliases", "yaml_deep", "yaml_deep_block", "yaml_50mb"]
EXPECTED = {  # what the clerk is told, in part
    "docx_zip_bomb": "解压后异常巨大",
    "docx_entity_bomb": "实体",
    "xlsx_zip_bomb": "解压后",
    "xlsx_entity_bomb": "实体",
    "xlsx_million_rows": "不像下发的采集表",
    "truncated_docx": "不是有效的",
    "text_named_docx": "不是有效的",
    "huge_html": "",
    "deep_html": "",
    "big_text": "",
    "junk_pdf": "PDF",
    "many_lines": "这不像年度报告",
    "many_paragraphs_html": "这不像年度报告",
    "many_paragraphs_docx": "这不像年度报告",
    "yaml_aliases": "锚点和别名",
    "yaml_deep": "嵌套超过",
    "yaml_deep_block": "嵌套过深",
    "yaml_50mb": "文件过大",
}


@pytest.mark.parametrize("case", PACKAGES + PUBLISHED + REPORT_FILES)
def test_check_refuses_each_bad_file_clearly_within_bounds(corpus, case):
    result = measured("check", corpus[case], cwd=corpus["folder"])
    said = assert_refused_well(result)
    assert EXPECTED[case] in said


@pytest.mark.parametrize("case", ["docx_zip_bomb", "docx_entity_bomb", "truncated_docx", "text_named_docx"] + PUBLISHED)
def test_import_refuses_each_bad_published_file_and_writes_nothing(corpus, case, tmp_path):
    result = measured("import", corpus[case], "-o", tmp_path, cwd=corpus["folder"])
    assert_refused_well(result)
    assert list(tmp_path.iterdir()) == []


def test_batch_over_the_bad_packages_lists_each_and_renders_none(corpus, tmp_path):
    out = tmp_path / "out"
    result = measured("batch", corpus["inbox"], "-o", out, "--jobs", "2", cwd=corpus["folder"])
    said = assert_refused_well(result, codes=(1,))
    for case in PACKAGES:
        assert corpus[case].name in said or corpus[case].name[:4] in said
    assert sorted(p.name for p in out.iterdir()) == [".nianbao-生成记录.json", "汇总.xlsx"]


def test_formulas_in_workbook_cells_stay_text_everywhere(corpus, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = measured("batch", corpus["xlsx_formulas"], "-o", out, "--draft", cwd=corpus["folder"])
    assert result["code"] in (0, 1), result
    book = load_workbook(out / "汇总.xlsx")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} = {cell.value!r}"
    texts = [p.read_text(encoding="utf-8") for p in out.glob("*.txt")]
    assert texts and "=1+1 是文字，不是公式" in texts[0]


def test_jinja_in_a_narrative_is_printed_as_written(corpus, tmp_path):
    result = measured("render", corpus["jinja_narratives"], "-o", tmp_path, "--to", "txt,html", cwd=corpus["folder"])
    assert result["code"] == 0, result
    text = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    assert "{{ 7*7 }}{% for x in range(3) %}循环{% endfor %}{# 注释 #}" in text and "49" not in text
    assert "{{ 7*7 }}" in next(tmp_path.glob("*.html")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ \"\".__class__.__mro__[1].__subclasses__() }}", "不允许的写法"),
        ("{{ \"x\" * 10**10 }}", "模板太大"),
        ("{{ 1/0 }}", "无法生成"),
        ("{{ unit.name }}{% for x in range(10**9) %}x{% endfor %}", ""),
    ],
)
def test_hostile_defaults_are_refused_by_the_sandbox(corpus, tmp_path, template, said):
    defaults = hostile.hostile_defaults(tmp_path, template, "默认文字.yaml")
    unit = tmp_path / "单位"
    unit.mkdir()
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("problems:"))
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("  "))
    (unit / "青山镇.yaml").write_text("\n".join(lines[:at] + ["problems: null"] + lines[end:]), encoding="utf-8")
    result = measured("batch", unit, "-o", tmp_path / "out", "--defaults", defaults, cwd=tmp_path)
    assert_refused_well(result)
    from openpyxl import load_workbook

    problems = [row[7] for row in load_workbook(tmp_path / "out" / "汇总.xlsx")["问题清单"].iter_rows(min_row=2, values_only=True)]
    assert any(said in str(message) for message in problems), problems
    assert not list((tmp_path / "out").glob("*.docx"))


@pytest.mark.parametrize("file", sorted(hostile.UNIT_NAMES))
def test_a_unit_name_never_writes_outside_the_output_folder(tmp_path, file):
    source = tmp_path / "源"
    source.mkdir()
    path = hostile.named(source, file, hostile.UNIT_NAMES[file])
    out = tmp_path / "深" / "out"
    result = measured("render", path, "-o", out, "--to", "docx,txt,html", cwd=tmp_path)
    said = result["out"] + result["err"]
    assert "Traceback" not in said and "内部错误" not in said
    written = [p for p in tmp_path.rglob("*") if p.is_file() and source not in p.parents]
    assert all(out in p.parents for p in written), written
    if file == "空字符.yaml":
        assert result["code"] == 1 and "控制字符" in said
    else:
        assert result["code"] == 0, said
        names = [p.name for p in out.iterdir() if not p.name.startswith(".")]
        assert len(names) == 3 and all(len(n.encode("utf-8")) <= 255 and "/" not in n and "\\" not in n for n in names)
        assert not any(n.split(".")[0].upper() == "CON" for n in names)


def test_the_corpus_files_are_what_they_say(corpus):
    """The bombs are bombs: a test that passes on a harmless file proves nothing."""
    with zipfile.ZipFile(corpus["docx_zip_bomb"]) as package:
        assert package.getinfo("word/document.xml").file_size == 200 * hostile.MB
    assert corpus["huge_html"].stat().st_size >= 50 * hostile.MB
    assert corpus["yaml_50mb"].stat().st_size >= 50 * hostile.MB
    with zipfile.ZipFile(corpus["xlsx_million_rows"]) as package:
        assert package.read("xl/worksheets/sheet1.xml").count(b"<row ") == 1_000_000


# -- files whose name says one thing and whose content another ----------------------------------
def test_an_old_excel_file_is_told_to_be_saved_as_xlsx_whatever_its_name(cli, tmp_path):
    for name in ("采集表.xls", "采集表.xlsx", "采集表.et"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
        result = cli("check", tmp_path / name)
        assert result.code == 1 and "这是旧版 Excel/WPS 表格格式（.xls/.et），nianbao 只读 .xlsx" in result.out, result


def test_a_web_page_saved_as_doc_and_a_docx_named_doc_are_read_by_content(cli, tmp_path):
    rendered = tmp_path / "r"
    assert cli("render", EXAMPLE_2023, "-o", rendered, "--to", "docx,html").code == 0
    page = next(rendered.glob("*.html")).read_bytes()
    docx = next(rendered.glob("*.docx")).read_bytes()
    (tmp_path / "网页.doc").write_bytes(page)  # what Word's "save as web page" and many sites' downloads are
    (tmp_path / "新版.doc").write_bytes(docx)
    (tmp_path / "无扩展名.txt").write_bytes(docx)
    for name in ("网页.doc", "新版.doc", "无扩展名.txt"):
        result = cli("check", tmp_path / name)
        assert result.code == 0 and "通过" in result.out, (name, result)


def test_an_old_word_file_named_docx_is_converted_like_a_doc(cli, tmp_path):
    from nianbao.render import office

    if office.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    rendered = tmp_path / "r"
    assert cli("render", EXAMPLE_2023, "-o", rendered).code == 0
    doc = office.convert_bytes(next(rendered.glob("*.docx")).read_bytes(), ".docx", "doc")
    (tmp_path / "改名.docx").write_bytes(doc)
    result = cli("check", tmp_path / "改名.docx")
    assert result.code == 0 and "通过" in result.out, result


@pytest.mark.parametrize(("case", "said"), [("docx_zip_bomb", "解压后异常巨大"), ("docx_entity_bomb", "XML 实体定义"), ("truncated_docx", "不是有效的")])
def test_a_hostile_style_reference_is_refused_and_nothing_is_written(corpus, case, said, tmp_path):
    result = measured("render", EXAMPLE_2023, "-o", tmp_path / "out", "--reference-docx", corpus[case], cwd=corpus["folder"])
    assert said in assert_refused_well(result, codes=(2,))
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
