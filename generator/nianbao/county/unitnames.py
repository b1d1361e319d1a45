"""When two reports' unit names are one unit: the rule the county rules (B), ``compare`` and
``overview`` share.

A unit's name is printed as its clerk writes it, year after year not always the same way:
``洪泽区人民政府`` one year, ``淮安市洪泽区人民政府`` the next, with the city's name before
it.  Both are the same government; ``洪泽区人民政府`` and ``平潭县人民政府`` are not.  Three
degrees are told apart, so that a command can act on each as a reviewer would:

- **the same name**: equal once spaces, full-width forms and look-alike characters are
  folded and 人民政府 is set aside (:func:`core`: 青山镇政府 and 青山镇 人民政府 are 青山镇人民政府);
- **the same unit, named with a higher region before it**: one name is the other with
  whole region names in front (``淮安市``, ``江苏省淮安市``, ``沭阳县`` before a township or
  a county department), the shorter opening with a place of its own (淮安市教育局 is not
  教育局, which may be a county's own) — said in a note, never silent;
- **different units**: anything else (a renamed unit is one only when a person says so,
  ``compare --same-unit``).

:func:`pair_names` pairs two lists of names by this rule (exact names first, then the
prefixed ones, a name that could pair with two left unpaired), for a folder of last
year's reports against this year's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..system.decode import BIDI
from . import roster

# A higher region's name written before a unit's (江苏省, 淮安市, 洪泽区…), and the place a
# unit's own name opens with (洪泽区, 高良涧街道, 青山镇): 淮安市洪泽区人民政府 is 洪泽区人民政府.
_REGIONS = re.compile(r"(?:[\u4e00-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗))+")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|街道|苏木|省|市|州|盟|县|区|旗|镇|乡)")


# what :func:`nianbao.read.importer.glyphs.characters` changes: its table's blocks (radicals,
# compatibility ideographs, Latin ligatures) and the bidirectional controls
_FOLDABLE = re.compile(f"[\u2e80-\u2fdf\uf900-\ufb06\U0002f800-\U0002fa1f{BIDI}]")


def plain(name: str) -> str:
    """``name`` with look-alike forms read as the characters they stand for
    (:func:`nianbao.read.importer.glyphs.characters`).  The importer, which holds the table, is
    loaded only for a name that has one of them: comparing a county's names typed by hand
    (overview, aggregate) never did need its tenth of a second of start-up."""
    if not _FOLDABLE.search(name):
        return name
    from ..read.importer.glyphs import characters

    return characters(name)


@lru_cache(maxsize=8192)
def core(name: str) -> str:
    """A unit's name as compared (cached: a county's 300 names are compared with each other
    and with its list), as a folder or file may write it: 白沙乡 for 白沙乡人民政府; look-alike
    forms pasted from a browser-printed PDF (⻘ ⺠ for 青 民) read as what they stand for, so
    ⻘山镇人⺠政府 is told it is 青山镇人民政府 rather than a stranger."""
    folded = roster.key(plain(name))
    for suffix in ("人民政府", "政府"):
        if folded.endswith(suffix) and len(folded) > len(suffix) + 1:
            return folded[: -len(suffix)]
    return folded


@dataclass(frozen=True)
class Sameness:
    """Two names of one unit: ``prefix`` is the higher region one of them has before the
    other ("" when the names are the same)."""

    prefix: str = ""

    @property
    def exact(self) -> bool:
        return not self.prefix


def same_unit(a: str, b: str) -> Sameness | None:
    """How ``a`` and ``b`` name one unit, or None when they name two.  One unit to a reviewer
    is the same name as the unit list compares names (spaces, full-width forms, look-alike
    characters, with or without 人民政府: :func:`core`), or names differing only by the higher
    region written before one of them (淮安市洪泽区人民政府 and 洪泽区人民政府, after a renaming or
    as two sites write it).  The shorter name must itself
    open with a place (洪泽区…, 青山镇…): 淮安市教育局 is not 教育局, which may be a county's own."""
    core_a, core_b = core(a), core(b)
    if not core_a or not core_b:
        return None
    if core_a == core_b:
        return Sameness()
    short, long = sorted((core_a, core_b), key=len)
    if not long.endswith(short) or not _PLACE.match(short):
        return None
    prefix = long[: -len(short)]
    return Sameness(prefix) if _REGIONS.fullmatch(prefix) else None


class SameUnits:
    """Names to look a unit up in by :func:`same_unit` without comparing it with each: by
    core (:func:`core`), and by every ending of a core — a name with a region written
    before it ends with the other's core — so a lookup costs its name's length, not the
    list's (300 units, none matched by key, were 90 000 comparisons)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.cores: dict[str, list[str]] = {}
        self.endings: dict[str, list[str]] = {}
        self.place: dict[str, int] = {}
        for name in names:
            self.place.setdefault(name, len(self.place))
            folded = core(name)
            self.cores.setdefault(folded, []).append(name)
            for i in range(1, len(folded)):
                self.endings.setdefault(folded[i:], []).append(name)

    def find(self, name: str) -> list[str]:
        """The names that are the same unit as ``name``, in the order given."""
        folded = core(name)
        found = [*self.cores.get(folded, ()), *self.endings.get(folded, ())]
        for i in range(1, len(folded)):
            found += self.cores.get(folded[i:], ())
        return sorted((other for other in set(found) if same_unit(other, name)), key=self.place.__getitem__)


def note(a: str, b: str, sameness: Sameness) -> str:
    """What a page or a command says of two names of one unit that are not the same name."""
    return f"两份报告的机关名称不完全相同（{a}、{b}），只差前面的上级地名“{sameness.prefix}”，按同一单位比对"


@dataclass
class Pairing:
    """Names of this year paired with last year's: ``pairs`` in this year's order, each with
    its sameness; the names of either year left without a pair, and why where there is a
    reason beyond "no such unit" (a name that could pair with two)."""

    pairs: list[tuple[str, str, Sameness]]
    this_only: list[str]
    last_only: list[str]
    why: dict[str, str]


def pair_names(this: Sequence[str], last: Sequence[str]) -> Pairing:
    """Each of ``this`` year's names with the one of ``last`` year's that names the same
    unit: exactly the same name first; then a name with a higher region before it, when
    exactly one name on each side fits (two that fit are left unpaired, said)."""
    last_by_key: dict[str, str] = {}
    for name in last:
        last_by_key.setdefault(core(name), name)
    paired: dict[str, tuple[str, Sameness]] = {}
    taken: set[str] = set()
    for name in this:
        k = core(name)
        if k in last_by_key and last_by_key[k] not in taken and name not in paired:
            paired[name] = (last_by_key[k], Sameness())
            taken.add(last_by_key[k])
    why: dict[str, str] = {}
    free_last = [n for n in _unique(last) if n not in taken]
    free_this = [n for n in _unique(this) if n not in paired]
    fits = {name: [other for other in free_last if same_unit(name, other)] for name in free_this}
    for name, candidates in fits.items():
        if not candidates:
            continue
        rivals = [n for n in free_this if any(c in fits[n] for c in candidates)]
        if len(candidates) == 1 and len(rivals) == 1:
            other = candidates[0]
            sameness = same_unit(name, other)
            assert sameness is not None  # a candidate is one that fits
            paired[name] = (other, sameness)
            taken.add(other)
        else:
            both = "、".join(dict.fromkeys([*candidates, *(r for r in rivals if r != name)]))
            why[name] = f"可能与{both}是同一单位，无法确定，未配对"
    pairs = [(name, *paired[name]) for name in _unique(this) if name in paired]
    return Pairing(
        pairs,
        [n for n in _unique(this) if n not in paired],
        [n for n in _unique(last) if n not in taken],
        why,
    )


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
