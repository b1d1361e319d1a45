"""The bad-input corpus: files a stranger (or an accident) sends a county office, built
here byte for byte so that the repository holds a recipe, not 50 MB of bombs.

Each builder writes one file into a folder and returns its path.  :data:`CASES` names,
for each, the command that is given it; ``tests/test_hostile.py`` runs them all and
``bench/hostile.py`` prints the table of exit status, time and memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import EXAMPLE_2023, edit

MB = 1024 * 1024


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return path


def _streamed_zip(path: Path, name: str, chunk: bytes, times: int, others: dict[str, bytes]) -> Path:
    """A part of ``len(chunk) * times`` bytes, written without holding it in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for other, data in others.items():
            package.writestr(other, data)
        with package.open(name, "w", force_zip64=True) as part:
            for _ in range(times):
                part.write(chunk)
    return path


DOCX_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Default Extension="xml" ContentType="application/xml"/></Types>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b']>')


def docx_zip_bomb(folder: Path) -> Path:
    return _streamed_zip(folder / "压缩炸弹.docx", "word/document.xml", b"\0" * MB, 200, {"[Content_Types].xml": DOCX_TYPES})


def docx_entity_bomb(folder: Path) -> Path:
    body = LAUGHS + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
    return _zip(folder / "实体炸弹.docx", {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": body})


def _sheet_parts(workbook: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as package:
        return {name: package.read(name) for name in package.namelist()}


def xlsx_zip_bomb(folder: Path, workbook: bytes) -> Path:
    parts = _sheet_parts(workbook)
    del parts["xl/worksheets/sheet1.xml"]
    return _streamed_zip(folder / "压缩炸弹.xlsx", "xl/worksheets/sheet1.xml", b" " * MB, 200, parts)


def xlsx_entity_bomb(folder: Path, workbook: bytes) -> Path:
    parts = _sheet_parts(workbook)
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = LAUGHS + sheet[sheet.index(b"<worksheet"):].replace(b"<v>", b"<v>&lol9;", 1)
    return _zip(folder / "实体炸弹.xlsx", parts)


def xlsx_million_rows(folder: Path, workbook: bytes) -> Path:
    parts = _sheet_parts(workbook)
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    rows = (b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 1_000_001))
    parts["xl/worksheets/sheet1.xml"] = head + b"".join(rows) + b"</sheetData></worksheet>"
    return _zip(folder / "一百万行.xlsx", parts)


def xlsx_formulas(folder: Path, workbook: bytes) -> Path:
    """A unit name and a narrative that are formulas, as a prankster (or Excel) writes them."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(workbook))
    hidden = wb["_nianbao"] if "_nianbao" in wb.sheetnames else wb[wb.sheetnames[-1]]
    for keys, at, *_ in hidden.iter_rows(min_row=2, values_only=True):
        sheet, cell = str(at).split("!")
        if keys == '["unit", "name"]':
            wb[sheet][cell] = '=HYPERLINK("http://evil.example/","点我")'
        elif keys == '["problems"]':
            wb[sheet][cell] = "=1+1 是文字，不是公式"
    path = folder / "公式.xlsx"
    wb.save(path)
    return path


def truncated_docx(folder: Path, docx: bytes) -> Path:
    path = folder / "截断.docx"
    path.write_bytes(docx[: len(docx) // 2])
    return path


def text_named_docx(folder: Path) -> Path:
    path = folder / "其实是文本.docx"
    path.write_text("一、总体情况\n这是一个文本文件，只是改了扩展名。\n", encoding="utf-8")
    return path


def huge_html(folder: Path) -> Path:
    path = folder / "巨大网页.html"
    with path.open("wb") as out:
        out.write("<html><head><title>某某镇2023年政府信息公开工作年度报告</title></head><body><h1>一、总体情况</h1>".encode())
        row = "<p>这是一段很长的文字，重复很多次。</p>".encode() * 1000
        while out.tell() < 50 * MB:
            out.write(row)
        out.write(b"</body></html>")
    return path


def deep_html(folder: Path) -> Path:
    path = folder / "深层网页.html"
    path.write_bytes(b"<html><body>" + b"<div>" * 200_000 + "一、总体情况".encode() + b"</div>" * 200_000 + b"</body></html>")
    return path


def big_text(folder: Path) -> Path:
    path = folder / "五十兆.txt"
    with path.open("wb") as out:
        line = "一、总体情况 这是一行重复的文字。\n".encode() * 10_000
        while out.tell() < 50 * MB:
            out.write(line)
    return path


def junk_pdf(folder: Path) -> Path:
    import random

    path = folder / "乱码.pdf"
    rng = random.Random(7)
    path.write_bytes(b"%PDF-1.7\n" + rng.randbytes(20 * MB))
    return path


def yaml_aliases(folder: Path) -> Path:
    lines = ['a: &a ["哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈", "哈"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i > 1 else "*a"] * 9) + "]")
    path = folder / "别名炸弹.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def yaml_deep(folder: Path) -> Path:
    path = folder / "深层嵌套.yaml"
    path.write_text("year: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    return path


def yaml_deep_block(folder: Path) -> Path:
    path = folder / "深层缩进.yaml"
    path.write_text("".join(" " * i + "k:\n" for i in range(2800)), encoding="utf-8")
    return path


def yaml_50mb(folder: Path) -> Path:
    path = folder / "五十兆.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write(EXAMPLE_2023.read_text(encoding="utf-8"))
        for _ in range(50):
            out.write("# " + "填" * (MB // 3) + "\n")
    return path


def named(folder: Path, file: str, name: str) -> Path:
    """The example report under another unit name (a path, a reserved name, 300 characters)."""
    path = folder / file
    text = edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", f"name: {name}")
    path.write_text(text, encoding="utf-8")
    return path


UNIT_NAMES = {
    "上级目录.yaml": '"../../../逃出去人民政府"',
    "斜杠.yaml": '"a/b\\\\c人民政府"',
    "保留名.yaml": "CON",
    "空字符.yaml": '"青山镇\\0人民政府"',
    "三百字.yaml": "青" * 300,
}


def jinja_narratives(folder: Path) -> Path:
    path = folder / "模板语法.yaml"
    lines = EXAMPLE_2023.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("problems:"))
    lines.insert(at + 1, "  {{ 7*7 }}{% for x in range(3) %}循环{% endfor %}{# 注释 #}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def hostile_defaults(folder: Path, template: str, file: str) -> Path:
    path = folder / file
    path.write_text(f"problems: '{template}'\n", encoding="utf-8")
    return path


Builder = Callable[..., Path]


def text_of_many_lines(folder: Path) -> Path:
    path = folder / "一百三十万行.txt"
    path.write_text("一、总体情况\n" + "表\n" * 1_300_000, encoding="utf-8")
    return path


def html_of_many_paragraphs(folder: Path) -> Path:
    path = folder / "六十万段.html"
    path.write_text("<html><body><h1>一、总体情况</h1>" + "<p>表</p>" * 600_000 + "</body></html>", encoding="utf-8")
    return path


def docx_of_many_paragraphs(folder: Path) -> Path:
    body = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + "".join(f"<w:p><w:r><w:t>表{i}</w:t></w:r></w:p>" for i in range(600_000)) + "</w:body></w:document>").encode()
    return _zip(folder / "六十万段.docx", {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": body})
