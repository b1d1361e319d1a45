"""``StrEnum`` on Python 3.10 too: the base of nianbao's vocabularies.

Each vocabulary — a finding's rule family (:mod:`nianbao.findings`), a batch's outcome and a
county's standing of a unit (:mod:`nianbao.county.statuses`), a report's status on the site
(:mod:`nianbao.serve.store`) — is one ``StrEnum`` whose values are the words a clerk reads: a
member *is* that string wherever it is compared, stored, written into a workbook or printed,
so a typo is an ``AttributeError`` at once instead of a comparison that is silently never true.
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10: the same, by hand (its value wherever it is printed or formatted)
    class StrEnum(str, Enum):
        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return format(str(self.value), spec)


__all__ = ["StrEnum"]
