"""The words a county's lists give each unit: what ``batch`` did with its report, and whether
``aggregate`` and ``overview`` counted it.

Two vocabularies, each a :class:`~nianbao.enums.StrEnum` whose values are the Chinese words the
screen, the workbooks and the pages print (so a member is that word wherever it is compared or
written): a typo in a status is an ``AttributeError`` at once, never a comparison that is
silently never true.  The words the two share (a unit that sent nothing, a file of another year)
are typed once, in :class:`Standing`.
"""

from __future__ import annotations

from ..enums import StrEnum


class Standing(StrEnum):
    """A unit's row in ``aggregate``'s 表三主要行 and in ``overview``: counted in the county's sums, or why not."""

    COUNTED = "已计入"  # in the sums, the medians and the ranks
    FAILED = "有错误"  # figures shown as printed, not counted
    UNFILLED = "未填写完整"  # refused for rule P alone (intake.unfilled): no figures yet, none shown; batch's 未通过
    LEFT_OUT = "未计入"  # rule B: another file is this unit's too, or not on the list
    ABSENT = "未交回"  # on the list, no file
    OTHER_YEAR = "不是本年度"  # set aside by rules.one_year: another year or format


class BatchStatus(StrEnum):
    """What ``batch`` did with one file (or one unit on the list that sent nothing)."""

    MADE = "已生成"
    FAILED = "未通过"
    DUPLICATE = "重复交回"  # the same file sent twice: made once
    ABSENT = Standing.ABSENT.value
    OTHER_YEAR = Standing.OTHER_YEAR.value


FILES_ONLY = (BatchStatus.DUPLICATE, BatchStatus.OTHER_YEAR)  # a file's outcome, no unit's: listed after the units, counted as files
