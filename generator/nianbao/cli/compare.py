"""`nianbao compare LAST THIS`: a year-over-year comparison of one unit's reports."""

from __future__ import annotations
