"""``nianbao new``: a report written by answering questions in Chinese, one table row at a time.

The questions are made from the spec (:func:`steps`), so the wizard asks exactly the
rows and columns of the year's format.  Every answer is kept as typed in a progress
file beside the report file, so Ctrl-C loses nothing and the next ``nianbao new FILE``
offers to go on where it stopped.  Counts are checked as they are typed (full-width
digits from a Chinese input method are accepted here: this is typing, not a file),
table 三 must balance (R1) before the wizard moves on, and a summary with every finding
comes before anything is written.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
import questionary
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.selection import SelectionType

from ..check.rules import check, r1_columns_balance
from ..errors import NianbaoError
from ..findings import ERROR, has_errors, sort_findings
from ..model import dates
from ..model.places import UNIT_LABEL, YEAR_LABEL, place, put
from ..model.report import Report
from ..model.standard import Column, Spec, ValueType, first_year, in_force_since, spec_for_year
from ..model.yamlfile import Parsed
from ..render.grid import number
from ..render.reportfile import dump
from ..render.textgrid import width as display_width
from ..render.textgrid import wrap as fit_lines
from ..system.output import backup, safe_name, write_atomic
from .load import validate, with_provenance

PROGRESS = "nianbao-new.progress.json"  # where answers wait when no FILE was named
NARRATIVE_HINT = "写完一段按 Enter 另起一段；全部写完后在空行上再按 Enter（或按 Ctrl-D）"  # one line at 80 columns
ANSWER = "›"  # the answer's prompt, on the line under the question: short, so the answer has the terminal's width
KEEP, RETYPE, EDIT = "沿用这段文字", "重新输入", "用编辑器修改（Windows 上是记事本）"
YES, NO = "是", "否"
OPEN_EDITOR = "打开编辑器填写（Windows 上是记事本）"


@dataclass(frozen=True)
class Step:
    """One question; ``id`` names it in the progress file."""

    id: str
    keys: tuple[str, ...]
    section: str  # shown when the wizard enters a new part of the report
    label: str  # the official wording, once
    kind: str  # "text", "date", "row", "cell", "narrative"
    columns: tuple[Column, ...] = ()
    required: bool = False
    hint: str = ""  # what belongs there, shown under the label


def steps(spec: Spec) -> list[Step]:
    """Every question for a report in ``spec``, in the order of the report."""
    out: list[Step] = []
    for f in spec.unit:
        out.append(Step(f"unit.{f.key}", ("unit", f.key), UNIT_LABEL, f.label, "date" if f.type == "date" else "text", required=f.required))
    t2, t3, t4 = spec.table_names
    heading = spec.section("proactive").heading
    for group in spec.table2:
        for item in group.items:
            kind = "cell" if group.scalar else "row"
            out.append(Step(f"proactive.{item.key}", ("proactive", item.key), f"{heading}（{t2}）", f"{group.article} · {item.label}", kind, group.columns))
    heading = spec.section("applications").heading
    for line, group in _table3_rows(spec):
        keys = ("applications", *spec.table3.keypath(line))
        label = f"{group.label} {line.label}" if group else line.label
        out.append(Step(".".join(keys), keys, f"{heading}（{t3}）", label, "row", spec.table3.columns))
    heading = spec.section("appeals").heading
    for appeal in spec.table4.groups:
        label = f"{appeal.parent} · {appeal.label}" if appeal.parent else appeal.label
        out.append(Step(f"appeals.{appeal.key}", ("appeals", appeal.key), f"{heading}（{t4}）", label, "row", spec.table4.columns))
    if spec.fees:
        fees_path = place(spec.id, ("processing_fees",)).path.replace(".", " · ")  # a heading, not a key path
        for f in spec.fees:
            out.append(Step(f"processing_fees.{f.key}", ("processing_fees", f.key), fees_path, f.label, "cell", (Column(f.label, ValueType(f.type)),)))
    overview = spec.section("overview")
    for f in overview.subsections:
        out.append(Step(f"overview.{f.key}", ("overview", f.key), overview.heading, f.label, "narrative", hint=f.note))
    for key in ("problems", "other_matters"):
        section = spec.section(key)
        out.append(Step(key, (key,), section.heading, section.heading, "narrative", hint=section.note))
    return out


def _table3_rows(spec: Spec):
    """(row, its group or None) for every row of table 三 the clerk types (not （七）总计)."""
    for top in spec.table3.lines:
        for line in top.children or (top,):
            if line.is_group:
                yield from ((child, line) for child in line.children)
            elif line.key is not None and not line.total:
                yield line, None


# -- reading what was typed ----------------------------------------------------------------------
class InvalidAnswer(NianbaoError, ValueError):
    """What was typed cannot be used; the message says why, in Chinese."""


def _typed(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_cell(text: str, column: Column) -> int | Decimal:
    t = _typed(text) or "0"
    kind = column.type
    if kind is ValueType.AMOUNT:
        try:
            amount = Decimal(t)
        except InvalidOperation:
            raise InvalidAnswer(f"“{text.strip()}”不是金额，请写数字，如 12 或 3.5") from None
        if amount < 0 or not amount.is_finite():
            raise InvalidAnswer(f"{column.label}不能为负数")
        return amount
    if not re.fullmatch(r"[+-]?\d+", t):
        raise InvalidAnswer(f"“{_clip(text.strip(), 12)}”不是整数，应为{kind.expectation}")
    value = int(t)
    if value < 0 and kind is ValueType.COUNT:
        raise InvalidAnswer(f"{column.label}不能为负数")
    return value


def parse_row(text: str, columns: tuple[Column, ...]) -> list[int | Decimal]:
    """Numbers separated by spaces or commas; nothing typed means all zero."""
    parts = [p for p in re.split(r"[\s,，、;；]+", _typed(text)) if p] or ["0"] * len(columns)
    if len(parts) != len(columns):
        raise InvalidAnswer(f"应为{len(columns)}个数（各列见上），用空格隔开；这里有{len(parts)}个")
    return [parse_cell(p, c) for p, c in zip(parts, columns)]


def parse_date(text: str, year: int | None = None) -> dt.date | None:
    if not _typed(text):
        return None
    date = dates.parse(text)
    if date is None:
        raise InvalidAnswer(f"“{text.strip()}”不是日期，请写成 {dates.example(year)}")
    return date


def _validator(step: Step, year: int | None = None) -> Callable[[str], bool | str]:
    def check_text(text: str) -> bool | str:
        try:
            if step.kind == "row":
                parse_row(text, step.columns)
            elif step.kind == "cell":
                parse_cell(text, step.columns[0])
            elif step.kind == "date":
                parse_date(text, year)
            elif step.required and not text.strip():
                return f"{step.label}必须填写"
        except InvalidAnswer as exc:
            return str(exc)
        return True

    return check_text


def shown(value: Any) -> str:
    """A value as the clerk would type it back."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(number(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return number(value) if isinstance(value, (int, Decimal)) else str(value)


# -- the answers ------------------------------------------------------------------------------------
def build(spec: Spec, year: int, answers: dict[str, str]) -> dict[str, Any]:
    """Report-file data from the answers given so far (unanswered rows are left out)."""
    data: dict[str, Any] = {"year": year, "format": spec.id, "preamble": None}
    for step in steps(spec):
        if step.id not in answers:
            continue
        text = answers[step.id]
        if step.kind == "row":
            value: Any = parse_row(text, step.columns)
        elif step.kind == "cell":
            value = parse_cell(text, step.columns[0])
        elif step.kind == "date":
            value = parse_date(text)
        else:
            value = text.strip() or None
        put(data, step.keys, value)
    return data


def load_data(data: dict[str, Any]) -> tuple[Report | None, list]:
    loaded = validate(Parsed(data=copy.deepcopy(data)))
    return loaded.report, loaded.findings


def defaults_from(report: Report) -> dict[str, str]:
    """Answers taken from an earlier report or draft (``--from``), as the clerk would type them."""
    out: dict[str, str] = {"year": str(report.year)}
    for step in steps(report.spec):
        value = report.get(step.keys)
        if step.kind == "row" and step.keys[0] == "applications":
            value = report.row_given(_line(report.spec, step.keys))
            value = value[: len(step.columns)] if value else value
        elif step.kind == "row" and step.keys[0] == "appeals":
            value = (value or [])[: len(step.columns)]
        out[step.id] = shown(value)
    return out


def _line(spec: Spec, keys: tuple[str, ...]):
    return next(line for line in spec.table3.data_lines() if ("applications", *spec.table3.keypath(line)) == keys)


# -- the conversation -----------------------------------------------------------------------------------
class Wizard:
    """Asks, keeps progress, and writes the report file.  ``input``/``output`` are
    prompt_toolkit's, for tests; by default the terminal."""

    def __init__(self, file: Path | None, *, defaults: dict[str, str] | None = None, based_on: Path | None = None, input=None, output=None, echo=click.echo) -> None:  # noqa: A002
        self.file = file  # None: named after the unit and year at the end
        self.progress = file.with_name(file.name + ".progress.json") if file else Path(PROGRESS)
        self.defaults = defaults or {}
        self.based_on = based_on  # the report the defaults came from (--from): recorded in the file
        self.answers: dict[str, str] = {}
        self.revising: dict[str, str] = {}  # the answers being gone through again (not yet re-answered)
        self.kw = {k: v for k, v in (("input", input), ("output", output)) if v is not None}
        self._echo = echo
        self.columns_told: tuple[Column, ...] = ()  # the columns last explained on screen
        self.year = dt.date.today().year - 1

    # the three kinds of question
    def ask_text(self, message: str = "", default: str = "", validate=None, multiline: bool = False, instruction: str | None = None) -> str:
        """The question stands on its own line(s) above (:meth:`say`); here only the answer."""
        question = questionary.text(
            message, default=default, validate=validate, multiline=multiline, instruction=instruction or " ", qmark=ANSWER,
            reserve_space_for_menu=0, key_bindings=answer_keys(multiline), **self.kw,  # no completion menu: the message right under the answer
        )
        return question.unsafe_ask()

    def ask_select(self, message: str, choices: list, default=None) -> Any:
        return questionary.select(message, choices=choices, default=default, instruction="（用↑↓选择，回车确认）", qmark=ANSWER, **self.kw).unsafe_ask()

    def ask_confirm(self, message: str, default: bool = True) -> bool:
        """是/否 as a menu: it reads and echoes in Chinese (questionary's confirm says Yes/No), and
        arrows and Enter work with a Chinese input method switched on, where y/n would not."""
        choices = [questionary.Choice(YES, value=True), questionary.Choice(NO, value=False)]
        return bool(self.ask_select(message, choices, default=choices[0] if default else choices[1]))

    def echo(self, text: str = "") -> None:
        """Print ``text`` wrapped to the terminal, continuation lines indented under the
        line's own text — a terminal would wrap them to column 0, and a wrapped line would
        start with a comma."""
        width = max(30, shutil.get_terminal_size((80, 24)).columns - 1)
        for line in str(text).split("\n"):
            for piece in wrap(line, width):
                self._echo(piece)

    def say(self, question: str, hint: str = "") -> None:
        """A question on its own line, with what belongs there under it."""
        self.echo(question)
        if hint:
            self.echo(f"  （{hint}）")

    def save(self) -> None:
        payload = {"file": str(self.file), "answers": {**self.revising, **self.answers}}
        write_atomic(self.progress, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))

    def answer(self, step_id: str, text: str) -> None:
        self.answers[step_id] = text
        self.save()

    # the run
    def run(self) -> bool:
        """True when the report file was written."""
        if self.progress.is_file():
            saved = json.loads(self.progress.read_text(encoding="utf-8")).get("answers", {})
            if saved and self.ask_confirm(f"发现上次没有写入文件的进度（已填{len(saved)}项，保存在 {self.progress.name}），接着填吗？"):
                self.answers = dict(saved)
        year_text = self.answers.get("year") or self._ask_year()
        year = self.year = int(_typed(year_text))
        spec = spec_for_year(year)
        assert spec is not None
        self.echo(f"{year}年度的报告使用{spec.name}（{spec.source}）。")
        return self.run_steps(spec, year)

    def run_steps(self, spec: Spec, year: int) -> bool:
        """Every question not answered yet, the R1 check, the summary."""
        section = None
        all_steps = steps(spec)
        for i, step in enumerate(all_steps):
            if step.section != section:
                section = step.section
                self.echo(f"\n—— {section} ——")
            if step.id not in self.answers:
                self._ask(step)
            if step.keys[0] == "applications" and not any(s.keys[0] == "applications" for s in all_steps[i + 1 :]):
                self._balance(spec, year)
        done = self._summary(spec, year)
        if done is None:  # every question again, the answers given as defaults
            self.revising = dict(self.answers)  # kept in the progress file until answered again
            self.defaults = {**self.defaults, **{k: v for k, v in self.answers.items() if k != "year"}, "year": str(year)}
            self.answers = {"year": self.answers.get("year", str(year))}
            return self.run_steps(spec, year)
        return done

    def _ask_year(self) -> str:
        last_year = dt.date.today().year - 1

        def valid(text: str) -> bool | str:
            t = _typed(text)
            if not re.fullmatch(r"\d{4}", t):
                return "请写四位数年份，如 2023"
            if int(t) < first_year():
                return in_force_since()
            return dates.impossible_year(int(t)) or True

        self.say(f"{YEAR_LABEL}：", "四位数年份；格式版本随年度确定")
        text = self.ask_text(default=self.defaults.get("year", str(last_year)), validate=valid)
        self.answer("year", _typed(text))
        return self.answers["year"]

    def _ask(self, step: Step) -> None:
        default = self.defaults.get(step.id, "")
        if step.kind == "date" and self.defaults.get("year", str(self.year)) != str(self.year):
            default = ""  # another year's date (new --from last year's report): the clerk chooses this year's
        if step.kind in ("row", "cell"):
            names = "、".join(c.label for c in step.columns)
            if step.kind == "row" and step.columns != self.columns_told:
                self.echo(f"  每行依次填：{names}（{len(step.columns)}个数，空格隔开；全为0可直接回车）")
                self.columns_told = step.columns
            same = step.kind == "row" or names == step.label
            self.say(f"{step.label}：" if same else f"{step.label}（{names}）：")
            text = self.ask_text(default=default, validate=_validator(step, self.year))
            if step.keys[0] == "applications":
                self.echo(f"  总计：{number(sum(parse_row(text, step.columns)))}")
        elif step.kind == "narrative":
            text = self._narrative(step, default)
        else:
            hint = "可留空" if not step.required else ""
            if step.kind == "date":
                hint = dates.hint(self.year) + "；可先留空，生成发布的文件前须填写"
            self.say(f"{step.label}：", hint)
            text = self.ask_text(default=default, validate=_validator(step, self.year))
        self.answer(step.id, text.strip() if step.kind != "narrative" else text.strip("\n"))

    def _narrative(self, step: Step, default: str) -> str:
        """Text of several paragraphs.  A text there already (last year's, ``--from``) is
        shown in brief and kept, retyped or edited in an editor — never poured into the
        answer line, where a long text would fill the screen."""
        self.say(f"{step.label}：", step.hint)
        if os.environ.get("EDITOR"):
            self.ask_select("", [OPEN_EDITOR])
            return click.edit(default) or default
        if default.strip():
            lead = f"  现有文字（{len(default.strip())}字）："
            width = max(20, shutil.get_terminal_size((80, 24)).columns - display_width(lead) - 3)
            flat = default.replace("\n", " ")
            preview = _shortened(flat, width)
            self.echo(lead + preview)
            choice = self.ask_select("", [KEEP, RETYPE, EDIT])
            if choice == KEEP:
                return default
            if choice == EDIT:
                return click.edit(default) or default
        self.echo(f"  （{NARRATIVE_HINT}）")  # above, so that every line typed has the full width
        return self.ask_text(multiline=True)

    def _balance(self, spec: Spec, year: int) -> None:
        """R1 (一 + 二 = 三（七）+ 四, every column) before going on; the clerk corrects rows.
        The menu lists table 三 by its groups, so that it fits a screen of 24 lines; a ◀
        marks what holds figures in the columns that do not balance."""
        rows = [s for s in steps(spec) if s.keys[0] == "applications"]
        keep = "数字无误，先继续（稍后在文件中修改）"
        while True:
            report, _ = load_data(self._table3_only(spec, year))
            problems = list(r1_columns_balance(report)) if report is not None else []
            if report is None or not problems:
                self.echo("  表三勾稽关系正确：第一项加第二项之和等于第三项加第四项之和。")
                return
            self.echo("  表三的数对不上：")
            for finding in problems:
                self.echo(f"    {finding.message}")
            self.echo("请选择要改正的行（◀ 标出的行在对不上的列中有数）：")
            groups: dict[str, list[Step]] = {}
            for step in rows:
                groups.setdefault(step.keys[1], []).append(step)
            menu = []
            for key, members in groups.items():
                if len(members) == 1:
                    menu.append(questionary.Choice(self._marked(report, members[0]), value=members[0].id))
                else:
                    group = next(line for line, _ in spec.table3.walk() if line.key == key)
                    marked = [s for s in members if self._marked(report, s).startswith("◀")]
                    which = f"（第{'、'.join(s.label.split(' ', 1)[-1].split('.')[0] for s in marked)}项有数）" if marked else ""
                    menu.append(questionary.Choice(f"{'◀ ' if marked else '  '}{group.label}：{len(members)}项{which}", value=key))
            choice = self.ask_select("", menu + [questionary.Choice(keep, value="")])
            if not choice:
                return
            if choice in groups:
                members = groups[choice]
                choice = self.ask_select("", [questionary.Choice(self._marked(report, s), value=s.id) for s in members])
            step = next(s for s in rows if s.id == choice)
            self.defaults = {**self.defaults, step.id: self.answers[step.id]}
            self._ask(step)

    @staticmethod
    def _marked(report: Report, step: Step) -> str:
        """A row of table 三 with its figures in the columns that do not balance."""
        t3 = report.spec.table3
        new, carried, total, forward = (report.row(t3.row(k)) for k in ("new", "carried_over", "total", "carried_forward"))
        failing = [c for c in range(len(t3.columns)) if new[c] + carried[c] != total[c] + forward[c]]
        line = next(line for line in t3.data_lines() if ("applications", *t3.keypath(line)) == step.keys)
        row = report.row(line)
        figures = "，".join(f"{t3.columns[c].label}{row[c]}" for c in failing)
        marked = any(row[c] for c in failing)
        mark, tail = "◀ " if marked else "  ", f"（{figures}）"
        room = max(10, shutil.get_terminal_size((80, 24)).columns - 6 - display_width(mark + tail))  # the pointer, a margin
        label = _shortened(step.label, room)
        return f"{mark}{label}{tail}"  # the figures are what the clerk needs: the label gives way

    def _table3_only(self, spec: Spec, year: int) -> dict[str, Any]:
        """The answers with zeros for what is not asked yet, enough to check table 三."""
        data = build(spec, year, self.answers)
        data.setdefault("unit", {}).setdefault("name", "（未填）")
        for step in steps(spec):
            node = data
            for key in step.keys[:-1]:
                node = node.setdefault(key, {})
            if step.kind in ("row", "cell") and step.keys[-1] not in node:
                node[step.keys[-1]] = [0] * len(step.columns) if step.kind == "row" else 0
        return data

    def _summary(self, spec: Spec, year: int) -> bool | None:
        """True written, False not (the answers kept), None: the clerk goes through them again."""
        data = build(spec, year, self.answers)
        report, findings = load_data(data)
        self.echo(f"\n—— 汇总 ——\n{spec.title(data['unit']['name'], year)}（{spec.name}）")
        if report is not None:
            t3 = spec.table3
            for key in ("new", "carried_over", "total", "carried_forward"):
                line = t3.row(key)
                self.echo(f"  {line.label}：{number(report.row(line)[-1])}")
            for group in spec.table4.groups:
                self.echo(f"  {group.parent + '·' if group.parent else ''}{group.label}：{number(report.appeal(group)[-1])}")
            findings = findings + check(report)
        findings = sort_findings(findings)
        errors = sum(f.level == ERROR for f in findings)
        self.echo(f"检查结果：错误{errors}个，提示{len(findings) - errors}个")
        for f in findings:
            self.echo(f"  {f.labelled()}")
        file = self.file or Path(safe_name(f"{data['unit']['name']}{year}.yaml"))
        question = "有错误，仍然写入文件（之后可修改再检查）？" if has_errors(findings) else f"写入 {file}？"
        if not self.ask_confirm(question, default=not has_errors(findings)):
            again = f"nianbao new {self.file}" if self.file else "nianbao new"
            choice = self.ask_select("没有写入。要怎样？", [REVISE, LATER])
            if choice == REVISE:
                return None
            self.echo(f"未写入。填写的内容保存在 {self.progress}，再次运行 {again} 可以接着修改。")
            return False
        header = f"{spec.title(data['unit']['name'], year)}\n由 nianbao new 填写生成。写好后运行：nianbao check {file.name}"
        saved = backup(file) if file.exists() else None
        text = dump(spec, data, header=header)
        if self.based_on is not None:
            text = with_provenance(text, self.based_on, file)
        write_atomic(file, text.encode("utf-8"))
        self.progress.unlink(missing_ok=True)
        self.echo(f"已生成 {file}" + (f"（原文件已备份为 {saved.name}）" if saved else ""))
        return True


def answer_keys(multiline: bool) -> KeyBindings:
    """How an answer is given, over prompt_toolkit's defaults (these bindings come last, so
    they win).  One line: Enter on an invalid answer selects it, the message under it, so
    that what is typed next replaces it (the wrong text once stayed and "3" became "3件3").
    Several paragraphs: Enter starts a new one and Enter on an empty last line ends the
    answer — nobody guesses Esc then Enter.  Ctrl-D ends either kind (an empty line's Ctrl-D
    would otherwise end the program)."""
    keys = KeyBindings()

    @keys.add("enter", eager=True)
    def _enter(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        document = buffer.document
        if multiline and not (document.is_cursor_at_the_end and not document.current_line.strip()):
            buffer.newline(copy_margin=False)
        else:
            _submit(buffer, multiline)

    @keys.add("c-d", eager=True)
    def _done(event: KeyPressEvent) -> None:
        _submit(event.current_buffer, multiline)

    return keys


def _submit(buffer: Buffer, multiline: bool) -> None:
    """Accept the answer, or select it when it is refused (the message stays under it until
    the clerk types)."""
    if multiline:
        buffer.text = buffer.text.rstrip()  # the empty line that ended it is not part of the text
    if buffer.validate(set_cursor=False):
        buffer.validate_and_handle()
        return
    buffer.cursor_position = 0
    buffer.start_selection(SelectionType.CHARACTERS)
    assert buffer.selection_state is not None
    buffer.selection_state.enter_shift_mode()  # typing replaces the selection; an arrow key keeps the text to edit
    buffer.cursor_position = len(buffer.text)


REVISE = "逐项检查修改（已填的作为默认答案，回车即保留）"
LATER = "不写入，以后再填（已填写的保存在进度文件中）"
_NO_LINE_START = "，。、；：）》」』”’！？"


def wrap(line: str, width: int) -> list[str]:
    """``line`` in pieces of at most ``width`` display columns; the pieces after the first
    indented like the line's text, and none starting with closing punctuation."""
    if display_width(line) <= width:
        return [line]
    leading = min(len(line) - len(line.lstrip(" ")), width // 2)  # room left for the text
    line = " " * leading + line.lstrip(" ")
    indent = " " * min(leading + 2, width // 2)
    pieces, rest, lead = [], line, ""
    while rest:
        room = width - display_width(lead)
        piece = _clip(rest, room)
        if len(piece) < len(rest):
            piece = _unpunctuated(piece, rest)
            word = re.search(r"[\x21-\x7e]+$", piece)  # a path, a file name, a sum: not cut
            if word and rest[len(piece)].isascii() and not rest[len(piece)].isspace() and word.start() > 0:
                piece = _unpunctuated(piece[: word.start()], rest)
        pieces.append(lead + piece)
        rest, lead = rest[len(piece):], indent
    return pieces


def _unpunctuated(piece: str, rest: str) -> str:
    """``piece`` shortened so that what follows it does not start with closing punctuation."""
    while len(piece) > 1 and rest[len(piece)] in _NO_LINE_START:
        piece = piece[:-1]  # carry a character down with the comma
    return piece


def _shortened(text: str, width: int) -> str:
    """``text`` if it fits ``width`` columns, else its start and "…" within them."""
    return text if display_width(text) <= width else _clip(text, width - 1) + "…"


def _clip(text: str, width: int) -> str:
    """The start of ``text`` that fits ``width`` display columns — one character at least,
    so that a loop cutting a text into pieces always moves on."""
    return fit_lines(text, width)[0]
