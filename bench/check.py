"""How fast `check` is: reports checked per second in-process, and the wall time of one
`nianbao check` from the shell (start-up included) side by side with the yardstick
`python -c "import click, pydantic, ruamel.yaml"`, interleaved in one run, with the ratio
of their medians (goal: <= 1.5).

    python bench/check.py [--seconds 3] [--repeats 15]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generator"))  # the checkout's package, installed or not
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"


def in_process(seconds: float) -> tuple[int, float]:
    from nianbao.check.rules import check
    from nianbao.read.load import load_bytes

    data = EXAMPLE.read_bytes()
    load_bytes(data)  # warm the model cache, as a long-running batch would be
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        loaded = load_bytes(data)
        assert loaded.report is not None and not check(loaded.report)
        done += 1
    return done, time.perf_counter() - start


def from_shell(repeats: int) -> tuple[list[float], list[float]]:
    """(nianbao check, the yardstick), run alternately so that the machine's load hits both."""
    import compileall

    import nianbao

    # pip compiles an installed package to bytecode, as it did the yardstick's libraries; a
    # checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile nianbao at every start
    compileall.compile_dir(Path(nianbao.__file__).parent, quiet=1)
    beside = Path(sys.executable).with_name("nianbao")
    exe = shutil.which("nianbao") or (str(beside) if beside.exists() else None)
    command = [exe] if exe else [sys.executable, "-m", "nianbao"]
    yardstick = [sys.executable, "-c", "import click, pydantic, ruamel.yaml"]
    ours, theirs = [], []
    for _ in range(repeats):
        for run, times in ((command + ["check", str(EXAMPLE)], ours), (yardstick, theirs)):
            start = time.perf_counter()
            result = subprocess.run(run, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - start)
            assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    return ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    done, elapsed = in_process(args.seconds)
    rate = done / elapsed
    ours, theirs = from_shell(args.repeats)
    median = sorted(ours)[len(ours) // 2]
    yard = sorted(theirs)[len(theirs) // 2]
    print(f"in-process: {done} reports checked in {elapsed:.2f} s = {rate:.0f} reports/s ({1000 / rate:.2f} ms each)")
    print(f"shell `nianbao check` (one file, start-up included): best {min(ours) * 1000:.0f} ms, median {median * 1000:.0f} ms over {len(ours)} runs")
    print(f'yardstick `python -c "import click, pydantic, ruamel.yaml"`: best {min(theirs) * 1000:.0f} ms, median {yard * 1000:.0f} ms')
    print(f"start-up ratio check / yardstick (medians): {median / yard:.2f} (goal: <= 1.5)")


if __name__ == "__main__":
    main()
