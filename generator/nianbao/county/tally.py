"""One county's sums: the files sent in taken in once, each checked, the county rules (B)
applied, and the tables of the units that count added up (:func:`aggregate`).

``aggregate`` prints and writes what this computes, and the site's county page
(:mod:`nianbao.serve.jobs`) sums the same way: a unit is added only when its report has no
error, is ready to publish (:func:`nianbao.county.intake.judged`) and no other file claims it,
and what is left out or missing is said, never dropped (:meth:`Tally.gaps`, :meth:`Tally.sheet`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import ERROR, Finding, Rule, has_errors
from ..model.report import Report
from ..model.standard import Spec
from . import intake, roster
from . import rules as county
from .filenames import GBK_NOTE
from .statuses import Standing


@dataclass
class Tally:
    """What the intake and the sums came to.  ``said``: what to tell the clerk, in order
    (notes on the files, copies, files left out with why, findings of counted files, units
    that did not reply); ``spec``, ``data``, ``table`` are None when nothing could count."""

    said: list[str] = field(default_factory=list)
    counted: list[tuple[str, Report]] = field(default_factory=list)
    left_out: list[county.Entry] = field(default_factory=list)  # those of another year or format too
    absent: list[str] = field(default_factory=list)
    spec: Spec | None = None
    data: dict[str, Any] | None = None
    run: county.Run = field(default_factory=lambda: county.Run(None))  # the year counted, and how it was chosen
    files: int = 0  # the files found under the folders given
    expected: list[str] | None = None  # the unit list, whose order the sheet takes
    entries: list[county.Entry] = field(default_factory=list)  # every file but the copies, in the order found

    def gaps(self) -> str:
        """``2个文件未计入、1个单位未交回``, or empty when the sums are complete (a file of
        another year is one not counted: the first line said which year was)."""
        parts = (f"{len(self.left_out)}个文件未计入" if self.left_out else "", f"{len(self.absent)}个单位未交回" if self.absent else "")
        return "、".join(filter(None, parts))

    def header(self, unit_name: str) -> str:
        """The header of the summed report file: what it is, and what it lacks."""
        assert self.spec is not None and self.data is not None
        text = f"{self.spec.title(unit_name, self.data['year'])}：{len(self.counted)}个单位的表格数字之和（由 nianbao aggregate 生成）"
        if self.left_out:
            text += "\n注意：以下文件未计入：" + "、".join(e.shown + (f"（{Standing.OTHER_YEAR}）" if e.other_year else "") for e in self.left_out)
        if self.absent:
            text += "\n注意：以下单位未交回：" + "、".join(self.absent)
        return text


    def sheet(self, unit_name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The sheet 表三主要行 of 汇总.xlsx: (its title lines, its table).  The title says what
        the figures are and what they lack — the units counted, the files left out and the
        units that did not reply, by name — so that the workbook handed on alone still says it
        is incomplete; the table has a row per unit in the list's order (then the files of
        units not on it, then those of another year): a counted unit's four totals, any other
        its status and why, and the 合计 of the counted ones."""
        assert self.spec is not None and self.data is not None
        t3 = self.spec.table3
        main = [t3.row(k) for k in ("new", "carried_over", "total", "carried_forward")]
        title = [f"{self.spec.title(unit_name, self.data['year'])}：表三主要行，已计入的{len(self.counted)}个单位之和（由 nianbao aggregate 生成）"]
        if self.gaps():
            missed = [f"未计入：{'、'.join(e.shown for e in self.left_out)}" if self.left_out else "", f"未交回：{'、'.join(self.absent)}" if self.absent else ""]
            title.append(f"注意：不完整的汇总，{self.gaps()}（{'；'.join(filter(None, missed))}），原因见下表“说明”一列；改正后请重新汇总")
        elif self.expected is not None:
            title.append(f"名单上的{len(self.expected)}个单位都已计入")
        else:
            title.append(f"没有给出名单，无法核对是否交齐：计入了找到的全部{len(self.counted)}个单位的报告")
        reports = dict(self.counted)
        place = {roster.key(name): i for i, name in enumerate(self.expected or [])}
        body: list[tuple[tuple[bool, int], tuple[Any, ...]]] = []
        for entry in self.entries:
            at = (entry.other_year, place.get(roster.key(entry.belongs or entry.name or ""), len(place)))
            report = reports.get(entry.shown) if entry.counted else None
            if report is not None:
                body.append((at, (report.unit_name, entry.shown, Standing.COUNTED, *(report.row(line)[-1] for line in main), "")))
            else:
                why = next((f.message for f in reversed(entry.findings) if f.level == ERROR), "")
                status = Standing.OTHER_YEAR if entry.other_year else Standing.UNFILLED if why.startswith(Standing.UNFILLED) else Standing.LEFT_OUT
                body.append((at, (entry.name or "", entry.shown, status, *([None] * len(main)), why)))
        body += [((False, place.get(roster.key(name), len(place))), (name, "", Standing.ABSENT, *([None] * len(main)), "名单上的这个单位没有交回报告"))
                 for name in self.absent]
        body.sort(key=lambda item: item[0])  # stable: a unit's files in the order found
        rows: list[tuple[Any, ...]] = [("机关名称", "文件", "状态", *(line.label for line in main), "说明"), *(row for _, row in body)]
        rows.append((f"合计（已计入的{len(self.counted)}个单位）", None, "", *(sum(r.row(line)[-1] for _, r in self.counted) for line in main), ""))
        return title, rows


SHEET_WIDTHS = [26, 34, 11, 13, 13, 13, 13, 56]  # 表三主要行: name, file, status, the four totals (their long labels wrapped), why


def carry_texts(previous: str | None, spec_id: str, data: dict, year: int | None = None) -> list[str]:
    """Into a new aggregate's ``data``: what the county's clerk wrote in the county's own report
    since the last aggregate — its narratives and its unit's fields (the name apart: the
    command's ``--unit`` or the site's setting gives it) — so that aggregating again after one
    more unit's report renews the figures without wiping the text (``nianbao aggregate`` over
    its own earlier output, and the site's 汇总为本级报告 alike).  Only from a report of the
    same format (and of ``year``, when given).  Returns the report-file keys kept (empty when
    nothing was written there), to be said."""
    from ..model.yamlfile import parse

    if not previous:
        return []
    old = parse(previous).data
    if not isinstance(old, dict) or old.get("format") != spec_id or (year is not None and old.get("year") != year):
        return []
    kept: list[str] = []
    for key in NARRATIVES:
        value = old.get(key)
        if _written(value):
            data[key] = value
            kept.append(key)
    unit = old.get("unit")
    if isinstance(unit, dict):
        for key, value in unit.items():
            if key != "name" and value not in (None, ""):
                data.setdefault("unit", {})[key] = value
                kept.append(f"unit.{key}")
    return kept


def _written(value: Any) -> bool:
    """A narrative someone wrote: a text, or a mapping of parts one of which is a text."""
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, dict) and any(_written(part) for part in value.values())


NARRATIVES = ("preamble", "overview", "problems", "other_matters")


def aggregate(reports: Sequence[tuple[Path | str, Report]], unit_name: str) -> tuple[Spec, dict[str, Any]]:
    """(spec, report-file data with every table value summed).  The reports are of one year
    and format (:func:`nianbao.county.rules.review` sees to it); the sheet of each unit's main
    rows is the tally's (:meth:`Tally.sheet`: in the list's order, with
    what is missing)."""
    from ..render.reportfile import table3_rows

    spec = reports[0][1].spec
    year = reports[0][1].year
    t3, t4 = spec.table3, spec.table4

    def total(values: Iterable[list[Any]]) -> list[Any]:
        return [sum(column) for column in zip(*values)]

    proactive: dict[str, Any] = {}
    for group in spec.table2:
        for item in group.items:
            summed = total([list(r.item_values(group, item)) for _, r in reports])
            proactive[item.key] = summed[0] if group.scalar else summed

    data: dict[str, Any] = {
        "year": year,
        "format": spec.id,
        "unit": {"name": unit_name},
        "proactive": proactive,
        "applications": table3_rows(spec, lambda line: total([r.row(line)[: len(t3.columns)] for _, r in reports])),
        "appeals": {g.key: total([r.appeal(g)[: len(t4.columns)] for _, r in reports]) for g in t4.groups},
    }
    if spec.fees:
        data["processing_fees"] = {f.key: sum((r.fees() or {}).get(f.key, 0) or 0 for _, r in reports) for f in spec.fees}
    return spec, data


def tally(inputs: tuple[Path, ...], unit_name: str, expected: list[str] | None, *, outside: Path, year: int | None = None) -> Tally:
    """Every file under ``inputs`` (``outside``: where the outputs go, never read as input)
    taken in, checked and reviewed against the unit list ``expected``; the counted units'
    tables — of ``year``, else of the year most files have — added up as ``unit_name``'s."""
    from ..read.sources import load_checked

    out = Tally()
    notes: list[str] = []
    taken_in = intake.gather(inputs, outside=outside, notes=notes)
    names = taken_in.names
    out.said += notes
    if taken_in.gbk:
        out.said.append(GBK_NOTE.format(n=taken_in.gbk))
    for source in taken_in.sources:
        out.said += [f"{names[source]}：{note}" for note in taken_in.name_notes(source)]
    entries, reports = [], {}
    for path in taken_in.unique:
        loaded, findings = load_checked(path)
        report = loaded.report
        findings = intake.judged(report, findings)  # as batch judges it: a report not ready to publish does not count
        entry = county.Entry(path, names[path], loaded.name, loaded.year, report.spec.id if report else None, county.fingerprint(report) if report else None)
        if report is None or has_errors(findings):
            entry.counted = False
            entry.findings.append(Finding(ERROR, Rule.B, None, intake.left_out_because(findings, names[path])))
        else:
            reports[path] = report
        entries.append(entry)
    reviewed = intake.review(entries, expected, year)
    out.run = reviewed.run
    out.said += [f"{names[copy]}：{finding.message}" for copy, (_, finding) in taken_in.copies.items()]
    out.said += [f"{entry.shown}：{entry.findings[-1].message}" for entry in entries if entry.copy]
    out.left_out = [e for e in entries if not e.counted and not e.copy]
    out.said += [f"{entry.shown}：{finding.message}" for entry in out.left_out for finding in entry.findings]
    out.said += [f"{entry.shown}：{finding.message}" for entry in entries if entry.counted for finding in entry.findings]
    out.absent = reviewed.absent
    out.said += [f"{name}：名单上的这个单位没有交回报告" + (f"；{reviewed.pointers[name]}" if name in reviewed.pointers else "") for name in out.absent]
    out.counted = [(e.shown, reports[e.path]) for e in entries if e.counted and e.path in reports]
    out.files, out.expected, out.entries = len(taken_in.sources), expected, [e for e in entries if not e.copy]
    if out.counted:
        out.spec, out.data = aggregate(out.counted, unit_name)
    return out
