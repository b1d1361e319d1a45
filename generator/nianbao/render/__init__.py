"""The writers: a checked :class:`~nianbao.report.Report` → the files a unit publishes.

One document outline (:mod:`.outline`) and one set of table grids with their merges
(:mod:`.grid`) serve every format, so the TXT, the DOCX, the web page and the PDF say
the same and cannot disagree on a merge.  Each format is a module of its own, loaded
only when it is asked for.
"""

from __future__ import annotations
