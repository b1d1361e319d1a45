"""Import speed: files imported per second (read, tables and narratives, findings), one
core, files in memory so that the disk is not measured.

* TXT and DOCX that nianbao rendered from the two bundled examples;
* the five published seeds (../shared/seeds, when present), which are TXT;
* the DOCX laid out by another tool (tests/othertool.py) and the HTML fixture.

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

from nianbao import render_docx, render_txt  # noqa: E402
from nianbao.importer import import_bytes  # noqa: E402
from nianbao.load import load_file  # noqa: E402


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
    for name, files in groups.items():
        per_second = rate(files, args.rounds)
        print(f"{name:28s} {per_second:6.0f} files/s ({1000 / per_second:.1f} ms each, {args.rounds * len(files)} imports)")


if __name__ == "__main__":
    main()
