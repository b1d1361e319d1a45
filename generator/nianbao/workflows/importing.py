"""Published reports read into report files (``nianbao import``): which files are one report,
the name each gets, what its header says, and what ``check`` says of the file written.

Each file named is one report, except the pictures of one folder, which are the pages of
one (in the order of their names).  Two reports of one unit and year in one run are
numbered ``…-2.yaml``, ``…-3.yaml`` (:func:`nianbao.system.output.numbered`): neither file
overwrites the other; an existing file is backed up.  Nothing here prints: the face says
what came of each report (:class:`ImportedFile`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..findings import ERROR, Finding, Rule, sort_findings

if TYPE_CHECKING:
    from ..read.importer import Imported


def one_report_each(paths: tuple[Path, ...] | list[Path]) -> list[tuple[Path, list[Path]]]:
    """The reports among the files named, each as (the file that names it, its pages): each
    file is one, except the pictures of one folder, which are the pages of one report."""
    from ..read.importer import page_order
    from ..read.kinds import PICTURES

    out: list[tuple[Path, list[Path]]] = []
    folders: dict[Path, list[Path]] = {}
    for path in paths:
        if path.suffix.lower() in PICTURES:
            folder = path.resolve().parent
            if folder not in folders:
                folders[folder] = []
                out.append((path, folders[folder]))
            if path not in folders[folder]:
                folders[folder].append(path)
        else:
            out.append((path, [path]))
    return [(min(pages, key=page_order), sorted(pages, key=page_order)) for _, pages in out]


@dataclass
class ImportedFile:
    """What came of one published report: the import, its findings sorted, and, when its
    format was recognised, the report file written (``target``, the backup it replaced) with
    what ``check`` says of that file."""

    source: Path
    pages: list[Path]
    imported: Imported
    findings: list[Finding]
    target: Path | None = None
    saved: Path | None = None
    checked: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Something could not be read (reported, left empty, never guessed)."""
        return self.imported.failed or self.imported.spec is None

    @property
    def shown(self) -> str:
        """The source as a clerk names it: the file, or the first picture and how many."""
        return str(self.source) if len(self.pages) == 1 else f"{self.source.parent / self.source.name}等{len(self.pages)}张图片"

    @property
    def reading(self) -> list[Finding]:
        """What only reading the original could tell (rule I): the file notes each where it is."""
        return [f for f in self.findings if f.rule == Rule.I]


class Importing:
    """One run of imports into ``out``: the names written so far, so that two reports of one
    unit and year are numbered, not overwritten."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: set[str] = set()

    def one(self, source: Path, pages: list[Path]) -> ImportedFile:
        """Import ``pages`` (one file, or the pictures of one scanned report) and write the report file."""
        from ..read import importer

        imported = importer.import_pages(pages) if len(pages) > 1 else importer.import_file(source)
        done = ImportedFile(source, pages, imported, sort_findings(imported.findings))
        if imported.spec is not None:
            self._write(done)
        return done

    def _write(self, done: ImportedFile) -> None:
        from ..read.sources import load_checked
        from ..render.reportfile import dump
        from ..system.output import backup, numbered, safe_name, write_atomic

        imported, spec = done.imported, done.imported.spec
        if spec is None:  # the format was not recognised: nothing to write (one() does not ask)
            return
        data = imported.data
        stem = safe_name(f"{data['unit'].get('name') or done.source.stem}{data.get('year') or ''}")
        target = self.out / f"{numbered(stem, self.taken, '{stem}-{n}')}.yaml"
        done.saved = backup(target) if target.exists() else None
        header = self._header(done, spec.name, target)
        write_atomic(target, dump(spec, data, header=header, notes=imported.notes).encode("utf-8"))
        done.target = target
        _, done.checked = load_checked(target)  # what nianbao check says of the file written, counted as it counts

    @staticmethod
    def _header(done: ImportedFile, format_name: str, target: Path) -> str:
        errors = sum(f.level == ERROR for f in done.findings)
        return (
            f"由 nianbao import 从“{done.source.name}”导入（{format_name}）。\n"
            + (f"有{errors}处原文无法读取，已留空并在该处注明，请对照原件补填。\n" if errors else "")
            + f"核对后运行：nianbao check {target.name}"
        )


def write_proof(target: Path, imported: Imported, report: Path, source: str) -> tuple[Path | None, int]:
    """A scan's proof page (each figure's picture beside what was read, the cells left empty
    first) written to ``target``: (the backup it replaced, how many cells are left to fill)."""
    from ..read.importer import proof
    from ..system.output import backup, write_atomic

    data = imported.data
    title = f"{data['unit'].get('name') or ''}{data.get('year') or ''}年度报告（{report.name}）"
    saved = backup(target) if target.exists() else None
    write_atomic(target, proof.page(imported.figures, title, source).encode("utf-8"))
    return saved, sum(f.status != "confirmed" for f in imported.figures)
