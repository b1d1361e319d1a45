"""Work on what this process already holds, shared among forked workers.

A county's overview holds hundreds of reports once they are read; the work after that —
each unit's text rates against last year and X1–X5, copying between the units, the
charts — is per unit (or per chart) and costs as much again as the reading.  Sending the
reports to worker processes would cost more than the work (pickling a report is a third
of reading it), so the workers are *forked* after the reports are in memory and inherit
them with the function: only an index goes to a worker and only the results come back.

:func:`shared` does it where the platform forks (Linux, macOS' fork) and the caller allows
``jobs`` > 1 — never from a threaded server (a fork copies one thread and whatever locks the
others held), which passes 1 — and otherwise calls the function here, one item after
another: the results are the same either way, in the items' order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .collector import freeze_in_children

T = TypeVar("T")
R = TypeVar("R")

_WORK: list[tuple[Callable[[Any], Any], Sequence[Any]]] = []  # what forked workers run, inherited, not sent


def _at(i: int) -> Any:
    function, items = _WORK[-1]
    return function(items[i])


def forks() -> bool:
    """Whether this platform starts workers by forking (what :func:`shared` needs)."""
    return "fork" in multiprocessing.get_all_start_methods()


def shared(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[function(item) for item in items]``, by ``jobs`` forked workers when ``jobs`` > 1,
    there are two items or more and the platform forks; here otherwise.  ``function`` and
    ``items`` are inherited by the workers (a closure will do); each result is pickled
    back, so it should be small beside the data it was computed from."""
    if jobs <= 1 or len(items) < 2 or not forks():
        return [function(item) for item in items]
    from concurrent.futures import ProcessPoolExecutor

    _WORK.append((function, items))
    freeze_in_children()  # the heap inherited kept out of the workers' collections: a full one would touch, and so copy, every page of it
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_at, range(len(items))))
    finally:
        _WORK.pop()


def split(count: int, parts: int) -> list[range]:
    """``range(count)`` in at most ``parts`` consecutive ranges of about equal length (none
    empty): what each of ``parts`` workers takes of ``count`` items of equal cost."""
    parts = max(1, min(parts, count))
    size, extra = divmod(count, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        out.append(range(start, stop))
        start = stop
    return out
