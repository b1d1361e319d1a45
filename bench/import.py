"""Import speed: files imported per second (read, tables and narratives, findings), one
core, files in memory so that the disk is not measured.

* TXT and DOCX that nianbao rendered from the two bundled examples;
* the five published seeds (../shared/seeds, when present), which are TXT;
* the DOCX laid out by another tool (tests/othertool.py) and the HTML fixture;
* the real reports of ../shared/corpus (web copy, page excerpt, OCR markdown), when present;
* PDFs: nianbao's own, and another office's with and without ruling lines (the committed
  fixtures).  A PDF is read in a child process with time and memory bounds, whose start
  is part of each PDF's time.

    python bench/import.py [--rounds 50]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
