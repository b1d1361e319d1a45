"""LibreOffice as a converter: old Word files in, PDF out.

``soffice --headless --convert-to`` runs with a private profile directory, so that it
never touches the clerk's own LibreOffice (or waits for a window they left open) and
several conversions can run at once.  One call converts many files with one process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

INSTALL = (
    "需要 LibreOffice 才能完成：请从 https://www.libreoffice.org 下载安装（Windows 选默认安装即可），"
    "或在 Debian/Ubuntu 上运行 apt-get install libreoffice-writer-nogui；安装后再运行本命令"
)


class Unavailable(Exception):
    """LibreOffice is not installed, or the conversion failed; the message is Chinese."""


def soffice() -> str | None:
    """The LibreOffice program, on PATH or where Windows installs it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for base in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)")):
            if base:
                candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
                if candidate.is_file():
                    return str(candidate)
    return None


def convert(sources: list[Path], target: str, out_dir: Path, *, seconds: float = 180) -> dict[Path, Path]:
    """Each source converted to ``target`` ("pdf", "docx") in ``out_dir``, by one process.
    Returns source → converted file, for those that were converted."""
    program = soffice()
    if program is None:
        raise Unavailable(INSTALL)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        command = [
            program,
            f"-env:UserInstallation={Path(profile).resolve().as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(out_dir),
            *(str(s) for s in sources),
        ]
        try:
            subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=seconds, check=False)
        except subprocess.TimeoutExpired as exc:
            raise Unavailable(f"LibreOffice 在{seconds:.0f}秒内没有完成转换，已放弃") from exc
        except OSError as exc:
            raise Unavailable(f"无法启动 LibreOffice（{exc}）") from exc
    done = {}
    for source in sources:
        converted = out_dir / f"{source.stem}.{target}"
        if converted.is_file() and converted.stat().st_size > 0:
            done[source] = converted
    return done


def convert_bytes(data: bytes, suffix: str, target: str, *, seconds: float = 120) -> bytes:
    """One file's bytes converted (``.doc`` → ``docx``), in a private temporary folder."""
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as folder:
        source = Path(folder) / f"source{suffix}"
        source.write_bytes(data)
        done = convert([source], target, Path(folder) / "out", seconds=seconds)
        if source not in done:
            raise Unavailable(f"LibreOffice 无法转换这个{suffix}文件（可能已损坏）")
        return done[source].read_bytes()
