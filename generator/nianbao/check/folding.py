"""NFKC of a narrative, as ``unicodedata.normalize("NFKC", text)`` gives it, in a tenth of the time.

The rules read narratives in NFKC (a figure typed ２３件 is 23件).  Chinese text is never
NFKC as typed: its full-width punctuation （，；：） is a compatibility form, and CPython then
decomposes and recomposes every character, CJK ones included — 10–40 µs a paragraph, the
largest part of a check.  Here the compatibility forms Chinese text is full of are replaced
by their compatibility decompositions with ``str.replace``; when the result is in NFKC it is
NFKC of the text (NFKD of both is the same string, and NFKC is the composition of NFKD), and
otherwise the text is normalised the slow way.
"""

from __future__ import annotations

import unicodedata

# full-width punctuation, the ideographic space and the ellipsis, each with its NFKD
_FOLDS = tuple((char, unicodedata.normalize("NFKD", char)) for char in "，；：（）！？％～\u3000…")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    folded = text
    for char, plain in _FOLDS:
        if char in folded:
            folded = folded.replace(char, plain)
    return folded if unicodedata.is_normalized("NFKC", folded) else unicodedata.normalize("NFKC", text)
