"""LibreOffice as a converter: old Word files in, PDF out.

``soffice --headless --convert-to`` runs with a private profile directory, so that it
never touches the clerk's own LibreOffice (or waits for a window they left open) and
several conversions can run at once.  One call converts many files with one process.

The files converted are strangers' (a unit's returned ``.doc``, a page's ``.odt``), so the
profile is also a lock: LibreOffice must not reach the network or the clerk's files
because a document says so.  A ``.doc`` with a linked picture (``INCLUDEPICTURE "http://…"
\\d``) makes LibreOffice's Word import probe the address (OPTIONS and HEAD) while it
reads the file, whatever the link settings say; an ``.odt`` or ``.docx`` with a linked
picture is fetched when the page is laid out.  So the profile (:func:`profile_settings`) removes
the ``http``/``https``/WebDAV/FTP/CMIS content providers — the machinery every fetch goes
through — and, behind that, blocks linked content from untrusted documents, never
updates links, and never runs macros.

For a PDF, the profile also carries the stand-ins for the official fonts the machine
lacks (LibreOffice's font replacement table; a fontconfig rule where a weight must be
set): see :mod:`nianbao.render.fontsubst`.
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
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..errors import NianbaoError

if TYPE_CHECKING:
    from .fontsubst import Face, StandIn

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


_FONT_PAIRS = "/org.openoffice.Office.Common/Font/Substitution"


def _fontconfig_base() -> str | None:
    """The machine's fontconfig configuration, which a private one must include (it says
    where the fonts are); None on Windows and macOS, where LibreOffice does not find fonts
    through fontconfig, or when there is none to include."""
    if sys.platform == "win32" or sys.platform == "darwin":
        return None
    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    return base if Path(base).is_file() else None


def _uses_fontconfig() -> bool:
    """Whether a bold stand-in can be set through fontconfig (else the replacement table
    gives the family at the document's weight)."""
    return _fontconfig_base() is not None


def _by_table(stand_ins: Sequence[StandIn]) -> list[tuple[str, Face]]:
    """(official font, its stand-in) that LibreOffice's replacement table gives: all but a
    bold one where fontconfig can set the weight (:func:`fontconfig_settings`)."""
    return [(s.official, s.face) for s in stand_ins if s.face is not None and not (s.face.bold and _uses_fontconfig())]


def _font_items(stand_ins: Sequence[StandIn]) -> list[str]:
    """The replacement table (Tools ▸ Options ▸ Fonts): each missing official font
    replaced "always" by its stand-in.  Only missing fonts are listed, so "always" never
    replaces a font the machine has; it is needed because LibreOffice's replace-if-missing
    loses to fontconfig's own fallback (Noto Sans CJK JP)."""
    pairs = _by_table(stand_ins)
    if not pairs:
        return []
    items = [f'<item oor:path="{_FONT_PAIRS}"><prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>']
    for n, (official, face) in enumerate(pairs):
        props = (("Always", "true"), ("OnScreenOnly", "false"), ("ReplaceFont", official), ("SubstituteFont", face.family))
        inner = "".join(f'<prop oor:name="{name}" oor:op="fuse"><value>{escape(value)}</value></prop>' for name, value in props)
        items.append(f'<item oor:path="{_FONT_PAIRS}/FontPairs"><node oor:name="nianbao{n}" oor:op="replace">{inner}</node></item>')
    return items


def fontconfig_settings(stand_ins: Sequence[StandIn], base: str) -> str | None:
    """A ``fonts.conf`` that reads the machine's own (``base``) and then maps each missing
    official font that stands in as the bold of a family (方正小标宋简体 → 思源宋体 bold: a
    heavy song for the title) — the replacement table cannot set a weight, fontconfig can,
    and LibreOffice takes the weight of the face fontconfig gives.  None when no stand-in
    needs it."""
    bold = [(s.official, s.face) for s in stand_ins if s.face is not None and s.face.bold and _uses_fontconfig()]
    if not bold:
        return None
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{escape(official)}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{escape(face.family)}</string></edit>'
        '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit></match>\n'
        for official, face in bold
    )
    include = f'<include ignore_missing="yes">{escape(base)}</include>\n'
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
            f"<fontconfig>\n{include}{rules}</fontconfig>\n")


def profile_settings(stand_ins: Sequence[StandIn] = ()) -> str:
    """``registrymodifications.xcu`` for the private profile: no network, no links, no
    macros; and, for a PDF, the stand-ins for the official fonts this machine lacks."""
    items = [f'<item oor:path="{_PROVIDERS}"><node oor:name="{name}" oor:op="remove"/></item>' for name in _NETWORK_PROVIDERS]
    items += [f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>' for path, name, value in _SETTINGS]
    items += _font_items(stand_ins)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + "\n".join(items) + "\n</oor:items>\n"
    )


def private_profile(folder: Path, stand_ins: Sequence[StandIn] = ()) -> str:
    """The profile in ``folder`` as the ``-env:UserInstallation`` URL LibreOffice takes,
    with :func:`profile_settings` written where LibreOffice reads them at start."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(profile_settings(stand_ins), encoding="utf-8")
    return folder.resolve().as_uri()


def _environment(folder: Path, stand_ins: Sequence[StandIn]) -> dict[str, str] | None:
    """The environment for LibreOffice: the caller's, with ``FONTCONFIG_FILE`` pointing at
    :func:`fontconfig_settings` written in ``folder`` when a stand-in needs it."""
    base = _fontconfig_base()
    conf = fontconfig_settings(stand_ins, base) if base else None
    if conf is None:
        return None
    path = folder / "fonts.conf"
    path.write_text(conf, encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(path.resolve())}


class OfficeUnavailable(NianbaoError):
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


def convert(sources: list[Path], target: str, out_dir: Path, *, seconds: float = 180, stand_ins: Sequence[StandIn] = ()) -> dict[Path, Path]:
    """Each source converted to ``target`` ("pdf", "docx") in ``out_dir``, by one process,
    with ``stand_ins`` for the official fonts this machine lacks (a PDF's; see
    :mod:`nianbao.render.fontsubst`).  Returns source → converted file, for those that
    were converted."""
    program = soffice()
    if program is None:
        raise OfficeUnavailable(INSTALL)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as profile:
        command = [
            program,
            f"-env:UserInstallation={private_profile(Path(profile), stand_ins)}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", target, "--outdir", str(out_dir),
            *(str(s) for s in sources),
        ]
        try:
            environment = _environment(Path(profile), stand_ins)
            subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=seconds, check=False, env=environment)
        except subprocess.TimeoutExpired as exc:
            raise OfficeUnavailable(f"LibreOffice 在{seconds:.0f}秒内没有完成转换，已放弃") from exc
        except OSError as exc:
            raise OfficeUnavailable(f"无法启动 LibreOffice（{exc}）") from exc
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
            raise OfficeUnavailable(f"LibreOffice 无法转换这个{suffix}文件（可能已损坏）")
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
    :mod:`nianbao.system.safezip`'s bounds; a damaged one raises :class:`safezip.BadPackage`."""
    from lxml import etree

    from ..system import safezip

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
