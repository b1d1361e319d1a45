"""Writing files the way a clerk's machine needs: atomically, with safe names, with backups.

A write goes to a temporary file in the target folder and is renamed over the target
only when complete, so an interrupted run never leaves half a report, and it gets the
permissions ``open()`` would give it (the umask), so that colleagues on a shared folder
can read it.  An existing report file is copied to ``.bak`` before it is replaced; an
output the clerk changed after nianbao wrote it (a DOCX touched up in Word) is too
(:class:`Folder`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from .decode import without_controls

# Characters Windows forbids in names, plus controls; names Windows reserves.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(name: str, limit: int = 180) -> str:
    """A file name that every Windows and Unix file system accepts, close to ``name``:
    no separators or reserved names, and at most ``limit`` bytes of UTF-8, so that a
    suffix still fits the 255 bytes a name may have."""
    name = without_controls(unicodedata.normalize("NFC", name))  # a bidi override would disguise the name
    name = _FORBIDDEN.sub("_", name).strip().rstrip(". ")
    if not name or name.split(".")[0].upper() in _RESERVED or name.startswith("."):
        name = f"_{name}"
    while len(name.encode("utf-8")) > limit:
        name = name[:-1]
    return name.rstrip(". ") or "_"


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


def backup(path: Path) -> Path | None:
    """Copy an existing file to ``name.bak`` (``name.bak1``… if taken) before replacing it."""
    import shutil

    path = Path(path)
    if not path.exists():
        return None
    target = path.with_name(path.name + ".bak")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bak{n}")
        n += 1
    shutil.copy2(path, target)
    return target


def zip_entry(name: str):
    """A zip entry with a fixed time and mode, so equal content gives equal bytes."""
    import zipfile

    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


class Folder:
    """An output folder that remembers what nianbao last wrote in it (a hidden record of
    each file's SHA-256), so that a file changed since — a DOCX a clerk touched up in
    Word — is kept as ``.bak`` before it is replaced, and one nianbao wrote is simply
    replaced."""

    RECORD = ".nianbao-生成记录.json"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.written: dict[str, str] = {}

    def _recorded(self) -> dict[str, str]:
        import json

        try:
            data = json.loads((self.folder / self.RECORD).read_text(encoding="utf-8"))
            return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def write(self, name: str, data: bytes) -> Path | None:
        """Write ``name``; the backup made of a changed file, if one was."""
        path = self.folder / name
        saved = None
        if path.is_file():
            current = _digest(path.read_bytes())
            if current != _digest(data) and self._recorded().get(name) != current:
                saved = backup(path)
        write_atomic(path, data)
        self.written[name] = _digest(data)
        return saved

    def save(self) -> None:
        """Keep the record, with what another run wrote here meanwhile."""
        import json

        if self.written:
            record = {**self._recorded(), **self.written}
            path = self.folder / self.RECORD
            write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
            if os.name == "nt":  # hidden in Explorer, as a leading dot hides it elsewhere
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)  # type: ignore[attr-defined]


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
