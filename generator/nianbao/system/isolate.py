"""Running a parser on a stranger's file in a child process, within time and memory bounds.

A PDF can be built to inflate to gigabytes or to keep a parser busy for hours; no Python
library bounds that from inside.  :func:`run` gives the work to a child process with a
wall-clock limit and, where the system allows it (Linux), a memory limit, and turns
every way the child can fail into :class:`ChildFailed` with a message for the clerk.

A reader that imports a folder of files (``run(..., keep=True)``) keeps its child for the
next file: a fresh child for each costs its start (a fork and its exit, ~10 ms; a spawn on
Windows, a second) — more than a page of a PDF.  A kept child is as bounded as a fresh one:
every file has the same time limit and at least the same memory, and the child is replaced
after :data:`KEPT_FILES` files, when it grew, and whenever a file failed in it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..errors import NianbaoError
from .collector import freeze_in_children

MEMORY = 768 * 1024 * 1024  # bytes the child may add to what it inherits
_inside = False  # True in a child of :func:`run`: work it is given runs there, already bounded (a daemon has no children)


KEPT_FILES = 50  # files a kept child reads before it is replaced: whatever one file left in it goes with it
KEPT_GROWTH = 64 * 1024 * 1024  # bytes a kept child may grow by across files before it is replaced


class ChildFailed(NianbaoError):
    """The work did not finish: too slow, too big, or it failed; the message is Chinese."""



def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn")


def forks() -> bool:
    """Whether a child of :func:`run` is forked (Linux), so inherits the modules the parent
    has imported: a reader imports its library in the parent once, not in every child."""
    return _context().get_start_method() == "fork"


def _size() -> int | None:
    """This process's address space in bytes (Linux); None where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def _limit_memory(extra: int = MEMORY) -> None:
    try:
        import resource

        now = _size()
        if now is not None:
            resource.setrlimit(resource.RLIMIT_AS, (now + extra, now + extra))
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # no such limit on this system: the time limit still holds


def _outcome(work: Callable[..., Any], args: tuple) -> tuple[str, Any]:
    try:
        return ("ok", work(*args))
    except MemoryError:
        return ("memory", None)
    except Exception as exc:  # noqa: BLE001 - told to the parent, which decides what the clerk reads
        return ("error", exc)


def _answer(connection, result: tuple) -> None:
    try:
        connection.send(result)
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
        connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), *result[2:]))


def _child(connection, work: Callable[..., Any], args: tuple, memory: int = MEMORY) -> None:
    global _inside
    _inside = True
    _limit_memory(memory)
    try:
        _answer(connection, _outcome(work, args))
    finally:
        connection.close()


def _kept_child(connection, memory: int) -> None:
    """A kept child's life: a file at a time, each answered, until the parent is gone, a file
    failed, it has read :data:`KEPT_FILES` or it grew by :data:`KEPT_GROWTH` — then it ends,
    and the parent starts another for the next file."""
    global _inside
    _inside = True
    start = _size()
    _limit_memory(memory + KEPT_GROWTH)  # every file has at least ``memory`` while the child is within its growth
    for count in range(1, KEPT_FILES + 1):
        try:
            work, args = connection.recv()
        except (EOFError, OSError):
            break
        status, value = _outcome(work, args)
        size = _size()
        leaving = status != "ok" or count == KEPT_FILES or (start is not None and size is not None and size - start > KEPT_GROWTH)
        _answer(connection, (status, value, leaving))  # the parent is told it goes, so never sends it another file
        if leaving:
            break
    connection.close()


class _Kept:
    """The child kept by this process (see the module's docstring)."""

    def __init__(self, memory: int) -> None:
        context = _context()
        self.connection, theirs = context.Pipe(duplex=True)
        self.process = context.Process(target=_kept_child, args=(theirs, memory), daemon=True)
        self.memory, self.owner = memory, os.getpid()
        freeze_in_children()  # as in run(): the child's collections leave the inherited objects alone
        self.process.start()
        theirs.close()

    def usable(self, memory: int) -> bool:
        return self.owner == os.getpid() and self.memory == memory and self.process.is_alive()

    def end(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


_kept: _Kept | None = None
_keeping = threading.Lock()  # one file at a time in the kept child; another thread's file gets a fresh child


def _too_slow(what: str, seconds: float) -> ChildFailed:
    return ChildFailed(f"{what}过于复杂，{seconds:.0f}秒内未能读完，已放弃（可能是损坏或恶意构造的文件）")


def _died(what: str) -> ChildFailed:
    return ChildFailed(f"读取{what}时处理进程意外退出（文件可能过大或已损坏），已放弃")


def _told(status: str, value: Any, what: str) -> Any:
    """The child's answer: its value, or its failure raised here."""
    if status == "memory":
        raise ChildFailed(f"{what}解开后过大，超出内存限制，已放弃（可能是损坏或恶意构造的文件）")
    if status == "error":
        raise value
    return value


def _run_kept(message: bytes, seconds: float, what: str, memory: int) -> Any:
    """The work pickled in ``message``, done in the kept child (started now if there is none fit for it)."""
    global _kept
    if _kept is None or not _kept.usable(memory):
        if _kept is not None and _kept.owner == os.getpid():
            _kept.end()
        _kept = _Kept(memory)
    kept = _kept
    leaving = True  # unless it answers that it stays
    try:
        kept.connection.send_bytes(message)
        if not kept.connection.poll(seconds):
            raise _too_slow(what, seconds)
        status, value, leaving = kept.connection.recv()
    except (EOFError, OSError):
        raise _died(what) from None
    finally:
        if leaving:  # waited for, so that a child cut short is gone before the clerk is told
            kept.end()
            _kept = None
    return _told(status, value, what)


def run(work: Callable[..., Any], *args: Any, seconds: float, what: str, memory: int = MEMORY, keep: bool = False) -> Any:
    """``work(*args)`` in a child process; its exceptions are raised here as they were.
    ``what`` names the file for messages (``PDF 文件``); ``memory``: bytes the child may add.
    ``keep``: in the child this process keeps for such work (``work`` and ``args`` are then
    pickled to it: a function of a module, plain data), when no other thread is using it.
    Inside such a child (an upload read by the site, holding a PDF) the work runs right there:
    the outer child's bounds hold it, and a daemonic process may not start another."""
    if _inside:
        return work(*args)
    if keep and _keeping.acquire(blocking=False):
        try:
            try:
                message = pickle.dumps((work, args), pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, AttributeError, TypeError):
                pass  # work that cannot be sent (a local function): a fresh child, below
            else:
                return _run_kept(message, seconds, what, memory)
        finally:
            _keeping.release()
    context = _context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, work, args, memory), daemon=True)
    # A forked child's garbage collections would walk every object it inherits — the whole
    # parent's heap — touching and so copying its pages: a PDF read in a child took a half
    # more CPU than in the parent.  Frozen in the child, the inherited objects are left out of them.
    freeze_in_children()
    child.start()
    send.close()
    answered = False
    try:
        if not receive.poll(seconds):
            raise _too_slow(what, seconds)
        try:
            status, value = receive.recv()
        except (EOFError, OSError):
            raise _died(what) from None
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
    return _told(status, value, what)
