"""The web front (``nianbao serve``): every unit fills its report through a private link, the
county returns, approves, produces and aggregates — on one machine of its intranet.

Stage by stage: :mod:`.store` keeps everything in one database (SQLite in the site folder, or
PostgreSQL) through :mod:`.db` and its migrations; :mod:`nianbao.workflows.editing` (below the site, as every
workflow) turns what a clerk types into the report file the command line reads and checks it with
the same rules; :mod:`.app` serves the
pages (:mod:`.unit` for a unit, :mod:`.county` for the county's admin) behind :mod:`.auth`;
:mod:`.server` runs it; :mod:`.export` writes the site back out as report files.  Nothing here
knows the standard: it comes from the spec, the checks and the renderers the CLI uses.
"""
