"""The report file as pydantic models, one per format version, generated from the spec.

Values are checked by before-validators that refuse what a lax parser would coerce
(``"12"``, ``12.0``, ``１２``, ``-1``) and say in Chinese what was expected; the models
also give the JSON Schema (``nianbao schema``), with a Chinese title on every field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from . import dates
from .standard import SPECS, Column, Spec, ValueType
from .standard.common import PREAMBLE
from .places import FEES_LABEL, FORMAT_LABEL, UNIT_LABEL, YEAR_LABEL

_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_WITH_UNIT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*(万元|元|件|个|条|项|次)")


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("nianbao", "{m}", {"m": message})


def _kind_of(value: Any) -> str:
    if isinstance(value, list):
        return "一组数 [ … ]"
    if isinstance(value, dict):
        return "分项（键: 值）"
    return f"“{value}”"


def _number_validator(vt: ValueType):
    expect = vt.expectation

    def validate(value: Any) -> Any:
        if isinstance(value, bool):
            raise _fail(f"应为{expect}，这里是“{'true' if value else 'false'}”")
        if isinstance(value, int):
            if value < 0 and vt is not ValueType.SIGNED:
                raise _fail(f"不能为负数（填写的是 {value}），应为{expect}")
            return Decimal(value) if vt is ValueType.AMOUNT else value
        if isinstance(value, Decimal) and value.is_finite():
            if vt is ValueType.AMOUNT:
                if value < 0:
                    raise _fail(f"不能为负数（填写的是 {value}），应为{expect}")
                return value
            if value == value.to_integral_value():
                raise _fail(f"应为整数，“{value}”带了小数点，请写成 {int(value)}")
            raise _fail(f"应为{expect}，不能是小数“{value}”")
        if isinstance(value, (Decimal, float)):
            raise _fail(f"应为{expect}，这里是“{value}”")
        if value is None:
            raise _fail(f"没有填写，应为{expect}（没有请填 0）")
        if isinstance(value, str):
            text = value.strip()
            half = unicodedata.normalize("NFKC", text)
            if half != text and _NUMBER.fullmatch(half):
                raise _fail(f"“{value}”是全角数字，请改为半角数字 {half}")
            if _NUMBER.fullmatch(text):
                raise _fail(f"“{value}”加了引号，是文字不是数字；请去掉引号写成 {text}")
            unit = _WITH_UNIT.fullmatch(half)
            if unit:
                raise _fail(f"只填数字，不要带单位：“{value}”请写成 {unit.group(1)}（单位已印在表头）")
            if not text:
                raise _fail(f"没有填写，应为{expect}（没有请填 0）")
            raise _fail(f"应为{expect}，这里是文字“{value}”")
        raise _fail(f"应为一个数（{expect}），这里是{_kind_of(value)}")

    return validate


def _text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    raise _fail(f"应为文字，这里是{_kind_of(value)}")


def _date(value: Any) -> Any:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and dates.parse(value) is not None:
        return dates.parse(value)  # 2026年1月15日
    raise _fail(f"应写成 {{example}} 这样的日期，这里是{_kind_of(value)}")


def _year(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _number_validator(ValueType.COUNT)(value)  # raises with the right message


_JSON_TYPES = {
    ValueType.COUNT: {"type": "integer", "minimum": 0},
    ValueType.SIGNED: {"type": "integer"},
    ValueType.AMOUNT: {"type": "number", "minimum": 0},
}


@cache
def value_type(vt: ValueType) -> Any:
    python = Decimal if vt is ValueType.AMOUNT else int
    return Annotated[python, BeforeValidator(_number_validator(vt)), WithJsonSchema(_JSON_TYPES[vt])]


Text = Annotated[Optional[str], BeforeValidator(_text)]
Date = Annotated[Optional[dt.date], BeforeValidator(_date), WithJsonSchema({"type": ["string", "null"], "format": "date"})]
Year = Annotated[int, BeforeValidator(_year), WithJsonSchema({"type": "integer", "minimum": 2019})]

_CONFIG = ConfigDict(extra="forbid", frozen=True)


def _columns_text(columns: tuple[Column, ...]) -> str:
    return "、".join(c.label for c in columns)


def _row_type(columns: tuple[Column, ...], total: Column | None, title: str) -> Any:
    """A row of numbers: fixed types per position; 总计 optional where the table has one."""
    if total is not None:
        description = f"{_columns_text(columns)}；可加第{len(columns) + 1}个数“{total.label}”（填写时核对）"
        return Annotated[
            list[value_type(columns[0].type)],
            Field(min_length=len(columns), max_length=len(columns) + 1, title=title, description=description),
        ]
    types = tuple(value_type(c.type) for c in columns)
    return Annotated[tuple[types], Field(title=title, description=_columns_text(columns))]  # type: ignore[valid-type]


def _model(name: str, title: str, fields: dict[str, tuple[Any, Any]], description: str | None = None) -> type[BaseModel]:
    config = ConfigDict(**_CONFIG, title=title)
    return create_model(name, __config__=config, __doc__=description, **fields)


def _text_field(label: str, note: str = "", required: bool = False) -> tuple[Any, Any]:
    if required:
        return (Annotated[str, BeforeValidator(_text)], Field(..., title=label, description=note or None))
    return (Text, Field(None, title=label, description=note or None))


@cache
def report_model(spec_id: str) -> type[BaseModel]:
    """The pydantic model of a report file in format ``spec_id``."""
    spec: Spec = SPECS[spec_id]
    suffix = spec_id[1:]

    unit_fields = {}
    for f in spec.unit:
        if f.type == "date":
            unit_fields[f.key] = (Date, Field(None, title=f.label, description=f.note or None))
        else:
            unit_fields[f.key] = _text_field(f.label, f.note, f.required)
    unit = _model(f"Unit{suffix}", UNIT_LABEL, unit_fields)

    overview_section = spec.section("overview")
    overview_model = _model(
        f"Overview{suffix}",
        overview_section.heading,
        {f.key: _text_field(f.label, f.note) for f in overview_section.subsections},
    )
    overview_type: Any = Union[str, overview_model, None] if spec.overview_may_be_text else Optional[overview_model]

    proactive_fields: dict[str, tuple[Any, Any]] = {}
    for group in spec.table2:
        for item in group.items:
            title = f"{item.label}（{group.article}）"
            if group.scalar:
                column = group.columns[0]
                proactive_fields[item.key] = (value_type(column.type), Field(..., title=title, description=column.label))
            else:
                proactive_fields[item.key] = (_row_type(group.columns, None, title), ...)
    proactive = _model(f"Proactive{suffix}", spec.section("proactive").heading, proactive_fields)

    table3 = spec.table3

    def line_field(line) -> tuple[Any, Any]:
        if line.is_group:
            group = _model(
                f"{''.join(p.capitalize() for p in line.key.split('_'))}{suffix}",
                line.label,
                {child.key: line_field(child) for child in line.children},
            )
            return (group, Field(..., title=line.label))
        row = _row_type(table3.columns, table3.total, line.label)
        if line.total:
            return (Optional[row], Field(None, title=line.label, description=line.note))
        return (row, ...)

    app_fields: dict[str, tuple[Any, Any]] = {}
    for line, depth in table3.walk():
        if line.key is not None and depth <= 1:
            app_fields[line.key] = line_field(line)
    applications = _model(f"Applications{suffix}", spec.section("applications").heading, app_fields)

    t4 = spec.table4
    appeals = _model(
        f"Appeals{suffix}",
        spec.section("appeals").heading,
        {
            g.key: (_row_type(t4.columns, t4.total, f"{g.parent}·{g.label}" if g.parent else g.label), ...)
            for g in t4.groups
        },
    )

    fields: dict[str, tuple[Any, Any]] = {
        "year": (Year, Field(..., title=YEAR_LABEL)),
        "format": (Optional[Literal[spec_id]], Field(None, title=FORMAT_LABEL, description=f"{spec.name}（{spec.source}）；可省略，按年度确定")),  # type: ignore[valid-type]
        "unit": (unit, Field(..., title=UNIT_LABEL)),
        PREAMBLE.key: _text_field(PREAMBLE.label, PREAMBLE.note),
        "overview": (overview_type, Field(..., title=overview_section.heading)),
        "proactive": (proactive, Field(..., title=spec.section("proactive").heading)),
        "applications": (applications, Field(..., title=spec.section("applications").heading)),
        "appeals": (appeals, Field(..., title=spec.section("appeals").heading)),
        "problems": _text_field(spec.section("problems").heading),
    }
    if spec.fees:
        fees = _model(
            f"ProcessingFees{suffix}",
            FEES_LABEL,
            {f.key: (value_type(ValueType(f.type)), Field(..., title=f.label)) for f in spec.fees},
        )
        fields["processing_fees"] = (Optional[fees], Field(None, title=FEES_LABEL, description="依《政府信息公开信息处理费管理办法》，金额单位为元"))
    fields["other_matters"] = _text_field(spec.section("other_matters").heading)
    return _model(f"Report{suffix}", f"{spec.name}政府信息公开工作年度报告", fields, f"{spec.source}")


def json_schema() -> dict:
    """The JSON Schema of a report file, every format version."""
    models = tuple(report_model(spec_id) for spec_id in SPECS)
    adapter = TypeAdapter(Union[models])  # type: ignore[valid-type]
    schema = adapter.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "政府信息公开工作年度报告（nianbao 报告文件）"
    return schema
