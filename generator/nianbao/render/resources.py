"""Files that ship with the package: the jinja templates and the committed JSON Schema.

An installed package carries them as ``nianbao/templates`` and ``nianbao/schemas``
(see pyproject.toml); a source checkout (and an editable install) keeps them at the
top of the repository, three folders up from this file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the package nianbao, beside templates/ when installed


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nianbao 安装不完整：缺少 {name} 目录")


@cache
def templates_dir() -> Path:
    return _find("templates")


@cache
def schemas_dir() -> Path:
    return _find("schemas")
