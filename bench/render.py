"""Rendering speed, one core, report loaded once:

* DOCX over 200 renders, and in the same run the baseline (bench/baseline_docx.py:
  python-docx building the same document from scratch), with the ratio;
* TXT, the HTML page and the paste fragment over 200 renders (goal: HTML >= 500/s);
* PDF in a batch of 20 units with --jobs 2 (one LibreOffice process per job), when
  LibreOffice is installed: reports/s end to end, conversion included.

    python bench/render.py [--renders 200] [--baseline-renders 50] [--pdf-units 20]
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

from nianbao.read.load import load_file  # noqa: E402
from nianbao.render import docx as render_docx  # noqa: E402
from nianbao.render import html as render_html  # noqa: E402
from nianbao.render import office  # noqa: E402
from nianbao.render import txt as render_txt  # noqa: E402


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
    parser.add_argument("--pdf-units", type=int, default=20)
    args = parser.parse_args()
    report = load_file(ROOT / "examples" / "2023-青山镇.yaml").report
    ours, size = rate(render_docx.render, report, args.renders)
    txt, _ = rate(render_txt.render, report, args.renders)
    page, page_size = rate(render_html.render, report, args.renders)
    fragment, _ = rate(render_html.render_fragment, report, args.renders)
    base, base_size = rate(baseline, report, args.baseline_renders)
    print(f"nianbao DOCX: {ours:.0f} reports/s over {args.renders} renders ({1000 / ours:.2f} ms each, {size // 1024} KiB)")
    print(f"nianbao TXT:  {txt:.0f} reports/s over {args.renders} renders ({1000 / txt:.2f} ms each)")
    print(f"nianbao HTML page: {page:.0f} reports/s ({1000 / page:.2f} ms each, {page_size // 1024} KiB; goal >= 500/s); fragment: {fragment:.0f} reports/s")
    print(f"baseline python-docx from scratch: {base:.1f} reports/s over {args.baseline_renders} renders ({1000 / base:.0f} ms each, {base_size // 1024} KiB)")
    print(f"ratio DOCX nianbao / baseline: {ours / base:.0f}x (goal: >= 50x)")
    if office.soffice() is None:
        print("PDF: LibreOffice is not installed, not measured")
    else:
        pdf_batch(args.pdf_units)


def pdf_batch(units: int) -> None:
    """``nianbao batch --to pdf --jobs 2`` over ``units`` copies of the example, timed whole."""
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in"
        source.mkdir()
        text = (ROOT / "examples" / "2023-青山镇.yaml").read_text(encoding="utf-8")
        for n in range(units):
            (source / f"{n}.yaml").write_text(text.replace("青山镇人民政府", f"青山{n}镇人民政府"), encoding="utf-8")
        exe = shutil.which("nianbao") or str(Path(sys.executable).with_name("nianbao"))
        start = time.perf_counter()
        subprocess.run([exe, "batch", str(source), "-o", str(Path(folder) / "out"), "--to", "pdf", "--jobs", "2"], check=True, capture_output=True)
        seconds = time.perf_counter() - start
        made = len(list((Path(folder) / "out").glob("*.pdf")))
    print(f"PDF in batch, --jobs 2: {made} reports in {seconds:.1f} s = {made / seconds:.1f} reports/s (one LibreOffice per job)")


if __name__ == "__main__":
    main()
