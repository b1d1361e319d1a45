"""Batch speed and memory, end to end: every unit checked, rendered to DOCX and TXT, and
written, for 60 and 600 generated units, with ``--jobs 1`` and ``--jobs 2``; and in the
same run a naive baseline (a loop calling a plain python-docx script per report, the
script of bench/render.py's baseline, plus the TXT), with the ratio.

Each measurement runs in a fresh process, so its peak memory (the parent's and the
largest worker's resident set) is its own.  The baseline takes about a second a report,
so it is measured on a sample (``--baseline-units``); reports per second do not depend
on the count.  Goals (issue 29): with 2 jobs ≥ 50× the baseline's reports per second with 2
jobs; memory flat from the small count to the large (peak RSS of the parent and of the
largest worker at 600 units ≤ 1.25× that at 60).

    python bench/batch.py [--baseline-units 20] [--units 60,600] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import Figure, at_least, at_most, emit, info, say  # noqa: E402

FLAT = 1.25  # peak memory at the large count / at the small: at most this is flat


def make_units(folder: Path, count: int) -> None:
    """``count`` distinct, valid units from the bundled 2023 example."""
    text = (ROOT / "examples" / "2023-青山镇.yaml").read_text(encoding="utf-8")
    for i in range(count):
        unit = text.replace("name: 青山镇人民政府", f"name: 第{i + 1:03d}号镇人民政府").replace("licensing: 12", f"licensing: {i % 50}")
        (folder / f"unit{i + 1:03d}.yaml").write_text(unit, encoding="utf-8")


def _peak_kib() -> tuple[int, int]:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def child_ours(units: Path, count: int, jobs: int, out: Path) -> dict:
    from nianbao.county import batch
    from nianbao.county import rules as county

    sources = county.collect([units])[:count]
    start = time.perf_counter()
    outcomes, _ = batch.run(sources, out, jobs=jobs)
    seconds = time.perf_counter() - start
    assert all(o.ok for o in outcomes)
    return {"seconds": seconds, "peak": _peak_kib()}


def _baseline_one(args: tuple[Path, Path]) -> None:
    from baseline_docx import render as baseline_docx

    from nianbao.check.rules import check
    from nianbao.read.load import load_file
    from nianbao.render import txt as render_txt

    source, out = args
    report = load_file(source).report
    check(report)
    (out / f"{report.title}.docx").write_bytes(baseline_docx(report))
    (out / f"{report.title}.txt").write_bytes(render_txt.render(report))


def child_baseline(units: Path, count: int, jobs: int, out: Path) -> dict:
    from multiprocessing import Pool

    sources = sorted(units.glob("*.yaml"))[:count]
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if jobs == 1:
        for source in sources:
            _baseline_one((source, out))
    else:
        with Pool(jobs) as pool:
            pool.map(_baseline_one, [(s, out) for s in sources])
    return {"seconds": time.perf_counter() - start, "peak": _peak_kib()}


def measure(kind: str, units: Path, count: int, jobs: int, scratch: Path) -> dict:
    out = scratch / f"{kind}-{count}-{jobs}"
    command = [sys.executable, __file__, "--child", kind, str(units), str(count), str(jobs), str(out)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    result["rate"] = count / result["seconds"]
    return result


def figures(baseline_units: int, counts: tuple[int, int], quiet: bool) -> list[Figure]:
    small, large = counts
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        units = scratch / "units"
        units.mkdir()
        make_units(units, large)
        ours = {(n, j): measure("ours", units, n, j, scratch) for n in counts for j in (1, 2)}
        base = {j: measure("baseline", units, baseline_units, j, scratch) for j in (1, 2)}

    say("end to end per unit: load, check, DOCX, TXT, write", quiet=quiet)
    for (n, j), r in ours.items():
        parent, worker = r["peak"]
        say(f"nianbao batch  {n:4d} units --jobs {j}: {r['rate']:6.1f} reports/s ({r['seconds']:.2f} s); peak RSS parent {parent / 1024:.0f} MiB, largest worker {worker / 1024:.0f} MiB", quiet=quiet)
    for j, r in base.items():
        say(f"baseline       {baseline_units:4d} units --jobs {j}: {r['rate']:6.2f} reports/s ({r['seconds']:.1f} s)", quiet=quiet)
    for j in (1, 2):
        say(f"ratio --jobs {j}: nianbao {ours[(large, j)]['rate']:.1f} / baseline {base[j]['rate']:.2f} = {ours[(large, j)]['rate'] / base[j]['rate']:.0f}x (goal with 2 jobs: >= 50x)", quiet=quiet)
    (p_small, w_small), (p_large, w_large) = ours[(small, 2)]["peak"], ours[(large, 2)]["peak"]
    say(f"peak memory, --jobs 2: parent {p_small / 1024:.0f} MiB at {small} units, {p_large / 1024:.0f} MiB at {large} (ratio {p_large / p_small:.2f}); "
        f"largest worker {w_small / 1024:.0f} → {w_large / 1024:.0f} MiB (ratio {w_large / w_small:.2f}); flat means <= {FLAT}", quiet=quiet)
    return [
        at_least(f"batch {large} units, 2 jobs, vs naive loop", ours[(large, 2)]["rate"] / base[2]["rate"], 50, "×", "≥ 50×"),
        info(f"batch {large} units, 2 jobs", ours[(large, 2)]["rate"], "reports/s"),
        info(f"batch {large} units, 1 job", ours[(large, 1)]["rate"], "reports/s"),
        info("naive python-docx loop, 2 jobs", base[2]["rate"], "reports/s"),
        at_most(f"batch peak memory, parent, {large} / {small} units", p_large / p_small, FLAT, "×", f"flat (≤ {FLAT}×)"),
        at_most(f"batch peak memory, worker, {large} / {small} units", w_large / w_small, FLAT, "×", f"flat (≤ {FLAT}×)"),
        info(f"batch peak memory, parent, {large} units", p_large / 1024, "MiB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-units", type=int, default=20)
    parser.add_argument("--units", default="60,600", help="the small and the large count, e.g. 60,600")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, units, count, jobs, out = args.child
        function = child_ours if kind == "ours" else child_baseline
        print(json.dumps(function(Path(units), int(count), int(jobs), Path(out))))
        return
    small, large = (int(n) for n in args.units.split(","))
    found = figures(args.baseline_units, (small, large), args.json)
    if args.json:
        emit(found)


if __name__ == "__main__":
    main()
