"""LibreOffice never reaches the network for a document (issue 19.6); .odt is read by its
``mimetype``; no Python warning reaches the clerk.

A report made by LibreOffice as .odt gets a picture linked (not embedded) to an address on
127.0.0.1 where a test server counts every request; the same file saved by LibreOffice as
.doc carries the link as ``INCLUDEPICTURE "…" \\d``.  Importing both, and converting a
DOCX whose header links the picture, must send no request at all — and the imports must
still read the report's figures.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, ROOT
from test_reference_safety import hostile_reference, serving


@pytest.fixture(scope="module")
def soffice():
    from nianbao.render import office

    if office.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture(scope="module")
def report_odt(soffice, tmp_path_factory) -> bytes:
    """The example report as LibreOffice writes it in OpenDocument: a real .odt."""
    from nianbao.read.load import load_file
    from nianbao.render import docx, office

    folder = tmp_path_factory.mktemp("odt")
    source = folder / "报告.docx"
    source.write_bytes(docx.render(load_file(EXAMPLE_2023).report, None))
    return office.convert([source], "odt", folder / "out")[source].read_bytes()


def linked_odt(odt: bytes, url: str) -> bytes:
    """``odt`` with a first paragraph holding a picture linked to ``url``, the package
    rewritten as ODF wants it (``mimetype`` first, stored)."""
    frame = (
        '<text:p><draw:frame draw:name="linked" text:anchor-type="as-char" svg:width="1cm" svg:height="1cm">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame></text:p>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(odt)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                text = data.decode("utf-8")
                opening = re.search(r"<office:text[^>]*>", text).group(0)
                data = text.replace(opening, opening + frame, 1).encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _holds(data: bytes, url: str) -> bool:
    return url.encode("ascii") in data or url.encode("utf-16-le") in data


def _figures(path: Path) -> tuple[list, list]:
    from nianbao.read.load import load_file

    report = load_file(path).report
    assert report is not None, path
    return ([report.row(line) for line in report.spec.table3.data_lines()], [report.appeal(g) for g in report.spec.table4.groups])


def test_importing_a_doc_and_an_odt_with_linked_pictures_sends_no_request(cli, report_odt, tmp_path):
    from nianbao.render import office

    expected = _figures(EXAMPLE_2023)
    with serving() as (url, counter):
        odt = tmp_path / "链接图片.odt"
        odt.write_bytes(linked_odt(report_odt, url))
        doc = office.convert([odt], "doc", tmp_path / "doc")[odt]
        assert _holds(doc.read_bytes(), url)  # the .doc links the picture: INCLUDEPICTURE "…" \d
        old = tmp_path / "链接图片旧版.doc"
        doc.rename(old)
        out = tmp_path / "out"
        result = cli("import", odt, old, "-o", out)
        assert counter.seen == []
    assert result.code == 0, result
    written = sorted(out.glob("*.yaml"))
    assert [p.name for p in written] == ["青山镇人民政府2023-2.yaml", "青山镇人民政府2023.yaml"]
    for path in written:
        assert _figures(path) == expected, path


def test_a_docx_whose_header_links_a_picture_converts_without_a_request(cli, soffice, tmp_path):
    """The profile alone, without nianbao's cleaning: LibreOffice lays out a header whose
    picture is linked to the server, and asks nothing of it."""
    from nianbao.render import office

    base = tmp_path / "默认样式.docx"
    assert cli("reference-docx", base).code == 0
    with serving() as (url, counter):
        linked = hostile_reference(tmp_path, base.read_bytes(), url)
        done = office.convert([linked], "pdf", tmp_path / "pdf")
        assert counter.seen == []
    assert done[linked].read_bytes().startswith(b"%PDF-")


def test_an_odt_is_known_by_its_mimetype_whatever_its_name(cli, report_odt, tmp_path):
    """A real .odt was refused as "not a valid .docx"; it is now converted, also when its
    name says .docx or .doc."""
    from nianbao.read.kinds import sniff

    assert sniff(report_odt) == "odt"
    expected = _figures(EXAMPLE_2023)
    for name in ("报告.odt", "改名.docx", "改名.doc"):
        (tmp_path / name).write_bytes(report_odt)
        out = tmp_path / name.replace(".", "_")
        result = cli("import", tmp_path / name, "-o", out)
        assert result.code == 0, (name, result)
        assert _figures(next(out.glob("*.yaml"))) == expected, name


def test_an_odt_loses_its_outside_links_before_conversion():
    """The second lock: links out of the package are cut (a linked picture, a linked
    section, a script), pictures inside and hyperlinks kept."""
    from nianbao.render.office import offline_odt

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"><office:body><office:text>'
        '<text:p><draw:frame><draw:image xlink:href="http://127.0.0.1:9/a.png"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="Pictures/inside.png"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="\\\\server\\share\\b.png"/></draw:frame>'
        '<draw:frame><draw:image xlink:href="../next-to-it.png"/></draw:frame>'
        '<text:a xlink:href="https://www.gov.cn/">中国政府网</text:a></text:p>'
        '<text:section text:name="s"><text:section-source xlink:href="file:///etc/passwd"/></text:section>'
        "</office:text></office:body></office:document-content>"
    ).encode()
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(io.BytesIO(offline_odt(package.getvalue()))) as cleaned:
        assert cleaned.namelist() == ["mimetype", "content.xml"] and cleaned.infolist()[0].compress_type == zipfile.ZIP_STORED
        hrefs = re.findall(rb'xlink:href="([^"]*)"', cleaned.read("content.xml"))
    assert hrefs == [b"Pictures/inside.png", b"https://www.gov.cn/"]


def test_the_private_profile_locks_the_network_and_macros(tmp_path):
    from lxml import etree

    from nianbao.render.office import private_profile

    url = private_profile(tmp_path / "profile")
    assert url.startswith("file:")
    items = etree.parse(str(tmp_path / "profile" / "user" / "registrymodifications.xcu")).getroot()
    removed = {n.get("{http://openoffice.org/2001/registry}name") for n in items.iter("node")}
    assert {"Provider3", "Provider4", "Provider12"} <= removed  # http, vnd.sun.star.webdav, https
    values = {p.get("{http://openoffice.org/2001/registry}name"): p.findtext("value") for p in items.iter("prop") if p.getparent().get("{http://openoffice.org/2001/registry}path").endswith(("Scripting", "Writer/Content/Update"))}
    assert values["BlockUntrustedRefererLinks"] == "true" and values["DisableMacrosExecution"] == "true" and values["Link"] == "0"


# -- no Python warning reaches the clerk --------------------------------------------------------------------
def excel_validation_workbook(folder: Path, workbook: bytes) -> Path:
    """A collection workbook as Excel saves it after a unit added a drop-down whose list is on
    another sheet: the validation is an x14 extension, which openpyxl warns it drops."""
    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1">'
        b"<x14:formula1><xm:f>Sheet2!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>B3</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert data.count(b"</worksheet>") == 1
                data = data.replace(b"</worksheet>", ext + b"</worksheet>")
            target.writestr(info, data)
    path = folder / "下拉选项.xlsx"
    path.write_bytes(out.getvalue())
    return path


def test_no_python_warning_reaches_the_clerk(cli, tmp_path):
    sheet = tmp_path / "采集表.xlsx"
    assert cli("sheet", "--year", "2024", "--unit", "青山镇人民政府", "-o", sheet).code == 0
    workbook = excel_validation_workbook(tmp_path, sheet.read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["PYTHONPATH"] = str(ROOT / "generator")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-W", "default", "-m", "nianbao", *args], capture_output=True, text=True, encoding="utf-8", env=env, timeout=120, check=False)

    shown = run("--debug", "check", str(workbook))  # the developer sees openpyxl's warning …
    assert "UserWarning: Data Validation extension is not supported" in shown.stderr
    quiet = run("check", str(workbook))  # … the clerk does not
    assert quiet.returncode == shown.returncode == 0
    assert quiet.stderr == "" and quiet.stdout == shown.stdout


def odt_zip_bomb(folder: Path) -> Path:
    """An OpenDocument text whose content.xml inflates to 200 MB from 200 KB."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", b"<a>" + b" " * (200 * 1024 * 1024) + b"</a>", compress_type=zipfile.ZIP_DEFLATED)
    path = folder / "炸弹.odt"
    path.write_bytes(package.getvalue())
    return path


def odt_entity_bomb(folder: Path) -> Path:
    """An OpenDocument text whose content.xml declares entities (a "billion laughs")."""
    laughs = '<!DOCTYPE a [<!ENTITY l0 "ha">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]><a>&l9;</a>"
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", laughs, compress_type=zipfile.ZIP_DEFLATED)
    path = folder / "实体.odt"
    path.write_bytes(package.getvalue())
    return path


@pytest.mark.parametrize(("build", "said"), [(odt_zip_bomb, "中的部件“content.xml”解压后异常巨大（200 MB）"), (odt_entity_bomb, "中含有 XML 实体定义")])
def test_a_hostile_odt_is_refused_before_libreoffice_sees_it(cli, tmp_path, build, said):
    result = cli("import", build(tmp_path), "-o", tmp_path / "out")
    assert result.code == 1
    assert f"[错误 I] OpenDocument 文档（.odt）{said}" in result.out
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_a_doc_linking_a_file_on_the_clerks_disk_does_not_read_it(cli, report_odt, tmp_path):
    """A unit's .doc whose picture is linked to a path (``INCLUDEPICTURE "file:///…" \\d``):
    converting it must not read that file of the clerk's machine into the result."""
    from PIL import Image

    from nianbao.render import office

    secret = tmp_path / "秘密" / "secret.png"
    secret.parent.mkdir()
    Image.new("RGB", (64, 64), (200, 0, 0)).save(secret)
    odt = tmp_path / "本地链接.odt"
    odt.write_bytes(linked_odt(report_odt, secret.as_uri()))
    doc = office.convert([odt], "doc", tmp_path / "doc")[odt].read_bytes()
    assert _holds(doc, "secret.png")
    docx = office.convert_bytes(doc, ".doc", "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        assert [n for n in package.namelist() if n.startswith("word/media/")] == []
    pdf = office.convert([odt], "pdf", tmp_path / "pdf")[odt].read_bytes()
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
