"""The ``nianbao`` command (``[project.scripts]``) and ``python -m nianbao``.

The collector is off while the command line's modules load and then settled
(:mod:`nianbao.system.collector`): loading them is most of a short command's time, and
the collector's walks over what they build were a twentieth of it.
"""

from __future__ import annotations

import gc


def main() -> None:
    """Run the command line: load it without the collector, then settle the collector."""
    gc.disable()
    try:
        from .cli import run
    finally:
        from .system.collector import settle

        settle()
    run()


if __name__ == "__main__":
    main()
