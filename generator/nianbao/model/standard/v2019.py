"""The trial format of 国办公开办函〔2019〕60号, for reports on 2019 and 2020."""

from __future__ import annotations

from . import common as c
from .types import Column, Group2, Item, Line3, Spec

PREVIOUS = Column("上一年项目数量", next="roll")
CHANGE = Column("本年增/减", c.SIGNED)
DECISIONS = Column("处理决定数量")

SPEC = Spec(
    id="v2019",
    name="2019年试行格式",
    source="国办公开办函〔2019〕60号",
    first_year=2019,
    last_year=2020,
    title_suffix=c.TITLE_SUFFIX,
    unit=c.UNIT,
    sections=c.SECTIONS,
    table2=(
        Group2(
            c.ART_1,
            (Column("本年新制作数量"), Column("本年新公开数量"), Column("对外公开总数量", next="keep")),
            (c.ITEM_REGULATIONS, Item("normative_documents", "规范性文件")),
        ),
        Group2(
            c.ART_5,
            (PREVIOUS, CHANGE, DECISIONS),
            (c.ITEM_LICENSING, Item("other_services", "其他对外管理服务事项")),
        ),
        Group2(c.ART_6, (PREVIOUS, CHANGE, DECISIONS), (c.ITEM_PENALTIES, c.ITEM_COERCION)),
        Group2(c.ART_8, (PREVIOUS, CHANGE), (c.ITEM_FEES,)),
        Group2(
            c.ART_9,
            (Column("采购项目数量"), Column("采购总金额", c.AMOUNT, c.WAN)),
            (Item("procurement", "政府集中采购"),),
        ),
    ),
    table3=c.table3(Line3(c.OTHER_LABEL, c.OTHER_CODE, "other")),
    table4=c.TABLE4,
    fees=(),
    overview_may_be_text=True,
)
