"""click's own words in Chinese: usage errors, help headings, the type names in messages.

click marks its messages for gettext (``_()``, ``ngettext()``) in each of its modules;
:func:`install` points those names at this catalog, so that a clerk never meets
``No such command`` or ``Missing argument`` among nianbao's Chinese messages.  A message
the catalog does not know is shown as click wrote it.
"""

from __future__ import annotations

import sys

CATALOG = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Aborted!": "已取消。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Invalid value: {message}": "取值不正确：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值不正确：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令：请在 nianbao 后面写上要做的事，如 nianbao check 报告.yaml",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such option: {name}": "没有选项 {name}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写{nargs}个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不能写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要写{nargs}个值。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是 {choices} 之一。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值，可用：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Do you want to continue?": "要继续吗？",
    "Repeat for confirmation": "再输入一次确认",
    "Error: invalid input": "错误：输入不正确",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "unknown error": "未知错误",
    "required": "必填",
}
TYPE_NAMES = {"integer": "整数", "integer range": "整数", "float": "数", "float range": "数", "text": "文字", "boolean": "是/否", "path": "路径", "filename": "文件名"}


def gettext(message: str) -> str:
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's gettext names at the catalog, and name its value types in Chinese
    (they appear in messages and as the placeholders of ``--help``)."""
    for name in ("core", "exceptions", "formatting", "parser", "types", "decorators", "termui", "_termui_impl", "utils", "shell_completion"):
        module = sys.modules.get(f"click.{name}")  # those not loaded yet are not needed yet
        if module is None:
            continue
        names = vars(module)  # the module's own namespace: its functions look their gettext up there
        if "_" in names:
            names["_"] = gettext
        if "ngettext" in names:
            names["ngettext"] = ngettext
    import click.types

    for kind in (click.types.IntParamType, click.types.IntRange, click.types.FloatParamType, click.types.FloatRange,
                 click.types.StringParamType, click.types.BoolParamType):
        shown = getattr(kind, "name", None)
        if shown in TYPE_NAMES:
            kind.name = TYPE_NAMES[shown]
    import click.exceptions

    missing = click.exceptions.MissingParameter
    if missing.format_message.__module__ != __name__:  # not yet replaced by the one below
        english = missing.format_message

        def format_message(self: click.exceptions.MissingParameter) -> str:  # click ends the sentence with an English full stop
            return english(self).replace("'.", "'。")

        missing.format_message = format_message  # type: ignore[method-assign]  # click's own method, replaced in its class
