"""The list of units a county office expects reports from (名单): a text file, one unit a
line, or a workbook whose first column holds them — as a clerk keeps it."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..errors import NianbaoError
from ..system.decode import decode, read_at_most, without_controls

MAX_BYTES = 2 * 1024 * 1024  # a list of a few hundred names is a few kB
MAX_UNITS = 5_000  # a county has hundreds of units; the workbook's first 5 000 rows are read
_HEADINGS = {"机关名称", "单位名称", "单位", "名称", "机关", "序号"}


class RosterError(NianbaoError, ValueError):
    """The list cannot be read; the message says why, in Chinese."""


def key(name: str) -> str:
    """A unit's name as compared: no spaces, full-width forms folded."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def read_with_repeats(path: Path) -> tuple[list[str], list[str]]:
    """(the unit names in the list's order, each once; the names the list repeats)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        names = _from_workbook(path)
    else:
        data = read_at_most(path, MAX_BYTES)
        if data is None:
            raise RosterError(f"名单 {path.name} 超过 {MAX_BYTES // 1024 // 1024} MB，不像单位名单：请检查是否选错了文件")
        decoded = decode(data)
        if decoded.text is None:
            raise RosterError(f"名单 {path.name}：无法识别文件编码，请另存为 UTF-8 文本")
        names = [line.split("\t")[0].split(",")[0] for line in decoded.text.split("\n")]
    out: list[str] = []
    repeated: list[str] = []
    seen: set[str] = set()
    for name in names:
        name = without_controls(name).strip()  # a bidi override or zero-width space would make another name
        if not name or name.startswith("#") or key(name) in _HEADINGS:
            continue
        if key(name) in seen:
            repeated.append(name)
            continue
        seen.add(key(name))
        out.append(name)
    if not out:
        raise RosterError(f"名单 {path.name} 中没有单位名称：每行写一个单位（或在表格第一列）")
    if len(out) > MAX_UNITS:
        raise RosterError(f"名单 {path.name} 有{len(out)}个单位，超过{MAX_UNITS}个，不像一个县（区）的名单：请检查是否选错了文件")
    return out, repeated


def _from_workbook(path: Path) -> list[str]:
    from openpyxl import load_workbook

    from ..system import safezip

    try:
        safezip.open_package(path.read_bytes(), "工作簿")
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        return [str(row[0]) for row in sheet.iter_rows(max_col=1, max_row=5000, values_only=True) if row and row[0] is not None]
    except safezip.BadPackage as exc:
        raise RosterError(f"名单 {path.name}：{exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged workbook: told as such
        raise RosterError(f"名单 {path.name} 无法打开（{type(exc).__name__}），请另存为 .xlsx 或每行一个单位的 .txt") from exc
