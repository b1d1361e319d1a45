"""Regular expressions compiled when first used, not when their module is imported.

Python compiles a pattern in pure Python (``re._compiler``): 0.1–0.7 ms each, and a module
on ``nianbao check``'s path may hold a dozen, most of which a clean report never reaches
(the unit of a figure written with its unit, a date, a hash tag).  Compiled at import, they
were a tenth of the command's start-up over its yardstick (issue 29).  :func:`lazy` gives
an object that compiles on its first method or attribute use and then holds the compiled
pattern's bound methods as its own attributes, so a pattern used in a loop costs what the
compiled one costs.
"""

from __future__ import annotations

import re
from typing import Any, cast


class _Lazy:
    """Stands for ``re.compile(pattern, flags)`` until something is asked of it."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Only reached for what the instance does not hold yet: compile once, then keep the
        # compiled pattern's methods and attributes on the instance, found directly afterwards.
        compiled = re.compile(*self._source)
        for attribute in ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer",
                          "pattern", "flags", "groups", "groupindex"):
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled at its first use (a module constant that the
    command may never reach costs nothing at start-up)."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
