"""The C composer (issue 29, point 2) reads every report file as ruamel's own composer does:
the same values, lines, raw texts and findings — on the examples, on the notations YAML 1.2
and 1.1 disagree on, on tags, anchors, directives and every kind of mistake, and on texts
drawn by hypothesis from the characters that decide how a scalar resolves."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.model import yamlfile

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))

SNIPPETS = [
    *(f"a: {v}" for v in (
        "yes", "no", "on", "off", "y", "True", "FALSE", "0x10", "012", "0o17", "0b11", "1_000", "+12", "-5", "1e3", ".5",
        "12.", "2.50", ".inf", "-.Inf", ".nan", "~", "null", "", "2023-01-05", "2023-1-5", "2001-12-14t21:59:43.10-05:00",
        '"12"', "'12'", "!!str 12", '!!int "12"', "!foo bar", "! 12", "=", "<<", "1:20", "0.1e-3", "-0", "00", "09", "0o",
        "0x", "123456789012345678901234567890123", "!!binary aGVsbG8=", "!<tag:yaml.org,2002:str> 1", '"\\v"', '"\\x1b"',
    )),
    "a: &x 1\nb: *x", "a: &x [1]\nb: *x", "a: &x 1\nb: &x 2", "a: 1\na: 2", "? a\n: 1", "? [a]\n: 1", "{a: 1, b: [1, 2]}",
    "[1, 2]", "a: [1, , 2]", "a: 1\n---\nb: 2", "---\n", "# only a comment", "%YAML 1.1\n---\na: yes", "%YAML 1.2\n---\na: yes",
    "a:\n\t- 1", 'a: "unclosed', "a: b: c", "a: [1, 2", "a: *nope", "- - - 1", "a: |\n  text\n  more", "a: >\n  folded",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1", "1: a\nnull: 1\ntrue: 1", "a:\n  - b: 1\n    c: 2\n  - d",
    "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]", "- " * 2000 + "1", "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v",
]


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    def seen(parsed: yamlfile.Parsed) -> tuple:
        return repr(parsed.data), parsed.lines, parsed.raw, parsed.findings

    fast = seen(yamlfile.parse(text))
    with monkeypatch.context() as patch:
        patch.setattr(yamlfile, "_c_composer_class", lambda: None)  # ruamel's own composer
        slow = seen(yamlfile.parse(text))
    return fast, slow


def test_the_c_composer_is_there_on_cpython():
    if platform.python_implementation() == "CPython":
        assert yamlfile._c_composer_class() is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_compose_the_same(path, monkeypatch):
    fast, slow = both(path.read_text(encoding="utf-8"), monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("text", SNIPPETS)
def test_notations_tags_anchors_and_mistakes_compose_the_same(text, monkeypatch):
    fast, slow = both(text, monkeypatch)
    assert fast == slow


_SCALAR = st.text(alphabet="0123456789+-._xobeEtTfFnNyYul~:!&*'\" 年", max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), _SCALAR), min_size=1, max_size=5))
def test_drawn_scalars_compose_the_same(monkeypatch, pairs):
    text = "\n".join(f"{key}: {value}" for key, value in pairs)
    fast, slow = both(text, monkeypatch)
    assert fast == slow
