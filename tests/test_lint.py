"""The code stays as ruff and mypy want it: pyproject.toml says which rules, and why each."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")  # the test extra's, else the PATH's
    if ruff is None:
        pytest.skip("ruff is not installed: pip install -e .[test]")
    found = subprocess.run([ruff, "check", "generator", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr


def test_mypy_is_clean():
    """generator/ type-checks ([tool.mypy] in pyproject.toml: an ignore left unneeded fails too)."""
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")  # the test extra's, else the PATH's
    if mypy is None:
        pytest.skip("mypy is not installed: pip install -e .[test]")
    found = subprocess.run([mypy, "--no-incremental", "--cache-dir", os.devnull], cwd=ROOT, capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr
