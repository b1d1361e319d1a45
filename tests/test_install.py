"""The offline install of docs/离线安装.md, as a government PC without internet does it: the
wheel and its dependencies in one folder (a wheelhouse), installed with no index into a
fresh environment, and the installed command works — under the import name nianbao."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv

import pytest
from conftest import EXAMPLE_2023, ROOT


def pip(*args: object, python: str = sys.executable, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "pip", "--disable-pip-version-check", *map(str, args)], capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory):
    house = tmp_path_factory.mktemp("wheelhouse")
    built = pip("wheel", "--no-deps", "-q", "-w", house, ROOT, timeout=300)
    assert built.returncode == 0, built.stderr
    # what would be done on a machine with internet (docs: for Windows, with --platform win_amd64)
    fetched = pip("download", "-q", "-d", house, "--only-binary=:all:", "--find-links", house, "nianbao", timeout=300)
    if fetched.returncode != 0:
        pytest.skip(f"the package index is unreachable, so no wheelhouse can be made here: {fetched.stderr.strip()[-200:]}")
    return house


def test_the_wheel_installs_from_a_wheelhouse_with_no_index_and_runs(wheelhouse, tmp_path):
    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(target)
    python = str(target / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    start = time.perf_counter()
    installed = pip("install", "--no-index", "--find-links", wheelhouse, "nianbao", python=python, timeout=600)
    seconds = time.perf_counter() - start
    assert installed.returncode == 0, installed.stderr
    print(f"offline install: {seconds:.1f} s")
    env = dict(os.environ, PYTHONPATH="")
    exe = target / ("Scripts/nianbao.exe" if os.name == "nt" else "bin/nianbao")
    rendered = subprocess.run([str(exe), "render", str(EXAMPLE_2023), "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert len(list((tmp_path / "out").glob("*.docx"))) == 1
    found = subprocess.run([python, "-c", "import nianbao, importlib.util as u; print(nianbao.__file__); print(u.find_spec('generator'))"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    where, generator = found.stdout.split("\n")[:2]
    assert str(target) in where and generator == "None"  # the import name is nianbao; nothing called generator
    module = subprocess.run([python, "-m", "nianbao", "check", str(EXAMPLE_2023)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert module.returncode == 0, module.stderr
