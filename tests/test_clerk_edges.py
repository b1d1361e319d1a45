"""Issue #32, a township clerk's rough edges: a draft that previews a report with errors, dates
that fit the year, every cell named by its printed label, R7 saying what is missing, import
saying what check says, and next from a v2019 report (batch at 80 columns: test_batch.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023, edit, line_of

from nianbao.check.rules import check
from nianbao.findings import ERROR, Finding
from nianbao.model.places import places
from nianbao.read.load import load_file, load_text
from nianbao.render import office
from nianbao.render.outline import DRAFT, DRAFT_PAGE, UNRESOLVED

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
NAME_2024 = "青山镇人民政府2024年政府信息公开工作年度报告"


def next_draft(cli, tmp_path, last_text: str = TEXT_2023, year: int = 2024):
    """``nianbao next`` of last year's file: this year's draft."""
    last = tmp_path / f"青山镇{year - 1}.yaml"
    last.write_text(last_text, encoding="utf-8")
    result = cli("next", last, "-o", tmp_path / f"青山镇{year}.yaml")
    assert result.code == 0, result
    return tmp_path / f"青山镇{year}.yaml", result


def of_year(year: int) -> str:
    """The 2023 example moved to ``year``, its date in that year's window."""
    text = edit(TEXT_2023, "year: 2023", f"year: {year}")
    return edit(text, "date: 2024-01-18", f"date: {year + 1}-01-18")


# -- 1. render --draft: whatever can be rendered, errors included ------------------------------------------------
R1_NATURAL = "表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=0+1=1，第三项（七）总计+第四项=0+0=0）"
R1_TOTAL = "表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=0+1=1，第三项（七）总计+第四项=0+0=0）"
DATE_REFUSED = "落款日期：未填写，发布的报告落款处会没有日期；请填写2025年1月1日至2025年3月31日之间的日期（写成 2025-01-20 或 2025年1月20日）后再生成"


@pytest.mark.skipif(office.soffice() is None or shutil.which("pdftotext") is None, reason="LibreOffice or poppler is not installed: no PDF can be made or read here")
def test_a_draft_of_next_years_file_is_rendered_with_its_errors_listed_first(cli, tmp_path):
    """A fresh next draft has table 三's R1 errors until this year's figures are in, and no date:
    ``render --draft`` writes every format anyway (exit 1, the errors said), each page marked
    草稿, the errors on a first page of their own (DOCX, PDF) or at the top (HTML, TXT); the
    report after them is numbered from 1, as it will be published.  Without --draft, nothing."""
    source, _ = next_draft(cli, tmp_path)
    out = tmp_path / "out"
    refused = cli("render", source, "-o", out)
    assert refused.code == 1 and not out.exists()
    assert "要先看排版效果，可加 --draft 生成草稿（问题列在草稿的最前面）" in refused.err

    result = cli("render", source, "-o", out, "--to", "docx,txt,html,fragment,pdf", "--draft")
    assert result.code == 1, result
    assert f"  [错误 R1] {R1_NATURAL}（青山镇2024.yaml 第41行）" in result.out
    assert "报告有2个错误（见上），只生成了草稿。" in result.err
    assert "草稿中有3个问题要改正后才能发布" in result.out
    listed = [
        f"[错误 P] {DATE_REFUSED}（青山镇2024.yaml 第15行）",
        f"[错误 R1] {R1_NATURAL}（青山镇2024.yaml 第41行）",
        f"[错误 R1] {R1_TOTAL}（青山镇2024.yaml 第41行）",
    ]
    more = "另有2个提示，可运行 nianbao check 青山镇2024.yaml 查看。"
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(f"{NAME_2024}{suffix}" for suffix in (".docx", ".txt", ".html", "（网页粘贴用）.html", ".pdf"))

    txt = (out / f"{NAME_2024}.txt").read_bytes().decode("utf-8-sig").split("\r\n")
    assert [line.strip() for line in txt[:7]] == [DRAFT, "", UNRESOLVED, *(f"{n}. {line}" for n, line in enumerate(listed, 1)), more]
    for name in (f"{NAME_2024}.html", f"{NAME_2024}（网页粘贴用）.html"):
        page = (out / name).read_text(encoding="utf-8-sig")
        assert page.index(DRAFT) < page.index(UNRESOLVED) < page.index("<h1")
        assert re.findall(r"<li>(.*?)</li>", page) == listed

    import docx

    document = docx.Document(out / f"{NAME_2024}.docx")
    shown = [p.text.replace("\u2060", "") for p in document.paragraphs[:6]]  # word joiners glue 2025-01-20 on one line
    assert shown == [DRAFT, "", UNRESOLVED, *(f"{n}. {line}" for n, line in enumerate(listed, 1))]
    assert len(document.sections) == 2  # the page of errors, then the report
    for section in document.sections:
        assert [p.text for p in section.header.paragraphs] == [DRAFT_PAGE]
        assert section.first_page_header.paragraphs[0].text == DRAFT_PAGE and section.even_page_header.paragraphs[0].text == DRAFT_PAGE
    assert document.sections[1].start_type == docx.enum.section.WD_SECTION.NEW_PAGE
    body_sect = zipfile.ZipFile(out / f"{NAME_2024}.docx").read("word/document.xml").decode("utf-8").rsplit("<w:sectPr", 1)[1]
    assert '<w:pgNumType w:start="1"/>' in body_sect

    pdf = out / f"{NAME_2024}.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 5
    assert all(DRAFT_PAGE in page for page in pages)  # the mark on every page
    first = re.sub(r"\s+", "", pages[0])
    assert UNRESOLVED in first and "落款日期：未填写" in first and NAME_2024[:8] not in first  # the errors' own page
    assert "青山镇人民政府2024年" in re.sub(r"\s+", "", pages[1]) and re.search(r"—\s*1\s*—", pages[1])  # the report starts at page 1


def test_a_draft_cannot_be_made_of_a_file_nianbao_cannot_read_and_says_so(cli, tmp_path):
    source = tmp_path / "r.yaml"
    source.write_text(edit(TEXT_2023, "licensing: 12", "licensing: 12件"), encoding="utf-8")
    result = cli("render", source, "-o", tmp_path / "out", "--draft")
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：只填数字，不要带单位" in result.out
    assert "报告文件有无法读取的内容（见上），草稿也无法生成：请先改正这些错误。" in result.err


def test_no_draft_of_a_published_report_with_cells_that_could_not_be_read(cli, seeds, tmp_path):
    """Such cells stand in as 0 for the rules: a draft would print them as 0, a number guessed."""
    result = cli("render", next(seeds.glob("000_*.txt")), "-o", tmp_path / "out", "--draft")
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert "[错误 I] 表三 三（三）不予公开 1.属于国家秘密：原文只有6个单元格" in result.out
    assert "原文有无法读取的格（见上），草稿也无法生成：请先用 nianbao import 读成报告文件，对照原件补填后再生成。" in result.err


def test_a_draft_without_errors_lists_nothing_and_exits_0(cli, tmp_path):
    out = tmp_path / "out"
    result = cli("render", EXAMPLE_2023, "-o", out, "--to", "txt,docx", "--draft")
    assert result.code == 0, result
    txt = (out / "青山镇人民政府2023年政府信息公开工作年度报告.txt").read_text(encoding="utf-8-sig")
    assert DRAFT in txt and UNRESOLVED not in txt
    import docx

    document = docx.Document(out / "青山镇人民政府2023年政府信息公开工作年度报告.docx")
    assert len(document.sections) == 1 and document.sections[0].header.paragraphs[0].text == DRAFT_PAGE
    plain = cli("render", EXAMPLE_2023, "-o", tmp_path / "plain", "--to", "docx")
    assert plain.code == 0
    published = docx.Document(tmp_path / "plain" / "青山镇人民政府2023年政府信息公开工作年度报告.docx")
    assert all(not p.text for section in published.sections for p in section.header.paragraphs)  # no mark without --draft


# -- 2. dates: empty, with the window of the report's year ---------------------------------------------------------
def hint(year: int) -> str:
    return f"落款日期（印在落款处，写成 {year + 1}-01-20 或 {year + 1}年1月20日，应在{year + 1}年1月1日至{year + 1}年3月31日之间）"


@pytest.mark.parametrize("year", [2022, 2024, 2025])
def test_next_leaves_the_date_empty_with_the_new_years_window(cli, tmp_path, year):
    """Last year's comment said 写成 2024-01-18 (the clerk's own date): the draft's says this year's."""
    draft, _ = next_draft(cli, tmp_path, of_year(year - 1), year)
    text = draft.read_text(encoding="utf-8")
    assert f"  date: null                                # {hint(year)}\n" in text
    assert load_text(text).report.get(("unit", "date")) is None


@pytest.mark.parametrize("year", [2019, 2024])
def test_init_leaves_the_date_empty_with_the_window(cli, tmp_path, year):
    assert cli("init", tmp_path / "r.yaml", "--year", year, "--unit", "青山镇人民政府").code == 0
    assert f"  date: null                                # {hint(year)}\n" in (tmp_path / "r.yaml").read_text(encoding="utf-8")


def test_new_from_last_years_report_offers_no_date_and_says_the_window(tmp_path):
    from nianbao.read.wizard import Wizard, defaults_from, steps

    report = load_file(EXAMPLE_2023).report
    date_step = next(s for s in steps(report.spec) if s.kind == "date")
    for year, offered in ((2024, ""), (2023, "2024-01-18")):  # last year's date is not this year's; a draft's own is kept
        wizard = Wizard(tmp_path / "a.yaml", defaults=defaults_from(report))
        seen: dict[str, str] = {}
        wizard.say = lambda question, hint="", seen=seen: seen.setdefault("hint", hint)
        wizard.ask_text = lambda message="", default="", seen=seen, **kw: seen.setdefault("default", default)
        wizard.year = year
        wizard._ask(date_step)
        assert seen == {"hint": f"{hint(year).split('，', 1)[1][:-1]}；可先留空，生成发布的文件前须填写", "default": offered}


def test_render_refuses_an_empty_date_and_check_only_warns_with_the_window(cli, tmp_path):
    source = tmp_path / "r.yaml"
    text = edit(TEXT_2023, "date: 2024-01-18", "date: null")
    source.write_text(text, encoding="utf-8")
    checked = cli("check", source)
    assert checked.code == 0
    assert f"[提示 R5] 未填写落款日期：应为2024年1月1日至2024年3月31日之间（r.yaml 第{line_of(text, 'date: null')}行）" in checked.out
    result = cli("render", source, "-o", tmp_path / "out")
    assert result.code == 1 and not (tmp_path / "out").exists()
    assert ("[错误 P] 落款日期：未填写，发布的报告落款处会没有日期；请填写2024年1月1日至2024年3月31日之间的日期"
            "（写成 2024-01-20 或 2024年1月20日）后再生成（或加 --draft 生成草稿）") in result.out
    assert "R5" not in result.out  # said once, as the refusal it is here


# -- 3. one way to name a cell: its printed label, in every message ------------------------------------------------
def test_the_two_labels_of_the_issue():
    index = places("v2021")
    assert index[("proactive", "licensing")].label == "表二 第二十条第（五）项 行政许可 · 本年处理决定数量"
    assert index[("applications", "new", 0)].label == "表三 一、本年新收 · 自然人"
    assert index[("applications", "withheld", "prohibited_by_law", 6)].label == "表三 三（三）不予公开 2.其他法律行政法规禁止公开 · 总计"
    assert index[("appeals", "lawsuit_direct", 1)].label == "表四 行政诉讼 未经复议直接起诉 · 结果纠正"
    assert index[("processing_fees", "collected")].label == "信息处理费 · 实际收取的总金额（元）"
    assert index[("applications", "new", 0)].path == "表三.一.自然人"  # the key --json gives


def table_cells(spec_id: str) -> dict[tuple, object]:
    return {keys: where for keys, where in places(spec_id).items() if where.kind == "cell"}


@pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_every_cell_is_named_by_its_printed_label_in_check_import_and_the_site(cli, tmp_path, example):
    """Every cell of the format written 3件: check names each by its label (the key path only in
    --json); every cell of a published page with a footnote mark: import names each by its
    label; the site's findings for the same typing and its chip (the cell in focus) too."""
    import json

    from nianbao.model.places import put
    from nianbao.read import importer
    from nianbao.render import html
    from nianbao.render.reportfile import dump
    from nianbao.serve import unit
    from nianbao.workflows import editing as editor

    report = load_file(example).report
    spec = report.spec
    cells = table_cells(spec.id)
    data = report.plain()
    for keys in cells:
        put(data, keys, "3件")
    source = tmp_path / "all.yaml"
    source.write_text(dump(spec, data), encoding="utf-8")
    result = cli("check", "--json", source)
    said = {f["path"]: f for f in json.loads(result.out)["findings"] if f["rule"] == "S"}
    for where in cells.values():
        assert said[where.path]["message"].startswith(f"{where.label}："), said[where.path]
        assert where.path not in said[where.path]["message"]
    printed = cli("check", source).out
    assert all(f"[错误 S] {where.label}：" in printed for where in cells.values())

    page = re.sub(r"(<td[^>]*>)[^<]*(</td>)", r"\g<1>5（注）\g<2>", html.render(report).decode("utf-8"))
    published = tmp_path / "published.html"
    published.write_text(page, encoding="utf-8")
    read = {f.path: f.message for f in importer.import_file(published).findings if f.rule == "I"}
    for keys, where in cells.items():
        if keys[0] != "processing_fees":  # the fees are a sentence, not a table
            assert read[where.path].startswith(f"{where.label}：“5（注）”的数字旁带有注释符号"), read[where.path]

    text = editor.canonical(example.read_text(encoding="utf-8"))
    typed = editor.apply(text, {editor.key_name(keys): "3件" for keys in cells})
    shown = {f["path"]: f["text"] for f in editor.findings_json(editor.evaluate(typed, None)) if f["rule"] == "S"}
    for where in cells.values():
        assert shown[where.path].startswith(f"[错误 S] {where.label}："), shown[where.path]
    form = unit.form_context(text, readonly=False)
    inputs = [c["input"] for s in form["sections"] for row in s.get("rows", []) for c in row if "input" in c]
    inputs += [i for s in form["sections"] for i in s.get("fees", [])]
    by_path = {where.path: where.label for where in cells.values()}
    assert len(inputs) == len(cells) and all(i["place_label"] == by_path[i["path"]] for i in inputs)


# -- 4. R7: what section 五 leaves unsaid ---------------------------------------------------------------------------
PROBLEMS_2023 = "  本年度工作中仍有不足：一是部分站所报送信息不够及时"


@pytest.mark.parametrize(("problems", "said"), [
    ("本年度存在信息报送不够及时的问题。下一步将建立月度通报制度，加强培训。",
     "没有写上年问题的整改情况（改进措施已写）：请写明上一年度报告所列问题整改得怎样"),
    ("本年度存在信息报送不够及时的问题。上年度报告所列答复文书不规范的问题，已统一模板，全部整改到位。",
     "没有写改进措施（上年问题的整改情况已写）"),
    ("本年度存在信息报送不够及时、政策解读形式单一的问题，群众阅读量不高。",
     "没有写改进措施，也没有写上年问题的整改情况"),
    ("本年度存在信息报送不够及时的问题。下一步将建立月度通报制度。对2022年度报告中提出的问题，已全部解决。", None),
])
def test_r7_says_exactly_what_section_five_leaves_unsaid(problems, said):
    start, end = TEXT_2023.index("problems: |-"), TEXT_2023.index("processing_fees:")
    text = TEXT_2023[:start] + f"problems: {problems}\n" + TEXT_2023[end:]
    found = [f for f in check(load_text(text).report) if f.rule == "R7"]
    expected = [Finding("warning", "R7", "五、存在的主要问题及改进情况", f"五、存在的主要问题及改进情况：{said}", line_of(text, "problems:"))]
    assert found == (expected if said else [])


# -- 5. import says what check says of the file it writes ----------------------------------------------------------
def test_import_says_the_findings_check_gives_for_the_file_it_writes(cli, seeds, tmp_path):
    result = cli("import", next(seeds.glob("000_*.txt")), next(seeds.glob("004_*.txt")), "-o", tmp_path)
    assert result.code == 1  # 000 has rows it could not read
    blocks = re.split(r"\n(?=\S)", result.out.strip())
    assert len(blocks) == 2
    for block in blocks:
        head, *lines = block.split("\n")
        target = tmp_path / re.search(r"→ \S+/(\S+?\.yaml)", head).group(1)
        checked = cli("check", target).out.strip().split("\n")
        counts = re.search(r"（错误\d+个，提示\d+个）", checked[0]).group()
        assert head.endswith(f"{counts[:-1]}，与 nianbao check {target.name} 相同）")
        told = [line for line in lines if line.startswith("  [")]
        assert told == checked[1:]  # the same lines, in the same order
    assert "[提示 R5] 未填写落款日期：应为2024年1月1日至2024年3月31日之间（新华区焦店镇人民政府2023.yaml 第13行）" in blocks[1]
    assert "  读取原文时（已在文件中相应位置注明）：无法读取3处，说明3条" in blocks[0]


# -- 7. next from a v2019 report --------------------------------------------------------------------------------------
def test_next_from_v2019_puts_its_one_overview_in_the_first_subsection_and_says_what_each_other_asks(cli, tmp_path):
    result = cli("next", EXAMPLE_2020, "-o", tmp_path / "2021.yaml")
    assert result.code == 0, result
    text = (tmp_path / "2021.yaml").read_text(encoding="utf-8")
    report = load_text(text).report
    assert report.text("overview", "proactive") == load_file(EXAMPLE_2020).report.text("overview")
    asks = {
        "requests": ("（二）依申请公开", "写本年收到、办理和答复政府信息公开申请的情况"),
        "management": ("（三）政府信息管理", "写政府信息的发布审核、清理、解读等管理情况"),
        "platforms": ("（四）政府信息公开平台建设", "写政府网站、政务新媒体、公开专栏等平台的建设情况"),
        "oversight": ("（五）监督保障", "写监督保障情况，含工作考核、社会评议和责任追究结果"),
    }
    assert ("  # 2020年度报告（2019年试行格式）的总体情况是一段文字，已整段放在（一）主动公开下；2021年修订格式要求分五个方面写，"
            "请把属于下面各方面的内容移过去\n  proactive: |-") in text
    for key, (label, note) in asks.items():
        assert report.get(("overview", key)) is None
        assert (f"  # 提示：2021年修订格式要求{label}{note}；2020年度的总体情况未分方面，都在（一）主动公开下\n"
                f"  {key}: null") in text
        assert f"  注意：一、总体情况{label}：2021年修订格式要求这里{note}，已留空（上一年度的总体情况整段放在（一）主动公开下）" in result.out
    errors = [f for f in load_text(text).findings if f.level == ERROR]
    assert errors == []
