"""Import speed: files imported per second (read, tables and narratives, findings), one
core, files in memory so that the disk is not measured.

* TXT and DOCX that nianbao rendered from the two bundled examples;
* the five published seeds (../shared/seeds, when present), which are TXT;
* the DOCX laid out by another tool (tests/othertool.py) and the HTML fixture;
* the real reports of ../shared/corpus (web copy, page excerpt, OCR markdown), when present;
* PDFs: nianbao's own, and another office's with and without ruling lines (the committed
  fixtures).  A PDF is read in a child process with time and memory bounds, whose start
  is part of each PDF's time.

Goals (issue 29), against the baseline render (bench/baseline_docx.py) of the same run: TXT and
the HTML page ≥ 200× faster, DOCX ≥ 150× (nianbao's own TXT and DOCX, the HTML fixture); each
PDF ≤ 1.2× pdfplumber's own ``extract_text`` + ``extract_tables`` of every page of the same
file in this process (the two timed alternately, medians).

    python bench/import.py [--rounds 50] [--baseline-ms MS] [--json]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, at_least, at_most, baseline_ms, emit, info, say  # noqa: E402
from othertool import build as other_tool_docx  # noqa: E402

from nianbao.read.importer import import_bytes  # noqa: E402
from nianbao.read.load import load_file  # noqa: E402
from nianbao.render import docx as render_docx  # noqa: E402
from nianbao.render import txt as render_txt  # noqa: E402


def rate(files: list[tuple[Path, bytes]], rounds: int) -> float:
    for path, data in files:  # warm: label caches, templates
        import_bytes(data, path)
    start = time.perf_counter()
    for _ in range(rounds):
        for path, data in files:
            import_bytes(data, path)
    return rounds * len(files) / (time.perf_counter() - start)


def pdfplumber_ms(data: bytes) -> float:
    """pdfplumber's own reading of a PDF: every page's text and tables."""
    import pdfplumber

    start = time.perf_counter()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
    return (time.perf_counter() - start) * 1000


def pdf_against_pdfplumber(path: Path, data: bytes, rounds: int) -> tuple[float, float]:
    """(nianbao's import, pdfplumber's extract_text + extract_tables) in ms, medians of
    ``rounds`` alternated runs, so that the machine's load falls on both alike."""
    import_bytes(data, path)
    pdfplumber_ms(data)
    ours, theirs = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        import_bytes(data, path)
        ours.append((time.perf_counter() - start) * 1000)
        theirs.append(pdfplumber_ms(data))
    return statistics.median(ours), statistics.median(theirs)


# the groups with a goal against the baseline render: (name, at least this many times faster)
GOALS = {"TXT rendered by nianbao": ("import TXT", 200), "HTML page": ("import HTML", 200), "DOCX rendered by nianbao": ("import DOCX", 150)}


def figures(rounds: int, baseline: float | None, quiet: bool) -> list[Figure]:
    reports = [load_file(ROOT / "examples" / name).report for name in ("2023-青山镇.yaml", "2020-白河乡.yaml")]
    groups = {
        "TXT rendered by nianbao": [(Path("r.txt"), render_txt.render(r)) for r in reports],
        "DOCX rendered by nianbao": [(Path("r.docx"), render_docx.render(r, None)) for r in reports],
        "DOCX from another tool": [(Path("o.docx"), other_tool_docx())],
        "HTML page": [(p, p.read_bytes()) for p in (ROOT / "tests" / "data" / "published").glob("*.html")],
    }
    seeds = ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        groups["TXT published (5 seeds)"] = [(p, p.read_bytes()) for p in sorted(seeds.glob("*.txt"))]
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        groups["real reports (corpus)"] = [(p, p.read_bytes()) for p in sorted(corpus.glob("*")) if p.suffix not in (".json", ".md")]
    base = baseline if baseline is not None else baseline_ms()
    out: list[Figure] = []
    for name, files in groups.items():
        per_second = rate(files, rounds)
        each = 1000 / per_second
        say(f"{name:32s} {per_second:7.1f} files/s ({each:.1f} ms each, {rounds * len(files)} imports; baseline render / this = {base / each:.0f}x)", quiet=quiet)
        if name in GOALS:
            label, goal = GOALS[name]
            out.append(at_least(f"{label} vs baseline render", base / each, goal, "×", f"≥ {goal}×"))
        else:
            out.append(info(f"import {name}", each, "ms"))
    published = ROOT / "tests" / "data" / "published"
    for path in sorted(published.glob("20*.pdf")):
        ours, theirs = pdf_against_pdfplumber(path, path.read_bytes(), max(3, rounds // 10))
        say(f"PDF {path.name:28s} {ours:7.1f} ms; pdfplumber extract_text + extract_tables {theirs:.1f} ms: {ours / theirs:.2f}x (goal: <= 1.2)", quiet=quiet)
        out.append(at_most(f"import PDF {path.stem} / pdfplumber", ours / theirs, 1.2, "×", "≤ 1.2×"))
    out.append(info("baseline render (python-docx)", base, "ms"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--baseline-ms", type=float, help="the baseline render's time measured by the caller (bench/all.py), else measured here")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    args = parser.parse_args()
    found = figures(args.rounds, args.baseline_ms, args.json)
    if args.json:
        emit(found)


if __name__ == "__main__":
    main()
