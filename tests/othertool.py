"""A 2020 report (v2019 tables) written with python-docx the way another office's tool lays
it out: every merged cell split (the label repeated or left empty), blank rows between
groups, table 四 as one header row of repeated labels, labels with spaces and half-width
brackets.  Its figures are below, for the test to compare with what the importer reads.

``build(ruled=True)`` draws the tables' grid lines and repeats table 三's header rows on
each page, as most offices' Word files do; without, the tables have no lines at all.
Both are exported to PDF by ``tests/data/published/make_pdfs.py``."""

from __future__ import annotations

from io import BytesIO

import docx

UNIT = "南山乡人民政府"
TABLE2 = [
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"]),
    ("规章", [0, 0, 0]),
    ("规范性文件", [1, 1, 7]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政许可", [4, -1, 22]),
    ("其他对外管理服务事项", [2, 0, 5]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政处罚", [3, 0, 11]),
    ("行政强制", [1, 0, 0]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"]),
    ("行政事业性收费", [2, 0]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额（单位：万元，保留4位小数）"]),
    ("政府集中采购", [3, "251000元"]),
]
# (level-1 label, level-2 label, item label, seven numbers); "" leaves a cell empty
TABLE3 = [
    ("一、本年新收政府信息公开申请数量", "", "", [4, 1, 0, 0, 0, 0, 5]),
    ("二、上年结转政府信息公开申请数量", "", "", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(一) 予以公开", "", [2, 1, 0, 0, 0, 0, 3]),
    ("三、本年度办理结果", "(二) 部分公开（区分处理的，只计这一情形，不计其他情形）", "", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果", "(三) 不予公开", "1. 属于国家秘密", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "2.其他法律法规禁止公开", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "3.危及“三安全一稳定”", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "4.保护第三方合法权益", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "5.属于三类内部事务信息", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "6.属于四类过程性信息", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "7.属于行政执法案卷", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(三) 不予公开", "8.属于行政查询事项", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(四) 无法提供", "1.本机关不掌握相关政府信息", [1, 0, 0, 0, 0, 0, 1]),
    ("三、本年度办理结果", "(四) 无法提供", "2.没有现成信息需要另行制作", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(四) 无法提供", "3.补正后申请内容仍不明确", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(五) 不予处理", "1.信访举报投诉类申请", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(五) 不予处理", "2.重复申请", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(五) 不予处理", "3.要求提供公开出版物", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(五) 不予处理", "4.无正当理由大量反复申请", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(五) 不予处理", "5.要求行政机关确认或重新出具已获取信息", [0, 0, 0, 0, 0, 0, 0]),
    ("三、本年度办理结果", "(六) 其他处理", "", [0, 0, 0, 0, 0, 0, ""]),
    ("三、本年度办理结果", "(七) 总计", "", [4, 1, 0, 0, 0, 0, 5]),
    ("四、结转下年度继续办理", "", "", [0, 0, 0, 0, 0, 0, 0]),
]
TABLE4 = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]


def build(ruled: bool = False) -> bytes:
    document = docx.Document()
    document.add_paragraph(f"{UNIT} 2020 年政府信息公开工作年度报告")
    document.add_paragraph("本报告由南山乡党政办公室编制，统计期限为2020年1月1日至2020年12月31日。")
    document.add_paragraph("一、总体情况")
    document.add_paragraph("全乡依托县政府网站乡镇专栏公开各类信息九十余条，依申请公开、信息管理、平台建设和监督保障工作平稳推进。")
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=0, cols=4)
    style(table, ruled)
    for label, values in TABLE2:
        if label.startswith("第二十条"):
            table.add_row()  # a blank spacer row
            cells = table.add_row().cells
            for cell in cells:
                cell.text = label  # the group row's merge, split: the label in every cell
            cells = table.add_row().cells
            for cell, text in zip(cells, values):
                cell.text = str(text)
            continue
        cells = table.add_row().cells
        cells[0].text = label
        for cell, value in zip(cells[1:], values):
            cell.text = str(value)

    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    table = document.add_table(rows=0, cols=10)
    style(table, ruled)
    head = table.add_row().cells
    head[0].text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    for i, text in enumerate(["申请人情况"] * 7, start=3):
        head[i].text = text
    head = table.add_row().cells
    for i, text in enumerate(["自然人", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "法人或其他组织", "总计"], start=3):
        head[i].text = text
    head = table.add_row().cells
    for i, text in enumerate(["", "商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他", ""], start=3):
        head[i].text = text
    for level1, level2, item, values in TABLE3:
        if item.startswith("1"):
            table.add_row()  # blank rows between groups
        cells = table.add_row().cells
        for cell, text in zip(cells, [level1, level2, item]):
            cell.text = text
        for cell, value in zip(cells[3:], values):
            cell.text = str(value)
    if ruled:
        repeat_header(table, 3)

    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    table = document.add_table(rows=0, cols=15)
    style(table, ruled)
    for texts in (
        ["行政复议"] * 5 + ["行政诉讼"] * 10,
        [""] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5,
        ["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"] * 3,
        [str(v) for v in TABLE4],
    ):
        for cell, text in zip(table.add_row().cells, texts):
            cell.text = text
    table.add_row()

    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("信息更新不够及时，部分栏目内容偏少。下一年度将落实专人每周更新，并对栏目逐一清理。")
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph("无。")
    document.add_paragraph(UNIT)
    document.add_paragraph("2021年1月25日")
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def style(table, ruled: bool) -> None:
    if ruled:
        table.style = "Table Grid"


def repeat_header(table, rows: int) -> None:
    """Mark the first ``rows`` rows as the header Word repeats on each page."""
    from docx.oxml import OxmlElement

    for row in table.rows[:rows]:
        header = OxmlElement("w:tblHeader")
        row._tr.get_or_add_trPr().append(header)
