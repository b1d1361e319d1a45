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

    python bench/import.py [--rounds 50] [--scanned | --no-scanned]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

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


def scanned() -> None:
    """The scanned rows: one fresh process a scan (the engine's start is in its time)."""
    import json
    import os
    import subprocess
    import tempfile

    from scans import CORPUS_PDF, Variant, as_pdf, figures_of, pages

    from nianbao.read.importer import import_file, ocr

    if not ocr.available():
        print('scanned rows: the ocr extra is not installed (pip install ".[ocr]")')
        return
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
    print(f"scanned (load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'scan':44s} {'s/page':>7s} {'CPU s/page':>10s} {'peak MB':>8s} {'read':>5s} {'empty':>5s} {'wrong':>5s}")
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
            print(f"{pdf.stem[:12]} {variant.name}: failed: {done.stderr.strip()[-300:]}")
            continue
        wall, cpu, peak, read, empty, wrong = json.loads(done.stdout.strip().splitlines()[-1])
        n = len(pictures)
        print(f"{pdf.stem[:14] + ' ' + variant.name:44s} {wall / n:7.1f} {cpu / n:10.1f} {peak:8.0f} {read:5d} {empty:5d} {wrong:5d}")
    print(f"(load average after: {os.getloadavg()[0]:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--scanned", action=argparse.BooleanOptionalAction, default=None, help="only the scanned rows (--no-scanned: none of them)")
    args = parser.parse_args()
    if args.scanned:
        scanned()
        return
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
    published = ROOT / "tests" / "data" / "published"
    groups["PDF (own, other ruled/unruled)"] = [(p, p.read_bytes()) for p in sorted(published.glob("20*.pdf"))]
    for name, files in groups.items():
        rounds = max(1, args.rounds // 10) if name.startswith("PDF") else args.rounds
        per_second = rate(files, rounds)
        print(f"{name:32s} {per_second:7.1f} files/s ({1000 / per_second:.1f} ms each, {rounds * len(files)} imports)")
    if args.scanned is None:
        scanned()


if __name__ == "__main__":
    main()
