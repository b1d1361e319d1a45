"""One text, one set of characters: what a published file's text layer holds → the
characters a person reads there.

A PDF printed by a browser, or by a font whose glyphs are shared between a radical and
the ideograph it looks like, writes ⻘ (U+2ED8, CJK RADICAL BLUE) for 青 and ⺠ (U+2EA0)
for 民, ⾏ (U+2F8F, KANGXI RADICAL WALK) for 行: identical on the page, different to any
comparison — the unit's name matches no list, headings are not found.  So every
imported text goes once through :func:`unify` before any matching:

* Kangxi radicals (U+2F00–2FDF) → the ideograph, by Unicode's compatibility mapping;
* CJK Radicals Supplement (U+2E80–2EFF) → the ideograph, by the table :data:`SUPPLEMENT`
  (Unicode gives a compatibility mapping for two of them only; the table follows
  Unicode's EquivalentUnifiedIdeograph data for the forms that stand for a character);
* CJK Compatibility Ideographs (U+F900–FAFF, U+2F800–2FA1F) → their canonical ideograph;
* Latin ligatures (ﬁ, ﬂ …) → their letters.

Superscript digits and circled numbers are *not* folded here: glued to a figure they
are a footnote mark, and :func:`nianbao.read.importer.words.number` must still see them.

Bidirectional controls (U+202A–202E, U+2066–2069) make text display in another order
than it is stored (``U+202E`` turns ``政府`` into what looks like ``府政``): they are
removed, with a warning.  A unit name that still holds a radical, a compatibility
character or a private-use character after all this is told to the clerk.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ...findings import WARNING, Finding, Rule
from ...system.decode import BIDI, control_name
from .lines import Line, printable

# Radicals Supplement forms that stand for a whole character → that character.  Stroke
# forms with no character of their own (⺀, ⺍, ⺗'s variants…) are left as they are and
# reported when they reach a name.
_SUPPLEMENT_PAIRS = (
    "⺁厂⺅亻⺆冂⺇几⺉刂⺊卜⺋㔾⺌小⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺜日⺝月⺞歺⺟母"
    "⺠民⺡氵⺢氺⺣灬⺤爫⺦丬⺨犭⺩王⺫罒⺬示⺭礻⺮竹⺯糹⺰纟⺲罒⺹耂⺺肀⺾艹⻁虎⻂衤⻃覀⻄西"
    "⻅见⻆角⻈讠⻉贝⻋车⻌辶⻏阝⻐钅⻑長⻒镸⻓长⻔门⻖阝⻗雨⻘青⻙韦⻚页⻛风⻜飞⻝食⻟飠"
    "⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟"
)
SUPPLEMENT: dict[str, str] = dict(zip(_SUPPLEMENT_PAIRS[0::2], _SUPPLEMENT_PAIRS[1::2]))

# Kangxi radicals whose compatibility mapping is the other regional form of the same
# character: a simplified-Chinese font draws ⼾ ⾭ ⿈ as 户 青 黄 (Chromium prints 门户网站
# as 门⼾网站), not as 戶 靑 黃.
MAINLAND: dict[str, str] = {"⼾": "户", "⾭": "青", "⿈": "黄"}

_BIDI = re.compile(f"[{BIDI}]")  # decode's one set
# what a name must not hold once mapped: radicals, strokes, compatibility ideographs,
# private-use characters (a PDF font's glyph without a Unicode value)
_FOREIGN = re.compile("[\u2e80-\u2fdf\u31c0-\u31ef\uf900-\ufaff\ue000-\uf8ff\U0002f800-\U0002fa1f]")


def _table() -> dict[int, str]:
    """The mapping, built once from Unicode's own data where it has one."""
    table: dict[int, str] = {}
    for code in range(0x2F00, 0x2FE0):  # Kangxi radicals: NFKC maps every assigned one
        char = chr(code)
        mapped = unicodedata.normalize("NFKC", char)
        if mapped != char:
            table[code] = mapped
    table.update((ord(radical), ideograph) for radical, ideograph in MAINLAND.items())
    for char, ideograph in SUPPLEMENT.items():
        table[ord(char)] = ideograph
    for start, end in ((0xF900, 0xFB00), (0x2F800, 0x2FA20)):  # compatibility ideographs
        for code in range(start, end):
            char = chr(code)
            mapped = unicodedata.normalize("NFC", char)
            if mapped != char:
                table[code] = mapped
    for code in range(0xFB00, 0xFB07):  # Latin ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ
        table[code] = unicodedata.normalize("NFKC", chr(code))
    return table


TABLE: dict[int, str] = _table()
# the blocks that hold every character unify changes, as ranges: a class of ranges is
# searched fast, one of thousands of single characters (some beyond U+FFFF) slowly
_ODD = re.compile(f"[\u2e80-\u2fdf\uf900-\ufb06\U0002f800-\U0002fa1f{BIDI}]")


# UTF-16's high bytes for the code units of those blocks (and of anything beyond U+FFFF, a
# surrogate pair): the bytes of every other unit are dropped by a translate, in C
_NOT_ODD_UNITS = bytes(b for b in range(256) if b not in (0x2E, 0x2F, 0xF9, 0xFA, 0xFB, *range(0xD8, 0xE0)))


def odd(text: str) -> bool:
    """Whether ``text`` holds anything :func:`unify` would change (for a whole text).  The
    search is made only where a code unit falls in one of the blocks mapped, or where a
    character is not printable (the bidi controls are format characters): most texts
    are told without it, at a few times its speed."""
    if text.isascii():
        return False
    units = text.encode("utf-16-le", "surrogatepass")[1::2]
    if not units.translate(None, _NOT_ODD_UNITS) and printable(text):
        return False
    return _ODD.search(text) is not None


def characters(text: str) -> str:
    """``text`` with look-alike forms replaced by the characters they stand for, and
    without bidirectional controls."""
    return _BIDI.sub("", text.translate(TABLE))


class _Tally:
    """What :func:`unify` changed, for one finding per kind rather than one per line."""

    def __init__(self) -> None:
        self.mapped: dict[str, int] = {}
        self.bidi: dict[str, int] = {}

    def text(self, text: str, count: bool = True) -> str:
        """``text`` unified; what it held counted unless ``count`` is False (a line's
        cells and raw text repeat its text)."""
        if not text or not count:
            return characters(text) if text else text
        for match in _ODD.finditer(text):
            char = match.group()
            kind = self.mapped if ord(char) in TABLE else self.bidi if char in BIDI else None
            if kind is not None:
                kind[char] = kind.get(char, 0) + 1
        return characters(text)


def unify(lines: list[Line], meta: dict[str, str]) -> tuple[list[Line], dict[str, str], list[Finding]]:
    """Every line, cell and metadata text in one set of characters; the warnings for what
    was mapped or removed, and for the notes readers left on lines (hidden text)."""
    findings = [Finding(WARNING, Rule.I, None, f"{note}（原文{line.place}）" if line.place else note, line.line) for line in lines for note in line.notes]
    if not odd("\n".join(_texts(lines, meta))):
        return lines, meta, findings  # the usual file: one search over all its text finds nothing to map
    tally = _Tally()
    out: list[Line] = []
    for line in lines:
        cells = [replace(c, text=tally.text(c.text, count=False)) for c in line.cells]  # a cell keeps what it carries (where a scan read it)
        out.append(replace(line, text=tally.text(line.text), raw=tally.text(line.raw, count=False), cells=cells))
    meta = {key: tally.text(value) for key, value in meta.items()}
    if tally.mapped:
        findings.append(Finding(WARNING, Rule.I, None, mapped_note(tally.mapped)))
    if tally.bidi:
        count = sum(tally.bidi.values())
        kinds = "、".join(control_name(c) for c in tally.bidi)
        findings.append(
            Finding(WARNING, Rule.I, None, f"原文中有{count}个改变文字显示方向的控制字符（{kinds}），会使文字看起来与实际内容不同，已删除")
        )
    return out, meta, findings


def _texts(lines: list[Line], meta: dict[str, str]):
    """Every text :func:`unify` maps: each line's text, raw text and cells, and the metadata."""
    for line in lines:
        yield line.text
        yield line.raw
        for cell in line.cells:
            yield cell.text
    yield from meta.values()


def mapped_note(mapped: dict[str, int]) -> str:
    """What to tell of the look-alike characters read as the ideographs they stand for."""
    examples = "、".join(f"“{c}”→“{TABLE[ord(c)]}”" for c in list(mapped)[:5])
    return (
        f"原文的文字中有{sum(mapped.values())}个部首或兼容字符（{examples}），与汉字外形相同而编码不同"
        "（常见于浏览器或排版软件生成的 PDF），已按对应的汉字读取"
    )


def count_mapped(text: str, into: dict[str, int]) -> str:
    """``text`` with look-alikes mapped (bidi controls kept: :func:`unify` tells of
    them); what was mapped is counted into ``into``."""
    for match in _ODD.finditer(text):
        if ord(match.group()) in TABLE:
            into[match.group()] = into.get(match.group(), 0) + 1
    return text.translate(TABLE)


def name_findings(name: str | None, path: str) -> list[Finding]:
    """A name that still holds a character no list will match (a radical with no
    ideograph of its own, a private-use glyph): the clerk must retype it."""
    if not name:
        return []
    odd = sorted(set(_FOREIGN.findall(name)))
    if not odd:
        return []
    shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in odd)
    return [Finding(WARNING, Rule.I, path, f"机关名称“{name}”中有{shown}，不是常用汉字的编码（可能是 PDF 字体的部首或私用字符），与名单和往年报告对不上，请改为正确的汉字")]
