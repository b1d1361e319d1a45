"""Labels and rows the two format versions share, each written once.

The versions (``v2019.py``, ``v2021.py``) assemble their specs from these pieces and add
what is their own.  Every label is the exact official text (FORMAT.md §2–§5).
"""

from __future__ import annotations

from .types import Column, Field, Group4, Item, Line3, Section, Table3, Table4, ValueType

COUNT, SIGNED, AMOUNT = ValueType.COUNT, ValueType.SIGNED, ValueType.AMOUNT
WAN = "万元"  # the unit of table 二's amounts

TITLE_SUFFIX = "政府信息公开工作年度报告"

UNIT = (
    Field("name", "机关名称", required=True, note="用于标题和落款"),
    Field("compiler", "编制单位"),
    Field("website", "电子版下载网址"),
    Field("address", "地址"),
    Field("postcode", "邮政编码"),
    Field("phone", "联系电话"),
    Field("email", "电子邮箱"),
    Field("date", "落款日期", type="date", note="印在落款处"),
)

# The five subjects of 一、总体情况 (国办公开办函〔2021〕30号), each with what it covers: shown as the
# hint beside it (init, new, the site) and told by next where a report of the 2019 format gave one text.
OVERVIEW_SUBJECTS = (
    Field("proactive", "（一）主动公开", note="写本年主动公开政府信息的数量、渠道和重点领域"),
    Field("requests", "（二）依申请公开", note="写本年收到、办理和答复政府信息公开申请的情况"),
    Field("management", "（三）政府信息管理", note="写政府信息的发布审核、清理、解读等管理情况"),
    Field("platforms", "（四）政府信息公开平台建设", note="写政府网站、政务新媒体、公开专栏等平台的建设情况"),
    Field("oversight", "（五）监督保障", note="写监督保障情况，含工作考核、社会评议和责任追究结果"),
)

SECTION_OVERVIEW = Section("overview", "一、总体情况", OVERVIEW_SUBJECTS, "分五个方面写本年工作")
SECTION_PROACTIVE = Section("proactive", "二、主动公开政府信息情况")
SECTION_APPLICATIONS = Section("applications", "三、收到和处理政府信息公开申请情况")
SECTION_APPEALS = Section("appeals", "四、政府信息公开行政复议、行政诉讼情况")
SECTION_PROBLEMS = Section(
    "problems", "五、存在的主要问题及改进情况", note="本年存在的问题、改进措施，以及上年问题的整改情况"
)
SECTION_OTHER = Section(
    "other_matters",
    "六、其他需要报告的事项",
    note="信息处理费之外的事项：政务公开工作要点落实、人大代表建议和政协提案办理结果公开、工作创新等",
)
SECTIONS = (SECTION_OVERVIEW, SECTION_PROACTIVE, SECTION_APPLICATIONS, SECTION_APPEALS, SECTION_PROBLEMS, SECTION_OTHER)

# Table 二 — articles and rows
ART_1 = "第二十条第（一）项"
ART_5 = "第二十条第（五）项"
ART_6 = "第二十条第（六）项"
ART_8 = "第二十条第（八）项"
ART_9 = "第二十条第（九）项"
ITEM_REGULATIONS = Item("regulations", "规章")
ITEM_LICENSING = Item("licensing", "行政许可")
ITEM_PENALTIES = Item("penalties", "行政处罚")
ITEM_COERCION = Item("coercion", "行政强制")
ITEM_FEES = Item("fees", "行政事业性收费")
TABLE2_HEAD = "信息内容"

# Table 三 — columns
TABLE3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = "申请人情况"
PERSON = Column("自然人")
ORG_HEADER = "法人或其他组织"
ORGS = (
    Column("商业企业"),
    Column("科研机构"),
    Column("社会公益组织"),
    Column("法律服务机构"),
    Column("其他"),
)
TOTAL = Column("总计")


def items(code: str, key: str, label: str, entries: tuple[tuple[str, ...], ...]) -> Line3:
    """A group row of table 三 with numbered items (（三）…（六））; an entry is (key, label)
    or (key, label, the label's opening words by which messages name a long one)."""
    children = tuple(
        Line3(f"{n}.{text}", f"{code}{n}.{text}", child_key, short=f"{n}.{short[0]}" if short else "")
        for n, (child_key, text, *short) in enumerate(entries, start=1)
    )
    return Line3(label, code, key, children)


NEW = Line3("一、本年新收政府信息公开申请数量", "一", "new", short="一、本年新收")
CARRIED_OVER = Line3("二、上年结转政府信息公开申请数量", "二", "carried_over", short="二、上年结转")
DISCLOSED = Line3("（一）予以公开", "三（一）", "disclosed")
PARTIAL = Line3(
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三（二）", "partially_disclosed", short="（二）部分公开"
)
WITHHELD = items(
    "三（三）",
    "withheld",
    "（三）不予公开",
    (
        ("state_secret", "属于国家秘密"),
        ("prohibited_by_law", "其他法律行政法规禁止公开"),
        ("security_stability", "危及“三安全一稳定”"),
        ("third_party_rights", "保护第三方合法权益"),
        ("internal_affairs", "属于三类内部事务信息"),
        ("process_information", "属于四类过程性信息"),
        ("enforcement_files", "属于行政执法案卷"),
        ("inquiry_matters", "属于行政查询事项"),
    ),
)
UNAVAILABLE = items(
    "三（四）",
    "unavailable",
    "（四）无法提供",
    (
        ("not_held", "本机关不掌握相关政府信息"),
        ("needs_creation", "没有现成信息需要另行制作"),
        ("still_unclear", "补正后申请内容仍不明确"),
    ),
)
NOT_PROCESSED = items(
    "三（五）",
    "not_processed",
    "（五）不予处理",
    (
        ("petitions", "信访举报投诉类申请"),
        ("repeated", "重复申请"),
        ("publications", "要求提供公开出版物"),
        ("excessive", "无正当理由大量反复申请"),
        ("confirmation", "要求行政机关确认或重新出具已获取信息"),
    ),
)
OTHER_LABEL = "（六）其他处理"
OTHER_CODE = "三（六）"
RESULTS_TOTAL = Line3(
    "（七）总计", "三（七）", "total", total=True, note="可省略：省略时按各项之和计算，填写时核对"
)
CARRIED_FORWARD = Line3("四、结转下年度继续办理", "四", "carried_forward")
RESULTS_LABEL = "三、本年度办理结果"


def table3(other: Line3) -> Table3:
    """Table 三 with the version's own （六）其他处理 row."""
    results = Line3(
        RESULTS_LABEL,
        "三",
        None,
        (DISCLOSED, PARTIAL, WITHHELD, UNAVAILABLE, NOT_PROCESSED, other, RESULTS_TOTAL),
    )
    return Table3(
        TABLE3_CORNER,
        APPLICANTS,
        PERSON,
        ORG_HEADER,
        ORGS,
        TOTAL,
        (NEW, CARRIED_OVER, results, CARRIED_FORWARD),
    )


# Table 四
LAWSUIT = "行政诉讼"
TABLE4 = Table4(
    columns=(Column("结果维持"), Column("结果纠正"), Column("其他结果"), Column("尚未审结")),
    total=TOTAL,
    groups=(
        Group4("review", "行政复议", None),
        Group4("lawsuit_direct", "未经复议直接起诉", LAWSUIT),
        Group4("lawsuit_after_review", "复议后起诉", LAWSUIT),
    ),
)

PREAMBLE = Field("preamble", "前言", note="留空（null）则按机关信息自动生成")
