"""Shared helpers: the bundled examples, the seeds beside the checkout, and running the
command line in-process with its real exit status and output."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLE_2023 = EXAMPLES / "2023-青山镇.yaml"
EXAMPLE_2020 = EXAMPLES / "2020-白河乡.yaml"


@pytest.fixture
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seeds folder {SEEDS} is absent (it sits beside the checkout as ../shared)")
    return SEEDS


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``nianbao ARGS…`` through the real entry point; returns exit status and output."""
    from nianbao.cli import run

    def invoke(*args: object) -> Result:
        monkeypatch.setattr(sys, "argv", ["nianbao", *map(str, args)])
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace exactly ``count`` occurrences — a test that edits the wrong line fails loudly."""
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def load(text: str):
    """The report a text makes; it must make one."""
    from nianbao.read.load import load_text

    loaded = load_text(text)
    assert loaded.report is not None, loaded.findings
    return loaded.report


def previous_of(text: str) -> str:
    """The example as if it were last year's report."""
    year = int(text.split("year: ", 1)[1][:4])
    text = edit(text, f"year: {year}", f"year: {year - 1}")
    return text.replace(f"date: {year + 1}-", f"date: {year}-")


def line_of(text: str, needle: str) -> int:
    """1-based line of the only line containing ``needle``."""
    hits = [i for i, line in enumerate(text.split("\n"), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} on lines {hits}"
    return hits[0]


# -- on CI nothing is skipped for a missing tool ---------------------------------------------------
# A test may skip on a user's machine where LibreOffice, poppler or Chromium is absent; on CI
# (.ci/run installs them, and sets CI) such a skip would hide a broken PDF or browser path, so
# it is turned into a failure.  Skips that concern another platform stay skips.
_OTHER_PLATFORM = ("Windows", "POSIX")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not os.environ.get("CI") or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if any(word in reason for word in _OTHER_PLATFORM):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped on CI, where every tool the tests use is installed: {reason}"
