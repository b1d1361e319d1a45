"""LibreOffice as a converter: old Word files in, PDF out.

``soffice --headless --convert-to`` runs with a private profile directory, so that it
never touches the clerk's own LibreOffice (or waits for a window they left open) and
several conversions can run at once.  One call converts many files with one process.

The files converted are strangers' (a unit's returned ``.doc``, a page's ``.odt``), so the
profile is also a lock: LibreOffice must not reach the network or the clerk's files
because a document says so.  A ``.doc`` with a linked picture (``INCLUDEPICTURE "http://…"
\\d``) makes LibreOffice's Word import probe the address (OPTIONS and HEAD) while it
reads the file, whatever the link settings say; an ``.odt`` or ``.docx`` with a linked
picture is fetched when the page is laid out.  So the profile (:data:`PROFILE`) removes
the ``http``/``https``/WebDAV/FTP/CMIS content providers — the machinery every fetch goes
through — and, behind that, blocks linked content from untrusted documents, never
updates links, and never runs macros.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

INSTALL = (
    "需要 LibreOffice 才能完成：请从 https://www.libreoffice.org 下载安装（Windows 选默认安装即可），"
    "或在 Debian/Ubuntu 上运行 apt-get install libreoffice-writer-nogui；安装后再运行本命令"
)


# LibreOffice's configuration (officecfg, the schemas in share/registry/*.xcd), merged
# over the defaults: "remove" takes a content provider out of the set, "fuse" sets a value.
_PROVIDERS = "/org.openoffice.ucb.Configuration/ContentProviders/Local/SecondaryKeys/Office/ProviderData"
_NETWORK_PROVIDERS = (
    "Provider3",  # http (WebDAV)
    "Provider4",  # vnd.sun.star.webdav
    "Provider12",  # https
    "Provider6",  # ftp
    "Provider15",  # gio (Linux desktops: smb://, sftp://, …)
    "Provider43",  # vnd.libreoffice.cmis
)
_SETTINGS = (
    # linked pictures and objects from a document outside the trusted folders (there are none)
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "CheckDocumentEvents", "true"),
    # Writer: 0 = never update links (sw linkenum.hxx); fields and charts not refreshed
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Writer/Content/Update", "Chart", "false"),
    # Calc (an embedded sheet): 1 = never (ScLkUpdMode)
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),
)


def profile_settings() -> str:
    """``registrymodifications.xcu`` for the private profile: no network, no links, no macros."""
    items = [f'<item oor:path="{_PROVIDERS}"><node oor:name="{name}" oor:op="remove"/></item>' for name in _NETWORK_PROVIDERS]
    items += [f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>' for path, name, value in _SETTINGS]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + "\n".join(items) + "\n</oor:items>\n"
    )


def private_profile(folder: Path) -> str:
    """The profile in ``folder`` as the ``-env:UserInstallation`` URL LibreOffice takes,
    with :func:`profile_settings` written where LibreOffice reads them at start."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(profile_settings(), encoding="utf-8")
    return folder.resolve().as_uri()


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
            f"-env:UserInstallation={private_profile(Path(profile))}",
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


XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# hyperlinks a reader may click; nothing loads them when a document is opened or converted
_CLICKED = {
    "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}a",
    "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}a",
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _outside(href: str) -> bool:
    """A link to something outside the package: a URL (``http:``, ``file:``, ``smb:``,
    ``vnd.sun.star.script:``), an absolute or UNC path, or a path next to the document
    (ODF's ``../``).  Pictures inside the package are ``Pictures/…``."""
    target = href.strip().replace("\\", "/")
    return bool(_SCHEME.match(target)) or target.startswith("/") or target.startswith("..")


def offline_odt(data: bytes) -> bytes:
    """An OpenDocument text with every link out of it cut (a linked picture, a linked
    section, an object or a script by address), so that converting it cannot make
    LibreOffice fetch anything — a second lock behind :func:`profile_settings`.
    Hyperlinks stay (nothing follows them unclicked).  The package is read within
    :mod:`nianbao.safezip`'s bounds; a damaged one raises :class:`safezip.Refused`."""
    from lxml import etree

    from . import safezip

    kind = "OpenDocument 文档（.odt）"
    out = io.BytesIO()
    with safezip.open_package(data, kind) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in sorted(names, key=lambda n: n != "mimetype"):
            part = safezip.read_part(source, name, kind)
            if name.endswith(".xml") and name != "META-INF/manifest.xml":
                root = safezip.parse_xml(part, kind)
                cut = False
                for element in root.iter():
                    href = element.get(XLINK_HREF) if isinstance(element.tag, str) else None
                    if href is not None and element.tag not in _CLICKED and _outside(href):
                        del element.attrib[XLINK_HREF]
                        cut = True
                if cut:
                    part = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            compression = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), part, compress_type=compression)
    return out.getvalue()
