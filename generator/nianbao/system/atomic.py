"""A file written whole or not at all, with the permissions ``open()`` would give it.

The write goes to a temporary file in the target folder and is renamed over the target only
when complete, so an interrupted run never leaves half a file; it gets the umask's
permissions, so that colleagues on a shared folder can read it.  It lives apart from
:mod:`.output` (which adds backups and safe names, and re-exports it) so that the lowest
modules — :mod:`.patterns`, which keeps its cache with it — can use it without importing
what :mod:`.output` imports.
"""

from __future__ import annotations

import os
from pathlib import Path


def _mode() -> int:
    """What ``open()`` gives a new file here: 0o666 without the umask's bits."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    import tempfile  # here, not at the top: a command that writes nothing starts faster

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name != "nt":  # mkstemp made it private (0600)
            os.chmod(tmp, _mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
