"""The shared default texts of ``nianbao batch --defaults``: a county's sentences for the
sections a unit left empty, with placeholders (``{{ unit.name }}``, ``{{ year }}``,
``{{ applications.new.总计 }}``…) filled from the unit's own report.

A defaults file is a stranger's template run on every unit, so it is read once and refused
whole when it is wrong (:class:`DefaultsError`, before any unit is processed), and each text is
rendered in the sandbox of :mod:`nianbao.county.bounded` — on Linux in a child process
besides, bounded in memory and killed past the time limit — and its failures are said as the
defaults file's, never as the unit's.
"""

from __future__ import annotations

import multiprocessing
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from ..errors import NianbaoError
from ..model.places import place
from ..model.report import Report
from ..model.schema import validate as validate_data
from ..model.yamlfile import parse
from ..system import isolate
from ..system.decode import decode, read_at_most
from . import bounded
from .bounded import Sandbox

NARRATIVES = ("preamble", "overview", "problems", "other_matters")

MAX_DEFAULTS = 512 * 1024  # bytes of a defaults file: a few sections of a few hundred characters each
class DefaultsError(NianbaoError, ValueError):
    """The defaults file itself is wrong: told once, before any unit is processed."""


@dataclass(frozen=True)
class Defaults:
    """Narrative templates by report-file key path, e.g. ("overview", "proactive")."""

    texts: tuple[tuple[tuple[str, ...], str], ...]
    name: str = "默认文字"  # the file's name, for messages: a failing text is the defaults file's, not the unit's

    @staticmethod
    def read(path: Path) -> Defaults:
        data = read_at_most(path, MAX_DEFAULTS)
        if data is None:
            raise DefaultsError(f"默认文字文件 {path.name} 超过 {MAX_DEFAULTS // 1024} KB，不像几段默认文字：请检查是否选错了文件")
        decoded = decode(data)
        if decoded.text is None:
            raise DefaultsError(f"默认文字文件 {path.name}：无法识别文件编码，请另存为 UTF-8")
        parsed = parse(decoded.text)
        if parsed.findings or not isinstance(parsed.data, dict):
            problem = parsed.findings[0].describe(path) if parsed.findings else "应为“键: 文字”的YAML"
            raise DefaultsError(f"默认文字文件 {path.name} 有误：{problem}")
        texts: list[tuple[tuple[str, ...], str]] = []
        for key, value in parsed.data.items():
            if key == "overview" and isinstance(value, dict):
                texts += [(("overview", sub), text) for sub, text in value.items()]
            elif key in NARRATIVES:
                texts.append(((key,), value))
            else:
                raise DefaultsError(f"默认文字文件 {path.name}：未知的键“{key}”，可用的键有 {'、'.join(NARRATIVES)}")
        env = Sandbox()
        for keys, text in texts:
            if not isinstance(text, str):
                raise DefaultsError(f"默认文字文件 {path.name}：{'.'.join(keys)} 应为文字")
            try:
                env.compile_text(text)
            except jinja2.TemplateSyntaxError as exc:
                raise DefaultsError(f"默认文字文件 {path.name}：{'.'.join(keys)} 的占位符写法有误（第{exc.lineno}行：{exc.message}）") from exc
            except (RecursionError, SyntaxError, MemoryError, ValueError) as exc:  # Python cannot compile what jinja made of it
                raise DefaultsError(f"默认文字文件 {path.name}：{'.'.join(keys)} 的占位符或括号嵌套过深，请简化") from exc
        return Defaults(tuple(texts), path.name)


def placeholders(report: Report) -> dict[str, Any]:
    """What a default text may name: ``unit.name``, ``year``, ``applications.new.总计``,
    ``applications.withheld.state_secret.自然人``, ``appeals.review.总计``, ``proactive.licensing``…"""
    spec = report.spec
    t3, t4 = spec.table3, spec.table4
    applications: dict[str, Any] = {}
    for line in t3.data_lines():
        node = applications
        keys = t3.keypath(line)
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = dict(zip((c.label for c in t3.all_columns), report.row(line)))
    appeals = {g.key: dict(zip((c.label for c in t4.all_columns), report.appeal(g))) for g in t4.groups}
    proactive: dict[str, Any] = {}
    for group in spec.table2:
        for item in group.items:
            values = report.item_values(group, item)
            proactive[item.key] = values[0] if group.scalar else dict(zip((c.label for c in group.columns), values))
    return {
        "unit": dict(report.unit),
        "year": report.year,
        "format": spec.name,
        "applications": applications,
        "appeals": appeals,
        "proactive": proactive,
    }


_UNKNOWN = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


@dataclass(frozen=True)
class _Text:
    """One default text a unit needs: where it goes, its template, how messages name it."""

    keys: tuple[str, ...]
    template: str
    section: str  # as messages name it: 一、总体情况（一）主动公开


def apply_defaults(report: Report, defaults: Defaults, *, child: bool | None = None) -> Report:
    """The report with each empty narrative filled from its default text, rendered within
    bounds (:mod:`nianbao.county.bounded`): on Linux in a child process of at most
    :data:`~nianbao.county.bounded.MEMORY` bytes, killed past the time limit; elsewhere in this
    process, under the sandbox's own bounds (``child``: where, by default :data:`CHILD`)."""
    data = report.plain()
    wanted: list[_Text] = []
    for keys, template in defaults.texts:
        node: Any = data
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node.get(key), dict) else {}
        if isinstance(node.get(keys[-1]), str) and node[keys[-1]].strip():
            continue
        wanted.append(_Text(keys, template, place(report.spec.id, keys).label))
    if not wanted:
        return report
    context = placeholders(report)
    unit = report.unit_name
    if CHILD if child is None else child:
        at = multiprocessing.get_context("fork").RawValue("i", 0)
        try:
            texts = isolate.run(_render, context, wanted, defaults.name, unit, at, seconds=bounded.SECONDS + 1, what="默认文字", memory=bounded.MEMORY)
        except isolate.ChildFailed:
            failed = wanted[min(max(at.value, 0), len(wanted) - 1)]
            raise DefaultsError(f"{_where(defaults.name, failed)}的模板运行超过{bounded.SECONDS:g}秒或占用内存超过{bounded.MEMORY // 1024 // 1024} MB，已停止；请简化") from None
    else:
        texts = _render(context, wanted, defaults.name, unit, None)
    for text, rendered in zip(wanted, texts):
        node = data
        for key in text.keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[text.keys[-1]] = rendered
    model = validate_data(report.spec.id, data)
    return Report(report.spec, model, report.source, report.lines)


# A child process costs a fork on Linux (milliseconds) but a fresh interpreter elsewhere
# (a second or more a unit): there the sandbox's own bounds are the limit.
CHILD = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _where(file: str, text: _Text) -> str:
    """Where a failing default text is: in the defaults file, never in the unit's file."""
    return f"默认文字文件 {file} 中 {'.'.join(text.keys)}（{text.section}）"


def _render(context: dict[str, Any], wanted: list[_Text], file: str, unit: str, at: Any) -> list[str]:
    """Each text rendered in one sandbox with one budget of time and loop turns; ``at``
    (shared with the parent) says which text is running, should the process be killed."""
    env = Sandbox()
    env.start()
    out: list[str] = []
    for n, text in enumerate(wanted):
        if at is not None:
            at.value = n
        where = _where(file, text)
        try:
            out.append(env.compile_text(text.template).render(context).strip())
        except bounded.TooLong:
            raise DefaultsError(f"{where}的模板运行超过{bounded.SECONDS:g}秒，已停止；请简化") from None
        except bounded.TooBig as exc:
            raise DefaultsError(f"{where}的模板太大（{exc}），已停止；请简化") from None
        except MemoryError:
            raise DefaultsError(f"{where}的模板太大（内存超过{bounded.MEMORY // 1024 // 1024} MB），已停止；请简化") from None
        except RecursionError:
            raise DefaultsError(f"{where}的模板调用自身的层数过多（递归），已停止；请简化") from None
        except jinja2.UndefinedError as exc:
            match = _UNKNOWN.search(str(exc))
            name = (match.group(1) or match.group(2)) if match else str(exc)
            raise DefaultsError(f"{unit}：{text.section}的默认文字中有未知的占位符“{name}”") from None
        except SecurityError as exc:
            detail = str(exc) if re.search("[\u4e00-\u9fff]", str(exc)) else "引用了 Python 的内部属性"
            raise DefaultsError(f"{where}有不允许的写法（{detail}）：占位符只能引用 unit.name、year 等数据") from None
        except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, OverflowError, LookupError, AttributeError, SyntaxError):
            raise DefaultsError(f"{where}的模板无法生成（占位符的写法或计算有误）：请检查其中的占位符") from None
    return out
