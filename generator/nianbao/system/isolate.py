"""Running a parser on a stranger's file in a child process, within time and memory bounds.

A PDF can be built to inflate to gigabytes or to keep a parser busy for hours; no Python
library bounds that from inside.  :func:`run` gives the work to a child process with a
wall-clock limit and, where the system allows it (Linux), a memory limit, and turns
every way the child can fail into :class:`ChildFailed` with a message for the clerk.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import Any

from ..errors import NianbaoError

MEMORY = 768 * 1024 * 1024  # bytes the child may add to what it inherits
_inside = False  # True in a child of :func:`run`: work it is given runs there, already bounded (a daemon has no children)


class ChildFailed(NianbaoError):
    """The work did not finish: too slow, too big, or it failed; the message is Chinese."""



def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn")


def forks() -> bool:
    """Whether a child of :func:`run` is forked (Linux), so inherits the modules the parent
    has imported: a reader imports its library in the parent once, not in every child."""
    return _context().get_start_method() == "fork"


def _limit_memory(extra: int = MEMORY) -> None:
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        now = pages * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (now + extra, now + extra))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # no such limit on this system: the time limit still holds


def _child(connection, work: Callable[..., Any], args: tuple, memory: int = MEMORY) -> None:
    global _inside
    _inside = True
    _limit_memory(memory)
    try:
        result: tuple[str, Any] = ("ok", work(*args))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - told to the parent, which decides what the clerk reads
        result = ("error", exc)
    try:
        connection.send(result)
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
        connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        connection.close()


def run(work: Callable[..., Any], *args: Any, seconds: float, what: str, memory: int = MEMORY) -> Any:
    """``work(*args)`` in a child process; its exceptions are raised here as they were.
    ``what`` names the file for messages (``PDF 文件``); ``memory``: bytes the child may add.
    Inside such a child (an upload read by the site, holding a PDF) the work runs right there:
    the outer child's bounds hold it, and a daemonic process may not start another."""
    if _inside:
        return work(*args)
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, work, args, memory), daemon=True)
    # A forked child's garbage collections would walk every object it inherits — the whole
    # parent's heap — touching and so copying its pages: a PDF read in a child took a half
    # more CPU than in the parent.  Frozen, the inherited objects are left out of them.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    send.close()
    answered = False
    try:
        if not receive.poll(seconds):
            raise ChildFailed(f"{what}过于复杂，{seconds:.0f}秒内未能读完，已放弃（可能是损坏或恶意构造的文件）")
        try:
            status, value = receive.recv()
        except (EOFError, OSError):
            raise ChildFailed(f"读取{what}时处理进程意外退出（文件可能过大或已损坏），已放弃") from None
        answered = True
    finally:
        if child.is_alive():
            child.kill()
        # A child cut short is waited for, so that it is gone before the clerk is told.  One
        # that answered is not: its exit (the kernel unmapping a copy of the parent's memory,
        # some milliseconds for a large parent) runs beside the parent's own work, and
        # multiprocessing reaps it at the next child's start or at the interpreter's exit.
        if not answered:
            child.join(5)
        receive.close()
    if status == "memory":
        raise ChildFailed(f"{what}解开后过大，超出内存限制，已放弃（可能是损坏或恶意构造的文件）")
    if status == "error":
        raise value
    return value
