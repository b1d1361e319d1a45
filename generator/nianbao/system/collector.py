"""How nianbao's processes use Python's cycle collector: out of the way of start-up, and rare.

Start-up builds tens of thousands of objects that live as long as the process — click's
commands and types, ruamel's and pydantic's tables, the standard's rows — and none of them
is ever garbage.  With Python's defaults the collector ran 50 times while ``nianbao check``
started, walking them again and again, and once more over all of them at exit: a twentieth
of the whole command (21 M instructions of 424 M; issue 29).  So the command line turns the
collector off while its modules load (:mod:`nianbao.__main__`), and then, as the site does
once it has started (:mod:`nianbao.serve.server`), :func:`settle` freezes what was built out
of every later collection and lets the youngest generation grow to :data:`YOUNG` objects
between two.  A long run (a batch of 600 units, the site) still collects its own cycles;
a save or a report makes a few thousand objects, nearly all freed by their count at once.

A forked child (a reader's bounded child, the overview's workers) freezes what it inherits
as its first act (:func:`freeze_in_children`): its collections would otherwise walk the
parent's whole heap, touching and so copying every page of it.  The parent used to freeze
itself around the fork and unfreeze after — which also unfroze what :func:`settle` had
frozen, so the site's first upload (read in a child) brought back its walks over every
unit's report.
"""

from __future__ import annotations

import gc
import os

YOUNG = 20_000  # objects allocated between two collections of the youngest generation (Python's default: 700)


def settle(*, collect: bool = False) -> None:
    """Freeze every object the process holds now out of the collector's walks, collect the
    youngest generation after :data:`YOUNG` new objects, and turn the collector on.
    ``collect`` first collects what start-up left unreachable (the site, which runs for
    months, frees it; a command that runs for a second need not walk its heap for it)."""
    if collect:
        gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG, middle, old)
    gc.enable()


_children_frozen = False


def freeze_in_children() -> None:
    """From now on, every child this process forks freezes the objects it inherits before it
    runs anything (``os.register_at_fork``; once per process; nothing where there is no fork)."""
    global _children_frozen
    if not _children_frozen and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=gc.freeze)
        _children_frozen = True
