"""The revised format of 国办公开办函〔2021〕30号, for reports on 2021 and later."""

from __future__ import annotations

from . import common as c
from .types import Column, Field, Group2, Item, Spec

DECISIONS = Column("本年处理决定数量")

OTHER = c.items(
    c.OTHER_CODE,
    "other",
    c.OTHER_LABEL,
    (
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "申请人无正当理由逾期不补正"),
        ("fee_unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "申请人逾期未按收费通知要求缴纳费用"),
        ("other", "其他"),
    ),
)

SPEC = Spec(
    id="v2021",
    name="2021年修订格式",
    source="国办公开办函〔2021〕30号",
    first_year=2021,
    last_year=None,
    title_suffix=c.TITLE_SUFFIX,
    unit=c.UNIT,
    sections=c.SECTIONS,
    table2=(
        Group2(
            c.ART_1,
            (Column("本年制发件数"), Column("本年废止件数"), Column("现行有效件数", next="keep")),
            (c.ITEM_REGULATIONS, Item("normative_documents", "行政规范性文件")),
        ),
        Group2(c.ART_5, (DECISIONS,), (c.ITEM_LICENSING,)),
        Group2(c.ART_6, (DECISIONS,), (c.ITEM_PENALTIES, c.ITEM_COERCION)),
        Group2(c.ART_8, (Column("本年收费金额（单位：万元）", c.AMOUNT, c.WAN),), (c.ITEM_FEES,)),
    ),
    table3=c.table3(OTHER),
    table4=c.TABLE4,
    fees=(
        Field("notices", "发出收费通知的件数", type=c.COUNT.value),
        Field("billed", "收费通知的总金额（元）", type=c.AMOUNT.value),
        Field("collected", "实际收取的总金额（元）", type=c.AMOUNT.value),
    ),
    overview_may_be_text=False,
)

