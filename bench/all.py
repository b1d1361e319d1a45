"""Every bench in one run, and one table: each figure, its goal, the ratio, met or not.

The baseline render (bench/baseline_docx.py: python-docx building the 2023 example from
scratch) is timed once, first, and handed to every bench whose goal is a multiple of it
(import, check, render), so that the ratios of a run share one yardstick.  Each bench runs
in a process of its own (``python bench/NAME.py --json``), which prints its prose on
stderr, as it goes, and its figures as JSON on stdout.  The table is Markdown, so that the
README's can be copied from it.  Not a timed test: a figure measured on a loaded machine
is a figure of that machine; the load average is printed with the table.

    python bench/all.py [--quick] [--only import,render,...]

``--quick`` is a short pass (a few minutes: fewer rounds, smaller counts, the site at 60
units for 15 s, no PDF batch); the full pass takes several more (the site at 300 units for
60 s, batch at 60 and 600 units with the naive loop on 20).  Exit status 0 when every goal
is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from figures import baseline_ms  # noqa: E402

# name → (arguments of the full pass, of the quick pass, whether it takes the baseline)
BENCHES: dict[str, tuple[list[str], list[str], bool]] = {
    "import": (["--rounds", "50"], ["--rounds", "5", "--no-scanned"], True),  # the full pass has the scanned rows (with the ocr extra)
    "check": ([], ["--seconds", "1", "--repeats", "5"], True),
    "render": ([], ["--renders", "90", "--pdf-units", "0"], True),
    "batch": ([], ["--baseline-units", "4", "--units", "30,300"], False),
    "compare": ([], ["--units", "60", "--seconds", "1"], False),
    "serve": (["--units", "300", "--seconds", "60"], ["--units", "60", "--seconds", "15"], False),
    "hostile": ([], [], False),
}


def run(name: str, args: list[str]) -> tuple[list[dict], float]:
    """The bench's figures and its seconds; a bench that gives none is one failed row.  The
    files the benches before it wrote are flushed to disk first: the site's save waits for
    its commit's fsync, which otherwise paid for hundreds of megabytes of another bench's
    pages still in the cache (p95 511 ms after compare, 43 ms alone)."""
    if hasattr(os, "sync"):  # not on Windows, whose cache the next bench shares as it is
        os.sync()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *args, "--json"], stdout=subprocess.PIPE, stderr=None, cwd=HERE.parent)
    seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.startswith("[")]
    if not lines:
        return [{"name": f"bench/{name}.py ran (exit {done.returncode})", "value": 0, "unit": "", "goal": "runs", "ratio": None, "met": False}], seconds
    return json.loads(lines[-1]), seconds


def shown(value: float, unit: str) -> str:
    if value == int(value) and abs(value) < 1e6 and unit not in ("×", "x"):
        return f"{int(value)} {unit}".strip()
    if unit in ("×", "x"):
        return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"
    text = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip()


def table(rows: list[tuple[str, dict]]) -> str:
    out = ["| bench | figure | value | goal | ratio | met |", "|---|---|---|---|---|---|"]
    for bench, row in rows:
        ratio = "" if row.get("ratio") is None else f"{row['ratio']:.2f}"
        met = {True: "yes", False: "**NO**", None: ""}[row.get("met")]
        out.append(f"| {bench} | {row['name']} | {shown(row['value'], row['unit'])} | {row.get('goal', '')} | {ratio} | {met} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short pass: fewer rounds, smaller counts")
    parser.add_argument("--only", help=f"some of the benches, comma-separated: {','.join(BENCHES)}")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown bench: {', '.join(unknown)}")
    started = time.perf_counter()
    base = None
    if any(BENCHES[n][2] for n in names):
        base = baseline_ms(count=3 if args.quick else 5, repeats=1 if args.quick else 3)
        print(f"baseline render (python-docx, bench/baseline_docx.py): {base:.0f} ms", file=sys.stderr, flush=True)
    rows: list[tuple[str, dict]] = []
    took: dict[str, float] = {}
    for name in names:
        full, quick, takes_baseline = BENCHES[name]
        extra = (quick if args.quick else full) + (["--baseline-ms", f"{base:.3f}"] if takes_baseline and base is not None else [])
        print(f"== bench/{name}.py {' '.join(extra)}", file=sys.stderr, flush=True)
        figures, took[name] = run(name, extra)
        rows += [(name, row) for row in figures]
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print()
    print(f"bench/all.py{' --quick' if args.quick else ''}: {os.cpu_count()} CPUs"
          + (f", load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)" if load else "")
          + (f"; baseline render {base:.0f} ms" if base is not None else "")
          + f"; {time.perf_counter() - started:.0f} s in all ({', '.join(f'{n} {s:.0f} s' for n, s in took.items())})")
    print()
    print(table(rows))
    goals = [row for _, row in rows if row.get("met") is not None]
    missed = [row for row in goals if not row["met"]]
    print()
    print(f"{len(goals) - len(missed)} of {len(goals)} goals met" + (f"; missed: {'; '.join(r['name'] for r in missed)}" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
