"""Writing files the way a clerk's machine needs: atomically, with safe names, with backups.

A write goes to a temporary file in the target folder and is renamed over the target
only when complete, so an interrupted run never leaves half a report, and it gets the
permissions ``open()`` would give it (the umask), so that colleagues on a shared folder
can read it.  An existing report file is copied to ``.bak`` before it is replaced; an
output the clerk changed after nianbao wrote it (a DOCX touched up in Word) is too
(:class:`Folder`).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from .atomic import write_atomic
from .decode import read_at_most, without_controls
from .patterns import lazy

# Characters Windows forbids in names, plus controls; names Windows reserves.
_FORBIDDEN = lazy(r'[<>:"/\\|?*\x00-\x1f]')
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


def numbered(stem: str, taken: set[str], pattern: str = "{stem}（{n}）") -> str:
    """``stem``, or ``stem（2）``, ``stem（3）``…: the first not in ``taken`` (compared without
    case, as Windows compares names), added to it — for two names that :func:`safe_name` made
    one (``水务局/河长办`` and ``水务局\\河长办``), so that neither file overwrites the other.
    ``pattern`` writes the numbered names (``import`` numbers ``stem-2``, as its README says)."""
    candidate, n = stem, 2
    while candidate.lower() in taken:
        candidate, n = pattern.format(stem=stem, n=n), n + 1
    taken.add(candidate.lower())
    return candidate


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


MAX_RECORD = 1024 * 1024  # bytes: a record of a folder's few hundred outputs is a few tens of kB


def read_record(path: Path) -> dict[str, str] | None:
    """The names (and SHA-256) nianbao wrote in ``path``'s folder, as its record file keeps
    them; None when the record is over :data:`MAX_RECORD` — nianbao never writes one that
    big, so it is not nianbao's, and reading it would cost time and memory for nothing.
    Entries that are not plain file names are ignored: a record names files of its folder."""
    import json

    try:
        raw = read_at_most(path, MAX_RECORD)
    except OSError:
        return {}
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and _plain(k)}


def _plain(name: str) -> bool:
    return bool(name) and name not in (".", "..") and not any(sep in name for sep in "/\\\0") and len(name) <= 255


class Folder:
    """An output folder that remembers what nianbao last wrote in it (a hidden record of
    each file's SHA-256), so that a file changed since — a DOCX a clerk touched up in
    Word — is kept as ``.bak`` before it is replaced, and one nianbao wrote is simply
    replaced.  The record also tells ``batch`` and ``aggregate`` that these files are
    nianbao's outputs, not reports sent in (:func:`nianbao.county.rules.collect`).

    The record lists only files present in the folder; one over :data:`MAX_RECORD` is
    ignored and rewritten so (``notes`` says so, for the command to print)."""

    RECORD = ".nianbao-生成记录.json"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.written: dict[str, str] = {}
        self.notes: list[str] = []

    def _recorded(self) -> dict[str, str]:
        record = read_record(self.folder / self.RECORD)
        if record is None:
            note = f"{self.folder / self.RECORD} 超过 {MAX_RECORD // 1024 // 1024} MB，不像 nianbao 写的记录，已忽略，并按文件夹中现有的文件重写"
            if note not in self.notes:
                self.notes.append(note)
            return {}
        return record

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

    def remember(self, name: str, data: bytes) -> None:
        """Record ``name`` as written by nianbao (it was written some other way)."""
        self.written[name] = _digest(data)

    def save(self) -> None:
        """Keep the record, with what another run wrote here meanwhile, of the files present."""
        import json

        if self.written:
            kept = {name: digest for name, digest in self._recorded().items() if (self.folder / name).is_file()}
            record = {**kept, **self.written}
            path = self.folder / self.RECORD
            write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
            if sys.platform == "win32":  # hidden in Explorer, as a leading dot hides it elsewhere
                import ctypes

                ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
