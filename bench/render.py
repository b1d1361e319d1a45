"""DOCX rendering speed: nianbao's renderer over 200 renders of the same report, and in
the same run the baseline (bench/baseline_docx.py: python-docx building the same
document from scratch), with the ratio.  One core, report loaded once.

    python bench/render.py [--renders 200] [--baseline-renders 50]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_docx import render as baseline  # noqa: E402

from nianbao.render import docx as render_docx, txt as render_txt  # noqa: E402
from nianbao.load import load_file  # noqa: E402


def rate(function, report, count: int) -> tuple[float, int]:
    function(report)  # warm: templates parsed, reference package zipped
    start = time.perf_counter()
    size = 0
    for _ in range(count):
        size = len(function(report))
    return count / (time.perf_counter() - start), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--baseline-renders", type=int, default=50)
    args = parser.parse_args()
    report = load_file(ROOT / "examples" / "2023-青山镇.yaml").report
    ours, size = rate(render_docx.render, report, args.renders)
    txt, _ = rate(render_txt.render, report, args.renders)
    base, base_size = rate(baseline, report, args.baseline_renders)
    print(f"nianbao DOCX: {ours:.0f} reports/s over {args.renders} renders ({1000 / ours:.2f} ms each, {size // 1024} KiB)")
    print(f"nianbao TXT:  {txt:.0f} reports/s over {args.renders} renders ({1000 / txt:.2f} ms each)")
    print(f"baseline python-docx from scratch: {base:.1f} reports/s over {args.baseline_renders} renders ({1000 / base:.0f} ms each, {base_size // 1024} KiB)")
    print(f"ratio DOCX nianbao / baseline: {ours / base:.0f}x (goal: >= 50x)")


if __name__ == "__main__":
    main()
