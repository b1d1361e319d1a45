"""Comparing reports: a unit's report against last year's (``nianbao compare``) and a county's
units side by side (``nianbao overview``), with the figures and pictures a reviewer grades by.

:mod:`nianbao.check.repetition` defines the repetition rates once (the cross-year rule X5 uses the same
definition); the pages and workbooks are drawn from figures the checks and ``aggregate`` compute.
"""
