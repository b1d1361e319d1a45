"""How fast `check` is: a report file loaded and checked in-process, against the baseline
render (bench/baseline_docx.py; goal, issue 29: in ≤ 1/600 of its time), and the wall time
of one `nianbao check` from the shell (start-up included) side by side with the yardstick
`python -c "import click, pydantic, ruamel.yaml"`, interleaved in one run, with the ratio
of their medians (goal: ≤ 1.2); with valgrind on the machine, the instructions of one run of each
(callgrind), which the load does not move.

    python bench/check.py [--seconds 3] [--repeats 15] [--baseline-ms MS] [--json]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))  # the checkout's package, installed or not
sys.path.insert(0, str(Path(__file__).resolve().parent))
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"

from figures import Figure, at_least, at_most, baseline_ms, emit, info, median_ms, say  # noqa: E402


def in_process(seconds: float, runs: int = 9) -> tuple[int, float]:
    """(reports loaded and checked, ms each): :func:`figures.median_ms`, the median of ``runs``
    short runs sharing about ``seconds``, as the baseline render beside it is measured — one
    long run's mean took in every pause the shared machine made, and moved by a third between
    two runs of the same code (1.16 → 1.55 ms)."""
    from nianbao.check.rules import check
    from nianbao.read.load import load_bytes

    data = EXAMPLE.read_bytes()

    def one() -> None:
        loaded = load_bytes(data)
        assert loaded.report is not None and not check(loaded.report)

    start = time.perf_counter()
    for _ in range(20):  # warm the model cache, as a long-running batch would be, and see how long one takes
        one()
    count = max(1, round(seconds / runs / ((time.perf_counter() - start) / 20)))
    return count * runs, median_ms(one, count, runs)


def from_shell(repeats: int) -> tuple[list[float], list[float]]:
    """(nianbao check, the yardstick), run alternately so that the machine's load hits both."""
    import compileall

    import nianbao

    # pip compiles an installed package to bytecode, as it did the yardstick's libraries; a
    # checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile nianbao at every start
    compileall.compile_dir(Path(nianbao.__file__).parent, quiet=1)
    command, yardstick = _commands()
    ours, theirs = [], []
    for _ in range(repeats):
        for run, times in ((command, ours), (yardstick, theirs)):
            start = time.perf_counter()
            result = subprocess.run(run, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
            assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return ours, theirs


def instructions(command: list[str]) -> int | None:
    """Instructions one run of ``command`` executes, counted by valgrind's callgrind (None
    without valgrind): the same count whatever else the machine does, where the wall clock
    of a 100 ms process moves by a third with the load — the figure to compare two commits by."""
    if shutil.which("valgrind") is None:
        return None
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.devnull, *command],
                          capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    return int(found.group(1)) if done.returncode == 0 and found else None


def _commands() -> tuple[list[str], list[str]]:
    beside = Path(sys.executable).with_name("nianbao")
    exe = shutil.which("nianbao") or (str(beside) if beside.exists() else None)
    command = ([exe] if exe else [sys.executable, "-m", "nianbao"]) + ["check", str(EXAMPLE)]
    return command, [sys.executable, "-c", "import click, pydantic, ruamel.yaml"]


def figures(seconds: float, repeats: int, baseline: float | None, quiet: bool) -> list[Figure]:
    done, each = in_process(seconds)
    base = baseline if baseline is not None else baseline_ms()
    ours, theirs = from_shell(repeats)
    median = sorted(ours)[len(ours) // 2]
    yard = sorted(theirs)[len(theirs) // 2]
    say(f"in-process: {done} reports loaded and checked in {seconds:.0f} s, {each:.2f} ms each (median of 9 runs) = {1000 / each:.0f} reports/s; "
        f"baseline render {base:.0f} ms = {base / each:.0f}x (goal: >= 600x, i.e. <= {base / 600:.2f} ms)", quiet=quiet)
    say(f"shell `nianbao check` (one file, start-up included): best {min(ours) * 1000:.0f} ms, median {median * 1000:.0f} ms over {len(ours)} runs", quiet=quiet)
    say(f'yardstick `python -c "import click, pydantic, ruamel.yaml"`: best {min(theirs) * 1000:.0f} ms, median {yard * 1000:.0f} ms', quiet=quiet)
    say(f"start-up ratio check / yardstick (medians): {median / yard:.2f} (goal: <= 1.2)", quiet=quiet)
    counted = [instructions(run) for run in _commands()]
    steady: list[Figure] = []
    if counted[0] and counted[1]:
        say(f"instructions (callgrind): check {counted[0] / 1e6:.0f} M, yardstick {counted[1] / 1e6:.0f} M = {counted[0] / counted[1]:.2f}", quiet=quiet)
        steady = [info("`check` start-up / yardstick, instructions (callgrind)", counted[0] / counted[1], "×")]
    return [
        at_least("load + check vs baseline render", base / each, 600, "×", "≥ 600× (≤ 1/600)"),
        info("load + check of a report file", each, "ms"),
        at_most("`check` start-up / import click, pydantic, ruamel.yaml", median / yard, 1.2, "×", "≤ 1.2×"),
        info("`nianbao check` whole process (median)", median * 1000, "ms"),
        *steady,
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--baseline-ms", type=float, help="the baseline render's time measured by the caller (bench/all.py), else measured here")
    parser.add_argument("--json", action="store_true", help="print only the figures, as JSON")
    args = parser.parse_args()
    found = figures(args.seconds, args.repeats, args.baseline_ms, args.json)
    if args.json:
        emit(found)


if __name__ == "__main__":
    main()
