"""The root of nianbao's own errors.

Every error nianbao raises on purpose derives from :class:`NianbaoError`, so one
``except NianbaoError`` tells a refusal nianbao can say in Chinese (a wrong reference
document, an unknown format, a defaults file that cannot be used…) from a surprise that
Python or a library raised.  Classes that callers also catch as a builtin (``ValueError``)
keep that builtin as a second base.
"""

from __future__ import annotations


class NianbaoError(Exception):
    """An error of nianbao's own; its message is written for the clerk, in Chinese."""
