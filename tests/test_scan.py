"""Scanned reports read by OCR (the ``ocr`` extra), and never a misread figure let through.

The scans are made here from nianbao's own PDF and from the official PDF of the corpus
(tests/scans.py): rasterised at 150, 200 and 300 dpi, turned ±1.5°, a red seal over the
signature and over a table's corner, JPEG at quality 60, grey noise, and a 3 painted as 8
in a row of table 三.  Every figure must equal the source or be empty with an ``I`` error:
none wrong.  OCR costs seconds a page, so each page is read once per run (the engine's
answers are kept by the picture's bytes) and the variants are spread over the pages of
one report instead of every page in every variant; the full matrix is
``python bench/import.py``'s scanned rows.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
from pathlib import Path

import pytest
from conftest import DATA
from scans import CORPUS_PDF, Variant, as_pdf, figures_of, pages

from nianbao.findings import ERROR
from nianbao.model.places import place
from nianbao.read.importer import confirm, import_bytes, import_file, import_pages
from nianbao.read.importer.lines import Unreadable

pytest.importorskip("rapidocr", reason="the ocr extra is not installed (pip install \".[ocr]\")")

from nianbao.read.importer import ocr, scan  # noqa: E402 - after the extra is known to be there

QINGSHAN = DATA / "published" / "2023-青山镇.pdf"
ALTERED = ("（一）予以公开", "3", "8")  # table 三 row (一): the 自然人 3 painted as 8
_seen: dict[str, list] = {}


@pytest.fixture(scope="module", autouse=True)
def read_once():
    """The engine's answer for a picture is kept: a page met again (the same scan as a PDF,
    as picture files, in a web page) is not read again."""
    real = ocr.recognise

    def remembered(image):
        key = hashlib.sha1(image.tobytes() + repr(image.shape).encode()).hexdigest()
        if key not in _seen:
            _seen[key] = real(image)
        return _seen[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ocr, "recognise", remembered)
        yield


def assert_nothing_wrong(imported, expected: dict) -> tuple[int, int]:
    """Each figure of the scan's import equals ``expected`` or is empty with an I error naming
    its cell or its row; returns (figures read, figures left empty)."""
    got = figures_of(imported.spec, imported.data)
    told = {f.path for f in imported.findings if f.rule == "I" and f.level == ERROR}
    wrong, empty = [], 0
    for keys, value in expected.items():
        here = got.get(keys)
        if here is None:
            empty += 1
            cell, row = place(imported.spec.id, keys).path, place(imported.spec.id, keys[:-1]).path
            assert cell in told or row in told or any(t.startswith(row) for t in told), f"{cell} empty without an I error"
        elif here != value:
            wrong.append((place(imported.spec.id, keys).path, value, here))
    assert wrong == [], f"figures read wrong: {wrong}"
    return len(expected) - empty, empty


# -- the scans ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def source():
    """nianbao's own PDF read from its text layer: what the scans must give."""
    imported = import_file(QINGSHAN)
    assert imported.spec is not None and not imported.failed
    return imported


@pytest.fixture(scope="module")
def clean():
    """Every page at 150 dpi, as a scanner saves it: a PDF of page pictures."""
    pictures = pages(QINGSHAN, Variant(dpi=150))
    return pictures, import_bytes(as_pdf(pictures, 150), Path("扫描件.pdf"))


MIXED = [  # one page per variant: a report read once covers them all
    Variant(dpi=300),
    Variant(dpi=200, angle=1.5),
    Variant(dpi=200, angle=-1.5, seal=True, jpeg=60, noise=8, altered=ALTERED),
    Variant(dpi=150, seal=True, jpeg=60),
    Variant(dpi=200, angle=-1.5, seal=True, noise=8, jpeg=60),
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mixed")
    files = []
    for number, variant in enumerate(MIXED, start=1):
        (picture,) = pages(QINGSHAN, variant, only=[number - 1])
        path = folder / f"第{number}页{'.jpg' if variant.jpeg else '.png'}"
        path.write_bytes(picture)
        files.append(path)
    return import_pages(list(reversed(files)))  # given in any order: read in the order of their names


def test_a_clean_scan_confirms_every_figure_of_tables_three_and_four(clean, source):
    _, imported = clean
    assert imported.spec is source.spec
    read, empty = assert_nothing_wrong(imported, figures_of(source.spec, source.data))
    t3_t4 = [f for f in imported.figures if f.keys[0] in ("applications", "appeals")]
    assert len(t3_t4) == 25 * 7 + 15 and all(f.status == confirm.CONFIRMED for f in t3_t4)
    # table 二 has no sum to confirm a reading: each of its figures is left for the clerk
    t2 = [f for f in imported.figures if f.keys[0] == "proactive"]
    assert len(t2) == 10 and all(f.status == confirm.EMPTY and f.rank == confirm.UNCHECKED for f in t2)
    assert empty == 10 and read == len(figures_of(source.spec, source.data)) - 10
    assert imported.data["unit"]["name"] == source.data["unit"]["name"] == "青山镇人民政府"
    assert imported.data["year"] == 2023
    assert imported.data["unit"]["date"] == source.data["unit"]["date"]
    assert imported.data["unit"]["address"] == source.data["unit"]["address"]


def test_a_three_painted_as_eight_is_caught_by_its_row_and_column_and_shown_first(mixed, source):
    read, empty = assert_nothing_wrong(mixed, figures_of(source.spec, source.data))
    first = mixed.figures[0]
    assert first.path == "表三.三（一）.自然人" and first.text == "8" and first.status == confirm.EMPTY and first.rank == confirm.FAILED
    assert "“表三 三（一）予以公开”一行" in first.why  # and its column's (七)总计, where every cell of the column was read
    finding = next(f for f in mixed.findings if f.path == "表三.三（一）.自然人")
    assert finding.level == ERROR and finding.rule == "I" and "识别为“8”" in finding.message
    # the sums through the 8 failed; the figures beside it are confirmed by their columns
    assert mixed.data["applications"]["disclosed"][0] is None
    # left empty: table 二 (10), the 8's row where its column could not be worked out, and a few
    # digits crossed by the seal's strokes (JPEG q60, noise) — each with its I error, none wrong
    assert read >= len(figures_of(source.spec, source.data)) - 10 - 7 - 15
    assert mixed.data["unit"]["name"] == "青山镇人民政府" and mixed.data["year"] == 2023
    assert mixed.data["unit"]["date"] == source.data["unit"]["date"]  # the date under the seal


def test_the_official_pdf_scanned_every_figure_is_the_hand_read_one_or_empty_with_an_error():
    if not CORPUS_PDF.is_file():
        pytest.skip(f"the corpus PDF {CORPUS_PDF} is absent (it sits beside the checkout as ../shared)")
    truth = json.loads(CORPUS_PDF.with_suffix(".json").read_text(encoding="utf-8"))
    imported = import_bytes(as_pdf(pages(CORPUS_PDF, Variant(dpi=200, jpeg=75)), 200), Path("洪泽.pdf"))
    spec = imported.spec
    t3 = spec.table3
    expected = {}
    for name, row in truth["table3"].items():
        keys = ("applications", *t3.keypath(t3.row(name)))
        expected.update({keys + (c,): v for c, v in enumerate(row)})
    for label, row in truth["table3_detail"].items():
        leaf = next(leaf for leaf in t3.leaves() if f"三{label}" in place(spec.id, ("applications", *t3.keypath(leaf))).path)
        expected.update({("applications", *t3.keypath(leaf), c): v for c, v in enumerate(row)})
    for g, group in enumerate(spec.table4.groups):
        expected.update({("appeals", group.key, c): truth["table4"][g * 5 + c] for c in range(5)})
    read, empty = assert_nothing_wrong(imported, expected)
    # the printed 总计 0 under 10 + 1 (a defect of the published report) cannot be told from a
    # misread: those cells are left empty, with an I error naming the sum
    review = [f for f in imported.figures if f.keys[:2] == ("appeals", "review")]
    assert all(f.status == confirm.EMPTY and f.rank == confirm.FAILED for f in review)
    text = import_file(CORPUS_PDF)  # the same PDF read from its text layer
    assert imported.data["unit"]["name"] == "洪泽区人民政府" and imported.data["year"] == 2023
    assert imported.data["unit"]["phone"] == text.data["unit"]["phone"] and imported.data["unit"]["date"] == text.data["unit"]["date"]  # it prints no date
    assert read >= 100, (read, empty)


def test_pictures_and_a_web_page_of_pictures_read_as_the_pdf_does_with_the_proof_page(clean, cli, tmp_path):
    pictures, from_pdf = clean
    folder = tmp_path / "扫描"
    folder.mkdir()
    for number, picture in enumerate(pictures, start=1):
        (folder / f"第{number}页.png").write_bytes(picture)
    out = tmp_path / "out"
    result = cli("import", *sorted(folder.iterdir(), reverse=True), "-o", out, "--proof", tmp_path / "校对.html")
    assert result.code == 1  # table 二 is left for the clerk
    written = out / "青山镇人民政府2023.yaml"
    assert written.is_file() and "等5张图片" in result.out and "校对页" in result.out
    page = (tmp_path / "校对.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "") and "src=\"data:image/png;base64," in page
    assert page.index("表二 第二十条第（一）项 规章 · 本年制发件数") < page.index("已确认的格") < page.index("表三 一、本年新收 · 自然人")
    # a saved web page whose report is its pictures, saved beside it; a logo and a picture on
    # the network are left alone
    files = tmp_path / "报告_files"
    files.mkdir()
    for number, picture in enumerate(pictures, start=1):
        (files / f"{number}.png").write_bytes(picture)
    scan.header_size  # noqa: B018 - the logo is small: not a page
    from PIL import Image

    Image.new("RGB", (120, 40), (200, 0, 0)).save(files / "logo.png")
    body = "".join(f'<p><img src="报告_files/{n}.png"></p>' for n in range(1, len(pictures) + 1))
    html = f'<html><head><title>年报</title></head><body><img src="报告_files/logo.png"><img src="http://example.invalid/x.png">{body}</body></html>'
    (tmp_path / "报告.html").write_text(html, encoding="utf-8")
    imported = import_file(tmp_path / "报告.html")
    assert figures_of(imported.spec, imported.data) == figures_of(from_pdf.spec, from_pdf.data)
    assert imported.data["unit"] == from_pdf.data["unit"]


# -- without OCR ----------------------------------------------------------------------------------------
def test_a_digit_changed_anywhere_in_a_consistent_table_three_is_the_only_cell_left_empty(source):
    """The confirmation, on a table 三 read from pictures: a consistent table keeps every
    figure; one figure changed (any cell, any other value) is the only one left empty."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from nianbao.read.importer.tables import Found

    spec = source.spec
    truth = {k: v for k, v in figures_of(spec, source.data).items() if k[0] == "applications"}
    keys = sorted(truth, key=repr)

    def found_with(values: dict) -> Found:
        found = Found()
        for k, v in values.items():
            found.cells[k] = (scan.ScanCell(str(v), page="第3页"), v)
            found.values.setdefault(k[:-1], [None] * 7)[k[-1]] = v
        return found

    calm = confirm.confirm(spec, found_with(truth))
    assert all(f.status == confirm.CONFIRMED for f in calm.figures) and calm.findings == []

    @settings(max_examples=60, deadline=None)
    @given(st.sampled_from(keys), st.integers(min_value=0, max_value=99))
    def one_changed(key, value):
        if value == truth[key]:
            return
        found = found_with({**truth, key: value})
        done = confirm.confirm(spec, found)
        assert [f.keys for f in done.figures if f.status == confirm.EMPTY] == [key]
        assert found.values[key[:-1]][key[-1]] is None
        assert [f.path for f in done.findings] == [place(spec.id, key).path]

    one_changed()


def test_without_the_extra_a_scan_says_what_to_install(monkeypatch, cli, tmp_path):
    monkeypatch.setattr(ocr, "available", lambda: False)
    result = cli("import", DATA / "published" / "scan.pdf", "-o", tmp_path)
    assert result.code == 1 and 'pip install "nianbao[ocr]"' in result.out
    picture = tmp_path / "第1页.png"
    from PIL import Image

    Image.new("L", (900, 1200), 255).save(picture)
    result = cli("import", picture, "-o", tmp_path)
    assert result.code == 1 and 'pip install "nianbao[ocr]"' in result.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["第1页.png"]


def test_an_image_bomb_is_refused_from_its_header_before_decoding():
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)  # 3.6 billion pixels announced
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")
    with pytest.raises(Unreadable, match="像素"):
        scan.decode(bomb, "炸弹.png")
    imported = import_bytes(bomb, Path("炸弹.png"))
    assert imported.spec is None and "像素" in imported.findings[0].message


def test_the_engine_reads_with_the_network_unreachable(monkeypatch):
    """The models are the wheel's own: loading the engine and reading a page asks nothing of
    the network."""
    import numpy as np

    def refused(*args, **kwargs):
        raise OSError("the network is not to be used")

    ocr.engine.cache_clear()
    monkeypatch.setattr(socket.socket, "connect", refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    page = np.full((200, 600), 255, dtype=np.uint8)
    import cv2

    cv2.putText(page, "2023 12 7", (40, 120), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)
    boxes = ocr.engine()(np.repeat(page[:, :, None], 3, axis=2))
    assert "2023" in "".join(boxes.txts or ())


def test_the_site_reads_a_scanned_upload_and_shows_its_proof_page(clean, tmp_path):
    from starlette.testclient import TestClient
    from test_serve_unit import Site

    from nianbao.serve.app import create_app
    from nianbao.serve.pages import CSP_PREVIEW
    from nianbao.serve.store import Store

    pictures, _ = clean
    site = Site(tmp_path)
    try:
        client = site.unit()
        response = client.post("/report/start", data={"csrf": site.csrf(client), "from": "upload"},
                               files={"file": ("扫描件.pdf", as_pdf(pictures, 150), "application/pdf")})
        assert response.status_code == 303 and "proof=" in response.headers["location"], response.text
        page = client.get(response.headers["location"])
        link = re.search(r'href="(/report/proof/[0-9a-f]+)"', page.text)
        assert link and "上传的是扫描件" in page.text
        proof = client.get(link.group(1))
        assert proof.status_code == 200 and proof.headers["content-security-policy"] == CSP_PREVIEW
        assert "留空的格" in proof.text and "表二 第二十条第（一）项 规章 · 本年制发件数" in proof.text and "<script" not in proof.text
        other = site.unit(name="绿水乡人民政府")
        assert other.get(link.group(1)).status_code == 404  # another unit never sees it
        second = Store(site.store.url)  # another worker on the same database (serve --workers 2), or the site restarted
        try:
            worker = TestClient(create_app(second), follow_redirects=False, cookies=client.cookies)
            assert worker.get(link.group(1)).text == proof.text
        finally:
            second.close()
    finally:
        site.store.close()


def test_batch_takes_a_folder_of_page_pictures_as_one_report(clean, cli, tmp_path):
    pictures, _ = clean
    unit = tmp_path / "收回" / "青山镇"
    unit.mkdir(parents=True)
    for number, picture in enumerate(pictures, start=1):
        (unit / f"第{number}页.png").write_bytes(picture)
    result = cli("batch", tmp_path / "收回", "-o", tmp_path / "报告", "--jobs", "1")
    assert result.code == 1  # table 二 waits for the clerk: the unit is not rendered
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "报告" / "汇总.xlsx")["单位"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2) if row[0].value]
    assert len(rows) == 1 and "青山镇人民政府" in str(rows[0])


def test_figures_read_by_ocr_outside_ruled_cells_never_count_unconfirmed():
    """A scanned table without ruling lines (or whose lines were not found) comes as lines of
    text: its figures cannot be tied to a box of the picture, so none counts — each is left
    empty with an I error, whatever the sums say."""
    from dataclasses import replace

    from nianbao.read.importer import _import
    from nianbao.read.importer.pdf import read_pdf

    lines = [replace(line, scanned=True) for line in read_pdf((DATA / "published" / "2020-南山乡-unruled.pdf").read_bytes())]
    imported = _import(Path("无框线.pdf"), lambda: (lines, {}))
    assert imported.figures and all(f.status == confirm.EMPTY for f in imported.figures)
    got = figures_of(imported.spec, imported.data)
    assert [k for k, v in got.items() if v is not None] == []
    told = {f.path for f in imported.findings if f.rule == "I" and f.level == ERROR}
    assert all(f.path in told for f in imported.figures if f.rank != confirm.UNREAD)
