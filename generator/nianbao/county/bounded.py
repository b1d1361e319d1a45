"""Rendering the county's default texts (``batch --defaults``) within bounds of time and size.

A default text is a jinja template written by whoever made the defaults file, run once for
every unit.  jinja's sandbox keeps it away from Python's insides but not from asking for
too much: nested ``range`` loops, ``10**10**8``, ``"x".center(10**9)``,
``'{:>1000000000}'.format(1)``, ``join`` of a repeated list, a macro calling itself — each
ran for minutes or took gigabytes.  Here, in any process and on any system:

* every loop turn, call, operator and attribute looks at a deadline (:data:`SECONDS` for all
  of a unit's texts) and loops have a budget of :data:`MAX_TURNS` turns;
* ``range`` has at most :data:`MAX_RANGE` numbers; widths (``center``, ``ljust``,
  ``format``, ``%``, ``indent``…) at most :data:`MAX_WIDTH`; an integer at most
  :data:`MAX_BITS` bits; a string or list built by ``*``, ``+``, ``~``, ``join``,
  ``replace``, a block or a macro at most :data:`MAX_TEXT` characters;
* no list or dict can be changed in place (jinja's immutable sandbox), nothing random
  (``lipsum``, ``random``: a report must be the same every run).

On Linux :mod:`nianbao.county.batch` also renders in a child process limited to :data:`MEMORY`
bytes and killed after :data:`SECONDS` plus a margin (:mod:`nianbao.system.isolate`): whatever
these rules miss is still bounded there.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import string
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import NianbaoError

SECONDS = 2.0  # for all the default texts of one unit
MEMORY = 256 * 1024 * 1024  # bytes the child process may add (Linux)
MAX_TEXT = 100_000  # characters a default text, or any string or list in it, may grow to: a section is a few hundred
MAX_WIDTH = 1_000  # characters a width (center, ljust, format, %, indent) may ask for
MAX_RANGE = 1_000  # numbers in a range
MAX_TURNS = 100_000  # loop turns for all the default texts of one unit
MAX_BITS = 4_096  # bits of an integer (about 1 200 digits)
LOOP = "nianbao_loop"  # the global every for-loop's items pass through


class TooLong(SecurityError, NianbaoError):
    """The deadline passed."""


class TooBig(SecurityError, NianbaoError):
    """Something grew past a bound; the message says what, in Chinese."""


class NotAllowed(SecurityError, NianbaoError):
    """Something a report text has no use for and that could ask for too much; the
    message says what, in Chinese."""


class _Generator(CodeGenerator):
    """jinja's code generator, with every ``{% for %}`` loop's items passed through
    :data:`LOOP`, which counts the turns and looks at the deadline."""

    def visit_Template(self, node: nodes.Template, frame=None) -> None:  # noqa: ANN001 - jinja's signature
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(LOOP, "load"), [loop.iter], [], None, None, lineno=loop.lineno)
        super().visit_Template(node, frame)


def weight(value: Any, depth: int = 0) -> int:
    """About how many characters ``value`` holds, strings in lists in lists included."""
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, (list, tuple)) and depth < 3:
        return len(value) + sum(weight(item, depth + 1) for item in value)
    if isinstance(value, dict) and depth < 3:
        return len(value) + sum(weight(k, depth + 1) + weight(v, depth + 1) for k, v in value.items())
    return 1


def _text(size: int, what: str = "生成的文字") -> None:
    if size > MAX_TEXT:
        raise TooBig(f"{what}超过{MAX_TEXT}字")


def _width(width: Any) -> None:
    if isinstance(width, int) and width > MAX_WIDTH or isinstance(width, str) and len(width) > MAX_WIDTH:
        raise TooBig(f"宽度超过{MAX_WIDTH}")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


def _printf(form: Any) -> None:
    """``'%1000000000s' % x``: a width or precision past :data:`MAX_WIDTH`, or one given by ``*``."""
    if not isinstance(form, str):
        return
    for match in _PRINTF.finditer(form):
        for number in match.groups():
            if number == "*" or number is not None and int(number) > MAX_WIDTH:
                raise TooBig(f"宽度超过{MAX_WIDTH}")


def _size(value: Any) -> int:
    """About how long ``value`` prints."""
    return weight(value) if isinstance(value, (str, bytes, list, tuple, dict)) else len(str(value)) if isinstance(value, (int, float)) else 1


def _percent(form: str, values: Any) -> None:
    """``form % values``: widths checked, and the result sized before it is made (each
    directive may print the longest value)."""
    _printf(form)
    items = list(values.values()) if isinstance(values, dict) else list(values) if isinstance(values, tuple) else [values]
    directives = sum(not m.group().endswith("%") for m in _PRINTF.finditer(form))  # "%%" prints no value
    _text(len(form) + directives * max((_size(v) for v in items), default=0))


def _format(form: Any, depth: int = 0) -> None:
    """``'{:>1000000000}'.format(x)``: the same for the format mini-language (nested too)."""
    if not isinstance(form, str) or depth > 2:
        return
    try:
        parsed = list(string.Formatter().parse(form))
    except ValueError:
        return  # str.format says what is wrong
    for _, _, spec, _ in parsed:
        if spec:
            if "{" in spec:
                raise NotAllowed("格式中的宽度不能用占位符给出")
            if any(int(n) > MAX_WIDTH for n in re.findall(r"\d+", spec)):
                raise TooBig(f"宽度超过{MAX_WIDTH}")


def _join(items: Any, joiner: str = "") -> list[Any]:
    """The items of a ``join``, taken one by one so that a huge sequence stops early."""
    taken: list[Any] = []
    size = 0
    for item in items:
        size += weight(item) + len(joiner) if isinstance(item, (str, bytes)) else len(str(item)) + len(joiner)
        _text(size)
        taken.append(item)
    return taken


def _replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        times = text.count(old) if old else len(text) + 1
        _text(len(text) + times * len(new))


def _integer(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise TooBig(f"数字超过{MAX_BITS}位（二进制）")


# -- calls: methods of str, bytes and int that can ask for too much --------------------------------------------
def _check_method(name: str, owner: Any, args: tuple, kwargs: dict) -> tuple:
    """Refuse a method call that would grow past a bound; the (possibly taken) arguments."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    if isinstance(owner, (str, bytes)):
        if name in ("center", "ljust", "rjust", "zfill"):
            _width(first)
        elif name == "expandtabs":
            _text(len(owner) + (owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")) * (first if isinstance(first, int) else 8))
        elif name == "replace" and len(args) >= 2:
            _replace(owner, args[0], args[1])
        elif name == "join" and args:
            return (_join(args[0], owner if isinstance(owner, str) else ""), *args[1:])
        elif name in ("format", "format_map"):
            _format(owner)
        elif name in ("translate", "maketrans"):
            raise NotAllowed("不能用 translate")
    elif isinstance(owner, int) and name in ("to_bytes",):
        raise NotAllowed("不能用 to_bytes")
    return args


# -- filters: the ones a report text may use, the growing ones guarded -------------------------------------------
def _guard(filter_: Callable[..., Any], check: Callable[..., Any]) -> Callable[..., Any]:
    """``filter_`` that first lets ``check`` see its arguments (after jinja's context, if it
    takes one) and may replace them."""
    passes = getattr(filter_, "jinja_pass_arg", None) is not None

    @functools.wraps(filter_)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        head, rest = (args[:1], args[1:]) if passes else ((), args)
        rest = check(*rest, **kwargs) or rest
        return filter_(*head, *rest, **kwargs)

    return guarded


def _center(value: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    _width(width)


def _indent(value: Any, width: Any = 4, *_: Any, **kwargs: Any) -> None:
    width = kwargs.get("width", width)
    _width(width)
    text = str(value)
    _text(len(text) + (text.count("\n") + 1) * (len(width) if isinstance(width, str) else width if isinstance(width, int) else 0))


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    _percent(str(value), kwargs or args)


def _join_filter(value: Any, d: str = "", *args: Any, **kwargs: Any) -> tuple:
    return (_join(value, d if isinstance(d, str) else ""), d, *args)


def _replace_filter(value: Any, old: Any = "", new: Any = "", *_: Any, **__: Any) -> None:
    _replace(str(value), old, new)


def _wordwrap(value: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None, *_: Any, **kwargs: Any) -> None:
    wrapstring = kwargs.get("wrapstring", wrapstring)
    if isinstance(wrapstring, str):
        _text(len(str(value)) * (1 + len(wrapstring)))


def _count(value: Any, count: Any = 1, *_: Any, **__: Any) -> None:
    if isinstance(count, int) and count > MAX_RANGE:
        raise TooBig(f"分组数超过{MAX_RANGE}")


def _sum(iterable: Any, attribute: Any = None, start: Any = 0, **kwargs: Any) -> None:
    start = kwargs.get("start", start)
    if not isinstance(start, (int, float)):
        raise NotAllowed("sum 只能加数字")


_GUARDS: dict[str, Callable[..., Any]] = {"center": _center, "indent": _indent, "format": _format_filter, "join": _join_filter, "replace": _replace_filter,
           "wordwrap": _wordwrap, "batch": _count, "slice": _count, "sum": _sum}
_DROPPED = {"random"}  # a report must come out the same every run


def _no_lipsum(*_: Any, **__: Any) -> str:
    raise NotAllowed("lipsum 生成的是随机的拉丁文，不能用在报告里")


def _printable(value: Any) -> Any:
    """What a placeholder may print into a published narrative: text or a finite number.
    ``{{ self }}`` printed ``<TemplateReference None>``, ``{{ 10.0**308*10 }}`` ``inf``, an
    empty field ``None``: junk in a report, refused instead."""
    if isinstance(value, (str, jinja2.Undefined)) or (isinstance(value, (int, Decimal)) and not isinstance(value, bool)):
        return value  # an unknown placeholder is said as such when it is printed
    if isinstance(value, float) and math.isfinite(value):
        return value
    shown = "空值 None" if value is None else "无穷大或非数" if isinstance(value, float) else f"{type(value).__name__} 类型的值"
    raise NotAllowed(f"占位符输出的是{shown}，不是文字或数字")


class Sandbox(ImmutableSandboxedEnvironment):
    """jinja's immutable sandbox with the bounds of this module.  :meth:`start` opens a
    unit's budget of time and loop turns."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _Generator

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False, finalize=_printable)
        self.deadline = float("inf")
        self.turns = 0
        self.globals["range"] = self._range
        self.globals["lipsum"] = _no_lipsum
        self.globals[LOOP] = self._loop
        self.filters = {name: _guard(f, _GUARDS[name]) if name in _GUARDS else f for name, f in self.filters.items() if name not in _DROPPED}
        self.concat = self._concat  # type: ignore[method-assign]  # jinja's own join, replaced: every block, macro and the text itself

    def start(self, seconds: float = SECONDS) -> None:
        self.deadline = time.monotonic() + seconds
        self.turns = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooLong(f"运行超过{SECONDS:g}秒")

    def compile_text(self, source: str) -> jinja2.Template:
        """The template, its ``~`` joins (``str_join``, bound in the compiled module) guarded too."""
        template = self.from_string(source)
        namespace = template.root_render_func.__globals__
        namespace["str_join"] = namespace["markup_join"] = self._concat
        return template

    # the hooks jinja's sandbox calls
    def call(self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN001, N807 - jinja's signature
        self.tick()
        if inspect.isbuiltin(__obj) and getattr(__obj, "__self__", None) is not None:
            args = _check_method(__obj.__name__, __obj.__self__, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` as jinja's sandbox wraps it, its widths checked and its result
        sized before it is made: ``'{0}{0}{0}…'.format(long)`` is fields × the longest value."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        form = value.__self__
        _format(form)
        try:
            fields = sum(name is not None for _, name, _, _ in string.Formatter().parse(form))
        except ValueError:
            fields = 0

        def sized(*args: Any, **kwargs: Any) -> str:
            values = [*args, *kwargs.values()]
            _text(len(form) + fields * max((_size(v) for v in values), default=0))
            return wrapped(*args, **kwargs)

        return sized

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:  # noqa: ANN001 - jinja's signature
        self.tick()
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if abs(left).bit_length() * right > MAX_BITS * 2:
                raise TooBig(f"数字超过{MAX_BITS}位（二进制）")
        elif operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                if left.bit_length() + right.bit_length() > MAX_BITS + 1:
                    raise TooBig(f"数字超过{MAX_BITS}位（二进制）")
            else:
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, bytes, list, tuple)) and isinstance(times, int):
                        _text(weight(seq) * times)
        elif operator == "+":
            if isinstance(left, (str, bytes, list, tuple)) and isinstance(right, (str, bytes, list, tuple)):
                _text(weight(left) + weight(right))
        elif operator == "%" and isinstance(left, str):
            _percent(left, right)
        result = super().call_binop(context, operator, left, right)
        _integer(result)
        return result

    # the bounded helpers
    def _range(self, *args: Any) -> range:
        self.tick()
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TooBig(f"range 超过{MAX_RANGE}个数")
        return numbers

    def _loop(self, items: Any) -> Any:
        for item in items:
            self.turns += 1
            if self.turns > MAX_TURNS:
                raise TooBig(f"循环超过{MAX_TURNS}次")
            self.tick()
            yield item

    def _concat(self, pieces: Any) -> str:
        taken: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            _text(size)
            taken.append(piece)
        self.tick()
        return "".join(taken)
