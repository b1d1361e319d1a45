"""What a clerk must be able to trust: files with the permissions of the folder, outputs
that are complete whatever happens to the process, a DOCX whose properties, fonts,
signature and page grid are the report's and GB/T 9704's."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, ROOT, edit
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")


def nianbao(*args: object, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao", *map(str, args)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


# -- permissions ------------------------------------------------------------------------------------
@pytest.mark.skipif(os.name == "nt", reason="Windows has no umask; files inherit the folder's ACL")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_get_the_permissions_of_the_umask(cli, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        assert cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "docx,txt,html").code == 0
        assert cli("import", next(tmp_path.glob("*.txt")), "-o", tmp_path / "imported").code == 0
    finally:
        os.umask(old)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) >= 4
    for path in files:
        assert path.stat().st_mode & 0o777 == mode, path


# -- the DOCX as the report's own document ----------------------------------------------------------------
@pytest.fixture(scope="module")
def docx(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("docx")
    subprocess.run([sys.executable, "-m", "nianbao", "render", str(EXAMPLE_2023), "-o", str(out), "--to", "docx"], env=ENV, check=True)
    return zipfile.ZipFile(next(out.glob("*.docx")))


def test_document_properties_are_the_reports(docx):
    core = docx.read("docProps/core.xml").decode("utf-8")
    assert "<dc:title>青山镇人民政府2023年政府信息公开工作年度报告</dc:title>" in core
    assert "<dc:creator>青山镇人民政府</dc:creator>" in core
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-18T00:00:00Z</dcterms:created>' in core
    assert "python-docx" not in core and "2021-09-26" not in core
    app = docx.read("docProps/app.xml").decode("utf-8")
    assert "<Application>nianbao</Application>" in app and "Macintosh" not in app
    assert not [n for n in docx.namelist() if "thumbnail" in n.lower()]


def test_the_font_table_says_what_windows_falls_back_to(docx):
    fonts = etree.fromstring(docx.read("word/fontTable.xml"))
    table = {f.get(W + "name"): f for f in fonts.iter(W + "font")}
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert name in table, name
        assert table[name].find(W + "altName").get(W + "val") == alt
        assert table[name].find(W + "charset").get(W + "val") == "86"


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t"))


def test_the_signature_is_laid_out_as_gbt_9704_7_3_5(docx):
    body = etree.fromstring(docx.read("word/document.xml"))
    paragraphs = [p for p in body.iter(W + "p") if _paragraph_text(p).strip()]
    name, date = paragraphs[-2], paragraphs[-1]
    assert _paragraph_text(name) == "青山镇人民政府" and _paragraph_text(date) == "2024年1月18日"
    styles = etree.fromstring(docx.read("word/styles.xml"))
    style = next(st for st in styles.iter(W + "style") if st.get(W + "styleId") == "nbSignature")
    assert style.find(f"{W}pPr/{W}jc").get(W + "val") == "right"
    name_right, date_right = (int(p.find(f"{W}pPr/{W}ind").get(W + "rightChars")) / 100 for p in (name, date))
    # widths in characters: digits are half, and autospace puts a quarter between digits and Chinese
    name_width, date_width = 7, 3 + 7 * 0.5 + 5 * 0.25
    assert min(name_right, date_right) == 2  # the longer line two characters from the right
    assert (name_right + name_width) - (date_right + date_width) == 2  # the date starts two characters right of the name


def test_a_phone_number_does_not_break_at_its_hyphen(docx):
    body = docx.read("word/document.xml").decode("utf-8")
    assert "0731\u2060-\u20605550123" in body


def test_table_two_keeps_each_block_with_its_label_and_header(docx):
    body = etree.fromstring(docx.read("word/document.xml"))
    table = next(body.iter(W + "tbl"))
    rows = table.findall(W + "tr")
    kept = [any(p.find(f"{W}pPr/{W}keepNext") is not None for p in row.iter(W + "p")) for row in rows]
    texts = ["".join(t.text or "" for t in row.iter(W + "t")) for row in rows]
    for i, text in enumerate(texts):
        if text.startswith("第二十条第"):  # a block's label: kept with its header and rows
            end = next((j for j in range(i + 1, len(texts)) if texts[j].startswith("第二十条第")), len(texts))
            assert all(kept[i:end - 1]), (text, kept[i:end])
            assert not kept[end - 1]  # and the block may end a page


# -- the page grid, measured in LibreOffice ----------------------------------------------------------------
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) and poppler-utils (pdftotext) are needed to measure pages")
def test_full_pages_hold_22_lines_of_28_characters(cli, tmp_path):
    words = "政府信息公开工作" * 3 + "依法依规"  # 28 characters, no punctuation to hang
    paragraph = words * 9 + "公开"  # several full lines, then a short last one
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("problems:"))
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("  "))
    lines[at:end] = ["problems: |-"] + [f"  {paragraph}" for _ in range(12)]
    source = tmp_path / "长报告.yaml"
    source.write_text("\n".join(lines), encoding="utf-8")
    assert cli("render", source, "-o", tmp_path, "--to", "pdf").code == 0
    pdf = next(tmp_path.glob("*.pdf"))
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout.decode("utf-8")
    full_pages = []
    for page in layout.split("\f"):
        rows = [re.sub(r"\s+", "", row) for row in page.split("\n")]
        rows = [r for r in rows if r and not re.fullmatch(r"[—-]?\d+[—-]?", r)]  # the page number is off the grid
        if rows and all(set(r) <= set(words + "公开") for r in rows):
            full_pages.append(rows)
    assert full_pages, "no page of plain text: make the report longer"
    for rows in full_pages:
        assert len(rows) == 22
        # 254 characters a paragraph: a first line indented two characters (26), eight full
        # lines (28) and a last one of 4
        assert all(len(r) in (26, 28, 4) for r in rows), [len(r) for r in rows]
        assert sum(len(r) == 28 for r in rows) >= 16


# -- crash safety ---------------------------------------------------------------------------------------
def _versions(tmp_path: Path) -> tuple[Path, Path, dict[str, set[bytes]]]:
    """Two versions of one report and the complete bytes each output may have."""
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    text = EXAMPLE_2023.read_text(encoding="utf-8")
    old.write_text(text, encoding="utf-8")
    new.write_text(edit(text, "完成了重点领域", "完成了全部重点领域"), encoding="utf-8")
    complete: dict[str, set[bytes]] = {}
    for source in (old, new):
        out = tmp_path / f"ref-{source.stem}"
        subprocess.run([sys.executable, "-m", "nianbao", "render", str(source), "-o", str(out), "--to", "docx,txt,html"], env=ENV, check=True)
        for path in out.iterdir():
            if not path.name.startswith("."):
                complete.setdefault(path.name, set()).add(path.read_bytes())
    assert all(len(v) == 2 for v in complete.values())
    return old, new, complete


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX; Windows terminates the same way through TerminateProcess")
def test_killing_render_at_any_moment_leaves_each_output_old_or_new_and_complete(tmp_path):
    old, new, complete = _versions(tmp_path)
    out = tmp_path / "out"
    assert nianbao("render", old, "-o", out, "--to", "docx,txt,html").wait() == 0
    rng = random.Random(15)
    for attempt in range(10):
        _kill_and_look(nianbao("render", new if attempt % 2 == 0 else old, "-o", out, "--to", "docx,txt,html"), rng.uniform(0.05, 0.6), out, complete)
        assert {p.name for p in out.iterdir() if p.name in complete} == set(complete)


def _kill_and_look(process: subprocess.Popen, after: float, out: Path, complete: dict[str, set[bytes]]) -> None:
    """Kill ``process`` after ``after`` seconds; every output under its final name must be a
    complete version of itself."""
    time.sleep(after)
    process.kill()
    process.wait()
    for path in out.iterdir():
        if path.name in complete:
            assert path.read_bytes() in complete[path.name], (after, path.name)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_killing_batch_at_any_moment_leaves_each_output_old_or_new_and_complete(tmp_path):
    old, new, complete = _versions(tmp_path)
    inbox = tmp_path / "收回"
    inbox.mkdir()
    out = tmp_path / "out"
    shutil.copy(old, inbox / "青山镇.yaml")
    assert nianbao("batch", inbox, "-o", out, "--to", "docx,txt,html", "--jobs", "1").wait() == 0
    rng = random.Random(16)
    for attempt in range(8):
        shutil.copy(new if attempt % 2 == 0 else old, inbox / "青山镇.yaml")
        _kill_and_look(nianbao("batch", inbox, "-o", out, "--to", "docx,txt,html", "--jobs", "1"), rng.uniform(0.1, 1.0), out, complete)
    assert nianbao("batch", inbox, "-o", out, "--to", "docx,txt,html", "--jobs", "1").wait() == 0  # and it still runs


def test_two_batches_into_one_folder_do_not_corrupt_each_others_files(tmp_path):
    from openpyxl import load_workbook

    units = []
    for n in range(6):
        text = edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", f"name: 第{n}镇人民政府")
        units.append(text)
    first, second = tmp_path / "一", tmp_path / "二"
    for folder, chosen in ((first, units[:4]), (second, units[2:])):  # two units in both
        folder.mkdir()
        for i, text in enumerate(chosen):
            (folder / f"u{i}.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    runs = [nianbao("batch", folder, "-o", out, "--to", "docx,txt", "--jobs", "1") for folder in (first, second)]
    assert [r.wait() for r in runs] == [0, 0]
    alone = tmp_path / "alone"
    for n, text in enumerate(units):
        (tmp_path / f"{n}.yaml").write_text(text, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "nianbao", "render", str(tmp_path / f"{n}.yaml"), "-o", str(alone)], env=ENV, check=True)
    for path in alone.iterdir():
        if not path.name.startswith("."):
            assert (out / path.name).read_bytes() == path.read_bytes(), path.name
    assert len(load_workbook(out / "汇总.xlsx")["单位"]["A"]) == 5  # one of the two, whole: a header and 4 units
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".nianbao-staging")]
