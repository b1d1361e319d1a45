"""`nianbao overview INPUT…`: a county's units side by side, with charts."""

from __future__ import annotations
