"""File names as found on a clerk's disk, made readable and safe to show or store.

A zip made on a Chinese Windows PC holds its names in GBK; unzipped on Linux they are
bytes that are not UTF-8, which Python hands over as lone surrogates (``\\udcc7``).  Such a
name cannot be printed, nor written into a workbook (openpyxl refuses it, and so did
``batch`` and ``aggregate``, with no 汇总.xlsx).  A name may also hold an invisible
right-to-left override that shows ``报告\\u202excod.yaml`` as another name.  :func:`readable`
gives the name a person should read, :func:`notes` says what was changed, so that the
clerk can still find the file.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePath

from ..system.decode import BIDI
from ..system.patterns import lazy

# Bidi embeddings, overrides and isolates, the marks, and the other invisible format
# characters: shown by their code point, so a name is never displayed in another order
# or with a hidden part.  Controls (C0, C1) likewise.
_INVISIBLE = lazy("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_SURROGATE = lazy("[\ud800-\udfff]")
_BIDI = lazy(f"[{BIDI}\u061c\u200e\u200f]")  # decode's set, and the direction marks
# where a path in a message ends: spaces and the punctuation the messages put around it
_TOKEN = lazy("[^\\s“”‘’（）()：:，,。；;、「」《》]+")


def _bytes_of(part: str) -> bytes | None:
    """The bytes the file system gave for ``part`` (whose undecodable bytes Python kept as
    lone surrogates), or None when it holds surrogates of another kind."""
    try:
        return part.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return None


def decoded(part: str) -> tuple[str, str | None]:
    """(``part`` as text, the encoding it was read in when it was not UTF-8: ``GB18030``, or
    ``""`` when no encoding fits and unreadable bytes were replaced by �)."""
    if not _SURROGATE.search(part):
        return part, None
    raw = _bytes_of(part)
    if raw is None:
        return _SURROGATE.sub("\ufffd", part), ""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), ""
    if any(unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t" for c in text):
        return raw.decode("utf-8", "replace"), ""
    return text, "GB18030"


def visible(text: str) -> str:
    """``text`` with every invisible control shown as its code point: ``[U+202E]``."""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def readable(name: str | PurePath) -> str:
    """A path or file name as a person should read it: each part decoded (GBK bytes read as
    GB18030, else replacement characters), invisible controls shown as code points."""
    text = str(name)
    if not _SURROGATE.search(text):
        return visible(text)
    sep = os.sep if os.sep in text else "/"
    return visible(sep.join(decoded(part)[0] for part in text.split(sep)))


def readable_text(text: str) -> str:
    """A message that may quote a path with undecodable bytes: each such word made
    readable on its own, so that the Chinese around it is kept as it is."""
    if _SURROGATE.search(text):
        text = _TOKEN.sub(lambda m: readable(m.group()) if _SURROGATE.search(m.group()) else m.group(), text)
    return visible(text)


def in_gbk(name: str | PurePath) -> bool:
    """True when some part of the name is GBK bytes, shown decoded as GB18030: said once
    for all such files (:data:`GBK_NOTE`), not once a file."""
    return any(decoded(part)[1] == "GB18030" for part in PurePath(str(name)).parts)


GBK_NOTE = "{n}个文件的文件名不是 UTF-8 编码（多半是 Windows 上压缩的 zip 在别的系统上解开的），已按 GBK/GB18030 显示文件名"


def notes(name: str | PurePath) -> list[str]:
    """What :func:`readable` could not show as the file system has it, said to the clerk
    (empty when nothing): bytes of no encoding, invisible controls.  A name read as GBK is
    not among them: it is shown as it was meant (:func:`in_gbk`)."""
    text = str(name)
    said: list[str] = []
    shown = readable(text)
    if any(decoded(part)[1] == "" for part in PurePath(text).parts):
        said.append(f"文件名中有无法识别的字节，显示为“{shown}”（无法识别的部分为 �）：请给文件改个名")
    if _BIDI.search(text):
        said.append(f"文件名中有不可见的文字方向控制字符，它会让文件名显示的顺序与实际不同；显示为“{shown}”：请给文件改个名")
    elif _INVISIBLE.search(text):
        said.append(f"文件名中有不可见的控制字符，显示为“{shown}”：请给文件改个名")
    return said
