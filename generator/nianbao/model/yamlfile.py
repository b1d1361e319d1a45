"""A report file's YAML → plain Python values, with the line and raw text of every value.

The file is *composed* (not constructed) with ruamel.yaml so that each scalar keeps the
text the clerk typed: ``2.50`` becomes ``Decimal('2.50')``, never a float, ``12.0`` stays
recognisably not an integer, and a phone number keeps its leading zero.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from ..errors import NianbaoError
from ..findings import ERROR, Finding, Rule
from ..system.patterns import lazy

Path = tuple[Any, ...]

_TAG = "tag:yaml.org,2002:"

# ruamel's problem texts for the mistakes clerks actually make, said in Chinese.
_PROBLEMS = (
    ("found character '\\t'", "用了Tab键缩进；请改用空格缩进"),
    ("mapping values are not allowed", "这里不应出现冒号：可能是缩进不对，或文字中含有“: ”需要用引号括起来"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行的引号没有配对"),
    ("expected <block end>", "缩进不一致：同一层的各项应对齐"),
    ("expected the node content, but found ','", "方括号中有空着的位置：没有的请填 0"),
    ("did not find expected node content", "方括号中有空着的位置：没有的请填 0"),
    ("did not find expected ',' or ']'", "方括号中的数字应以英文逗号分隔，并以“]”结束"),
    ("did not find expected key", "缩进不一致：同一层的各项应对齐"),
    ("found character that cannot start any token", "这里有YAML不允许的字符（如 @ 或 ` 开头），文字请用引号括起来"),
    ("found undefined alias", "使用了未定义的别名（*）"),
    ("while scanning a quoted scalar", "引号没有配对"),
    ("found unexpected end of stream", "文件意外结束：引号或括号没有配对"),
    ("expected ',' or ']'", "方括号中的数字应以英文逗号分隔，并以“]”结束"),
    ("found invalid Unicode character escape code", "引号中的 \\u 转义写法不正确（或表示了不允许的字符）"),
    ("found unknown escape character", "引号中有不认识的转义写法（\\ 后面的字符），文字中的反斜杠请写成 \\\\"),
    ("while parsing a flow sequence", "方括号中的数字应以英文逗号分隔，并以“]”结束"),
)


@dataclass
class Parsed:
    """A report file read: the values, each one's line and text as written, and what the
    reading itself found (a duplicate key, a tab)."""

    data: Any = None
    lines: dict[Path, int | None] = field(default_factory=dict)  # 1-based line of each value (None: an imported file's, without lines)
    raw: dict[Path, str] = field(default_factory=dict)  # scalar text as written
    findings: list[Finding] = field(default_factory=list)

    def line(self, path: Path) -> int | None:
        """The line of ``path`` or of its nearest ancestor; the document's first line."""
        return nearest_line(self.lines, path) or self.lines.get(())


def copied(parsed: Parsed) -> Parsed:
    """A copy of ``parsed`` the caller may change: its dicts and lists new, its values (str,
    numbers, dates, None — all immutable) shared.  A tenth of what ``copy.deepcopy`` costs,
    for a parse read several ways (the site checks the text it also shows)."""
    return Parsed(tree_copy(parsed.data), dict(parsed.lines), dict(parsed.raw), list(parsed.findings))


def tree_copy(value: Any) -> Any:
    """Dicts and lists of a parsed file copied, scalars shared (they are immutable)."""
    if isinstance(value, dict):
        return {key: tree_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tree_copy(item) for item in value]
    return value


def nearest_line(lines: dict[Path, int | None], path: Path) -> int | None:
    """The line of ``path`` or of its nearest ancestor key that exists in the file."""
    path = tuple(path)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


class WrittenNumber(str):
    """A number written other than in plain decimal digits — ``0x10``, ``0o17``, ``0b11``,
    ``1_000``, ``+12``, ``1e3``, ``.5`` — or with more digits than any count or amount has.
    YAML reads ``0x10`` as 16 without a word; here it stays the text typed, carrying the
    decimal value it stands for (None when too long to be one), so that the check says
    “请写成 16” and a phone number typed that way keeps its text."""

    value: int | Decimal | None

    def __new__(cls, text: str, value: int | Decimal | None) -> WrittenNumber:
        made = super().__new__(cls, text)
        made.value = value
        return made


MAX_DIGITS = 30  # no count or amount has more; Python refuses to convert ints of 4300
_PLAIN_INT = lazy(r"-?[0-9]+")
_PLAIN_DECIMAL = lazy(r"-?[0-9]+\.[0-9]+")


def _int(text: str) -> int | str:
    """A YAML int: plain decimal digits are the number; any other notation is kept as
    written, with its decimal value."""
    if _PLAIN_INT.fullmatch(text):
        return int(text) if len(text) <= MAX_DIGITS else WrittenNumber(text, None)
    clean = text.replace("_", "")
    sign = -1 if clean.startswith("-") else 1
    body = clean.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(body[:2].lower(), 10)
    digits = body[2:] if base != 10 else body
    if len(digits) * {16: 1.21, 8: 0.91, 2: 0.31, 10: 1}[base] > MAX_DIGITS:
        return WrittenNumber(text, None)
    try:
        return WrittenNumber(text, sign * int(digits, base))
    except ValueError:  # a YAML 1.1 form (``1:20``, sexagesimal): no number a clerk means
        return text


def _decimal(text: str) -> Decimal | float | WrittenNumber:
    """A YAML float as an exact Decimal (``2.50`` stays 2.50); ``1e3``, ``+1.5``, ``.5``
    and ``12.`` are kept as written, with the plain decimal they stand for."""
    if _PLAIN_DECIMAL.fullmatch(text):
        return Decimal(text) if len(text) <= MAX_DIGITS + 2 else WrittenNumber(text, None)
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return float(text.lower().replace(".", "", 1))  # .inf, .nan
    if not value.is_finite() or abs(value.adjusted()) > MAX_DIGITS or len(value.as_tuple().digits) > MAX_DIGITS:
        return WrittenNumber(text, None)
    plain = format(value, "f")
    return WrittenNumber(text, int(plain) if value == value.to_integral_value() and "." not in plain else Decimal(plain))


_NOTATION = lazy(
    r"[-+]?(?:0[xX][0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?)"
)


def number_text(text: str) -> Any:
    """A number typed as text elsewhere (a workbook cell formatted as text) read as YAML
    reads one: plain digits are the number, ``+12``, ``1_000``, ``0x10`` a
    :class:`WrittenNumber`; anything else is given back unchanged."""
    text = text.strip()
    if not _NOTATION.fullmatch(text):
        return text
    body = text.lstrip("+-")
    if body[:2].lower() in ("0x", "0o", "0b") or not any(c in body for c in ".eE"):
        return _int(text)
    return _decimal(text)


def _tag(node: Node) -> str:
    """``str(node.tag)``, without ruamel's character-by-character decoding of a tag that has
    no %-escape to decode (every tag the resolver gives): a third of composing a report."""
    ctag = getattr(node, "ctag", None)
    suffix = getattr(ctag, "suffix", None)
    if getattr(ctag, "handle", 0) is None and isinstance(suffix, str) and "%" not in suffix:
        return suffix
    return str(node.tag)


def _scalar(node: ScalarNode) -> Any:
    text = node.value
    if node.ctag is _PLAIN:  # the C composer's mark of a plain scalar without a tag
        return _plain_scalar(text)
    if node.style in _QUOTED_OR_BLOCK:
        return text
    tag = _tag(node)
    if not tag.startswith(_TAG):
        return text
    return _read(tag[len(_TAG) :], text)


def _read(kind: str, text: str) -> Any:
    """The value of a plain scalar of the resolved ``kind`` (the text itself for a kind
    without a reader: a string, ``<<``, ``=``)."""
    reader = _READERS.get(kind)
    if reader is None:
        return text
    if len(text) > _KEPT_LENGTH:
        return reader(text)
    key = (kind, text)
    value = _READ.get(key, _READ)
    if value is _READ:  # read once per notation: a report writes the same figures and nulls again and again
        value = reader(text)
        if len(_READ) >= 4096:
            _READ.clear()
        _READ[key] = value
    return value


def _plain_scalar(text: str) -> Any:
    """The value of a plain scalar that carries no tag, resolved by ruamel's YAML 1.2 rules
    and read, once per text: a report repeats its keys, figures and nulls, and a key or a 0
    met again costs one look-up, where resolving it (a pattern tried) and reading it cost
    two calls and the tag's text."""
    value = _PLAIN_READ.get(text, _PLAIN_READ)
    if value is _PLAIN_READ:
        kind = None
        for rule, pattern in _plain_rules().get(text[:1], ()):
            if pattern.match(text):
                kind = rule
                break
        value = text if kind is None else _read(kind, text)
        if len(text) <= _KEPT_LENGTH:  # a long text is a narrative, met once
            if len(_PLAIN_READ) >= 4096:
                _PLAIN_READ.clear()
            _PLAIN_READ[text] = value
    return value


@functools.cache
def _plain_rules() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """ruamel's YAML 1.2 rules for plain scalars, as (kind, pattern) by the first characters
    each names (none is tried on every scalar), in ruamel's order: its own resolver asks for
    the version at every scalar.  Each pattern is compiled when a scalar first needs it, and
    through :mod:`nianbao.system.patterns`'s cache (:func:`_rule`): compiling the rules
    a report's counts, dates and nulls meet cost every run 1 ms."""
    from ruamel.yaml.resolver import implicit_resolvers

    rules: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for versions, tag, regexp, first in implicit_resolvers:
        if (1, 2) in versions:
            pattern = _rule(regexp)
            for char in first:
                rules.setdefault(char, []).append((tag[len(_TAG) :], pattern))
    return rules


def _rule(regexp: Any) -> re.Pattern[str]:
    """One of ruamel's patterns, which it keeps as ``RegExp(text, flags)``: a wrapper that
    calls ``re.compile(text, flags)`` at first use (``ruamel.yaml.util.LazyEval``).  The
    call it would make is read from the wrapper (:func:`inspect.getclosurevars`) and made
    through the cache; a wrapper made otherwise is asked for its pattern."""
    import inspect

    try:
        held = inspect.getclosurevars(regexp.lazy_self).nonlocals
        if held.get("func") is re.compile and not held.get("kwargs"):
            return lazy(*held["args"])
    except Exception:  # noqa: S110 - another ruamel: its own way below
        pass
    return cast("re.Pattern[str]", regexp.lazy_self())


def _date(text: str) -> Any:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


_QUOTED_OR_BLOCK = ("'", '"', "|", ">")
# the value of a plain scalar of each resolved kind, from its text alone (all immutable: kept and shared)
_READERS = {"null": lambda text: None, "bool": lambda text: text.lower() == "true", "int": _int, "float": _decimal, "timestamp": _date}
_READ: dict[tuple[str, str], Any] = {}
_PLAIN_READ: dict[str, Any] = {}
_KEPT_LENGTH = 64  # scalars kept by their text are short ones: a hostile file's long ones would fill memory


def _problem(exc: YAMLError) -> str:
    problem = str(getattr(exc, "problem", "") or exc)
    context = str(getattr(exc, "context", "") or "")
    for needle, chinese in _PROBLEMS:
        if needle in problem or needle in context:
            return chinese
    return "无法解析：请检查这一行的写法（引号是否配对、冒号后是否有空格、缩进是否对齐）"


class _Resolver(VersionedResolver):
    """ruamel's resolver, choosing its YAML version's rules once per document rather than
    once per scalar (each choice asks the loader for its version through attributes that
    do not exist there — two exceptions per value).  The version cannot change within a
    document: a ``%YAML`` directive comes before its first value."""

    @property
    def versioned_resolver(self) -> Any:
        try:
            return self._rules_of_document
        except AttributeError:
            self._rules_of_document: Any = super().versioned_resolver
            return self._rules_of_document


_local = threading.local()
# The tag the C composer gives a plain scalar without one: resolved with its value, by its text
# (:func:`_plain_scalar`).  Compared by identity: no resolver gives this object.
_PLAIN = Tag(suffix=_TAG + "str")


def _composer() -> YAML:
    """The safe composer with ruamel.yaml.clib's C parser: seven times faster than the
    round-trip one, which gathers comments this reader has no use for.  Built once per
    thread: building one globs ruamel's plug-in folder (a sixth of a site's save), and a
    YAML object is not safe to share between threads (the site's threadpool)."""
    composer = getattr(_local, "composer", None)
    if composer is None:
        composer = _local.composer = YAML(typ="safe", pure=False)
        composer.Resolver = _Resolver
    return composer


@functools.cache
def _c_composer_class() -> Any:
    """The C composer of ruamel.yaml.clib — libyaml's events composed into ruamel's nodes,
    with their marks, in C, where ruamel's own composer is Python (half of loading a report).
    A plain scalar without a tag is not resolved here but marked :data:`_PLAIN`:
    :func:`_plain_scalar` resolves and reads it from its text at once, by ruamel's YAML 1.2
    rules.  None on a Python without the clib (PyPy)."""
    try:
        from _ruamel_yaml import CParser
    except ImportError:
        return None
    default_scalar = _Resolver.DEFAULT_SCALAR_TAG
    defaults = {SequenceNode: _Resolver.DEFAULT_SEQUENCE_TAG, MappingNode: _Resolver.DEFAULT_MAPPING_TAG}
    plain = _PLAIN

    class Composer(CParser):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode:
                return plain if implicit[0] else default_scalar
            return defaults[kind]

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass  # no path resolvers

        def ascend_resolver(self) -> None:
            pass

    return Composer


# Where the C composer is not used: a %YAML directive (ruamel's own composer honours its
# version), and lines opening deeper than this (block nesting is bounded by how far a
# line's indentation and leading "- " / "? " reach; the C composer recurses in C, where no
# RecursionError stops a hostile file — ruamel's own composer, in Python, has one).  Sought
# after each line break rather than with ``^`` in multi-line mode, which is tried at every
# character (a tenth of parsing a report).
_NOT_FOR_C = lazy(r"%|[ \t\-?:]{120}")
_NOT_FOR_C_AFTER = lazy(r"\n(?:%|[ \t\-?:]{120})")


def _compose(text: str) -> Any:
    """The root node of ``text``: by the C composer where it applies and succeeds; else, and
    for every mistake (so that its message is ruamel's, as before), by ruamel's own."""
    if not (_NOT_FOR_C.match(text) or _NOT_FOR_C_AFTER.search(text)):
        composer_class = _c_composer_class()
        if composer_class is not None:
            composer = composer_class(text)
            try:
                return composer.get_single_node()
            except Exception:  # noqa: BLE001 - a mistake in the file: told below, by ruamel's own composer, in its words
                pass
            finally:
                composer.dispose()
    composer = _composer()
    try:
        return composer.compose(text)
    finally:
        composer.doc_infos.clear()  # each compose appends one; a reused composer would grow without end


MAX_DEPTH = 32  # a report file nests four levels; brackets deeper than this are no report
TOO_DEEP = "层次嵌套过深：这不是报告文件"  # block nesting beyond Python's recursion, met composing or after


def _flow_depth(text: str) -> int:
    """How deep brackets nest (quotes not considered, which can only overstate it): the C
    parser recurses per level, and a few thousand levels overflow its stack.  A report's
    rows stand in [ ], none inside another: that is told without a step per bracket (depth 2
    needs a bracket opened before the one opened last is closed)."""
    if "{" not in text and text.count("[") <= _ROWS_AT_ONCE:
        after = text.split("[")[1:-1]  # what follows each [ up to the next one
        if all("]" in part or "}" in part for part in after):
            return 1 if "[" in text else 0
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
    return deepest


_ROWS_AT_ONCE = 2000  # brackets split out at once (a report has some tens); more are counted one by one


def parse(text: str) -> Parsed:
    """Compose ``text``; YAML mistakes become findings with their line, not exceptions.
    Hostile shapes — brackets nested thousands deep, aliases that multiply (a "billion
    laughs"), block nesting beyond Python's recursion — are findings too."""
    parsed = Parsed()
    if _flow_depth(text) > MAX_DEPTH:
        parsed.findings.append(Finding(ERROR, Rule.S, None, f"方括号或花括号嵌套超过{MAX_DEPTH}层：这不是报告文件"))
        return parsed
    try:
        root = _compose(text)
    except RecursionError:
        parsed.findings.append(Finding(ERROR, Rule.S, None, TOO_DEEP))
        return parsed
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = _problem(exc)
        written = text.split("\n")
        if mark is not None and mark.line < len(written) and "\t" in written[mark.line][: mark.column + 1]:  # a mark may stand past the last line
            problem = _PROBLEMS[0][1]  # a tab where indentation belongs
        parsed.findings.append(Finding(ERROR, Rule.S, None, f"YAML格式错误：{problem}", line))
        return parsed
    except YAMLError as exc:
        parsed.findings.append(Finding(ERROR, Rule.S, None, f"YAML格式错误：{_problem(exc)}"))
        return parsed
    if root is None:
        parsed.findings.append(Finding(ERROR, Rule.S, None, "文件是空的：请先用 nianbao init 生成报告文件"))
        return parsed
    try:
        parsed.data = _plain(root, (), parsed, set())
    except _Aliased as exc:
        parsed.findings.append(Finding(ERROR, Rule.S, None, "用了 YAML 的锚点和别名（& 和 *）：报告文件中每个值都应直接写出", exc.line))
        return parsed
    except RecursionError:
        parsed.findings.append(Finding(ERROR, Rule.S, None, TOO_DEEP))
        return parsed
    if not isinstance(parsed.data, dict):
        parsed.findings.append(
            Finding(ERROR, Rule.S, None, "文件内容不是报告：应以 year:、unit: 等键开头", root.start_mark.line + 1)
        )
        parsed.data = None
    return parsed


class _Aliased(NianbaoError):
    def __init__(self, line: int) -> None:
        self.line = line


def _plain(node: Node, path: Path, parsed: Parsed, seen: set[int]) -> Any:
    """Plain values of ``node``.  A node met twice is an alias: refused rather than
    expanded, for nine aliases of nine aliases… expand to billions of values.  A scalar
    child is read in place (no call of its own): most of a report's nodes are scalars."""
    lines, raw = parsed.lines, parsed.raw
    if not isinstance(node, ScalarNode):
        if id(node) in seen:
            raise _Aliased(node.start_mark.line + 1)
        seen.add(id(node))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is ScalarNode:
                key = _plain_scalar(key_node.value) if key_node.ctag is _PLAIN else _scalar(key_node)
            else:
                key = str(key_node.value)
            if type(key) is not str:
                key = str(key) if key is not None else "null"
            child = (*path, key)
            if key in result:
                parsed.findings.append(
                    Finding(
                        ERROR,
                        Rule.S,
                        None,
                        f"键“{key}”重复出现（第{lines[child]}行已有），请删去其中一处",
                        key_node.start_mark.line + 1,
                    )
                )
                continue
            if type(value_node) is ScalarNode:
                text = raw[child] = value_node.value
                result[key] = _plain_scalar(text) if value_node.ctag is _PLAIN else _scalar(value_node)
            else:
                result[key] = _plain(value_node, child, parsed, seen)
            lines[child] = key_node.start_mark.line + 1  # where the clerk sees the key
        return result
    if isinstance(node, SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            if type(item) is ScalarNode:
                child = (*path, i)
                lines[child] = item.start_mark.line + 1
                text = raw[child] = item.value
                items.append(_plain_scalar(text) if item.ctag is _PLAIN else _scalar(item))
            else:
                items.append(_plain(item, (*path, i), parsed, seen))
        return items
    raw[path] = node.value
    return _scalar(cast(ScalarNode, node))  # neither a mapping nor a sequence: YAML composes no other node
