"""The ``nianbao`` command line (README, docs/报告文件.md): commands, exit statuses, and no tracebacks.

Every command reports problems as Chinese findings.  An unexpected failure prints one
line asking to rerun with ``--debug``, which shows the traceback.  This module holds the
command group, what the commands share (usage mistakes, the checks of paths given, how
findings are printed) and the entry point; the commands on one report are in
:mod:`.report`, those on a county's reports in :mod:`.county`.  The work itself is done
elsewhere (:mod:`nianbao.workflows`, which the site calls too, :mod:`nianbao.produce`,
:mod:`nianbao.county.intake`): here are only arguments, messages and exit statuses.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..errors import NianbaoError
from ..findings import ERROR, Finding
from . import zh

if TYPE_CHECKING:  # each command imports what it uses, when it runs: check starts fast
    from ..model.report import Report
    from ..read.load import Loaded

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _console_safe() -> None:
    """A GBK console cannot show every character; replace rather than crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # a TextIOWrapper's; a stream put in its place may lack it
        try:
            if reconfigure is not None:
                reconfigure(errors="replace")
        except ValueError:
            pass


class Usage(click.UsageError):
    """A command-line mistake: exit 2 with a Chinese message."""


def _checked_path(path: Path) -> None:
    """A report source must be a file: a folder or a missing path is a usage mistake."""
    if path.is_dir():
        raise Usage(f"{path} 是文件夹：请给出报告文件；要处理整个文件夹，用 nianbao batch 或 nianbao aggregate")
    if not path.is_file():
        raise Usage(f"找不到文件：{path}")


def _checked(path: Path, *, zero_missing: bool = False) -> tuple[Loaded, list[Finding]]:
    """A report file, a collection workbook, or a published report (.txt, .docx, .pdf, .html…)."""
    _checked_path(path)
    from ..read.sources import load_checked

    return load_checked(path, zero_missing=zero_missing)


def _folder_ok(path: Path, *, is_folder: bool = True) -> Path:
    """Refuse, before any work, an output place that cannot be one: ``-o`` naming a file
    where a folder is meant, or a folder path that runs through a file."""
    here = path if is_folder else path.parent
    for place in (here, *here.parents):
        if place.exists():
            if not place.is_dir():
                what = "-o 应为文件夹" if is_folder and place == path else f"无法在其中建立 {path}"
                raise Usage(f"{place} 是文件，不是文件夹：{what}")
            break
    if not is_folder and path.is_dir():
        raise Usage(f"{path} 是文件夹：-o 应为要写出的文件名")
    return path


def _out_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if value is None else _folder_ok(value)


def _out_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return None if value is None else _folder_ok(value, is_folder=False)


def _previous(path: Path) -> Report:
    """Last year's report for the cross-year rules; it must load, its own findings aside."""
    loaded, _ = _checked(path)
    if loaded.report is None:
        raise Usage(f"上一年度的报告 {path} 有错误，无法用于跨年度核对：请先运行 nianbao check {path}")
    return loaded.report


def _print_findings(path: Path, findings: Iterable[Finding]) -> None:
    findings = list(findings)
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    status = "通过" if not errors else "未通过"
    from ..county.filenames import readable_text  # a name in GBK bytes (a Windows zip unzipped here) shown decoded, as batch shows it

    click.echo(readable_text(f"{path}：{status}（错误{errors}个，提示{warnings}个）"))
    for f in findings:
        click.echo(readable_text(f"  {f.labelled(path)}"))


class _Command(click.Command):
    """A command whose usage line reads in Chinese, and whose refusals of what it was given
    (any :class:`~nianbao.errors.NianbaoError` that reaches it: an unknown format, a wrong
    reference document, defaults file or unit list) are usage mistakes: exit 2, said once here."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            raise Usage(str(exc), ctx) from exc


# Which module defines each command: a command's module is imported only when that command
# runs (or when --help lists them all), so `nianbao check` does not load the county's, the
# reviewer's and the site's commands with theirs.  tests/test_cli.py holds this map to what
# the modules register.
COMMANDS = {
    "init": "report", "check": "report", "render": "report", "new": "report", "next": "report",
    "import": "report", "reference-docx": "report", "schema": "report",
    "sheet": "county", "batch": "county", "aggregate": "county",
    "compare": "compare", "overview": "overview", "serve": "serve", "export": "serve",
}


class _Group(click.Group):
    """The command group, loading a command's module on first use (click's lazy loading)."""

    command_class = _Command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}")  # its decorators register it on main
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """As click's; a name that is no command loads them all first, so that click offers
        the close names among every command, not only among those loaded: chek → check."""
        if args and args[0] not in COMMANDS:
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)


# click's words in Chinese before the commands are declared: click asks gettext for its default
# help texts as they are (``version_option`` does even when given one), and gettext's first
# look-up for a catalog imports locale and searches the disk, some 2 ms of every start
zh.install()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[选项]", subcommand_metavar="命令 [参数]…")
@click.version_option(__version__, prog_name="nianbao", message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 错误信息（供开发者排查）")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """nianbao：政府信息公开工作年度报告的起草、检查和生成工具。"""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _possible_year(year: int) -> None:
    """A year no report can have is a usage mistake (exit 2), not a crash: 99999 has no
    "next January" to date the report by."""
    from ..model.dates import impossible_year

    problem = impossible_year(year)
    if problem:
        raise Usage(problem)

def _roster(path: Path) -> tuple[list[str], list[str]]:
    """(the names on a unit list, the names it repeats); a list that cannot be read is a
    command-line mistake."""
    from ..county import roster

    try:
        return roster.read_with_repeats(path)
    except OSError as exc:
        raise Usage(f"找不到名单文件：{path}") from exc


def _os_problem(exc: OSError) -> str:
    """What the operating system refused, said to a clerk."""
    import errno

    reason = {
        errno.EACCES: "没有权限，或文件正被 Word、WPS 或其他程序打开（请先关闭它）",
        errno.EPERM: "没有权限，或文件正被 Word、WPS 或其他程序打开（请先关闭它）",
        errno.EEXIST: "已有同名的文件",
        errno.ENOTDIR: "路径中有一部分是文件，不是文件夹",
        errno.EISDIR: "这是文件夹，不是文件",
        errno.ENOENT: "找不到",
        errno.ENOSPC: "磁盘已满",
        errno.EROFS: "位置只读",
        errno.ENAMETOOLONG: "文件名或路径太长",
    }.get(exc.errno or 0, "操作系统拒绝了这次读写")
    where = exc.filename if exc.filename is not None else ""
    return f"错误：无法读写 {where}：{reason}。未完成的文件没有留下。".replace(" ：", "：")


def _quiet_libraries() -> None:
    """No Python warning and no library log line reaches the clerk (openpyxl's "Data
    Validation extension is not supported" on any workbook Excel wrote with a list from
    another sheet, a FutureWarning, pdfminer's notes): they speak to a developer, who sees
    them with --debug.  The environment variable carries the filter into worker processes
    that start afresh (Windows)."""
    import os
    import warnings as python_warnings

    python_warnings.simplefilter("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"
    if "logging" in sys.modules:
        _silent_root(sys.modules["logging"])
    else:  # a command whose libraries never log (check) does not load logging for that
        sys.meta_path.insert(0, _WhenLoggingLoads())


def _silent_root(logging) -> None:
    root = logging.getLogger()
    if not root.handlers:  # a handler, so that Python's last-resort printer stays silent
        root.addHandler(logging.NullHandler())


class _WhenLoggingLoads:
    """An import hook that gives the root logger its silent handler as the first library to log
    imports ``logging``, then leaves the import system as it found it."""

    def find_spec(self, name: str, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        from importlib.util import find_spec

        spec = find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module) -> None:
            run(module)
            _silent_root(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]  # this one spec's loader, wrapped: logging's module runs, then gets its handler
        return spec


def run() -> None:
    """Console entry point: findings and usage errors, never a traceback unless --debug."""
    _console_safe()
    debug = "--debug" in sys.argv[1:]
    if not debug:
        _quiet_libraries()
    try:
        zh.install()  # again: click's modules loaded since (termui for the prompts) get the catalog too
        main.main(prog_name="nianbao", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(EXIT_FINDINGS)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("已中断。", err=True)
        sys.exit(EXIT_FINDINGS)
    except OSError as exc:  # the clerk's machine said no: a file open in Word, a full disk…
        if debug:
            raise
        click.echo(_os_problem(exc), err=True)
        sys.exit(EXIT_FINDINGS)
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a clerk
        if debug:
            raise
        click.echo(f"nianbao 内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行，并把输出发给维护者。", err=True)
        sys.exit(3)
    sys.exit(EXIT_OK)
