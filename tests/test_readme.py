"""The README as a clerk follows it: the command is on PATH before the first bare ``nianbao``."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _quick_start() -> str:
    start = README.index("## 快速上手")
    return README[start:README.index("\n## ", start + 1)]


def test_the_quick_start_puts_nianbao_on_path_before_its_first_bare_command():
    text = _quick_start()
    first_bare = re.search(r"^nianbao ", text, flags=re.MULTILINE)
    assert first_bare is not None
    before = text[:first_bare.start()]
    assert "source .venv/bin/activate" in before  # Linux, macOS
    assert ".venv\\Scripts\\activate" in before  # Windows
    assert ".venv/bin/nianbao" in before and ".venv\\Scripts\\nianbao" in before  # without activating


def test_the_first_two_lines_of_the_readme_are_the_install_and_test_commands():
    block = README[README.index("```sh") + 5:README.index("```", README.index("```sh") + 5)].strip().splitlines()
    assert block[0].endswith(".venv/bin/nianbao render examples/2023-青山镇.yaml -o out")
    assert block[1].endswith('.venv/bin/pip install ".[test]" && .venv/bin/pytest')
