"""Importing published reports: the five seeds, an HTML page, a DOCX from another tool,
and nianbao's own TXT and DOCX.  Expected values are transcribed by hand from each file."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from conftest import DATA, EXAMPLE_2020, EXAMPLE_2023, edit
from othertool import build as other_tool_docx

from nianbao.findings import Finding
from nianbao.model.standard import ValueType
from nianbao.read.importer import checkable, import_bytes, import_file
from nianbao.read.importer.words import number
from nianbao.read.load import load_file, load_text
from nianbao.render import docx as render_docx
from nianbao.render import txt as render_txt

HTML = DATA / "published" / "2022-东湖街道.html"
Z = [0, 0, 0, 0, 0, 0]
WITHHELD = ("state_secret", "prohibited_by_law", "security_stability", "third_party_rights", "internal_affairs", "process_information", "enforcement_files", "inquiry_matters")
UNAVAILABLE = ("not_held", "needs_creation", "still_unclear")
NOT_PROCESSED = ("petitions", "repeated", "publications", "excessive", "confirmation")
OTHER_2021 = ("no_correction", "fee_unpaid", "other")


def table3(version: str, **rows) -> dict:
    """Table 三 as the report file holds it: zeros unless given (a key → a row or None)."""
    def group(keys):
        return {k: rows.get(k, Z) for k in keys}

    out = {"new": rows.get("new", Z), "carried_over": rows.get("carried_over", Z), "disclosed": rows.get("disclosed", Z),
           "partially_disclosed": rows.get("partially_disclosed", Z), "withheld": group(WITHHELD),
           "unavailable": group(UNAVAILABLE), "not_processed": group(NOT_PROCESSED),
           "other": group(OTHER_2021) if version == "v2021" else rows.get("other", Z),
           "carried_forward": rows.get("carried_forward", Z)}
    if "total" in rows:
        out["total"] = rows["total"]
    return out


PROACTIVE_ZERO_2021 = {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": 0, "penalties": 0, "coercion": 0, "fees": 0}
APPEALS_ZERO = {"review": [0, 0, 0, 0], "lawsuit_direct": [0, 0, 0, 0], "lawsuit_after_review": [0, 0, 0, 0]}


def seed(seeds, name: str):
    return import_file(next(seeds.glob(f"{name}_*.txt")))


def assert_tables(imported, proactive, applications, appeals):
    assert imported.data["proactive"] == proactive
    assert imported.data["applications"] == applications
    assert imported.data["appeals"] == appeals


# -- the five seeds -------------------------------------------------------------------------------
def test_seed_000_blank_and_lost_cells(seeds):
    """Rows 三（一）…4. of table 三 lost their numbers: whole-blank rows (seven empty fields)
    count as zero with a note; rows one field short are unreadable and left empty."""
    imported = seed(seeds, "000")
    assert (imported.data["year"], imported.data["format"], imported.data["unit"]["name"]) == (2022, "v2021", "韩城镇人民政府")
    lost = "原文只有6个单元格（其中0个有数字），应为7个，无法确定各列的数，整行留空，请按原件填写"
    assert imported.findings == [
        Finding("warning", "I", "表三.三（一）", "表三 三（一）予以公开：原文整行空白，按0计", 39),
        Finding("warning", "I", "表三.三（二）", "表三 三（二）部分公开：原文整行空白，按0计", 40),
        Finding("error", "I", "表三.三（三）1.属于国家秘密", f"表三 三（三）不予公开 1.属于国家秘密：{lost}", 41),
        Finding("error", "I", "表三.三（三）2.其他法律行政法规禁止公开", f"表三 三（三）不予公开 2.其他法律行政法规禁止公开：{lost}", 42),
        Finding("error", "I", "表三.三（三）3.危及“三安全一稳定”", f"表三 三（三）不予公开 3.危及“三安全一稳定”：{lost}", 43),
        Finding("warning", "I", "表三.三（三）4.保护第三方合法权益", "表三 三（三）不予公开 4.保护第三方合法权益：原文整行空白，按0计", 44),
    ]
    assert_tables(
        imported,
        PROACTIVE_ZERO_2021,
        table3("v2021", state_secret=None, prohibited_by_law=None, security_stability=None, total=Z),  # 总计 kept: its parts are lost
        APPEALS_ZERO,
    )
    overview = imported.data["overview"]
    assert overview["requests"] is None and overview["platforms"] is None
    assert overview["proactive"].startswith("2022年，韩城镇按照县委") and "主动公开涵盖全面" in overview["proactive"]
    assert overview["management"].startswith("政府信息管理规范有序")
    assert overview["oversight"].startswith("指导监督逐步强化")
    assert imported.data["other_matters"] == "无"


def test_seed_001_lost_cell_v2019(seeds):
    imported = seed(seeds, "001")
    assert (imported.data["year"], imported.data["format"], imported.data["unit"]["name"]) == (2020, "v2019", "酒后镇人民政府")
    assert imported.findings == [
        Finding("error", "I", "表三.三（一）", "表三 三（一）予以公开：原文只有6个单元格（其中1个有数字），应为7个，无法确定各列的数，整行留空，请按原件填写", 45)
    ]
    assert_tables(
        imported,
        {"regulations": [0, 0, 0], "normative_documents": [0, 0, 0], "licensing": [0, 0, 0], "other_services": [0, 0, 0],
         "penalties": [0, 0, 0], "coercion": [0, 0, 0], "fees": [0, 0], "procurement": [0, 0]},
        table3("v2019", disclosed=None, total=Z),
        APPEALS_ZERO,
    )
    # five subsections, one of which (基层政务公开标准化) is none of the five subjects: v2019 keeps one text
    assert imported.data["overview"].startswith("(一) 基层政务公开标准化规范化推进情况。")
    assert imported.data["other_matters"] == "暂无其他需要报告的事项。"


def test_seed_002_one_cell_per_line(seeds):
    imported = seed(seeds, "002")
    assert imported.findings == []
    data = imported.data
    assert (data["year"], data["format"], data["unit"]["name"]) == (2022, "v2021", "樟树市中洲乡")
    assert {k: data["unit"][k] for k in ("website", "address", "postcode", "phone")} == {
        "website": "http://www.zhangshu.gov.cn", "address": "樟树市中洲乡中洲南路1号", "postcode": "331200", "phone": "0795-7631101"}
    assert data["preamble"].startswith("本报告依据《中华人民共和国政府信息公开条例》") and "[bookmark" not in data["preamble"]
    assert_tables(imported, PROACTIVE_ZERO_2021, table3("v2021"), APPEALS_ZERO)
    assert data["overview"]["requests"] == "2022年全年中洲乡线上受理依申请公开0件，线下受理依申请公开0件。"
    assert data["overview"]["proactive"].startswith("2022年，在上级部门的精心指导")  # the intro joins （一）
    assert data["problems"].startswith("（一）存在问题。")
    assert data["other_matters"].endswith("本年度没有产生信息公开处理费。")


def test_seed_003_truncated_table(seeds):
    imported = seed(seeds, "003")
    missing = ("三（四）无法提供 1.本机关不掌握相关政府信息、三（四）无法提供 2.没有现成信息需要另行制作、三（四）无法提供 3.补正后申请内容仍不明确、"
               "三（五）不予处理 1.信访举报投诉类申请、三（五）不予处理 2.重复申请、三（五）不予处理 3.要求提供公开出版物、三（五）不予处理 4.无正当理由大量反复申请、"
               "三（五）不予处理 5.要求行政机关确认或重新出具已获取信息、三（六）其他处理 1.申请人无正当理由逾期不补正、"
               "三（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、三（六）其他处理 3.其他、四、结转下年度继续办理")
    merged = "一、总体情况中的“{}”不对应规定的五个方面之一，已并入（四）政府信息公开平台建设"
    assert imported.findings == [
        Finding("warning", "I", None, "原文标题“集贤镇人民政府2022年度信息公开工作年度报告”与规定的“集贤镇人民政府2022年政府信息公开工作年度报告”不一致；生成时使用规定的标题", 3),
        Finding("error", "I", "表三.三（四）1.本机关不掌握相关政府信息", f"原文表三在“三（三）不予公开 8.属于行政查询事项”之后缺少12行（{missing}），可能表格被截断，均留空，请按原件填写", 67),
        Finding("warning", "I", "表四", "表四：原文缺少“四、政府信息公开行政复议、行政诉讼情况”标题和表头，按15个数的一行读作表四", 69),
        Finding("warning", "I", "一、总体情况.（四）政府信息公开平台建设", merged.format("加强组织领导，完善政务公开工作机制"), 9),
        Finding("warning", "I", "一、总体情况.（四）政府信息公开平台建设", merged.format("明确工作职责，推进信息公开落地落实"), 15),
        Finding("warning", "I", "一、总体情况.（四）政府信息公开平台建设", merged.format("坚持制度约束，健全政务公开长效机制"), 23),
    ]
    lost = dict.fromkeys(UNAVAILABLE + NOT_PROCESSED + OTHER_2021)
    assert_tables(imported, PROACTIVE_ZERO_2021, table3("v2021", carried_forward=None, **lost), APPEALS_ZERO)
    assert imported.data["unit"]["postcode"] == "155100"


def test_seed_004_shifted_rows(seeds):
    imported = seed(seeds, "004")
    assert imported.findings == []
    assert (imported.data["year"], imported.data["unit"]["name"]) == (2023, "新华区焦店镇人民政府")
    one = [1, 0, 0, 0, 0, 0]
    assert_tables(imported, PROACTIVE_ZERO_2021, table3("v2021", new=one, partially_disclosed=one), APPEALS_ZERO)
    assert imported.data["overview"]["proactive"].startswith("2023 年度，焦店镇紧紧围绕")  # "主动公开：" dropped


def test_check_prints_each_seeds_defects(seeds, cli):
    result = cli("check", "--json", *sorted(seeds.glob("*.txt")))
    assert result.code == 1
    reports = [json.loads(line) for line in result.out.splitlines()]
    summary = {r["file"].rsplit("/", 1)[-1][:3]: {(f["level"], f["rule"], f["path"]) for f in r["findings"]} for r in reports}
    assert [r["ok"] for r in reports] == [False, False, True, False, True]
    # 000: 一 lacks 依申请公开 and 平台建设; 六 says nothing of 信息处理费
    assert ("warning", "R7", "一、总体情况.（二）依申请公开") in summary["000"]
    assert ("warning", "R7", "六、其他需要报告的事项") in summary["000"]
    # lost cells make R1/R3 guesses: not reported
    assert not any(rule in ("R1", "R3") for name in ("000", "001", "003") for _, rule, _ in summary[name])
    assert ("warning", "R7", "一、总体情况.（一）主动公开") in summary["003"]
    for found in summary.values():  # none of them prints a signature date
        assert ("warning", "R5", "机关信息.落款日期") in found


# -- HTML and another tool's DOCX ------------------------------------------------------------------------
def test_html_page():
    imported = import_file(HTML)
    assert imported.findings == [Finding("warning", "I", "表三.三（一）", "表三 三（一）予以公开：原文社会公益组织为空白，按0计（第2个表格第6行）")]
    data = imported.data
    assert data["unit"] == {"name": "东湖街道办事处", "compiler": "东湖街道党政办公室", "website": "http://www.example.gov.cn/dhjd/xxgk",
                            "address": "临溪县东湖路88号", "postcode": "430000", "phone": "027-8888123", "email": None, "date": dt.date(2023, 1, 16)}
    assert data["proactive"] == {"regulations": [0, 0, 0], "normative_documents": [2, 1, 9], "licensing": 15, "penalties": 6, "coercion": 1, "fees": Decimal("3.25")}
    assert data["applications"] == table3(
        "v2021", new=[6, 2, 0, 1, 0, 0], carried_over=[1, 0, 0, 0, 0, 0], disclosed=[3, 1, 0, 0, 0, 0], partially_disclosed=[1, 0, 0, 0, 0, 0],
        third_party_rights=[1, 0, 0, 0, 0, 0], process_information=[0, 1, 0, 0, 0, 0], not_held=[1, 0, 0, 1, 0, 0], carried_forward=[1, 0, 0, 0, 0, 0])
    assert data["appeals"] == {"review": [1, 0, 0, 0], "lawsuit_direct": [0, 0, 0, 1], "lawsuit_after_review": [0, 0, 0, 0]}
    assert data["overview"]["platforms"] == "专栏按基层政务公开标准目录重新设置栏目，新增“城市更新”专题。"
    assert data["other_matters"] == "本年度未收取政府信息公开信息处理费。\n人大代表建议3件、政协委员提案2件的办理结果已在专栏公开。"
    loaded, _ = checkable(imported, today=dt.date(2023, 6, 1))
    assert loaded.report is not None


def test_docx_from_another_tool(tmp_path):
    path = tmp_path / "南山乡2020.docx"
    path.write_bytes(other_tool_docx())
    imported = import_file(path)
    assert imported.findings == [
        Finding("warning", "I", "表二.政府集中采购.采购总金额", "表二 第二十条第（九）项 政府集中采购 · 采购总金额：“251000元”已换算为25.1万元（第1个表格第23行）"),
        Finding("warning", "I", "表三.三（六）", "表三 三（六）其他处理：原文总计为空白，按0计（第2个表格第27行）"),  # 0 = the parts: agrees
    ]
    data = imported.data
    assert (data["year"], data["format"], data["unit"]["name"], data["unit"]["date"]) == (2020, "v2019", "南山乡人民政府", dt.date(2021, 1, 25))
    assert data["proactive"] == {"regulations": [0, 0, 0], "normative_documents": [1, 1, 7], "licensing": [4, -1, 22], "other_services": [2, 0, 5],
                                 "penalties": [3, 0, 11], "coercion": [1, 0, 0], "fees": [2, 0], "procurement": [3, Decimal("25.1")]}
    assert data["applications"] == table3("v2019", new=[4, 1, 0, 0, 0, 0], disclosed=[2, 1, 0, 0, 0, 0], partially_disclosed=[1, 0, 0, 0, 0, 0], not_held=[1, 0, 0, 0, 0, 0])
    assert data["appeals"] == {"review": [1, 0, 0, 0], "lawsuit_direct": [0, 0, 0, 0], "lawsuit_after_review": [0, 0, 0, 0]}
    assert data["other_matters"] == "无。"


# -- nianbao's own output comes back unchanged -------------------------------------------------------------
@pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_own_output_round_trip(example, kind):
    report = load_file(example).report
    data = render_txt.render(report) if kind == "txt" else render_docx.render(report, None)
    imported = import_bytes(data, example.with_suffix(f".{kind}"))
    assert imported.findings == []
    back = checkable(imported)[0].report
    original, read = report.plain(), back.plain()
    for key in ("applications", "appeals"):  # the examples write totals; the import leaves agreeing ones to be computed
        original.pop(key), read.pop(key)
    assert read == original
    assert [back.row(line) for line in back.spec.table3.data_lines()] == [report.row(line) for line in report.spec.table3.data_lines()]
    assert [back.appeal(g) for g in back.spec.table4.groups] == [report.appeal(g) for g in report.spec.table4.groups]


# -- the written file and the command line ------------------------------------------------------------------
def test_import_command_writes_commented_files(seeds, cli, tmp_path):
    result = cli("import", next(seeds.glob("000_*.txt")), next(seeds.glob("004_*.txt")), "-o", tmp_path)
    assert result.code == 1, result  # 000 has unreadable rows
    written = tmp_path / "韩城镇人民政府2022.yaml"
    text = written.read_text(encoding="utf-8")
    assert "    # 导入时无法读取：原文只有6个单元格（其中0个有数字），应为7个，无法确定各列的数，整行留空，请按原件填写（原文第41行）\n    state_secret: null" in text
    assert "state_secret: null" in text and "state_secret: [0" not in text  # never a zero
    loaded = load_text(text, source=written)
    assert [f.message for f in loaded.findings] == [
        "表三 三（三）不予公开 1.属于国家秘密：没有填写，应为6个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），可再加第7个数“总计”",
        "表三 三（三）不予公开 2.其他法律行政法规禁止公开：没有填写，应为6个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），可再加第7个数“总计”",
        "表三 三（三）不予公开 3.危及“三安全一稳定”：没有填写，应为6个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），可再加第7个数“总计”",
        # #20.4: the rows left empty hold back R3 (they add up to （七）总计), and R3 says so; R1 reads none of them and ran
        "“表三 三（三）不予公开 1.属于国家秘密”、“表三 三（三）不予公开 2.其他法律行政法规禁止公开”、“表三 三（三）不予公开 3.危及“三安全一稳定””没有填写，"
        "表三各列的核对（（七）总计=（一）至（六）各项之和）要等改正后才能进行",
    ]
    clean = tmp_path / "新华区焦店镇人民政府2023.yaml"
    assert cli("check", clean).code == 0
    assert f"→ {clean}（错误0个，提示1个，与 nianbao check {clean.name} 相同）" in result.out  # the date the report did not print (R5)

    again = cli("import", next(seeds.glob("004_*.txt")), "-o", tmp_path)  # a second import keeps the first as .bak
    assert again.code == 0 and (tmp_path / "新华区焦店镇人民政府2023.yaml.bak").is_file()


def test_check_and_render_accept_published_reports(cli, tmp_path):
    path = tmp_path / "东湖.html"
    path.write_bytes(HTML.read_bytes())
    result = cli("render", path, "-o", tmp_path, "--to", "txt")
    assert result.code == 0, result
    txt = (tmp_path / "东湖街道办事处2022年政府信息公开工作年度报告.txt").read_text(encoding="utf-8-sig")
    assert "行政规范性文件" in txt and "2023年1月16日" in txt
    assert cli("check", path).code == 0


def test_unreadable_inputs(cli, tmp_path):
    fake = tmp_path / "old.docx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 an old binary .doc renamed")
    result = cli("import", fake, "-o", tmp_path)
    assert result.code == 1 and "Word 文档" in result.out and "另存为 .docx" in result.out
    notes = tmp_path / "notes.txt"
    notes.write_text("会议记录\n今天讨论了三件事。\n", encoding="utf-8")
    result = cli("check", notes)
    assert result.code == 1 and "找不到“一、总体情况”等章节标题" in result.out
    assert cli("import", tmp_path / "absent.txt").code == 2
    assert list(tmp_path.glob("*.yaml")) == []


def test_gbk_text_and_full_width_digits(tmp_path):
    report = load_file(EXAMPLE_2023).report
    rendered = render_txt.render(report).decode("utf-8-sig")
    rendered = edit(rendered, "行政许可                                              12", "行政许可                                              １２")
    path = tmp_path / "gbk.txt"
    path.write_bytes(rendered.encode("gb18030"))
    imported = import_file(path)
    assert imported.findings == [] and imported.data["proactive"]["licensing"] == 12


@pytest.mark.parametrize(
    ("text", "kind", "wan", "value", "note", "problem"),
    [
        ("12", ValueType.COUNT, False, 12, "", ""),
        ("１２件", ValueType.COUNT, False, 12, "", ""),
        ("—", ValueType.COUNT, False, None, "", "“—”不是数字"),
        ("1.5", ValueType.COUNT, False, None, "", "“1.5”不是整数"),
        ("-2", ValueType.SIGNED, False, -2, "", ""),
        ("-2", ValueType.COUNT, False, None, "", "“-2”为负数"),
        ("251000元", ValueType.AMOUNT, True, Decimal("25.1"), "“251000元”已换算为25.1万元", ""),
        ("3.2500", ValueType.AMOUNT, True, Decimal("3.2500"), "", ""),
        ("1,200", ValueType.COUNT, False, 1200, "", ""),
    ],
)
def test_cell_values(text, kind, wan, value, note, problem):
    read = number(text, kind, wan)
    assert (read.value, read.converted, read.problem) == (value, note, problem)


def test_a_missing_table_2_row_is_reported_and_the_rest_still_checked(seeds, cli, tmp_path):
    text = next(seeds.glob("004_*.txt")).read_text(encoding="utf-8")
    path = tmp_path / "no-coercion.txt"
    path.write_text(edit(text, "行政强制\t0\t\t\n", ""), encoding="utf-8")
    imported = import_file(path)
    assert imported.findings == [Finding("error", "I", "表二.行政强制.本年处理决定数量", "表二 第二十条第（六）项 行政强制 · 本年处理决定数量：原文中找不到这一行，留空，请按原件填写")]
    assert imported.data["proactive"]["coercion"] is None
    result = cli("check", "--json", path)
    assert [(f["rule"], f["path"]) for f in json.loads(result.out)["findings"]] == [
        ("I", "表二.行政强制.本年处理决定数量"), ("R5", "机关信息.落款日期")]
