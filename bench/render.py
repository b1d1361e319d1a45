"""Rendering speed, one core, report loaded once (medians of 5 runs each):

* DOCX (CPU time), against its floor measured in the same run — the least a DOCX of this report can
  cost: its word/document.xml deflated (zlib's default level, as zipfile writes it) and
  written into a zip whose other parts are copied as they are, compressed bytes and all
  (an archive of them prepared beforehand, appended to) — goal ≤ 3× the floor; and against
  the baseline (bench/baseline_docx.py: python-docx building the same document from
  scratch), goal ≥ 50×;
* TXT, the HTML page (goal ≥ 500/s) and the paste fragment, in CPU time;
* PDF in a batch of 20 units with --jobs 2 (one LibreOffice process per job), when
  LibreOffice is installed: reports/s end to end, conversion included.

    python bench/render.py [--renders 200] [--baseline-ms MS] [--pdf-units 20] [--json]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, at_least, at_most, baseline_ms, emit, info, median_ms, say  # noqa: E402

from nianbao.read.load import load_file  # noqa: E402
from nianbao.render import docx as render_docx  # noqa: E402
from nianbao.render import html as render_html  # noqa: E402
from nianbao.render import office  # noqa: E402
from nianbao.render import txt as render_txt  # noqa: E402
from nianbao.system.output import zip_entry  # noqa: E402

DOCUMENT = "word/document.xml"


def floor(docx: bytes):
    """The floor of ``docx`` as a function to time (see above): only word/document.xml is
    compressed; every other part is copied as the reference's prepared zip holds it."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        xml = source.read(DOCUMENT)
        others = io.BytesIO()
        with zipfile.ZipFile(others, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in source.infolist():
                if entry.filename != DOCUMENT:
                    target.writestr(zip_entry(entry.filename), source.read(entry))
    head = others.getvalue()

    def write() -> bytes:
        out = io.BytesIO(head)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
            target.writestr(zip_entry(DOCUMENT), xml)
        return out.getvalue()

    return write


def figures(renders: int, baseline: float | None, pdf_units: int, quiet: bool) -> list[Figure]:
    report = load_file(ROOT / "examples" / "2023-青山镇.yaml").report
    docx = render_docx.render(report)
    write_floor = floor(docx)
    # CPU time, alternated, so that the machine's load falls on both alike
    ours, least = [], []
    for _ in range(9):
        ours.append(median_ms(lambda: render_docx.render(report), max(1, renders // 9), 1, time.process_time))
        least.append(median_ms(write_floor, max(1, renders // 9), 1, time.process_time))
    ours_ms, floor_ms = statistics.median(ours), statistics.median(least)
    wall = median_ms(lambda: render_docx.render(report), max(1, renders // 5))  # beside the baseline, which is on the wall clock
    txt = median_ms(lambda: render_txt.render(report), max(1, renders // 5), clock=time.process_time)
    page = median_ms(lambda: render_html.render(report), max(1, renders // 5), clock=time.process_time)
    fragment = median_ms(lambda: render_html.render_fragment(report), max(1, renders // 5), clock=time.process_time)
    base = baseline if baseline is not None else baseline_ms()
    say(f"nianbao DOCX: {ours_ms:.2f} ms of CPU a report ({len(docx) // 1024} KiB); floor (deflate word/document.xml, copy the other parts): {floor_ms:.2f} ms; "
        f"DOCX / floor = {ours_ms / floor_ms:.2f} (goal: <= 3)", quiet=quiet)
    say(f"nianbao TXT:  {txt:.2f} ms of CPU a report ({1000 / txt:.0f}/s)", quiet=quiet)
    say(f"nianbao HTML page: {page:.2f} ms of CPU ({1000 / page:.0f}/s; goal >= 500/s); fragment: {fragment:.2f} ms ({1000 / fragment:.0f}/s)", quiet=quiet)
    say(f"baseline python-docx from scratch: {base:.0f} ms a report", quiet=quiet)
    say(f"ratio DOCX nianbao / baseline (wall clock, {wall:.2f} ms): {base / wall:.0f}x faster (goal: >= 50x)", quiet=quiet)
    out = [
        at_most("DOCX render / its floor", ours_ms / floor_ms, 3, "×", "≤ 3× floor"),
        info("DOCX render, CPU", ours_ms, "ms"),
        info("DOCX floor (deflate document.xml, copy the rest), CPU", floor_ms, "ms"),
        at_least("DOCX render vs baseline render", base / wall, 50, "×", "≥ 50× faster"),
        info("TXT render, CPU", txt, "ms"),
        at_least("HTML page render, per CPU second", 1000 / page, 500, "/s"),
        info("HTML fragment render, per CPU second", 1000 / fragment, "/s"),
    ]
    if pdf_units:
        if office.soffice() is None:
            say("PDF: LibreOffice is not installed, not measured", quiet=quiet)
        else:
            rate = pdf_batch(pdf_units, quiet)
            out.append(info(f"PDF in batch, {pdf_units} units, --jobs 2", rate, "reports/s"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--baseline-ms", type=float, help="the baseline render's time measured by the caller (bench/all.py), else measured here")
    parser.add_argument("--pdf-units", type=int, default=20, help="0: no PDF batch")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    args = parser.parse_args()
    found = figures(args.renders, args.baseline_ms, args.pdf_units, args.json)
    if args.json:
        emit(found)


def pdf_batch(units: int, quiet: bool = False) -> float:
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
    say(f"PDF in batch, --jobs 2: {made} reports in {seconds:.1f} s = {made / seconds:.1f} reports/s (one LibreOffice per job)", quiet=quiet)
    return made / seconds


if __name__ == "__main__":
    main()
