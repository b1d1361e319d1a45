"""What makes a command start fast (issue 29, point 2) changes nothing it does: patterns kept
compiled between runs are the patterns ``re`` compiles, a cache that is damaged, foreign or
cannot be written is passed over, and the cycle collector is on, and rare, once the
command line has loaded."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys

import pytest
from conftest import EXAMPLE_2023

from nianbao.system import patterns

PASSED = f"{EXAMPLE_2023}：通过（错误0个，提示0个）"


def _run(code: str, cache: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIANBAO_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


CHECK = f"""
import sys
sys.argv = ["nianbao", "check", {str(EXAMPLE_2023)!r}]
from nianbao.__main__ import main
try:
    main()
except SystemExit as exc:
    print("exit", exc.code)
"""

# lists the patterns re's compiler is asked for, then checks the example as the command does
COUNTED = """
import re._compiler as compiler
asked = []
original = compiler.compile
compiler.compile = lambda p, flags=0: asked.append(p) or original(p, flags)
""" + CHECK + """
print("compiled", repr(asked))
"""


def _compiled(done: subprocess.CompletedProcess[str]) -> set[str]:
    import ast

    return set(ast.literal_eval(done.stdout.split("compiled ", 1)[1]))


def _cache_file(folder) -> str:
    return os.path.join(str(folder), f"patterns-{sys.implementation.cache_tag}-{__import__('_sre').MAGIC}.marshal")


def test_patterns_a_run_compiled_are_built_by_the_next_from_the_cache_and_are_the_same(tmp_path):
    first = _run(COUNTED, tmp_path)
    assert first.returncode == 0 and PASSED in first.stdout and first.stderr == ""
    stamp, kept = marshal.loads(open(_cache_file(tmp_path), "rb").read())
    assert stamp == patterns._stamp() and len(kept) >= 20  # the rules' patterns, the YAML rules…
    assert {text for text, _ in kept} <= _compiled(first)

    second = _run(COUNTED, tmp_path)
    assert PASSED in second.stdout and "exit 0" in second.stdout and second.stderr == ""
    assert not {text for text, _ in kept} & _compiled(second)  # what re compiles now is the libraries' own

    # every kept pattern, rebuilt, is what re.compile makes of its text: code, flags, groups, names
    import _sre
    import re

    for (text, flags), parts in kept.items():
        rebuilt, compiled = _sre.compile(text, *parts), re.compile(text, flags)
        assert rebuilt == compiled and rebuilt.groups == compiled.groups and rebuilt.groupindex == compiled.groupindex


@pytest.mark.parametrize("content", [b"", b"\x00garbage", marshal.dumps(("another", 1)), "foreign stamp", "engine refuses"])
def test_a_damaged_or_foreign_cache_is_passed_over_and_replaced(tmp_path, content):
    path = _cache_file(tmp_path)
    if content == "foreign stamp":
        content = marshal.dumps((("nianbao patterns", 1, "2.7"), {("a", 0): (0, [1, 2, 3], 0, {}, ())}))
    elif content == "engine refuses":  # the right stamp, code the engine does not accept
        content = marshal.dumps((patterns._stamp(), {(r"\s*(\d{4})\s*年", 32): (32, [99, 99, 99], 1, {}, (None, None))}))
    with open(path, "wb") as handle:
        handle.write(content)
    done = _run(CHECK, tmp_path)
    assert PASSED in done.stdout and "exit 0" in done.stdout and done.stderr == ""
    stamp, kept = marshal.loads(open(path, "rb").read())
    assert stamp == patterns._stamp() and len(kept) >= 20


def test_without_a_place_for_the_cache_a_command_runs_as_ever(tmp_path):
    (tmp_path / "a file").write_text("", encoding="utf-8")
    for cache in ("", tmp_path / "a file" / "below"):  # turned off; a folder that cannot be made
        done = _run(CHECK, cache)
        assert PASSED in done.stdout and "exit 0" in done.stdout and done.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]


def test_ruamels_yaml_rules_are_read_through_the_cache_as_ruamel_compiles_them(tmp_path):
    code = """
from ruamel.yaml.resolver import implicit_resolvers
from nianbao.model import yamlfile
from nianbao.system import patterns
for versions, _tag, regexp, _first in implicit_resolvers:
    if (1, 2) in versions:
        ours = yamlfile._rule(regexp)  # before ruamel compiles it: through the cache
        theirs = regexp.lazy_self()
        print(isinstance(ours, patterns._Lazy), (ours.pattern, ours.flags) == (theirs.pattern, theirs.flags))
        assert yamlfile._rule(regexp) is theirs  # once ruamel has compiled it: its own
"""
    done = _run(code, tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    assert set(done.stdout.splitlines()) == {"True True"} and len(done.stdout.splitlines()) == 8


def test_the_collector_is_on_and_rare_once_the_command_line_has_loaded(tmp_path):
    code = CHECK + "import gc\nprint(gc.isenabled(), gc.get_threshold()[0], gc.get_freeze_count() > 10000)\n"
    done = _run(code, tmp_path)
    assert done.stdout.strip().splitlines()[-2:] == ["exit 0", "True 20000 True"]


def test_a_forked_child_freezes_what_it_inherits_and_the_parent_stays_settled(tmp_path):
    """A reader's bounded child and the overview's workers keep the inherited heap out of their
    collections, and forking them leaves the parent's frozen start-up frozen (the site's first
    upload used to unfreeze it, and bring back its walks over every unit's report)."""
    if not hasattr(os, "register_at_fork"):
        pytest.skip("no fork on this platform: children are spawned and inherit nothing")
    code = """
import gc
from nianbao.system.collector import settle
from nianbao.system import forked, isolate
settle()
before = gc.get_freeze_count()
inherited = lambda *_: gc.get_freeze_count() >= before - 100
print(isolate.run(inherited, seconds=30, what="x"), isolate.run(inherited, seconds=30, what="x", keep=True), forked.shared(inherited, [1, 2], 2))
print(gc.get_freeze_count() >= before - 100, before > 5000)
"""
    done = _run(code, tmp_path)
    assert done.stderr == "" and done.stdout.splitlines() == ["True True [True, True]", "True True"]
