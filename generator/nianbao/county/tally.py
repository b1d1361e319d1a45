"""One county's sums: the files sent in taken in once, each checked, the county rules (B)
applied, and the tables of the units that count added up.

``aggregate`` prints and writes what this computes, and the coming web front's county page
shows the same: a unit is added only when its report has no error and no other file claims
it, and what is left out or missing is said, never dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..findings import ERROR, Finding, has_errors
from ..model.report import Report
from ..model.standard import Spec
from . import intake
from . import rules as county
from .filenames import GBK_NOTE


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
    table: Any = None
    run: county.Run = field(default_factory=lambda: county.Run(None))  # the year counted, and how it was chosen

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
            text += "\n注意：以下文件未计入：" + "、".join(e.shown + (f"（{county.OTHER_YEAR}）" if e.other_year else "") for e in self.left_out)
        if self.absent:
            text += "\n注意：以下单位未交回：" + "、".join(self.absent)
        return text


def tally(inputs: tuple[Path, ...], unit_name: str, expected: list[str] | None, *, outside: Path, year: int | None = None) -> Tally:
    """Every file under ``inputs`` (``outside``: where the outputs go, never read as input)
    taken in, checked and reviewed against the unit list ``expected``; the counted units'
    tables — of ``year``, else of the year most files have — added up as ``unit_name``'s."""
    from ..read.sources import load_checked
    from .batch import aggregate

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
        entry = county.Entry(path, names[path], loaded.name, loaded.year, report.spec.id if report else None, county.fingerprint(report) if report else None)
        if report is None or has_errors(findings):
            entry.counted = False
            first = next(f for f in findings if f.level == ERROR)
            entry.findings.append(Finding(ERROR, "B", None, f"有错误，未计入（{first.labelled(names[path])}；运行 nianbao check 查看全部）"))
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
    if out.counted:
        out.spec, out.data, out.table = aggregate(out.counted, unit_name)
    return out
