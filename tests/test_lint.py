"""The code stays as ruff wants it: pyproject.toml says which rules, and why each."""

from __future__ import annotations

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
