"""When two reports' unit names are one unit: the rule ``compare`` and ``overview`` share.

A unit's name is printed as its clerk writes it, year after year not always the same way:
``洪泽区人民政府`` one year, ``淮安市洪泽区人民政府`` the next, with the city's name before
it.  Both are the same government; ``洪泽区人民政府`` and ``平潭县人民政府`` are not.  Three
degrees are told apart, so that a command can act on each as a reviewer would:

- **the same name**: equal once spaces and full-width forms are folded (the way a unit
  list compares names, :func:`key`);
- **the same unit, named with a higher region before it**: one name is the other with
  whole region names in front (``淮安市``, ``江苏省淮安市``, ``沭阳县`` before a township or
  a county department) — said in a note, never silent;
- **different units**: anything else (a renamed unit is one only when a person says so,
  ``compare --same-unit``).

:func:`pair_names` pairs two lists of names by this rule (exact names first, then the
prefixed ones, a name that could pair with two left unpaired), for a folder of last
year's reports against this year's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

# A region's name: a few characters and the word of its level.  A prefix is one or more
# of them, whole (淮安市, 江苏省淮安市, 沭阳县); the word alone (市) is not a region.
_REGION = r"[\u3400-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗)"
_PREFIX = re.compile(rf"(?:{_REGION})+")
# What a name that had its place cut off would be: an organ with no place of its own.
_GENERIC = re.compile(r"(?:人民)?政府(?:办公室|办公厅)?|办公室|办公厅|街道办事处|办事处|管理委员会|管委会")
MIN_NAME = 4  # characters the shorter name keeps: 某某区/某某局 and an organ word at the least


@lru_cache(maxsize=8192)
def key(name: str) -> str:
    """A unit's name as compared: NFKC (full-width forms folded), no whitespace (cached: a
    county's 300 names are compared with each other and with its list)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class Sameness:
    """Two names of one unit: ``prefix`` is the higher region one of them has before the
    other ("" when the names are the same)."""

    prefix: str = ""

    @property
    def exact(self) -> bool:
        return not self.prefix


def same_unit(a: str, b: str) -> Sameness | None:
    """The way ``a`` and ``b`` name one unit, or None when they name two."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return None
    if ka == kb:
        return Sameness()
    longer, shorter = (ka, kb) if len(ka) > len(kb) else (kb, ka)
    if not longer.endswith(shorter) or len(shorter) < MIN_NAME or _GENERIC.fullmatch(shorter):
        return None
    prefix = longer[: len(longer) - len(shorter)]
    return Sameness(prefix) if _PREFIX.fullmatch(prefix) else None


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
        last_by_key.setdefault(key(name), name)
    paired: dict[str, tuple[str, Sameness]] = {}
    taken: set[str] = set()
    for name in this:
        k = key(name)
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
            paired[name] = (other, same_unit(name, other))  # type: ignore[assignment]
            taken.add(other)
        else:
            both = "、".join(dict.fromkeys([*candidates, *(r for r in rivals if r != name)]))
            why[name] = f"可能与{both}是同一单位，无法确定，未配对"
    pairs = [(name, *paired[name]) for name in _unique(this) if name in paired]
    return Pairing(
        pairs,  # type: ignore[arg-type]
        [n for n in _unique(this) if n not in paired],
        [n for n in _unique(last) if n not in taken],
        why,
    )


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
