"""The consistency rules (勾稽关系) and the evaluators' checks, run on a loaded report.

Errors are the arithmetic of FORMAT.md §6 (R1–R4); warnings are what evaluators flag
in published reports: placeholders left in, missing subjects, no 信息处理费 statement, a
signature date outside the publishing window.  Each message shows the figures, so the
clerk sees what to correct without a calculator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import cache, lru_cache

from ..findings import ERROR, WARNING, Finding, Rule
from ..model import dates
from ..model.places import KeyPath, Place, places
from ..model.report import Report
from ..model.standard import SPECS, Spec, ValueType
from ..model.standard.common import PREAMBLE
from ..system.patterns import compile as compile_pattern
from ..system.patterns import lazy
from .folding import nfkc
from .years import opening_message, opening_years

# Words a template leaves for the clerk to replace; XX only where it is not part of a
# Latin word (the xxgk of a site's address is 信息公开).
PLACEHOLDER = lazy(r"……|\.{3,}|…{1,}|(?<![A-Za-z])[XxＸｘ×]{2,}(?![A-Za-z])|某某|○○|〇〇|待补充|待填写|此处填写|请填写")
# a character every PLACEHOLDER match holds: a text without one is not searched (the search tries
# each alternative at each character)
_IN_PLACEHOLDER = tuple(".…XxＸｘ×某○〇待此请")
TRIVIAL = lazy(r"[\s，。、；：,.;:！!（）()]*(无|暂无|没有|无。|无其他需要报告的事项)?[\s，。、；：,.;:！!（）()]*")
FEE_WORDS = lazy(r"处理费|收费通知")
# Section 五 of the v2021 format says two things besides the year's problems (FORMAT.md §2): the
# measures taken or planned (改进措施), and what became of last year's problems (整改情况).
# a measure, not a shortcoming: 「有待加强」「不够规范」「还需完善」 say what is wanting
IMPROVEMENT_WORDS = lazy(r"(?<![不待需够])(?:改进|改正|完善|加强|提升|提高|强化|优化|健全|规范)|针对|措施|下一步|今后|建立|将(?:进一步|继续|持续|逐步)")
# last year's problems: 整改, or last year named before what became of its problems (「对2022年度报告中提出的…
# 问题，已…」, 「2022年度改进情况：…」); {last}: the year before the report's
RECTIFIED = "整改|(?:上一?年度?|去年|{last}年度?)[^。；]{{0,40}}?(?:问题|不足|改进|落实|解决)"
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")  # a year typed with a Chinese input method
MIN_PROBLEMS = 20  # characters below which section 五 says nothing an evaluator accepts


def check(report: Report) -> list[Finding]:
    """All in-report rules; the cross-year rules need last year's report (``--previous``)."""
    findings: list[Finding] = []
    for rule in RULES:
        findings.extend(rule(report))
    return findings


def _sum_text(values: list[int]) -> str:
    return "+".join(str(v) for v in values)


def _wrong_total(given: list[int], width: int) -> tuple[list[int], int] | None:
    """(parts, written total) when a row carries a 总计 after its ``width`` parts that
    is not their sum; None when the total is left out or right."""
    if len(given) <= width:
        return None
    parts, total = given[:width], given[width]
    return None if sum(parts) == total else (parts, total)


def _cell(report: Report, keys: KeyPath) -> tuple[str, int | None]:
    return report.path(keys), report.line(keys)


def row_name(report: Report, line) -> str:
    """A row of table 三 as messages inside the table's own sentence name it (its label
    without the table's name): 三（三）不予公开 1.属于国家秘密."""
    return report.label(report.row_keys(line)).split(" ", 1)[1]


# -- R1 ------------------------------------------------------------------------------------
def r1_columns_balance(report: Report) -> Iterator[Finding]:
    """一 + 二 = 三（七）总计 + 四, in every column (printed in the table's corner)."""
    t3 = report.spec.table3
    new, carried, total, forward = (report.row(t3.row(k)) for k in ("new", "carried_over", "total", "carried_forward"))
    new_keys = report.row_keys(t3.row("new"))
    for c, column in enumerate(t3.all_columns):
        left, right = new[c] + carried[c], total[c] + forward[c]
        if left != right:
            path, line = _cell(report, new_keys + (c,))
            yield Finding(
                ERROR,
                Rule.R1,
                path,
                f"表三：第一项+第二项≠第三项（七）总计+第四项（{column.label}列："
                f"第一项+第二项={new[c]}+{carried[c]}={left}，第三项（七）总计+第四项={total[c]}+{forward[c]}={right}）",
                line,
            )


# -- R2 ------------------------------------------------------------------------------------
def r2_row_totals(report: Report) -> Iterator[Finding]:
    """A 总计 the clerk wrote must be the sum of the six applicant columns."""
    t3 = report.spec.table3
    names = "+".join(c.label for c in t3.columns)
    for line in t3.data_lines():
        given = report.row_given(line)
        wrong = _wrong_total(given, len(t3.columns)) if given is not None else None
        if wrong:
            parts, total = wrong
            path, where = _cell(report, report.row_keys(line) + (len(t3.columns),))
            yield Finding(
                ERROR,
                Rule.R2,
                path,
                f"表三：{line.label}的总计填写为{total}，但{names}={_sum_text(parts)}={sum(parts)}",
                where,
            )


# -- R3 ------------------------------------------------------------------------------------
def r3_results_total(report: Report) -> Iterator[Finding]:
    """（七）总计, where written, must equal the sum of every leaf result row."""
    t3 = report.spec.table3
    total_line = t3.row("total")
    given = report.row_given(total_line)
    if given is None:
        return
    leaves = [report.row(leaf) for leaf in t3.leaves()]
    keys = report.row_keys(total_line)
    for c, column in enumerate(t3.all_columns):
        if c >= len(given):
            continue
        expected = sum(row[c] for row in leaves)
        if given[c] != expected:
            contributing = [f"{row_name(report, leaf)}={row[c]}" for leaf, row in zip(t3.leaves(), leaves) if row[c]]
            detail = "，其中" + "、".join(contributing) if contributing else ""
            path, line = _cell(report, keys + (c,))
            yield Finding(
                ERROR,
                Rule.R3,
                path,
                f"表三：（七）总计≠（一）至（六）各项之和（{column.label}列：填写为{given[c]}，各项之和为{expected}{detail}）",
                line,
            )


# -- R4 ------------------------------------------------------------------------------------
def r4_appeal_totals(report: Report) -> Iterator[Finding]:
    t4 = report.spec.table4
    names = "+".join(c.label for c in t4.columns)
    for group in t4.groups:
        wrong = _wrong_total(report.appeal_given(group), len(t4.columns))
        if wrong:
            parts, total = wrong
            label = f"{group.parent}（{group.label}）" if group.parent else group.label
            path, line = _cell(report, ("appeals", group.key, len(t4.columns)))
            yield Finding(
                ERROR,
                Rule.R4,
                path,
                f"表四：{label}的总计填写为{total}，但{names}={_sum_text(parts)}={sum(parts)}",
                line,
            )


# -- the totals R2–R4 find wrong, for those who show them ------------------------------------
def wrong_totals(report: Report) -> dict[KeyPath, tuple[str, int]]:
    """{a printed total's place: (the rule that finds it wrong, the sum of its parts)} —
    R2's row 总计 (the six applicant columns), R3's （七）总计 (the leaf rows, per column),
    R4's group 总计 (the four results).  ``compare`` shows the total as printed beside that
    sum and weighs its move by the sum.  A cell two rules find wrong takes R2's or R4's
    sum: the parts printed beside it in its own row."""
    t3, t4 = report.spec.table3, report.spec.table4
    found: dict[KeyPath, tuple[str, int]] = {}
    total_line = t3.row("total")
    given = report.row_given(total_line)
    if given is not None:
        leaves = [report.row(leaf) for leaf in t3.leaves()]
        for c in range(min(len(given), len(t3.all_columns))):
            expected = sum(row[c] for row in leaves)
            if given[c] != expected:
                found[report.row_keys(total_line) + (c,)] = (Rule.R3, expected)
    for line in t3.data_lines():
        row = report.row_given(line)
        wrong = _wrong_total(row, len(t3.columns)) if row is not None else None
        if wrong:
            found[report.row_keys(line) + (len(t3.columns),)] = (Rule.R2, sum(wrong[0]))
    for group in t4.groups:
        wrong = _wrong_total(report.appeal_given(group), len(t4.columns))
        if wrong:
            found[("appeals", group.key, len(t4.columns))] = (Rule.R4, sum(wrong[0]))
    return found


# -- R5 (the date under the signature) ----------------------------------------------------
def r5_signature_date(report: Report) -> Iterator[Finding]:
    keys = ("unit", "date")
    path, line = _cell(report, keys)
    date: dt.date | None = report.get(keys)
    year = report.year
    if date is None:
        yield Finding(WARNING, Rule.R5, path, f"未填写落款日期：应为{dates.window_text(year)}", line)
        return
    period_end = dt.date(year, 12, 31)
    deadline = dates.window(year)[1]
    if date <= period_end:
        yield Finding(WARNING, Rule.R5, path, f"落款日期{dates.chinese(date)}早于统计期结束（{dates.chinese(period_end)}）：是否沿用了上一年的日期？", line)
    elif date > deadline:
        yield Finding(
            WARNING,
            Rule.R5,
            path,
            f"落款日期{dates.chinese(date)}晚于公布期限{dates.chinese(deadline)}（《条例》第四十九条）：是否年份写错？",
            line,
        )


# -- amounts --------------------------------------------------------------------------------
@cache
def _amount_cells(spec_id: str) -> tuple[tuple[KeyPath, Place], ...]:
    """The cells of a spec that hold an amount, found once per spec."""
    return tuple((keys, where) for keys, where in places(spec_id).items() if where.kind == "cell" and where.columns[0].type is ValueType.AMOUNT)


def amounts_precision(report: Report) -> Iterator[Finding]:
    """Amounts are kept exact; more than four decimal places is almost always a typo."""
    for keys, where in _amount_cells(report.spec.id):
        value = report.get(keys)  # None under a 信息处理费 block that was left out
        if isinstance(value, Decimal) and value.as_tuple().exponent < -4:  # type: ignore[operator]  # a str only for NaN and infinity, which the schema refused
            yield Finding(WARNING, Rule.S, where.path, f"{where.label}：金额{value}超过4位小数，请核对", report.line(keys))


# -- R6 (figures quoted in the narratives) -----------------------------------------------------------
# How reports state the totals of tables 三 and 四 in words: (pattern, the figure it names).
# The number is the pattern's one group; text is matched with spaces removed.  Between a
# verb and 申请 stand only the words that name these applications (政府信息公开, 依申请公开,
# 各类…): 受理行政复议申请2件, 受理政务服务申请1200件 and 上年结转申请3件 are other figures.
_OF = r"(?:了)?(?:各类|各项|有关|相关)?(?:的)?(?:政府信息公开|政府信息|信息公开|政务公开|依申请公开)?(?:的)?"
_COUNT = r"依?申请(?:公开)?(?:事项|件数|数量)?(?:共计|共|合计|总计|累计)?(?:为|达)?(\d+)件"
QUOTED = (
    (lazy(r"行政复议(?:和|与|及|、|或)行政诉讼(?:案件)?(?:共计|共|合计)?(\d+)(?:件|起)"), "appeals"),
    (lazy(rf"(?:收到|受理|新收|接收|接到){_OF}{_COUNT}"), "new"),
    (lazy(rf"办理{_OF}{_COUNT}"), "handled"),
    (lazy(r"上年(?:度)?结转(?:的)?(?:政府信息公开)?(?:申请)?(\d+)件"), "carried_over"),
    (lazy(r"结转(?:至)?下(?:一)?年度?(?:继续)?(?:办理)?(?:的)?(?:申请)?(\d+)件"), "carried_forward"),
    (lazy(r"(\d+)件[^。；，,;]{0,20}?结转(?:至)?下(?:一)?年度"), "carried_forward"),
    (lazy(r"(?:被申请)?行政复议(?:案件|申请)?(?:共计|共|合计)?(\d+)(?:件|起)"), "review"),
    (lazy(r"(?:被提起)?行政诉讼(?:案件)?(?:共计|共|合计)?(\d+)(?:件|起)"), "lawsuits"),
)


def _quoted_totals(report: Report, parts: dict[KeyPath, tuple[str, int]] | None = None) -> dict[str, tuple[set[int], int, str, list[KeyPath]]]:
    """For each kind of quote: the figures it may truly state, the one it is compared
    with, how that one is named, and the total cells it is read from.  A count of
    applications received may include last year's carried-over ones (共收到…，其中上年结转…);
    one 办理 may also be the year's concluded ones (（七）总计): neither is a contradiction.
    With ``parts`` (:func:`wrong_totals`), a total R2–R4 find wrong is taken as the sum of its
    parts instead of as printed."""
    t3, t4 = report.spec.table3, report.spec.table4
    parts = parts or {}

    def row(key: str) -> tuple[int, list[KeyPath]]:
        cell = report.row_keys(t3.row(key)) + (len(t3.columns),)
        return (parts[cell][1] if cell in parts else report.row(t3.row(key))[-1]), [cell]

    def appeal(group) -> tuple[int, list[KeyPath]]:
        cell = ("appeals", group.key, len(t4.columns))
        return (parts[cell][1] if cell in parts else report.appeal(group)[-1]), [cell]

    out = {key: (*row(key), f"表三“{t3.row(key).label}”的总计") for key in ("new", "carried_over", "carried_forward")}
    review = t4.groups[0]
    out["review"] = (*appeal(review), f"表四“{review.label}”的总计")
    lawsuits = [appeal(g) for g in t4.groups if g.parent]
    parent = next(g.parent for g in t4.groups if g.parent)
    out["lawsuits"] = (sum(f for f, _ in lawsuits), [c for _, cells in lawsuits for c in cells], f"表四“{parent}”两项总计之和")
    out["appeals"] = (out["review"][0] + out["lawsuits"][0], out["review"][1] + out["lawsuits"][1], f"表四“{review.label}”与“{parent}”的总计之和")
    accepted = {key: {figure} for key, (figure, _, _) in out.items()}
    new, carried = out["new"][0], out["carried_over"][0]
    concluded, cells = row("total")
    accepted["new"] = {new, new + carried}
    accepted["handled"] = {new, new + carried, concluded}
    out["handled"] = (out["new"][0], out["new"][1] + out["carried_over"][1] + cells, out["new"][2])
    return {key: (accepted[key], figure, name, cells) for key, (figure, cells, name) in out.items()}


def r6_quoted_figures(report: Report) -> Iterator[Finding]:
    """A figure stated in the text that the table contradicts (evaluators compare them).
    Where the table's own total is wrong (R2–R4) and the text states the sum of its parts,
    the text is right and the printed total is not: the finding points at that total cell,
    not at the text a clerk would otherwise go and wrongly change."""
    totals: dict[str, tuple[set[int], int, str, list[KeyPath]]] | None = None  # worked out at the first figure a text states
    wrong: dict[KeyPath, tuple[str, int]] | None = None  # worked out at the first figure the table contradicts: a check's hot path has none
    for keys, path, text in narratives(report):
        if keys == ("unit", "name"):
            continue
        folded = nfkc(text)
        if "件" not in folded and "起" not in folded:
            continue  # every phrasing of QUOTED ends its figure with 件 or 起
        flat = "".join(folded.split())  # what re.sub(r"\s+", "", …) gives: both split at str.isspace
        seen: set[tuple[str, int]] = set()
        taken: list[tuple[int, int]] = []  # a figure is read by one phrasing only
        for pattern, key in QUOTED:
            for match in pattern.finditer(flat):
                if any(match.start(1) < end and start < match.end(1) for start, end in taken):
                    continue
                taken.append(match.span(1))
                stated = int(match.group(1))
                if totals is None:
                    totals = _quoted_totals(report)
                accepted, table, name, _ = totals[key]
                if stated in accepted or (key, stated) in seen:
                    continue
                seen.add((key, stated))
                if wrong is None:
                    wrong = wrong_totals(report)
                    summed = _quoted_totals(report, wrong) if wrong else totals
                cells = [cell for cell in summed[key][3] if cell in wrong]
                if cells and stated in summed[key][0]:
                    rule = "、".join(dict.fromkeys(wrong[cell][0] for cell in cells))
                    cell_path, line = _cell(report, cells[0])
                    yield Finding(WARNING, Rule.R6, cell_path, f"{name}印为{table}，与各项之和不符（见 {rule}）；{report.label(keys)}文中“{match.group()}”与各项之和相符："
                                  "应改正的是表中的总计，不是正文", line)
                else:
                    yield Finding(WARNING, Rule.R6, path, f"{report.label(keys)}：文中“{match.group()}”，但{name}为{table}", report.line(keys))


# -- R7 (narratives) ------------------------------------------------------------------------
def narratives(report: Report) -> Iterator[tuple[KeyPath, str, str]]:
    """(keys, official path, text) of every narrative and the unit's name; a message names
    it by ``report.label(keys)``."""
    index = places(report.spec.id)
    yield ("unit", "name"), index[("unit", "name")].path, report.text("unit", "name")
    if report.get(("preamble",)) is not None:
        yield ("preamble",), index[("preamble",)].path, report.text("preamble")
    overview = report.get(("overview",))
    if isinstance(overview, str) or overview is None:
        yield ("overview",), index[("overview",)].path, report.text("overview") if isinstance(overview, str) else ""
    else:
        for f in report.spec.section("overview").subsections:
            yield ("overview", f.key), index[("overview", f.key)].path, report.text("overview", f.key)
    for key in ("problems", "other_matters"):
        yield (key,), index[(key,)].path, report.text(key)


# -- X4, the part that needs only the report's own year ------------------------------------------
def x4_opening_years(report: Report) -> Iterator[Finding]:
    """A paragraph opening with an earlier year than the report's (「2023年，…」 in a 2024
    report): last year's text copied by hand, found without last year's report.  With it,
    ``check --previous`` says X4 whole (:func:`nianbao.check.crossyear.with_previous`)."""
    for keys, path, text in narratives(report):
        if keys == ("unit", "name"):
            continue
        for old in opening_years(text, report.year):
            yield Finding(WARNING, Rule.X4, path, opening_message(report.label(keys), old, report.year), report.line(keys))


REFUSED = "（不改的话 render 会拒绝生成；要先看草稿可加 --draft）"


def r7_narratives(report: Report) -> Iterator[Finding]:
    spec = report.spec
    subsections = spec.section("overview").subsections
    for keys, path, text in narratives(report):
        name = report.label(keys)
        match = PLACEHOLDER.search(text) if any(char in text for char in _IN_PLACEHOLDER) else None
        if match:
            yield Finding(WARNING, Rule.R7, path, f"{name}：含有占位文字“{match.group()}”，请替换为实际内容{REFUSED}", report.line(keys))
        elif not text and keys != ("other_matters",):
            need = f"（{spec.name}要求总体情况逐一写明{len(subsections)}个方面）" if keys[0] == "overview" and not spec.overview_may_be_text else ""
            yield Finding(WARNING, Rule.R7, path, f"{name}：未填写{need}{REFUSED}", report.line(keys))

    problems = report.text("problems")
    where = places(spec.id)[("problems",)]
    if problems and (TRIVIAL.fullmatch(problems) or len(problems) < MIN_PROBLEMS):
        yield Finding(
            WARNING, Rule.R7, where.path, f"{where.label}：只有“{problems}”，评议时会被认为未报告存在的问题和改进情况", report.line(("problems",))
        )
    elif problems and not spec.overview_may_be_text:
        missing = missing_in_problems(problems, report.year)
        if missing:
            yield Finding(WARNING, Rule.R7, where.path, f"{where.label}：{missing}", report.line(("problems",)))

    if spec.fees:
        yield from _fee_statement(report)
    yield from _leftover_warnings(report)


def missing_in_problems(text: str, year: int) -> str:
    """What section 五 of a v2021 report leaves unsaid — the improvement measures, last year's
    problems' rectification, or both — as told to the clerk; "" when it says both."""
    flat = "".join(text.split())  # 「2022 年度」 as PDFs space it (not NFKC: 50 µs a save on the site, for a year's digits)
    last = str(year - 1)
    improvement = IMPROVEMENT_WORDS.search(flat) is not None
    rectified = compile_pattern(RECTIFIED.format(last=f"(?:{last}|{last.translate(FULL_WIDTH_DIGITS)})")).search(flat) is not None
    if improvement and rectified:
        return ""
    if rectified:
        return "没有写改进措施（上年问题的整改情况已写）"
    if improvement:
        return "没有写上年问题的整改情况（改进措施已写）：请写明上一年度报告所列问题整改得怎样"
    return "没有写改进措施，也没有写上年问题的整改情况"


def _fee_statement(report: Report) -> Iterator[Finding]:
    fees = report.fees()
    other = places(report.spec.id)[("other_matters",)]
    t3 = report.spec.table3
    unpaid_line = next(line for line in t3.data_lines() if line.key == "fee_unpaid")
    unpaid = report.row(unpaid_line)[-1]
    unpaid_name = report.label(report.row_keys(unpaid_line))
    if fees is None and not FEE_WORDS.search(report.text("other_matters")):
        because = f"（{unpaid_name}：{unpaid}件）" if unpaid else ""
        yield Finding(
            WARNING,
            Rule.R7,
            other.path,
            f"{other.label}：没有信息处理费的情况{because}：请在 processing_fees 填写发出收费通知件数、总金额和实际收取金额（未收费的填0）",
            report.line(("other_matters",)),
        )
    elif fees is not None and unpaid and not fees["notices"]:
        keys = ("processing_fees", "notices")
        yield Finding(
            WARNING,
            Rule.R7,
            report.path(keys),
            f"{unpaid_name}：{unpaid}件，但{report.label(keys)}为0：逾期未缴费的前提是发出过收费通知",
            report.line(keys),
        )


# -- R7 (what a clerk leaves behind: a template comment, a hint copied as text) ---------------------------
# A line that opens with # is a comment of the report file kept as text (after 「null」 became 「|」
# in Notepad, 「# （一）主动公开」 is inside the block); a topic 「#青山发布#」 that opens one is text.
NOT_WORDS = lazy(r"[\W_]+")  # spaces and punctuation, for comparing texts however retyped
HASHTAG = lazy(r"#[^#\s][^#\n]*#")


def template_hints(spec: Spec) -> tuple[str, ...]:
    """The hints ``init`` writes beside the narratives and the wizard shows under each
    question — the spec's notes, read from the spec so that they are never typed twice."""
    overview = spec.section("overview")
    notes = (PREAMBLE.note, overview.note, *(f.note for f in overview.subsections), *(spec.section(k).note for k in ("problems", "other_matters")))
    return tuple(dict.fromkeys(note for note in notes if note))


def _bare(text: str) -> str:
    """``text`` without spaces or punctuation, for comparing with a hint however it was retyped."""
    return NOT_WORDS.sub("", nfkc(text))


def leftovers(text: str, spec: Spec) -> list[tuple[str, str]]:
    """(line, the hint it repeats — "" for a comment line) for each line of a narrative that
    the template left there rather than the clerk wrote."""
    if SPECS.get(spec.id) is spec and len(text) <= LEFTOVERS_CACHED:  # the site checks the same narratives with every save
        return list(_leftovers(text, spec.id))
    return _leftovers_of(text, spec)


LEFTOVERS_CACHED = 4000  # characters of a narrative whose leftovers are remembered (≤ 2048 × 8 KB held)


@lru_cache(maxsize=2048)
def _leftovers(text: str, spec_id: str) -> tuple[tuple[str, str], ...]:
    return tuple(_leftovers_of(text, SPECS[spec_id]))


@lru_cache(maxsize=16)
def _bare_hints(spec_id: str) -> tuple[tuple[str, str], ...]:
    """(hint, the hint bare) of a spec of :data:`SPECS`, worked out once."""
    return tuple((hint, _bare(hint)) for hint in template_hints(SPECS[spec_id]))


def _leftovers_of(text: str, spec: Spec) -> list[tuple[str, str]]:
    hints = _bare_hints(spec.id) if SPECS.get(spec.id) is spec else tuple((hint, _bare(hint)) for hint in template_hints(spec))
    found: list[tuple[str, str]] = []
    for line in text.split("\n"):
        flat = nfkc(line).strip()
        if flat.startswith("#") and not HASHTAG.match(flat):
            found.append((line.strip(), ""))
            continue
        bare = _bare(line)
        repeated = next((hint for hint, bare_hint in hints if bare_hint and bare_hint in bare), None)
        if repeated:
            found.append((line.strip(), repeated))
    return found


def quoted_line(line: str, limit: int = 40) -> str:
    """A line as a message quotes it: its start when it is long."""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def leftover_message(name: str, line: str, hint: str) -> str:
    """What is wrong with a leftover line, said the same way by check (R7) and render (P);
    ``name``: the narrative's label."""
    if hint:
        return f"{name}：有一行“{quoted_line(line)}”照抄了模板的填写提示“{hint}”，请改为实际内容"
    return f"{name}：有一行“{quoted_line(line)}”以 # 开头，是报告文件模板中的注释，会作为正文印出，请删去这一行"


def _leftover_warnings(report: Report) -> Iterator[Finding]:
    for keys, path, text in narratives(report):
        for line, hint in leftovers(text, report.spec):
            yield Finding(WARNING, Rule.R7, path, leftover_message(report.label(keys), line, hint) + REFUSED, report.line(keys))



# -- what each rule reads ----------------------------------------------------------------------------
RULES = (r1_columns_balance, r2_row_totals, r3_results_total, r4_appeal_totals, r5_signature_date, amounts_precision, r6_quoted_figures,
         r7_narratives, x4_opening_years)  # in the order check says them
# The values :func:`narratives` hands out: a rule that reads the texts reads these.
NARRATIVES: tuple[KeyPath, ...] = (("unit", "name"), (PREAMBLE.key,), ("overview",), ("problems",), ("other_matters",))
_TABLE3, _TABLE4, _FEES, _YEAR = ("applications",), ("appeals",), ("processing_fees",), ("year",)
# Each rule's findings are a function of the report's values under these keys (and of the lines the
# values stand on, which findings carry): a change of a report elsewhere leaves them as they were,
# which the site's save uses to run again only the rules a change touches (tests/test_serve_incremental.py
# compares that with a whole check over random changes).  A rule added to RULES must be added here.
READS: dict[Callable[[Report], Iterator[Finding]], tuple[KeyPath, ...]] = {
    r1_columns_balance: (_TABLE3,),
    r2_row_totals: (_TABLE3,),
    r3_results_total: (_TABLE3,),
    r4_appeal_totals: (_TABLE4,),
    r5_signature_date: (("unit", "date"), _YEAR),
    amounts_precision: (("proactive",), _FEES),  # the amounts of table 二 and the fees (tests/test_serve_incremental.py checks none stands elsewhere)
    r6_quoted_figures: (*NARRATIVES, _TABLE3, _TABLE4),
    r7_narratives: (*NARRATIVES, _TABLE3, _FEES, _YEAR),  # table 三: its 逾期未缴费 row, against the fee statement
    x4_opening_years: (*NARRATIVES, _YEAR),
}


def touches(reads: tuple[KeyPath, ...], changed: Iterable[KeyPath]) -> bool:
    """Whether a value changed under ``changed`` is one of (or holds, or is held by) ``reads``."""
    return any(k[: len(r)] == r or r[: len(k)] == k for k in changed for r in reads)
