"""Issue 23's speed goals, figures printed from one run (not a timed test):

- ``nianbao compare`` of two report files: pairs per second, in-process (both inputs loaded and
  checked, compared, the page or workbook drawn), on the wall clock and per CPU second (the
  steadier figure on a machine others share); goal ≥ 50 pairs/s for the page.
- ``nianbao overview`` of 300 units: seconds to read the files and draw the page (and the
  workbook), without and with last year's reports; goal ≤ 3 s.
- ``nianbao compare 去年/ 今年/ -o 比对/`` of 300 units (issue 27): the whole command from the
  shell, every file read and checked, a page per pair and the index written — pairs per
  second on the wall clock and per CPU second (the command and its readers' processes).

Issue 27's copying between units:

- copying between 300 units of one year (:func:`nianbao.compare.copying.nearest`, each unit's
  highest text rate against any other): seconds, on reports already loaded; goal ≤ 3 s.  Two
  counties: every unit on one template (the example's narratives: every run shared by all, the
  worst case), and every unit with text of its own, one in ten copying a neighbour's 总体情况.

    python bench/compare.py [--units 300] [--seconds 5] [--only pairs|folders|copying|overview] [--json]
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from figures import Figure, at_least, at_most, emit, info, say

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))  # the checkout's package, installed or not
sys.path.insert(0, str(ROOT / "tests"))  # the generated county of the overview's tests
sys.path.insert(0, str(Path(__file__).resolve().parent))
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"


def one(last: Path, this: Path, kind: str = "html") -> bytes:
    """One comparison, drawn: the bytes ``nianbao compare LAST THIS -o x.{kind}`` writes.  The
    rates' caches are emptied first, so that each pair is timed as if it were new."""
    from nianbao.check import repetition as rates
    from nianbao.compare.pair import Side, compare
    from nianbao.read.sources import load_checked

    for value in vars(rates).values():
        if isinstance(value, functools._lru_cache_wrapper):
            value.cache_clear()
    sides = []
    for path in (last, this):
        loaded, findings = load_checked(path)
        assert loaded.report is not None, path
        sides.append(Side(path, loaded.report, findings))
    comparison = compare(*sides)
    if kind == "xlsx":
        from nianbao.compare.sheet import build

        return build(comparison)
    from nianbao.compare.page import render

    return render(comparison)


def pairs_per_second(last: Path, this: Path, kind: str, seconds: float, clock: Callable[[], float] = time.perf_counter) -> float:
    one(last, this, kind)  # templates warmed, as in a batch
    done, start = 0, clock()
    while clock() - start < seconds:
        one(last, this, kind)
        done += 1
    return done / (clock() - start)


def folder_pairs(units: int) -> tuple[float, float, int]:
    """(pairs per second on the wall clock, per CPU second, pages written) of ``nianbao compare``
    over two generated folders of ``units`` units each (last year's from another seed: their
    carry-overs differ, as a county's do when made up)."""
    import os
    import subprocess

    try:
        import resource  # CPU seconds of the command and its workers (not on Windows: wall clock only there)
    except ImportError:
        resource = None  # type: ignore[assignment]

    from overview_county import make_county

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_county(root / "2023", units)
        make_county(root / "2022", units, year=2022, seed=1)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "generator")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "nianbao", "compare", str(root / "2022"), str(root / "2023"), "-o", str(root / "比对")],
                              capture_output=True, env=env)
        wall = time.perf_counter() - start
        assert done.returncode in (0, 1), done.stderr.decode("utf-8", "replace")
        cpu = float("nan")
        if resource and before:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        pages = len(list((root / "比对").glob("*.html"))) - 1
        return units / wall, units / cpu, pages


def time_copying(count: int, *, own: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of :func:`nianbao.compare.copying.nearest` over ``count`` generated
    units' reports (loaded first, not timed); the median of three runs."""
    import random
    import statistics

    from overview_county import dump, unit_data

    from nianbao.compare.copying import nearest
    from nianbao.read.load import load_text

    words = "政府信息公开工作坚持以人民为中心全面贯彻落实条例要求规范办理流程加强平台建设提升质量实效群众满意度评议专题栏目审核脱敏培训考核监督保障民生资金"
    reports = []
    neighbour: dict = {}
    for i in range(count):
        data = unit_data(i)
        if own:
            rng = random.Random(i)
            for key in data["overview"]:
                data["overview"][key] = "".join(rng.choice(words) for _ in range(300))
            data["problems"] = "".join(rng.choice(words) for _ in range(300))
            if i % 10 == 9:  # one in ten takes its neighbour's 总体情况 word for word
                data["overview"] = dict(neighbour)
            neighbour = dict(data["overview"])
        reports.append(load_text(dump(data)).report)
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        nearest(reports)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--only", choices=("pairs", "folders", "copying", "overview"))
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    args = parser.parse_args()
    quiet = args.json
    found: list[Figure] = []
    if args.only in (None, "pairs"):
        found += single_pairs(args.seconds, quiet)
    if args.only in (None, "folders"):
        wall, cpu, pages = folder_pairs(args.units)
        say(f"compare of two folders, {args.units} units: {wall:.1f} pairs/s on the wall clock, {cpu:.1f} pairs per CPU second ({pages} pages and the index)", quiet=quiet)
        found.append(info(f"compare of two folders, {args.units} units", wall, "pairs/s"))
    if args.only in (None, "copying"):
        for kind in ("one template", "texts of their own"):
            wall, cpu = time_copying(args.units, own=kind != "one template")
            say(f"copying between {args.units} units ({kind}): {wall:.2f} s on the wall clock, CPU {cpu:.2f} s (goal 3 s: ratio {wall / 3:.2f})", quiet=quiet)
            found.append(at_most(f"copying between {args.units} units ({kind})", wall, 3.0, "s"))
    if args.only in (None, "overview"):
        found += overviews(args.units, quiet)
    if args.json:
        emit(found)


def single_pairs(seconds: float, quiet: bool = False) -> list[Figure]:
    text = EXAMPLE.read_text(encoding="utf-8")
    last_year = text.replace("year: 2023", "year: 2022", 1).replace("date: 2024-", "date: 2023-")
    found = []
    with tempfile.TemporaryDirectory() as folder:
        last = Path(folder) / "2022.yaml"
        last.write_text(last_year, encoding="utf-8")
        for kind, goal in (("html", 50.0), ("xlsx", None)):
            wall = pairs_per_second(last, EXAMPLE, kind, seconds)
            cpu = pairs_per_second(last, EXAMPLE, kind, seconds, clock=time.process_time)
            ratio = f"; per CPU second / goal {goal:.0f} = {cpu / goal:.2f}" if goal else ""
            say(f"compare → .{kind}: {wall:.1f} pairs/s on the wall clock, {cpu:.1f} pairs per CPU second{ratio}", quiet=quiet)
            if goal:
                found.append(at_least(f"compare → .{kind}, per CPU second", cpu, goal, "pairs/s"))
                found.append(info(f"compare → .{kind}, wall clock", wall, "pairs/s"))
            else:
                found.append(info(f"compare → .{kind}, per CPU second", cpu, "pairs/s"))
    return found


def overviews(units: int, quiet: bool = False) -> list[Figure]:
    from overview_county import time_overview

    found = []
    for previous in (False, True):
        t = time_overview(units, previous=previous)
        label = "with --previous" if previous else "this year only"
        say(f"overview of {units} units, {label}: read {t['gather_s']:.2f} s + page {t['html_s']:.2f} s = {t['total_html_s']:.2f} s "
            f"(CPU {t['total_html_cpu_s']:.2f} s; goal 3 s: ratio {t['total_html_s'] / 3:.2f}); workbook {t['xlsx_s']:.2f} s; "
            f"page {t['html_kb']:.0f} KB, workbook {t['xlsx_kb']:.0f} KB", quiet=quiet)
        found.append(at_most(f"overview of {units} units, {label}", t["total_html_s"], 3.0, "s"))
    return found


if __name__ == "__main__":
    main()
