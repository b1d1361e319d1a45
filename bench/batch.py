"""Batch speed and memory, end to end: every unit checked, rendered to DOCX and TXT, and
written, for 60 and 600 generated units, with ``--jobs 1`` and ``--jobs 2``; and in the
same run a naive baseline (a loop calling a plain python-docx script per report, the
script of bench/render.py's baseline, plus the TXT), with the ratio.

Each measurement runs in a fresh process, so its peak memory (the parent's and the
largest worker's resident set) is its own.  The baseline takes about a second a report,
so it is measured on a sample (``--baseline-units``); reports per second do not depend
on the count.

    python bench/batch.py [--baseline-units 20]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-units", type=int, default=20)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, units, count, jobs, out = args.child
        function = child_ours if kind == "ours" else child_baseline
        print(json.dumps(function(Path(units), int(count), int(jobs), Path(out))))
        return

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        units = scratch / "units"
        units.mkdir()
        make_units(units, 600)
        ours = {(n, j): measure("ours", units, n, j, scratch) for n in (60, 600) for j in (1, 2)}
        base = {j: measure("baseline", units, args.baseline_units, j, scratch) for j in (1, 2)}

    print("end to end per unit: load, check, DOCX, TXT, write")
    for (n, j), r in ours.items():
        parent, worker = r["peak"]
        print(f"nianbao batch  {n:4d} units --jobs {j}: {r['rate']:6.1f} reports/s ({r['seconds']:.2f} s); peak RSS parent {parent / 1024:.0f} MiB, largest worker {worker / 1024:.0f} MiB")
    for j, r in base.items():
        print(f"baseline       {args.baseline_units:4d} units --jobs {j}: {r['rate']:6.2f} reports/s ({r['seconds']:.1f} s)")
    for j in (1, 2):
        print(f"ratio --jobs {j}: nianbao {ours[(600, j)]['rate']:.1f} / baseline {base[j]['rate']:.2f} = {ours[(600, j)]['rate'] / base[j]['rate']:.0f}x (goal with 2 jobs: >= 50x)")
    p60, p600 = ours[(60, 2)]["peak"][0], ours[(600, 2)]["peak"][0]
    print(f"peak parent memory, --jobs 2: 60 units {p60 / 1024:.0f} MiB, 600 units {p600 / 1024:.0f} MiB (ratio {p600 / p60:.2f}; flat means streaming)")


if __name__ == "__main__":
    main()
