"""The report file as a pydantic-core schema, one per format version, generated from the spec.

Values are checked by before-validators that refuse what a lax parser would coerce
(``"12"``, ``12.0``, ``１２``, ``-1``) and say in Chinese what was expected.  The schema is
built from pydantic-core's own pieces, not from model classes: checking a file then needs
no more of pydantic than the yardstick ``import pydantic`` loads, so ``nianbao check``
starts fast; pydantic's JSON Schema generator reads the same schema for ``nianbao
schema``, with a Chinese title on every field.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict, cast

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from ..system.patterns import lazy
from . import dates
from .places import FEES_LABEL, FORMAT_LABEL, UNIT_LABEL, YEAR_LABEL
from .standard import SPECS, Column, Spec, ValueType
from .standard.common import PREAMBLE
from .yamlfile import WrittenNumber

if TYPE_CHECKING:
    from typing_extensions import NotRequired  # typing's own from Python 3.11

_NUMBER = lazy(r"[+-]?\d+(\.\d+)?")
_WITH_UNIT = lazy(r"([+-]?\d+(?:\.\d+)?)\s*(万元|元|件|个|条|项|次)")


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
        if isinstance(value, WrittenNumber):
            raise _fail(written(value))
        if isinstance(value, str):
            text = value.strip()
            half = unicodedata.normalize("NFKC", text)
            if half != text and _NUMBER.fullmatch(half):
                raise _fail(f"“{value}”是全角数字，请改为半角数字 {half}")
            ascii_digits = _ascii_digits(half)
            if ascii_digits != half and _NUMBER.fullmatch(ascii_digits):
                raise _fail(f"“{value}”不是半角数字，请写成 {ascii_digits}")
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


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (Arabic-Indic ٣, Devanagari ३…)
    as its ASCII digit; NFKC leaves those as they are."""
    return "".join(str(unicodedata.digit(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def written(value: WrittenNumber) -> str:
    """What to say of a number written in another notation than plain decimal digits."""
    if value.value is None:
        shown = value if len(value) <= 24 else f"{value[:20]}…"
        return f"“{shown}”位数太多，不可能是件数或金额，请核对"
    return f"“{value}”不是普通的十进制数字写法，请写成 {value.value}"


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


_JSON_TYPES: dict[ValueType, dict[str, Any]] = {
    ValueType.COUNT: {"type": "integer", "minimum": 0},
    ValueType.SIGNED: {"type": "integer"},
    ValueType.AMOUNT: {"type": "number", "minimum": 0},
}


def _json(schema: dict) -> dict:
    """Core-schema metadata that gives the JSON Schema ``schema`` for a value."""
    return {"pydantic_js_functions": [lambda _schema, _handler: dict(schema)]}


def _about(title: str, description: str | None = None) -> dict:
    return {"pydantic_js_updates": {"title": title, **({"description": description} if description else {})}}


@cache
def value_type(vt: ValueType) -> cs.CoreSchema:
    inner = cs.decimal_schema() if vt is ValueType.AMOUNT else cs.int_schema()
    return cs.no_info_before_validator_function(_number_validator(vt), inner, metadata=_json(_JSON_TYPES[vt]))


def _text_schema(required: bool = False) -> cs.CoreSchema:
    return cs.no_info_before_validator_function(_text, cs.str_schema() if required else cs.nullable_schema(cs.str_schema()))


_DATE = cs.no_info_before_validator_function(_date, cs.nullable_schema(cs.date_schema()), metadata=_json({"type": ["string", "null"], "format": "date"}))
_YEAR = cs.no_info_before_validator_function(_year, cs.int_schema(), metadata=_json({"type": "integer", "minimum": 2019}))

ABSURD = 10**8  # more than a hundred million applications, items or yuan: a slip of the keyboard (a warning of the loader's)


@cache
def _strict_number(vt: ValueType) -> cs.CoreSchema:
    """A figure as a file that needs no word said of it writes one, checked by pydantic-core
    alone: a plain int (a Decimal too for an amount) within ±:data:`ABSURD`.  What this
    refuses the checked schema reads again, for its words (:func:`validate`)."""
    low = -ABSURD if vt is ValueType.SIGNED else 0
    whole = cs.int_schema(strict=True, ge=low, le=ABSURD)
    if vt is not ValueType.AMOUNT:
        return whole
    exact = cs.decimal_schema(strict=True, ge=Decimal(low), le=Decimal(ABSURD), allow_inf_nan=False)
    return cs.union_schema([exact, cs.no_info_after_validator_function(Decimal, whole)])  # an int amount read as its Decimal, as _number_validator does


class _Leaves(NamedTuple):
    """The schemas of a report's values — a figure of each type, a text, a date, the year —
    from which :func:`_report_schema` builds a format's whole schema."""

    number: Callable[[ValueType], cs.CoreSchema]
    text: Callable[[bool], cs.CoreSchema]
    date: cs.CoreSchema
    year: cs.CoreSchema


# Every value checked by the before-validators, which say in Chinese what is wrong: the schema
# a file's mistakes are told by, and the one ``nianbao schema`` prints.
_CHECKED = _Leaves(value_type, _text_schema, _DATE, _YEAR)
# The same shapes with strict leaves and no Python in them: a report written as it should be is
# checked in one pass of pydantic-core, and it gives the same values (the containers are the same).
_STRICT = _Leaves(
    _strict_number,
    lambda required: cs.str_schema(strict=True) if required else cs.nullable_schema(cs.str_schema(strict=True)),
    cs.nullable_schema(cs.date_schema(strict=True)),
    cs.int_schema(strict=True),
)


def _columns_text(columns: tuple[Column, ...]) -> str:
    return "、".join(c.label for c in columns)


def _row(leaves: _Leaves, columns: tuple[Column, ...], total: Column | None, title: str) -> cs.CoreSchema:
    """A row of numbers: fixed types per position; 总计 optional where the table has one."""
    if total is not None:
        description = f"{_columns_text(columns)}；可加第{len(columns) + 1}个数“{total.label}”（填写时核对）"
        return cs.list_schema(leaves.number(columns[0].type), min_length=len(columns), max_length=len(columns) + 1, metadata=_about(title, description))
    return cs.tuple_schema([leaves.number(c.type) for c in columns], metadata=_about(title, _columns_text(columns)))


def _field(schema: cs.CoreSchema, title: str, description: str | None = None, *, required: bool = True) -> cs.TypedDictField:
    if not required:
        schema = cs.with_default_schema(schema, default=None)
    return cs.typed_dict_field(schema, required=required, metadata=_about(title, description))


def _mapping(ref: str, title: str, fields: dict[str, cs.TypedDictField], description: str | None = None) -> cs.CoreSchema:
    """A mapping with exactly these keys; ``ref`` names it in the JSON Schema's $defs."""
    return cs.typed_dict_schema(fields, extra_behavior="forbid", ref=ref, metadata=_about(title, description))


@cache
def core_schema(spec_id: str) -> cs.CoreSchema:
    """The report file of format ``spec_id``, as a pydantic-core schema built from the spec:
    what :func:`validator` checks a file against, and what ``nianbao schema`` prints."""
    return _report_schema(spec_id, _CHECKED)


def _report_schema(spec_id: str, leaves: _Leaves) -> cs.CoreSchema:
    spec: Spec = SPECS[spec_id]
    suffix = spec_id[1:]

    def _text_field(label: str, note: str = "", required: bool = False) -> cs.TypedDictField:
        return _field(leaves.text(required), label, note or None, required=required)

    unit = _mapping(f"Unit{suffix}", UNIT_LABEL, {
        f.key: _field(leaves.date, f.label, f.note or None, required=False) if f.type == "date" else _text_field(f.label, f.note, f.required)
        for f in spec.unit
    })
    overview_section = spec.section("overview")
    overview_parts = _mapping(f"Overview{suffix}", overview_section.heading, {f.key: _text_field(f.label, f.note) for f in overview_section.subsections})
    overview = cs.nullable_schema(cs.union_schema([cs.str_schema(), overview_parts]) if spec.overview_may_be_text else overview_parts)

    proactive_fields: dict[str, cs.TypedDictField] = {}
    for group in spec.table2:
        for item in group.items:
            title = f"{item.label}（{group.article}）"
            if group.scalar:
                proactive_fields[item.key] = _field(leaves.number(group.columns[0].type), title, group.columns[0].label)
            else:
                proactive_fields[item.key] = _field(_row(leaves, group.columns, None, title), title, _columns_text(group.columns))
    proactive = _mapping(f"Proactive{suffix}", spec.section("proactive").heading, proactive_fields)

    table3 = spec.table3

    def line_field(line) -> cs.TypedDictField:
        if line.is_group:
            name = "".join(p.capitalize() for p in line.key.split("_")) + suffix
            return _field(_mapping(name, line.label, {child.key: line_field(child) for child in line.children}), line.label)
        row = _row(leaves, table3.columns, table3.total, line.label)
        if line.total:
            return _field(cs.nullable_schema(row), line.label, line.note, required=False)
        return _field(row, line.label)

    app_fields = {line.key: line_field(line) for line, depth in table3.walk() if line.key is not None and depth <= 1}
    applications = _mapping(f"Applications{suffix}", spec.section("applications").heading, app_fields)

    t4 = spec.table4
    appeals = _mapping(f"Appeals{suffix}", spec.section("appeals").heading, {
        g.key: _field(_row(leaves, t4.columns, t4.total, label := f"{g.parent}·{g.label}" if g.parent else g.label), label) for g in t4.groups
    })

    fields: dict[str, cs.TypedDictField] = {
        "year": _field(leaves.year, YEAR_LABEL),
        "format": _field(cs.nullable_schema(cs.literal_schema([spec_id])), FORMAT_LABEL, f"{spec.name}（{spec.source}）；可省略，按年度确定", required=False),
        "unit": _field(unit, UNIT_LABEL),
        PREAMBLE.key: _text_field(PREAMBLE.label, PREAMBLE.note),
        "overview": _field(overview, overview_section.heading),
        "proactive": _field(proactive, spec.section("proactive").heading),
        "applications": _field(applications, spec.section("applications").heading),
        "appeals": _field(appeals, spec.section("appeals").heading),
        "problems": _text_field(spec.section("problems").heading),
    }
    if spec.fees:
        fees = _mapping(f"ProcessingFees{suffix}", FEES_LABEL, {f.key: _field(leaves.number(ValueType(f.type)), f.label) for f in spec.fees})
        fields["processing_fees"] = _field(cs.nullable_schema(fees), FEES_LABEL, "依《政府信息公开信息处理费管理办法》，金额单位为元", required=False)
    fields["other_matters"] = _text_field(spec.section("other_matters").heading)
    return _mapping(f"Report{suffix}", f"{spec.name}政府信息公开工作年度报告", fields, spec.source)


@cache
def validator(spec_id: str) -> SchemaValidator:
    """Checks a report file's plain data; gives it back with its values converted."""
    return SchemaValidator(core_schema(spec_id))


@cache
def _strict_validator(spec_id: str) -> SchemaValidator:
    """:func:`validator`'s shapes with strict leaves (:data:`_STRICT`)."""
    return SchemaValidator(_report_schema(spec_id, _STRICT))


class UnitData(TypedDict):
    """机关信息 as validated: the name is required, every other fact may be left empty."""

    name: str
    compiler: str | None
    website: str | None
    address: str | None
    postcode: str | None
    phone: str | None
    email: str | None
    date: dt.date | None


class ReportData(TypedDict):
    """A validated report's values, keyed as the report file is; plain dicts, lists and
    tuples (a row of fixed types is a tuple).  The tables nest by format version, so
    their values are read through :class:`~nianbao.model.report.Report` by spec row,
    not by key here."""

    year: int
    format: str | None
    unit: UnitData
    preamble: str | None
    overview: str | dict[str, str | None] | None
    proactive: dict[str, Any]
    applications: dict[str, Any]
    appeals: dict[str, list[Any]]
    problems: str | None
    processing_fees: NotRequired[dict[str, Decimal | int] | None]  # the 2021 format's only
    other_matters: str | None


def plain(value: Any) -> Any:
    """Plain dicts and lists, as the report file holds them (a row's tuple as a list)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def as_json(value: Any) -> str:
    """``value``'s plain data as one line of JSON, keys sorted: the same values give the same text."""
    import json  # here, not at the top: check does not use it, and its start-up is measured

    return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, default=str)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def as_data(data: dict) -> ReportData:
    """Plain data as a report's values read, without checking it: for the table rules of a
    report whose unreadable cells stand in as zero (:mod:`.unreadable`).  A copy, so that
    the caller's data stays its own."""
    return cast(ReportData, _copy(data))  # not checked: holds the tables and the year, all those rules read


def validate(spec_id: str, data: dict) -> ReportData:
    """``data`` checked against the format; raises pydantic-core's ValidationError.  The
    core schema of :func:`core_schema` is the TypedDict :class:`ReportData`'s shape."""
    return checked(spec_id, data)[0]


def checked(spec_id: str, data: dict) -> tuple[ReportData, bool]:
    """(``data`` checked as :func:`validate` checks it, whether every figure in it is known to be
    within ±:data:`ABSURD`).  Read first by the strict schema, in one pass of pydantic-core
    with no Python called per value; what that refuses (a mistake, a date written 2026年1月15日,
    a figure beyond the bound) is read again by the checked schema, which gives the values or
    the errors in its words — so the answer is the checked schema's in every case."""
    try:
        return cast(ReportData, _strict_validator(spec_id).validate_python(data)), True
    except ValidationError:
        return cast(ReportData, validator(spec_id).validate_python(data)), False


def json_schema() -> dict:
    """The JSON Schema of a report file, every format version."""
    from pydantic.json_schema import GenerateJsonSchema

    schema = GenerateJsonSchema().generate(cs.union_schema([core_schema(spec_id) for spec_id in SPECS]))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "政府信息公开工作年度报告（nianbao 报告文件）"
    return schema
