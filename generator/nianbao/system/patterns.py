"""Regular expressions compiled when first used, and compiled once per machine, not once per run.

Python compiles a pattern in pure Python (``re._compiler``): 0.1–0.7 ms each, and a module
on ``nianbao check``'s path may hold a dozen, most of which a clean report never reaches
(the unit of a figure written with its unit, a date, a hash tag).  Compiled at import, they
were a tenth of the command's start-up over its yardstick (issue 29).  :func:`lazy` gives
an object that compiles on its first method or attribute use and then holds the compiled
pattern's bound methods as its own attributes, so a pattern used in a loop costs what the
compiled one costs.

Even compiled lazily, the two dozen patterns a clean ``check`` reaches (its rules read the
narratives) cost 45 M instructions a run: a tenth of the whole command, as much as
importing ruamel.yaml.  So the compiler's output is kept, the way Python keeps a module's
bytecode in ``__pycache__``: the compiled program of each pattern (the list of codes
``re`` hands to its C engine, ``_sre.compile``) is written to a cache file in the user's
cache folder, and a later run builds the pattern from it without parsing or compiling.
This reaches below ``re``'s public interface, so it guards itself at every step:

* the file is named by the interpreter and the engine's version (``_sre.MAGIC``) and says
  them again inside; any other file, or one that cannot be read, is ignored;
* an entry is stored only after the pattern rebuilt from it compared equal — the same
  pattern text, flags, groups and engine code — to what ``re.compile`` made in the same
  run, so a Python whose compiler works otherwise stores nothing and loses nothing;
* ``_sre.compile`` itself validates the code it is given (it refuses what would crash the
  engine; like ``__pycache__``, the folder is trusted as the user's own: whoever can write
  there can change what the user runs anyway);
* the file is written at exit, atomically, only when a run compiled something new, and
  nothing goes wrong when it cannot be written (a read-only home, no home at all).

``NIANBAO_CACHE`` names another folder; set to an empty value, it turns the cache off.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # re's C engine: no stubs
import os
import re
import sys
from typing import Any, cast

_MAX_FILE = 4 * 1024 * 1024  # bytes: nianbao's few hundred patterns take a few hundred kB
_MAX_KEPT = 2000  # entries: the patterns are nianbao's own constants, never a user's text

_known: dict[tuple[str, int], tuple[Any, ...]] | None = None  # (pattern, flags) → how to build it
_new = False  # something was compiled that the file does not hold yet


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - re.compile's twin
    """``re.compile(pattern, flags)``, taken from the cache when a run before compiled it."""
    global _known, _new
    flags = int(flags)  # a re.RegexFlag is kept as the number it is
    if _known is None:
        _known = _read()
    parts = _known.get((pattern, flags))
    if parts is not None:
        try:
            return _sre.compile(pattern, *parts)
        except Exception:  # not what this engine accepts: compile it afresh below
            del _known[(pattern, flags)]
    compiled = re.compile(pattern, flags)
    if len(_known) < _MAX_KEPT and _cache_file() is not None:
        parts = _parts(pattern, flags, compiled)
        if parts is not None:
            if not _new:
                import atexit

                atexit.register(_write)
            _known[(pattern, flags)] = parts
            _new = True
    return compiled


def _parts(pattern: str, flags: int, compiled: re.Pattern[str]) -> tuple[Any, ...] | None:
    """What ``_sre.compile`` needs besides the pattern's text, as ``re`` computes it, or None
    when what that gives is not exactly ``compiled``."""
    try:
        if sys.version_info >= (3, 11):
            from re import _compiler, _parser
        else:  # pragma: no cover - Python 3.10 names them sre_compile and sre_parse
            import sre_compile as _compiler
            import sre_parse as _parser
        parsed = _parser.parse(pattern, flags)
        code = [int(op) for op in _compiler._code(parsed, flags)]  # type: ignore[attr-defined]  # its opcodes are int subclasses
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        parts = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
        rebuilt = _sre.compile(pattern, *parts)
    except Exception:
        return None
    same = rebuilt == compiled and rebuilt.groups == compiled.groups and dict(rebuilt.groupindex) == dict(compiled.groupindex)
    return parts if same else None


def _cache_file() -> str | None:
    """Where the compiled patterns are kept for this interpreter, or None (no cache)."""
    folder = os.environ.get("NIANBAO_CACHE")
    if folder is None:
        if os.name == "nt":
            base = os.environ.get("LOCALAPPDATA", "")
        elif sys.platform == "darwin":
            base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
        else:
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if not base or not os.path.isabs(base):  # no home: nowhere to keep it
            return None
        folder = os.path.join(base, "nianbao")
    if not folder:
        return None
    return os.path.join(folder, f"patterns-{sys.implementation.cache_tag}-{_sre.MAGIC}.marshal")


def _stamp() -> tuple[Any, ...]:
    return ("nianbao patterns", 1, sys.version, sys.implementation.cache_tag, _sre.MAGIC, _sre.CODESIZE, sys.maxunicode)


def _read() -> dict[tuple[str, int], tuple[Any, ...]]:
    import marshal

    path = _cache_file()
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_FILE + 1)
        if len(raw) > _MAX_FILE:
            return {}
        stamp, entries = marshal.loads(raw)
        if stamp != _stamp() or not isinstance(entries, dict):
            return {}
        return entries
    except Exception:  # missing, unreadable, another version's, damaged: compile afresh
        return {}


def _write() -> None:
    """At exit: add what this run compiled to the file (another run may have added its own)."""
    import marshal

    from .atomic import write_atomic

    path = _cache_file()
    if path is None or not _new or _known is None:
        return
    try:
        merged = {**_read(), **_known}
        if len(merged) > _MAX_KEPT:
            merged = dict(_known)
        write_atomic(path, marshal.dumps((_stamp(), merged)))  # type: ignore[arg-type]
    except Exception:  # a cache not written costs the next run its compiling, nothing else
        pass


class _Lazy:
    """Stands for ``re.compile(pattern, flags)`` until something is asked of it."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        # Only reached for what the instance does not hold yet: compile once, then keep the
        # compiled pattern's methods and attributes on the instance, found directly afterwards.
        compiled = compile(*self._source)
        for attribute in ("search", "match", "fullmatch", "sub", "subn", "split", "findall", "finditer",
                          "pattern", "flags", "groups", "groupindex"):
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r})"


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled at its first use (a module constant that the
    command may never reach costs nothing at start-up) — from the cache when it can be."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
