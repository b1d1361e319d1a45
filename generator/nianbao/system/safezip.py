"""Opening a stranger's .docx or .xlsx without trusting it.

Both are zip packages of XML parts.  A hostile one can be a zip bomb (a few kilobytes
that inflate to gigabytes) or carry an XML entity bomb; a damaged one can be cut short.
Every package nianbao reads goes through :func:`open_package`, which refuses implausible
members before anything is inflated, and every part is read with a size cap and parsed
with entity expansion and network access off.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..errors import NianbaoError

MAX_MEMBERS = 5000
MAX_PART = 64 * 1024 * 1024  # bytes of one inflated part
MAX_TOTAL = 512 * 1024 * 1024  # bytes of all parts, as declared
MAX_RATIO = 150  # inflated / compressed, for parts over 1 MiB


class BadPackage(NianbaoError):
    """The package is damaged or hostile; the message says so in Chinese."""



def open_package(source: bytes | Path, kind: str) -> zipfile.ZipFile:
    """The zip, checked; ``kind`` names the file for messages (``Word 文档``)."""
    try:
        package = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise BadPackage(f"不是有效的{kind}：文件无法打开（可能已损坏、被截断，或是改了扩展名的其他文件）") from exc
    members = package.infolist()
    if len(members) > MAX_MEMBERS:
        raise BadPackage(f"{kind}结构异常（包含{len(members)}个部件），已拒绝读取")
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > MAX_PART or (info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise BadPackage(f"{kind}中的部件“{info.filename}”解压后异常巨大（{info.file_size // (1024 * 1024)} MB），可能是恶意构造的压缩包，已拒绝读取")
    if total > MAX_TOTAL:
        raise BadPackage(f"{kind}解压后异常巨大（{total // (1024 * 1024)} MB），已拒绝读取")
    return package


def read_part(package: zipfile.ZipFile, name: str, kind: str) -> bytes:
    """One part, never more than :data:`MAX_PART` bytes whatever its header claims."""
    try:
        with package.open(name) as handle:
            data = handle.read(MAX_PART + 1)
    except KeyError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise BadPackage(f"{kind}已损坏：部件“{name}”无法解压") from exc
    if len(data) > MAX_PART:
        raise BadPackage(f"{kind}中的部件“{name}”解压后异常巨大，已拒绝读取")
    return data


def declares(data: bytes, kind: str) -> None:
    """Office never writes a DTD into a package part; one that does is built to make a
    parser expand entities (a "billion laughs") or fetch files, and is refused."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        raise BadPackage(f"{kind}中含有 XML 实体定义（DOCTYPE/ENTITY），Word 和 Excel 不会写这种内容，可能是恶意构造的文件，已拒绝读取")


def parse_xml(data: bytes, kind: str) -> etree._Element:
    """XML without entity expansion, DTDs or network access."""
    declares(data, kind)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = f"（第{exc.lineno}行）" if exc.lineno else ""
        raise BadPackage(f"{kind}已损坏：内容不是完整的 XML{line}，可能被截断或被其他程序改坏；请在 Word/WPS 中打开后重新保存") from exc
    if root is None:
        raise BadPackage(f"{kind}已损坏：内容为空")
    return root
