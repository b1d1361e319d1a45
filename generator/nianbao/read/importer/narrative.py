"""The words of a published report: title, preamble, the six sections, the signature.

Headings are found by their number and meaning (``四、因政府信息公开工作被申请行政复议、
提起行政诉讼情况``, ``第四部分 行政复议…``, ``4. 行政复议…`` are all section 四), in
order, so a table row such as ``四、结转下年度继续办理`` is never taken for one.  The
title may stand after a web page's chrome, behind ``#`` or ``标题：``, only in the page's
``<title>``, or nowhere — then the year and the unit come from the text, and the clerk
is told where.  The preamble's contact details become unit facts; a preamble that
nianbao would generate from those facts anyway is not kept.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from ...findings import WARNING, Finding, Rule
from ...model.places import place
from ...model.standard import Spec
from ...model.standard.common import OVERVIEW_SUBJECTS, SECTIONS
from ...render.outline import phrases
from .lines import Line, is_metadata, is_page_number, is_site_chrome
from .words import chinese_year, core, is_value_token, normal, ordinal_value, similarity, split_ordinal

HEADING_SIMILAR = 0.6  # a heading with extra words (FORMAT.md §8) still reads as its section


@dataclass
class Outline:
    front: list[Line]  # title and preamble
    sections: dict[str, list[Line]]  # section key → its lines, heading excluded
    headings: dict[str, Line] = field(default_factory=dict)


def _section_number(ordinal: str) -> int | None:
    """一、 1. 1、 第一部分 → 1; a subsection's (一) is not a section's number."""
    if not ordinal or ordinal.startswith("(") or ordinal[0] in "①②③④⑤⑥⑦⑧⑨⑩":
        return None
    digits = re.sub(r"\D", "", ordinal_value(ordinal))
    return int(digits) if digits else None


def _heading_of(line: Line, start: int) -> int | None:
    """The index in SECTIONS of the section ``line`` opens (from ``start`` on), or None."""
    if (line.in_table and not framed(line)) or not line.text or line.kind == "image":
        return None
    if (len(line.cells) > 1 and is_value_token(line.cells[-1].text)) or (len(line.text) > 44 and _LONG.match(line.text)):
        return None  # a row with figures; a paragraph, longer than a heading (told before it is normalised)
    if len(normal(line.text)) > 44:
        return None
    ordinal, rest = split_ordinal(line.text)
    number = _section_number(ordinal)
    if ordinal and number is None:
        return None
    rest = rest.rstrip(":：。")
    for j in range(start, len(SECTIONS)):
        _, own_core = split_ordinal(SECTIONS[j].heading)
        if number is not None and number != j + 1:
            continue
        if number is None and not (line.heading or rest == own_core):
            continue  # no number: only a marked heading, or the exact words
        if own_core in rest or similarity(rest, own_core, HEADING_SIMILAR) >= HEADING_SIMILAR:
            return j
    return None


# 45 ideographs: a text whose normal form is longer than any heading.  NFKC keeps each
# ideograph as it is and joins none of them with a neighbour, so they count a lower bound.
_LONG = re.compile(r"(?:[^\u4e00-\u9fff]*[\u4e00-\u9fff]){45}")


def outline(lines: list[Line]) -> Outline:
    found: list[tuple[int, str]] = []
    expected = 0
    for i, line in enumerate(lines):
        j = _heading_of(line, expected)
        if j is not None:
            found.append((i, SECTIONS[j].key))
            expected = j + 1
    end = len(lines)
    if found:  # an appendix (附件, 附表1) after the last section is not part of it
        end = next((k for k in range(found[-1][0] + 1, len(lines)) if _appendix(lines[k])), end)
    bounds = found + [(end, "")]
    sections = {key: lines[i + 1 : bounds[n + 1][0]] for n, (i, key) in enumerate(found)}
    front = lines[: found[0][0]] if found else lines
    return Outline(front, sections, {key: lines[i] for i, key in found})


_APPENDIX = re.compile(r"^附[件表]\s*[\d一二三四五六七八九十]*(?:[:：、.].{0,30})?$")


def _appendix(line: Line) -> bool:
    return not line.in_table and bool(_APPENDIX.match(normal(line.text)))


def without_chrome(found: Outline) -> list[str]:
    """Take out of the sections the lines of the site around the report (``附件下载``, ``扫一扫
    在手机上查看当前页面``, ``文字解读``, a time or font-size bar: :func:`.lines.is_site_chrome`)
    that a page puts after the report or between its parts; the texts taken out, to be
    said.  A row of a table is the table's, never chrome."""
    dropped: list[str] = []
    for key, lines in found.sections.items():
        kept = []
        for line in lines:
            if line.text and is_site_chrome(line.text) and (not line.in_table or framed(line)):
                dropped.append(line.text)
            else:
                kept.append(line)
        found.sections[key] = kept
    return dropped


def chrome_note(dropped: list[str]) -> str:
    """The one note an import gives for the site's lines it left out of the report."""
    shown = "、".join(f"“{text}”" for text in list(dict.fromkeys(dropped))[:6])
    more = "等" if len(set(dropped)) > 6 else ""
    return f"原文中有{len(dropped)}行是网站的下载、分享、打印、解读链接或时间、字号栏（{shown}{more}），不是报告的文字，未读入"


def framed(line: Line) -> bool:
    """A table row holding one cell of words and nothing else: text a page framed (a PDF
    whose ruled box holds prose and a heading above the table proper), which a reader
    reads as text.  A row with figures or several cells is the table's."""
    filled = [c.text for c in line.cells if c.text.strip()]
    return line.kind == "row" and len(filled) == 1 and not is_value_token(filled[0])


def paragraphs(lines: list[Line]) -> list[Line]:
    return [
        line
        for line in lines
        if line.text and (not line.in_table or framed(line)) and line.kind != "image" and not is_page_number(line.text)
    ]


def joined(lines: list[Line]) -> str | None:
    text = "\n".join(line.text.lstrip("\u3000 ") for line in lines)
    return text or None


# -- title ----------------------------------------------------------------------------------------
_YEAR = re.compile(r"((?:19|20)\d\d)年度?")
_TITLE_WORDS = re.compile(r"公开.*(?:年度报告|年报|工作报告)|(?:年度报告|年报)")
_LABEL = re.compile(r"^(?:标\s*题|名\s*称|文\s*件\s*名)[:：]\s*")
_AFTER_REPORT = re.compile(r"(报告|年报)[\s_\-|｜—–·:：]+.*$")
_PUBLIC = re.compile(r"(?:政府信息|政务|信息)公开")
_ANNOUNCE = re.compile(r"^(?:现将|现予以?公布|现予以?发布|现公布|现发布|现印发|特此公布|特此发布|兹将|兹公布|下面公布|现就)")
ORGAN = (
    r"人民政府办公厅|人民政府办公室|人民政府|街道办事处|办事处|管理委员会|委员会|"
    r"局|厅|委|办公室|办|镇|乡|街道|中心|院|署|馆|站|所|队|会|社|司|处"
)


@dataclass
class Title:
    unit: str | None
    year: int | None
    text: str
    line: Line | None
    source: str = "title"  # "title", "page" (the page's <title>), or "" (none found)


# A site's furniture around a report: toolbar links, view modes, breadcrumbs, page tools.
# A line made only of these words is never part of the title nor of the unit's name.
_CHROME_WORD = (
    r"无障碍(?:浏览|阅读|模式|通道)?|长者(?:模式|版)|适老(?:化)?(?:模式|版|服务)?|关怀(?:模式|版)|老年(?:模式|版)|大字(?:模式|版)|"
    r"繁[體体](?:中文|版)?|简体(?:中文|版)?|English|EN|手机版|移动版|登录|注册|搜索|站内搜索|网站地图|网站导航|RSS|订阅|"
    r"微信|微博|设为首页|加入收藏|收藏本页|收藏|返回首页|返回顶部|返回|打印本页|打印|关闭窗口|关闭本页|关闭|字号|字体|"
    r"朗读|语音(?:播报|朗读)|我要纠错|纠错|分享到?|上一篇|下一篇|正文|全文|默认|[大中小]"
)
_CHROME = re.compile(rf"^(?:[\s|｜/·•:：【】\[\]()（）]|{_CHROME_WORD})+$", re.I)
_CRUMB = re.compile(r"\s*[>＞»›]+\s*")


# the attachment label a notice puts above the report it attaches (附件 / 附件1 / 附件二：): not the unit
_ATTACHMENT = re.compile(r"^附[件表][\d一二三四五六七八九十]{0,3}[:：]?$")


def is_chrome(text: str) -> bool:
    """A site's toolbar or breadcrumb line (``无障碍浏览 长者模式``, ``首页 > 政务公开 >
    年报``, ``打印本页 关闭窗口``, ``字号 大 中 小``), not words of the report."""
    t = normal(text)
    if not t:
        return False
    if _CHROME.match(t) or _ATTACHMENT.match(t) or is_site_chrome(text):
        return True
    parts = [p for p in _CRUMB.split(text.strip()) if p.strip()]
    return len(parts) >= 2 and bool(_CRUMB.search(text)) and all(len(normal(p)) <= 16 and not re.search(r"[。，；]", p) for p in parts)


def parse_title(text: str) -> tuple[str | None, int | None] | None:
    """(unit, year) of a title's text, or None when ``text`` is not a report's title."""
    t = _AFTER_REPORT.sub(r"\1", _LABEL.sub("", normal(chinese_year(text))))
    if not _TITLE_WORDS.search(t) or len(t) > 80:
        return None
    year = _YEAR.search(t)
    if not year:
        return None
    before = t[: year.start()].strip("《》“”\"'") or None
    if before is None:  # year first: 2019年上海市人民政府办公厅政府信息公开工作年度报告
        after = t[year.end() :]
        public = _PUBLIC.search(after)
        before = after[: public.start()] if public and public.start() > 1 else None
    if before and before.startswith(("关于", "有关")):
        before = before[2:] or None
    if before:  # 现公布区统计局2023年…: the verb that announces the report is not the unit
        before = _ANNOUNCE.sub("", before) or None
    if before and re.search(r"[<>【】\[\]|｜]", before):
        return None  # a page's chrome ran into the line: not a title
    return before, int(year.group(1))


_NAMING = re.compile(r"[\u3400-\u9fff\d０-９]")  # a Chinese character or a digit: what a title's first line holds


def title(front: list[Line], page_title: str | None = None) -> tuple[Title, list[Line]]:
    """The title (one to three lines with the year, ending in 报告) and the lines after
    it; what stands before it (a web page's navigation) is not part of the report."""
    texts = paragraphs(front)
    for start in range(min(len(texts), 40)):
        first = texts[start]
        if (is_metadata(first.text) and not _LABEL.match(normal(first.text))) or is_chrome(first.text):
            continue
        if not _NAMING.search(first.text):  # Annual Report, a stray link: a Chinese title neither begins there nor names its unit so
            continue
        for count in range(1, min(3, len(texts) - start) + 1):
            if count > 1 and (is_metadata(texts[start + count - 1].text) or is_chrome(texts[start + count - 1].text)):
                break
            text = "".join(line.text for line in texts[start : start + count])
            if len(normal(text)) > 80:
                break
            parsed = parse_title(text)
            if parsed is not None:
                begin = _year_first(texts, start, start + count)
                text = "".join(line.text for line in texts[begin : start + count])
                unit, year = parse_title(text) or parsed
                return Title(unit, year, _AFTER_REPORT.sub(r"\1", _LABEL.sub("", normal(chinese_year(text)))), texts[begin]), texts[start + count :]
    if page_title:
        parsed = parse_title(page_title)
        if parsed is not None:
            unit, year = parsed
            return Title(unit, year, _AFTER_REPORT.sub(r"\1", normal(chinese_year(page_title))), None, "page"), [t for t in texts if not is_metadata(t.text)]
    return Title(None, None, "", None, ""), texts


def _year_first(texts: list[Line], start: int, end: int) -> int:
    """Where a title of lines ``start:end`` begins: at a later line that opens with the
    year and names the unit itself (``2024 年上海市科委政府信息公开工作`` / ``年度报告``),
    a year-first title begins there, and a word above it (``正文``) is not its unit."""
    for begin in range(start + 1, end):
        text = "".join(line.text for line in texts[begin:end])
        parsed = parse_title(text)
        if parsed is not None and parsed[0] and _YEAR.match(normal(chinese_year(text)).lstrip("《“\"'")):
            return begin
    return start


# -- year and unit from the text, when the title does not give them ---------------------------------------
_PERIOD = re.compile(r"(?:统计|数据)[^。；]{0,16}?((?:19|20)\d\d)年1月1日")
_ORGAN_NAME = re.compile(rf"([\u4e00-\u9fa5]{{2,8}}?(?:省|市|县|区|州|旗|盟)[\u4e00-\u9fa5]{{0,18}}?(?:{ORGAN}))")
_CONTACT = re.compile(rf"(?:联系|咨询)[^。]{{0,4}}?([\u4e00-\u9fa5]{{2,30}}?(?:{ORGAN}))")
_NOW_PUBLISH = re.compile(rf"(?:现将|现予以?公布|现公布|现发布|特此公布)([\u4e00-\u9fa5]{{2,30}}?(?:{ORGAN}))(?:19|20)\d\d")


def year_from_text(lines: list[Line]) -> tuple[int, str] | None:
    """(year, the words it was read from): the statistics period, else the year the
    text names most."""
    text = normal(chinese_year("\n".join(line.text for line in paragraphs(lines))))
    match = _PERIOD.search(text)
    if match:
        return int(match.group(1)), match.group()
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d\d)年", text) if 2019 <= int(y) <= dt.date.today().year)
    if years:
        year, _ = years.most_common(1)[0]
        return year, f"正文中最常出现的“{year}年”"
    return None


def unit_from_text(lines: list[Line], signature: str | None) -> tuple[str, str] | None:
    """(unit, the words it was read from): the signature, else "现将…", "联系…", else the
    organ the text names most."""
    if signature:
        return signature, f"落款“{signature}”"
    text = normal("\n".join(line.text for line in paragraphs(lines)))
    for pattern in (_NOW_PUBLISH, _CONTACT):
        match = pattern.search(text)
        if match:
            return _unit(match.group(1)), f"正文“{match.group()}”"
    names = Counter(_unit(m) for m in _ORGAN_NAME.findall(text))
    if names:
        name, _ = names.most_common(1)[0]
        return name, f"正文中的“{name}”"
    return None


def _unit(name: str) -> str:
    """The unit, not its office: 桃江县审计局办公室 → 桃江县审计局 (but a government's own
    办公室 is a unit: 某某县人民政府办公室)."""
    match = re.match(r"^(.+?(?:局|委员会|厅|委))(?:办公室|办)$", name)
    return match.group(1) if match else name


# -- preamble and unit facts -----------------------------------------------------------------------
_FACTS = {
    "compiler": re.compile(r"由([^，。；、,;（(]{2,40}?)(?:负责)?编制"),
    "website": re.compile(r"((?:https?://|www\.)[A-Za-z0-9./_\-?=&%#:~+]+[A-Za-z0-9/_\-=&%#~+])"),
    "address": re.compile(r"地址[：:]\s*([^，。；,;）)]+)"),
    "postcode": re.compile(r"(?:邮编|邮政编码)[：:]?\s*(\d{6})"),
    "phone": re.compile(r"电话[：:]?\s*(\d[\d\-－]{5,}\d)"),
    "email": re.compile(r"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"),
}
_SPACE_BY_CJK = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t]+|[ \t]+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")
_BARE_DATE = re.compile(r"^[(（]?(\d{4})年(\d{1,2})月(\d{1,2})日[)）]?$")


def unit_facts(text: str) -> dict[str, str]:
    """Contact details of the preamble, read across the lines a page broke them over."""
    text = _SPACE_BY_CJK.sub("", text.replace("\n", ""))  # 邮 编 ： 223100 as a PDF's text spaces it
    facts = {}
    for key, pattern in _FACTS.items():
        match = pattern.search(text)
        if match:
            facts[key] = match.group(1).strip()
    return facts


def front_matter(lines: list[Line], names: set[str]) -> tuple[list[Line], dt.date | None]:
    """The preamble's lines without the page's metadata, the unit's name repeated under the
    title and a date standing alone (returned: it is the report's date)."""
    kept: list[Line] = []
    date = None
    for line in lines:
        t = normal(chinese_year(line.text))
        if is_metadata(line.text) or is_chrome(line.text) or not t:
            continue
        bare = _BARE_DATE.match(t)
        if bare:
            try:
                date = date or dt.date(*(int(g) for g in bare.groups()))
            except ValueError:
                pass
            continue
        if t in names:
            continue
        kept.append(line)
    return kept, date


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
        whole = joined(paras)
        if spec.overview_may_be_text or whole is None:
            return whole, {("overview",): paras[0].line} if paras else {}, findings
        subject = OVERVIEW_SUBJECTS[0]
        path = place(spec.id, ("overview", subject.key)).path
        findings.append(Finding(WARNING, Rule.I, path, f"{spec.section('overview').heading}没有分（一）至（五）写，全文放在{subject.label}下，请按五个方面整理", paras[0].line))
        return {subject.key: whole}, {("overview", subject.key): paras[0].line}, findings

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
                Finding(WARNING, Rule.I, path, f"{spec.section('overview').heading}中的“{part.heading}”不对应规定的五个方面之一，已并入{label}", part.line.line)
            )
        assert host.key is not None  # found for its key
        said = part.body if part.key or part.inline else [part.heading + "。", *part.body]
        values.setdefault(host.key, []).extend(said)
        lines_of.setdefault(("overview", host.key), part.line.line)
    if intro:  # paragraphs before （一） open the first subsection
        first = next(p.key for p in parts if p.key is not None)
        values[first] = intro + values.get(first, [])
    result = {f.key: ("\n".join(values[f.key]) or None) if f.key in values else None for f in OVERVIEW_SUBJECTS}
    return result, lines_of, findings


# -- signature, date and fees -------------------------------------------------------------------------
_DATE = re.compile(r"^[(（]?(\d{4})(?:年|[-./])(\d{1,2})(?:月|[-./])(\d{1,2})日?[)）]?$")


def signature(paras: list[Line], names: set[str]) -> tuple[list[Line], dt.date | None, Line | None, str | None]:
    """Section 六's paragraphs without the signature, the date printed under it, its line,
    and the name signed above it."""
    for back in range(1, min(3, len(paras)) + 1):
        line = paras[-back]
        match = _DATE.match(normal(chinese_year(line.text)))
        if not match:
            continue
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return paras, None, None, None
        cut = len(paras) - back
        signed = None
        if cut > 0 and _signs(paras[cut - 1].text, names):
            cut -= 1
            signed = normal(paras[cut].text)
        return paras[:cut], date, line, signed
    if paras and (normal(paras[-1].text) in names or _organ(paras[-1].text)):
        return paras[:-1], None, None, normal(paras[-1].text)
    return paras, None, None, None


def _organ(text: str) -> bool:
    """A line that is only an organ's name (a signature without a date)."""
    t = normal(text)
    return len(t) <= 30 and not re.search(r"[。；;，,：:！!？?]", t) and bool(re.search(rf"(?:{ORGAN})$", t))


def _signs(text: str, names: set[str]) -> bool:
    """The line above the date: the unit's name, or a short line without punctuation."""
    t = normal(text)
    return t in names or (len(t) <= 30 and not re.search(r"[。；;，,：:！!？?]", t))


def fee_statement(spec: Spec, text: str) -> dict | None:
    """The 信息处理费 figures when ``text`` is the sentence nianbao writes for them."""
    numbers = re.findall(r"\d+(?:\.\d+)?", text)
    candidates: list[dict[str, int | Decimal]] = [dict.fromkeys((f.key for f in spec.fees), 0)]
    if len(numbers) >= len(spec.fees):
        values = numbers[-len(spec.fees) :]
        candidates.append(
            {f.key: (int(v) if f.type == "count" else Decimal(v)) for f, v in zip(spec.fees, values)}
        )
    for fees in candidates:
        if str(phrases().fee_statement(fees)) == text:
            return fees
    return None
