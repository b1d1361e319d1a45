"""Import speed: files imported per second (read, tables and narratives, findings), one
core, files in memory so that the disk is not measured.

* TXT and DOCX that nianbao rendered from the two bundled examples;
* the five published seeds (../shared/seeds, when present), which are TXT;
* the DOCX laid out by another tool (tests/othertool.py) and the HTML fixture;
* the real reports of ../shared/corpus (web copy, page excerpt, OCR markdown), when present;
* PDFs: nianbao's own, and another office's with and without ruling lines (the committed
  fixtures).  A PDF is read in a child process with time and memory bounds, whose start
  is part of each PDF's time.
* scans (with the ``ocr`` extra; ``--scanned`` alone skips the rest): nianbao's own PDF and
  the official PDF of the corpus, rasterised as tests/scans.py does — 150, 200, 300 dpi,
  turned ±1.5°, a red seal on the signature and a table's corner with JPEG q60 and grey
  noise, a 3 painted as 8 — each imported once in a fresh process: seconds a page (wall
  and CPU), peak memory of the whole process (engine and models included), figures
  confirmed, left empty, and wrong (must be 0).  The machine's load average is printed
  beside them: on a shared machine the wall time follows the load, CPU seconds less so.

Goals (issue 29), against the baseline render (bench/baseline_docx.py) timed in turn with the
imports (one render after each short run of them, medians of each: a baseline measured minutes
before took in the host's moves since): TXT and the HTML page ≥ 200× faster, DOCX ≥ 150×
(nianbao's own TXT and DOCX, the HTML fixture); each PDF ≤ 1.2× pdfplumber's own
``extract_text`` + ``extract_tables`` of every page of the same file in this process (the two
timed alternately, 16 rounds, medians).

    python bench/import.py [--rounds 50] [--baseline-ms MS] [--json] [--scanned | --no-scanned]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, alternated_ms, at_least, at_most, baseline_ms, baseline_render, emit, info, median_ms, say  # noqa: E402
from othertool import build as other_tool_docx  # noqa: E402

from nianbao.read.importer import import_bytes  # noqa: E402
from nianbao.read.load import load_file  # noqa: E402
from nianbao.render import docx as render_docx  # noqa: E402
from nianbao.render import txt as render_txt  # noqa: E402


def _round(files: list[tuple[Path, bytes]]) -> Callable[[], None]:
    def one_round() -> None:
        for path, data in files:  # the first, the warm call: label caches, templates
            import_bytes(data, path)

    return one_round


def rate(files: list[tuple[Path, bytes]], rounds: int, runs: int = 5) -> float:
    """Files imported per second on the wall clock: :func:`figures.median_ms` of a round over
    every file, the median of ``runs`` short runs sharing ``rounds``, as the baseline render is
    measured (one long run's mean took in every pause of the shared machine)."""
    return len(files) * 1000 / median_ms(_round(files), max(1, rounds // runs), runs)


def against_baseline(files: list[tuple[Path, bytes]], rounds: int, render: Callable[[], object], runs: int = 5) -> tuple[float, float]:
    """(ms a file imported, ms a baseline render), timed in turn: each of ``runs`` short runs
    of imports (sharing ``rounds``) followed by one baseline render, medians of each
    (:func:`figures.alternated_ms`), so that the ratio is of two figures of the same moments."""
    each, base = alternated_ms([(_round(files), max(1, rounds // runs)), (render, 1)], runs)
    return each / len(files), base


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
    render = baseline_render()
    out: list[Figure] = []
    for name, files in groups.items():
        if name in GOALS:  # its ratio from the baseline render timed in turn with it
            each, beside = against_baseline(files, rounds, render)
            label, goal = GOALS[name]
            out.append(at_least(f"{label} vs baseline render", beside / each, goal, "×", f"≥ {goal}×"))
            say(f"{name:32s} {1000 / each:7.1f} files/s ({each:.1f} ms each, {rounds * len(files)} imports; baseline render timed in turn {beside:.0f} ms / this = {beside / each:.0f}x)", quiet=quiet)
        else:
            each = 1000 / rate(files, rounds)
            out.append(info(f"import {name}", each, "ms"))
            say(f"{name:32s} {1000 / each:7.1f} files/s ({each:.1f} ms each, {rounds * len(files)} imports; baseline render / this = {base / each:.0f}x)", quiet=quiet)
    published = ROOT / "tests" / "data" / "published"
    for path in sorted(published.glob("20*.pdf")):
        ours, theirs = pdf_against_pdfplumber(path, path.read_bytes(), max(5, rounds // 3))  # 5 alternated rounds: 1.07–1.43× for one file in one hour; more narrow it (the machine's speed moves within a second)
        say(f"PDF {path.name:28s} {ours:7.1f} ms; pdfplumber extract_text + extract_tables {theirs:.1f} ms: {ours / theirs:.2f}x (goal: <= 1.2)", quiet=quiet)
        out.append(at_most(f"import PDF {path.stem} / pdfplumber", ours / theirs, 1.2, "×", "≤ 1.2×"))
    out.append(info("baseline render (python-docx)", base, "ms"))
    return out


_CHILD = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from scans import figures_of
from nianbao.read.importer import import_bytes, import_file
data = Path(sys.argv[1]).read_bytes()
start, cpu = time.perf_counter(), time.process_time()
imported = import_bytes(data, Path("scan.pdf"))
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
truth = json.loads(sys.argv[2])
got = figures_of(imported.spec, imported.data) if imported.spec else {}
wrong = sum(1 for k, v in truth if got.get(tuple(k)) is not None and str(got.get(tuple(k))) != v)
empty = sum(1 for k, v in truth if got.get(tuple(k)) is None)
print(json.dumps([wall, cpu, peak, len(truth) - empty, empty, wrong]))
"""


def scanned(quiet: bool = False) -> list[Figure]:
    """The scanned rows: one fresh process a scan (the engine's start is in its time); goals
    (issue 31): ≤ 10 s a page, ≤ 1.5 GB, no figure wrong."""
    import json
    import os
    import subprocess
    import tempfile

    from scans import CORPUS_PDF, Variant, as_pdf, figures_of, pages

    from nianbao.read.importer import import_file, ocr

    if not ocr.available():
        say('scanned rows: the ocr extra is not installed (pip install ".[ocr]")', quiet=quiet)
        return []
    own = ROOT / "tests" / "data" / "published" / "2023-青山镇.pdf"
    variants = [
        Variant(dpi=150), Variant(dpi=200), Variant(dpi=300),
        Variant(dpi=200, angle=1.5), Variant(dpi=200, angle=-1.5),
        Variant(dpi=200, angle=-1.5, seal=True, jpeg=60, noise=8),
        Variant(dpi=200, seal=True, jpeg=60, altered=("（一）予以公开", "3", "8")),
    ]
    sources = [(own, v) for v in variants]
    if CORPUS_PDF.is_file():
        sources += [(CORPUS_PDF, Variant(dpi=200, jpeg=75)), (CORPUS_PDF, Variant(dpi=300, angle=1.5, seal=True, jpeg=60, noise=8))]
    say(f"scanned (load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", quiet=quiet)
    out: list[Figure] = []
    say(f"{'scan':44s} {'s/page':>7s} {'CPU s/page':>10s} {'peak MB':>8s} {'read':>5s} {'empty':>5s} {'wrong':>5s}", quiet=quiet)
    for pdf, variant in sources:
        text = import_file(pdf)
        truth = [[list(k), str(v)] for k, v in figures_of(text.spec, text.data).items() if v is not None]
        pictures = pages(pdf, variant)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "scan.pdf"
            path.write_bytes(as_pdf(pictures, variant.dpi))
            done = subprocess.run([sys.executable, "-c", _CHILD, str(path), json.dumps(truth), str(ROOT / "tests")],
                                  capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "generator")})
        if done.returncode:
            say(f"{pdf.stem[:12]} {variant.name}: failed: {done.stderr.strip()[-300:]}", quiet=quiet)
            continue
        wall, cpu, peak, read, empty, wrong = json.loads(done.stdout.strip().splitlines()[-1])
        n = len(pictures)
        shown = f"{pdf.stem[:14]} {variant.name}"
        say(f"{shown:44s} {wall / n:7.1f} {cpu / n:10.1f} {peak:8.0f} {read:5d} {empty:5d} {wrong:5d}", quiet=quiet)
        out += [at_most(f"scan {shown}: s a page", wall / n, 10, "s"), at_most(f"scan {shown}: peak memory", peak, 1500, "MB"),
                at_most(f"scan {shown}: figures wrong", wrong, 0, "", "0")]
    say(f"(load average after: {os.getloadavg()[0]:.1f})", quiet=quiet)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--baseline-ms", type=float, help="the baseline render's time measured by the caller (bench/all.py), else measured here")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    parser.add_argument("--scanned", action=argparse.BooleanOptionalAction, default=None, help="only the scanned rows (--no-scanned: none of them)")
    args = parser.parse_args()
    found = [] if args.scanned else figures(args.rounds, args.baseline_ms, args.json)
    if args.scanned is not False:
        found += scanned(args.json)
    if args.json:
        emit(found)


if __name__ == "__main__":
    main()
