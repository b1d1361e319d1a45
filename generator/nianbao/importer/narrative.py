"""The words of a published report: title, preamble, the six sections, the signature.

Headings are found by their number and meaning (``四、因政府信息公开工作被申请行政复议、
提起行政诉讼情况`` is section 四), in order, so a table row such as
``四、结转下年度继续办理`` is never taken for one.  The preamble's contact details become
unit facts; a preamble that nianbao would generate from those facts anyway is not kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..context import phrases
from ..findings import WARNING, Finding
from ..places import place
from ..standard import Spec
from ..standard.common import OVERVIEW_SUBJECTS, SECTIONS
from .readers import Line
from .words import (
    chinese_year,
    core,
    looks_numeric,
    normal,
    similarity,
    split_ordinal,
)

HEADING_SIMILAR = 0.6  # a heading with extra words (FORMAT.md §8) still reads as its section


@dataclass
class Outline:
    front: list[Line]  # title and preamble
    sections: dict[str, list[Line]]  # section key → its lines, heading excluded
    headings: dict[str, Line] = field(default_factory=dict)


def outline(lines: list[Line]) -> Outline:
    found: list[tuple[int, str]] = []
    expected = 0
    for i, line in enumerate(lines):
        if line.in_table or not line.text or len(normal(line.text)) > 40 or any(looks_numeric(c.text) for c in line.cells):
            continue
        ordinal, rest = split_ordinal(line.text)
        if not ordinal.endswith("、"):
            continue
        for j in range(expected, len(SECTIONS)):
            own_ordinal, own_core = split_ordinal(SECTIONS[j].heading)
            if ordinal == own_ordinal and (own_core in rest or similarity(rest, own_core, HEADING_SIMILAR) >= HEADING_SIMILAR):
                found.append((i, SECTIONS[j].key))
                expected = j + 1
                break
    bounds = found + [(len(lines), "")]
    sections = {key: lines[i + 1 : bounds[n + 1][0]] for n, (i, key) in enumerate(found)}
    front = lines[: found[0][0]] if found else lines
    return Outline(front, sections, {key: lines[i] for i, key in found})


def paragraphs(lines: list[Line]) -> list[Line]:
    return [line for line in lines if line.text and not line.in_table]


def joined(lines: list[Line]) -> str | None:
    text = "\n".join(line.text.lstrip("\u3000 ") for line in lines)
    return text or None


# -- title ----------------------------------------------------------------------------------------
_TITLE = re.compile(r"^(?P<unit>.*?)(?P<year>(?:19|20)\d\d)年度?(?P<rest>.*)$")


@dataclass
class Title:
    unit: str | None
    year: int | None
    text: str
    line: Line | None


def title(front: list[Line]) -> tuple[Title, list[Line]]:
    """The title (one to three lines with the year, ending in 报告) and the lines after it;
    what stands before it (a web page's navigation) is not part of the report."""
    texts = paragraphs(front)
    for start in range(min(len(texts), 8)):
        if not _TITLE.match(normal(chinese_year(texts[start].text))):
            continue  # a title's first line holds the unit and the year
        for count in range(1, min(3, len(texts) - start) + 1):
            text = normal(chinese_year("".join(line.text for line in texts[start : start + count])))
            if len(text) > 60:
                break
            match = _TITLE.match(text)
            if match and "报告" in text:
                return Title(match["unit"] or None, int(match["year"]), text, texts[start]), texts[start + count :]
    return Title(None, None, normal(texts[0].text) if texts else "", texts[0] if texts else None), texts[1:]


# -- preamble and unit facts -----------------------------------------------------------------------
_FACTS = {
    "compiler": re.compile(r"由([^，。；、,;（(]{2,40}?)(?:负责)?编制"),
    "website": re.compile(r"((?:https?://|www\.)[A-Za-z0-9./_\-?=&%#:~+]+[A-Za-z0-9/_\-=&%#~+])"),
    "address": re.compile(r"地址[：:]\s*([^，。；,;）)]+)"),
    "postcode": re.compile(r"(?:邮编|邮政编码)[：:]?\s*(\d{6})"),
    "phone": re.compile(r"电话[：:]?\s*(\d[\d\-－]{5,}\d)"),
    "email": re.compile(r"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"),
}


def unit_facts(text: str) -> dict[str, str]:
    facts = {}
    for key, pattern in _FACTS.items():
        match = pattern.search(text)
        if match:
            facts[key] = match.group(1).strip()
    return facts


def preamble(spec: Spec, year: int | None, unit: dict, text: str | None) -> str | None:
    """None when ``text`` is exactly what nianbao generates from the unit facts."""
    if text is None or year is None:
        return text
    full = {f.key: unit.get(f.key) for f in spec.unit}
    generated = str(phrases().preamble(full, year, spec))
    return None if generated == text else text


# -- section 一's subsections ------------------------------------------------------------------------
_MARK = re.compile(r"^\(([一二三四五六七八九十]+)\)")
# words by which a real subsection's heading shows which of the five subjects it reports
_SUBJECT_WORDS = {
    "requests": ("依申请",),
    "proactive": ("主动公开",),
    "platforms": ("平台", "网站", "新媒体", "公开栏"),
    "oversight": ("监督", "保障", "考核", "评议", "培训"),
    "management": ("管理",),
}


@dataclass
class _Part:
    heading: str  # the subsection's heading (or its first sentence)
    body: list[str]
    line: Line
    inline: bool  # the heading is the first sentence of the body's paragraph
    key: str | None = None


def _subject(heading: str, taken: set[str]) -> str | None:
    text = normal(heading)
    for f in OVERVIEW_SUBJECTS:
        if core(f.label) in text and f.key not in taken:
            return f.key
    for key, words in _SUBJECT_WORDS.items():
        if key not in taken and any(w in text for w in words):
            return key
    return None


def overview(spec: Spec, lines: list[Line]) -> tuple[object, dict, list[Finding]]:
    """(value for ``overview``, lines of its keys, findings)."""
    paras = paragraphs(lines)
    intro: list[str] = []
    parts: list[_Part] = []
    for line in paras:
        text = line.text.lstrip("\u3000 ")
        match = _MARK.match(normal(text))
        if not match:
            (parts[-1].body if parts else intro).append(text)
            continue
        rest = re.sub(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*", "", text)
        sentence = re.split(r"[。：:]", rest, maxsplit=1)
        if len(rest) <= 30 and "。" not in rest.rstrip("。"):
            parts.append(_Part(rest.rstrip("。"), [], line, inline=False))
        else:
            body = rest
            if len(sentence) == 2 and any(normal(sentence[0]) == core(f.label) for f in OVERVIEW_SUBJECTS):
                body = sentence[1].lstrip()  # "（一）主动公开：…" — the heading is the subject's name
            parts.append(_Part(sentence[0], [body], line, inline=True))
    findings: list[Finding] = []
    if not parts:
        text = joined(paras)
        if spec.overview_may_be_text or text is None:
            return text, {("overview",): paras[0].line} if paras else {}, findings
        first = OVERVIEW_SUBJECTS[0]
        path = place(spec.id, ("overview", first.key)).path
        findings.append(Finding(WARNING, "I", path, f"{spec.section('overview').heading}没有分（一）至（五）写，全文放在{first.label}下，请按五个方面整理", paras[0].line))
        return {first.key: text}, {("overview", first.key): paras[0].line}, findings

    taken: set[str] = set()
    for part in parts:
        part.key = _subject(part.heading, taken)
        if part.key:
            taken.add(part.key)
    if spec.overview_may_be_text and len(taken) < len(parts):
        return joined(paras), {("overview",): paras[0].line}, findings  # v2019 may keep one text
    if not taken:
        parts[0].key = OVERVIEW_SUBJECTS[0].key

    values: dict[str, list[str]] = {}
    lines_of: dict = {}
    for i, part in enumerate(parts):
        host = part if part.key else next((p for p in reversed(parts[:i]) if p.key), None) or next(p for p in parts[i + 1 :] if p.key)
        if part is not host:  # a subsection on none of the five subjects joins its neighbour, heading kept
            label = next(f.label for f in OVERVIEW_SUBJECTS if f.key == host.key)
            path = place(spec.id, ("overview", host.key)).path
            findings.append(
                Finding(WARNING, "I", path, f"{spec.section('overview').heading}中的“{part.heading}”不对应规定的五个方面之一，已并入{label}", part.line.line)
            )
        text = part.body if part.key or part.inline else [part.heading + "。", *part.body]
        values.setdefault(host.key, []).extend(text)  # type: ignore[arg-type]
        lines_of.setdefault(("overview", host.key), part.line.line)
    if intro:  # paragraphs before （一） open the first subsection
        first = next(p.key for p in parts if p.key)
        values[first] = intro + values.get(first, [])  # type: ignore[index]
    result = {f.key: ("\n".join(values[f.key]) or None) if f.key in values else None for f in OVERVIEW_SUBJECTS}
    return result, lines_of, findings


# -- signature, date and fees -------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?$")


def signature(paras: list[Line], names: set[str]) -> tuple[list[Line], dt.date | None, Line | None]:
    """Section 六's paragraphs without the signature, and the date printed under it."""
    for back in range(1, min(3, len(paras)) + 1):
        line = paras[-back]
        match = _DATE.match(normal(chinese_year(line.text)))
        if not match:
            continue
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return paras, None, None
        cut = len(paras) - back
        if cut > 0 and _signs(paras[cut - 1].text, names):
            cut -= 1
        return paras[:cut], date, line
    if paras and normal(paras[-1].text) in names:
        return paras[:-1], None, None
    return paras, None, None


def _signs(text: str, names: set[str]) -> bool:
    """The line above the date: the unit's name, or a short line without punctuation."""
    t = normal(text)
    return t in names or (len(t) <= 30 and not re.search(r"[。；;，,：:！!？?]", t))


def fee_statement(spec: Spec, text: str) -> dict | None:
    """The 信息处理费 figures when ``text`` is the sentence nianbao writes for them."""
    numbers = re.findall(r"\d+(?:\.\d+)?", text)
    candidates = [dict.fromkeys((f.key for f in spec.fees), 0)]
    if len(numbers) >= len(spec.fees):
        values = numbers[-len(spec.fees) :]
        candidates.append(
            {f.key: (int(v) if f.type == "count" else Decimal(v)) for f, v in zip(spec.fees, values)}
        )
    for fees in candidates:
        if str(phrases().fee_statement(fees)) == text:
            return fees
    return None
