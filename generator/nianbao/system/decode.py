"""Bytes of a clerk's file → text, whatever Windows editor wrote it.

Detection is by construction, not by guessing: a BOM decides first; UTF-16 without a BOM
shows itself by its zero bytes; then strict UTF-8, which GBK text practically never
passes; then GB18030 (a superset of GBK and GB2312).  A file none of these decode is
refused rather than read as mojibake.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import ERROR, WARNING, Finding, Rule
from .patterns import lazy

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# One rule for every text that can reach a document (a report file, typed in the wizard,
# a workbook cell, an imported report).  What Word leaves in copied text — a manual line
# break (vertical tab), a page break, a cell's end mark, zero-width spaces and joiners, a
# soft hyphen, a stray byte-order mark, line and paragraph separators — is removed, with
# a warning.  Any other control character, and Unicode's noncharacters and lone
# surrogates, are errors: no document is written with them (Word refuses such a file).
# Tab, CR and LF are ordinary.  The bidi embeddings, overrides and isolates are removed
# with a warning of their own: they make text show in another order than it is stored
# (a unit name, a file name), and Chinese text never needs them.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_PASTED = "\x07\x0b\x0c\u00ad\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u2060\ufeff" + BIDI
_CONTROL = lazy(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff"
    "\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)

_NAMES = {
    "\x0b": "手动换行符（垂直制表符）",
    "\x0c": "分页符",
    "\x07": "单元格结束符",
    "\u200b": "零宽空格",
    "\u00ad": "软连字符",
    "\ufeff": "零宽不换行空格（BOM）",
    "\u2060": "零宽连接符",
    "\x1b": "转义字符（ESC）",
    "\x00": "空字符（NUL）",
    "\u202a": "从左至右嵌入符",
    "\u202b": "从右至左嵌入符",
    "\u202c": "方向格式结束符",
    "\u202d": "从左至右覆盖符",
    "\u202e": "从右至左覆盖符",
    "\u2066": "从左至右隔离符",
    "\u2067": "从右至左隔离符",
    "\u2068": "首字符方向隔离符",
    "\u2069": "方向隔离结束符",
}


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a character :func:`control_findings` would tell of."""
    return _CONTROL.search(text) is not None


def without_controls(text: str) -> str:
    """``text`` as :func:`control_findings` leaves it, for a name used where no finding
    can be said (a file name, a unit named in a message)."""
    return _CONTROL.sub("", text)


def pasted(char: str) -> bool:
    """Left by copying from Word: removed with a warning (others are errors)."""
    return char in _PASTED


def control_findings(text: str, path: str | None, line: int | None, label: str | None = None, *, column: bool = False) -> tuple[str, list[Finding]]:
    """``text`` without its control characters, and what to tell of them: a warning for
    what Word leaves in copied text, an error for anything else.  ``label``: how the message
    names the place (its printed label; the path when not given)."""
    findings = []
    named = label or path
    for match in _CONTROL.finditer(text):
        char = match.group()
        at = f"第{match.start() + 1}个字符处" if column else f"“{named}”中" if named else ""
        if char in BIDI:
            findings.append(Finding(WARNING, Rule.S, path, f"{at}有不可见的文字方向控制字符（{control_name(char)}），它会让文字显示的顺序与实际不同，已删除", line))
        elif pasted(char):
            findings.append(Finding(WARNING, Rule.S, path, f"{at}有不可见的控制字符（{control_name(char)}），多半是从Word复制带入的，已删除", line))
        else:
            findings.append(Finding(ERROR, Rule.S, path, f"{at}有不允许的控制字符（{control_name(char)}），文件中不能有这样的字符，请删除", line))
    return (_CONTROL.sub("", text) if findings else text), findings


@dataclass
class Decoded:
    """Bytes read as text: the text (None when no encoding fits), the encoding found, and what
    the clerk should hear about it (a BOM, GBK, control characters)."""

    text: str | None
    encoding: str
    findings: list[Finding] = field(default_factory=list)


def _detect(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if len(data) >= 2 and data.count(0) * 4 >= len(data):
        # UTF-16 without BOM: every CJK or ASCII character has a zero byte in one half.
        evens, odds = data[0::2].count(0), data[1::2].count(0)
        encoding = "utf-16-le" if odds > evens else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def control_name(char: str) -> str:
    name = _NAMES.get(char) or unicodedata.name(char, "控制字符")
    return f"{name}，U+{ord(char):04X}"


def decode(data: bytes) -> Decoded:
    """Decode ``data``; line ends become ``\\n``.  ``text`` is None when no encoding fits."""
    detected = _detect(data)
    if detected is None:
        return Decoded(None, "unknown", [Finding(ERROR, Rule.S, None, "无法识别文件编码：请用记事本“另存为”UTF-8 编码后再试")])
    text, encoding = detected
    return Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), encoding)


def scan_controls(text: str) -> tuple[str, list[Finding]]:
    """``text`` without control characters, and a finding for each, with its line; so
    that the rest of the file can still be checked in the same run."""
    if not _CONTROL.search(text):
        return text, []
    findings: list[Finding] = []
    lines = []
    for number, line in enumerate(text.split("\n"), start=1):
        line, found = control_findings(line, None, number, column=True)
        lines.append(line)
        findings += found
    return "\n".join(lines), findings


def read_at_most(path: Path, limit: int) -> bytes | None:
    """A file's bytes, or None when it holds more than ``limit``: a unit list, a defaults
    file or a record is read no further than what such a file can be."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def decode_text(data: bytes) -> str:
    """Text of a file already known to load (its encoding found, control characters gone)."""
    decoded = decode(data)
    assert decoded.text is not None
    return scan_controls(decoded.text)[0]


def unstorable(value: str, what: str) -> str | None:
    """Why ``value`` cannot be kept as it is in a database, or None: PostgreSQL refuses a NUL
    character, and neither database can encode a lone surrogate (JSON lets a browser send one).
    Said, never altered silently (the site's store refuses it with this sentence)."""
    if "\x00" in value:
        return f"{what}中有空字符（\\0），无法保存：请删去后再试"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{what}中有无法保存的字符（多半是复制粘贴带进来的乱码）：请删去后再试"
    return None
