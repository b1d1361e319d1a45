"""A unit's style reference document gives styles and page setup, nothing else (issue 19.5).

The hostile reference is built here byte for byte from ``nianbao reference-docx``'s own
file: a VBA project, an attached template on a network share, a header picture linked to
a web address served on 127.0.0.1, custom properties, customXml, an altChunk, an OLE
object and an INCLUDEPICTURE field.  The report rendered with it holds none of them, in
any part or relationship, keeps the reference's styles, margins, header and embedded
emblem, and its PDF is made without a single request to the address.
"""

from __future__ import annotations

import base64
import http.server
import io
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, ROOT, edit

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHARE = "file://server/share/x.dotm"
SITE = "https://www.example.gov.cn/"
MACROS = "样式参考文档含有宏（VBA），不能使用：请在 Word 中另存为“Word 文档(*.docx)”后再用"
# the reference's own look, to be found in the report: a body font no report has by default,
# and a left margin of 30 mm (1701 twips) instead of 28
BODY_FONT = "华文隶书"
LEFT = "1701"


class Counter:
    """Requests that reached the test server, whatever their method (LibreOffice's Word
    import probes a linked picture with OPTIONS and HEAD before any GET)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.lock = threading.Lock()


@contextmanager
def serving() -> Iterator[tuple[str, Counter]]:
    """A one-pixel PNG on 127.0.0.1 (a free port), counting every request."""
    counter = Counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        def parse_request(self) -> bool:
            ok = super().parse_request()
            with counter.lock:
                counter.seen.append(f"{self.command} {self.path}")
            return ok

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(PNG)

        do_HEAD = do_OPTIONS = do_PROPFIND = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pixel.png", counter
    finally:
        server.shutdown()
        server.server_close()


def _rels(*items: tuple[str, str, str, bool]) -> bytes:
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{g}"' + (' TargetMode="External"' if ext else "") + "/>" for i, t, g, ext in items
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'.encode()


def _picture(attribute: str, rid: str, n: int, click: str = "") -> str:
    """An inline DrawingML picture whose blip embeds (``r:embed``) or links (``r:link``),
    opening the relationship ``click`` when clicked."""
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    link = f'<a:hlinkClick xmlns:a="{a}" r:id="{click}"/>' if click else ""
    return (
        f'<w:r><w:drawing><wp:inline><wp:extent cx="360000" cy="360000"/><wp:docPr id="{n}" name="p{n}">{link}</wp:docPr>'
        f'<a:graphic xmlns:a="{a}"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="{n}" name="p{n}"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:{attribute}="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="360000" cy="360000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def _header(url: str) -> bytes:
    """A header with the unit's emblem (embedded: kept), a tracking pixel (linked: cut),
    an INCLUDEPICTURE field fetching the same address, an OLE object and an altChunk."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="{R}" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
        f'<w:p><w:r><w:t>页眉</w:t></w:r>{_picture("embed", "rIdEmblem", 901, click="rIdSite")}{_picture("link", "rIdPixel", 902)}</w:p>'
        f'<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;{url}&quot; \\d "><w:r><w:t>图</w:t></w:r></w:fldSimple></w:p>'
        '<w:p><w:r><w:object><v:shape id="ole1" style="width:10pt;height:10pt"><v:imagedata r:id="rIdEmblem"/></v:shape>'
        '<o:OLEObject Type="Embed" ProgID="Package" ShapeID="ole1" DrawAspect="Icon" ObjectID="_1" r:id="rIdOle"/></w:object></w:r></w:p>'
        '<w:altChunk r:id="rIdAlt"/>'
        "<w:p/></w:hdr>"
    ).encode()


def hostile_reference(folder: Path, base: bytes, url: str, *, macros: str = "") -> Path:
    """``nianbao reference-docx``'s file, restyled (body font, left margin) as a unit would,
    with every hostile part of issue 19 added.  ``macros``: "vba" adds a VBA project,
    "type" only declares the main part macro-enabled (a .docm renamed .docx)."""
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    styles = parts["word/styles.xml"].decode("utf-8")
    body = re.search(r'<w:style [^>]*w:styleId="nbBody".*?</w:style>', styles, flags=re.S).group(0)
    parts["word/styles.xml"] = edit(styles, body, body.replace('w:eastAsia="仿宋_GB2312"', f'w:eastAsia="{BODY_FONT}"')).encode()
    document = parts["word/document.xml"].decode("utf-8")
    document = edit(document, 'w:left="1587"', f'w:left="{LEFT}"')
    document = edit(document, '<w:footerReference w:type="default"', '<w:headerReference w:type="default" r:id="rIdHeader"/><w:footerReference w:type="default"')
    document = edit(document, "<w:body>", '<w:body><w:altChunk r:id="rIdAltBody"/>')
    document = edit(document, "</w:sectPr>", '<w:printerSettings r:id="rIdPrinter"/></w:sectPr>')  # a driver's binary blob
    parts["word/printerSettings/printerSettings1.bin"] = b"\x00" * 64
    parts["word/document.xml"] = document.encode()
    settings = parts["word/settings.xml"].decode("utf-8")
    settings = edit(settings, "<w:defaultTabStop", '<w:attachedTemplate r:id="rIdTemplate"/><w:linkStyles/><w:defaultTabStop')
    settings = edit(settings, "</w:settings>", '<w:docVars><w:docVar w:name="tracker" w:val="1"/></w:docVars></w:settings>')
    parts["word/settings.xml"] = settings.encode()
    parts["word/_rels/settings.xml.rels"] = _rels(("rIdTemplate", f"{R}/attachedTemplate", SHARE, True))
    # an embedded font (obfuscated TrueType, parsed by Word and LibreOffice): not a style
    settings = edit(parts["word/settings.xml"].decode("utf-8"), "<w:proofState", "<w:embedTrueTypeFonts/><w:proofState")
    parts["word/settings.xml"] = settings.encode()
    fonts = parts["word/fontTable.xml"].decode("utf-8")
    parts["word/fontTable.xml"] = edit(
        fonts, '<w:pitch w:val="variable"/></w:font></w:fonts>',
        '<w:pitch w:val="variable"/><w:embedRegular r:id="rIdFont1" w:fontKey="{00000000-0000-0000-0000-000000000001}"/></w:font></w:fonts>',
    ).encode()
    parts["word/fonts/font1.odttf"] = b"\x00\x01\x00\x00" + b"\x00" * 60
    parts["word/_rels/fontTable.xml.rels"] = _rels(("rIdFont1", f"{R}/font", "fonts/font1.odttf", False))
    parts["word/header1.xml"] = _header(url)
    parts["word/media/emblem.png"] = PNG
    parts["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    parts["word/afchunk.mht"] = b"MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<html><body><img src='" + url.encode() + b"'></body></html>"
    parts["word/afchunk2.mht"] = parts["word/afchunk.mht"]
    parts["word/_rels/header1.xml.rels"] = _rels(
        ("rIdEmblem", f"{R}/image", "media/emblem.png", False),
        ("rIdPixel", f"{R}/image", url, True),
        ("rIdSite", f"{R}/hyperlink", SITE, True),
        ("rIdOle", f"{R}/oleObject", "embeddings/oleObject1.bin", False),
        ("rIdAlt", f"{R}/aFChunk", "afchunk.mht", False),
    )
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    extra = _rels(
        ("rIdHeader", f"{R}/header", "header1.xml", False),
        ("rIdCustomXml", f"{R}/customXml", "../customXml/item1.xml", False),
        ("rIdAltBody", f"{R}/aFChunk", "afchunk2.mht", False),
        ("rIdPrinter", f"{R}/printerSettings", "printerSettings/printerSettings1.bin", False),
    ).decode("utf-8")
    rels = edit(rels, "</Relationships>", re.search(r"<Relationship .*/>", extra).group(0) + "</Relationships>")
    parts["word/_rels/document.xml.rels"] = rels.encode()
    parts["customXml/item1.xml"] = b'<?xml version="1.0" encoding="UTF-8"?><data><owner>tracker</owner></data>'
    parts["docProps/custom.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="tracker"><vt:lpwstr>1</vt:lpwstr></property></Properties>'
    )
    root_rels = parts["_rels/.rels"].decode("utf-8")
    parts["_rels/.rels"] = edit(
        root_rels, "</Relationships>",
        '<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>',
    ).encode()
    types = parts["[Content_Types].xml"].decode("utf-8")
    added = (
        '<Default Extension="png" ContentType="image/png"/><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
        '<Default Extension="mht" ContentType="message/rfc822"/>'
        '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
        '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    )
    types = edit(types, "</Types>", added + "</Types>")
    if macros == "vba":
        parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        parts["word/_rels/document.xml.rels"] = edit(
            parts["word/_rels/document.xml.rels"].decode("utf-8"), "</Relationships>",
            '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        ).encode()
        types = edit(types, "</Types>", '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    if macros:
        types = edit(types, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
    parts["[Content_Types].xml"] = types.encode()
    target = folder / ("宏.docx" if macros else "样式.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    target.write_bytes(out.getvalue())
    return target


@pytest.fixture
def base(cli, tmp_path) -> bytes:
    """The file ``nianbao reference-docx`` gives a clerk to restyle."""
    path = tmp_path / "默认样式.docx"
    assert cli("reference-docx", path).code == 0
    return path.read_bytes()


def _package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {n: package.read(n) for n in package.namelist()}


def _said(url: str) -> list[str]:
    return [
        "提示：已去掉样式参考文档中的自定义 XML 数据（customXml）：customXml/item1.xml",
        "提示：已去掉样式参考文档中的外来内容块（altChunk）：word/afchunk2.mht、word/afchunk.mht",
        f"提示：已去掉样式参考文档中的附加模板（attachedTemplate）：{SHARE}",
        "提示：已去掉样式参考文档中的嵌入字体：word/fonts/font1.odttf",
        f"提示：已去掉样式参考文档中的外部链接（TargetMode=External）：{url}、{SITE}",
        "提示：已去掉样式参考文档中的OLE 嵌入对象：word/embeddings/oleObject1.bin",
        "提示：已去掉样式参考文档中的自定义属性：docProps/custom.xml",
        "提示：已去掉样式参考文档中的从外部取内容的域代码：INCLUDEPICTURE",
    ]


HOSTILE_NAMES = ("printersettings", "vbaproject", "custom.xml", "customxml", "afchunk", "embeddings", "oleobject", "activex", "odttf", "fonts/")
HOSTILE_TEXT = (b'TargetMode="External"', b"attachedTemplate", b"127.0.0.1", b"file://", b"altChunk", b"OLEObject", b"INCLUDEPICTURE",
                b"docVar", b"linkStyles", b"customXml", b"custom-properties", b"r:link=", b"aFChunk", b"oleObject", b"vbaProject",
                b"embedRegular", b"embedTrueTypeFonts", b"odttf", b"printerSettings", b"hlinkClick", SITE.encode())


def test_a_hostile_reference_gives_its_styles_and_nothing_else(cli, base, tmp_path):
    from docx import Document

    with serving() as (url, counter):
        reference = hostile_reference(tmp_path, base, url)
        out = tmp_path / "out"
        result = cli("render", EXAMPLE_2023, "-o", out, "--to", "docx,pdf", "--reference-docx", reference)
        assert result.code == 0, result
        from nianbao.render.pdf import font_note  # the PDF's stand-in fonts, said once (#20.1)

        assert result.err.splitlines() == _said(url) + ([f"提示：{font_note()}"] if font_note() else [])
        assert counter.seen == []  # LibreOffice laid out the header without a request
    docx = next(out.glob("*.docx"))
    parts = _package(docx)
    for name, data in parts.items():
        assert not any(word in name.lower() for word in HOSTILE_NAMES), name
        found = [text for text in HOSTILE_TEXT if text in data]
        assert not found, (name, found)
    # the reference's look is the report's: its body font, its left margin, its header and emblem
    body = re.search(rb'<w:style [^>]*w:styleId="nbBody".*?</w:style>', parts["word/styles.xml"], flags=re.S).group(0)
    assert f'w:eastAsia="{BODY_FONT}"'.encode() in body
    sect = re.findall(rb"<w:sectPr[ >].*?</w:sectPr>", parts["word/document.xml"], flags=re.S)[-1]
    assert f'w:left="{LEFT}"'.encode() in sect and b'r:id="rIdHeader"' in sect
    assert parts["word/media/emblem.png"] == PNG
    assert parts["word/_rels/header1.xml.rels"].count(b"<Relationship ") == 1
    document = Document(str(docx))
    from docx.oxml.ns import qn

    body_paragraphs = [p for p in document.paragraphs if p.style.name == "报告正文"]
    assert len(body_paragraphs) > 5  # the report's text is in the reference's body style …
    assert body_paragraphs[0].style.element.rPr.rFonts.get(qn("w:eastAsia")) == BODY_FONT  # … with its font
    assert [p.text for p in document.sections[0].header.paragraphs] == ["页眉", "图", "", ""]
    assert document.sections[0].left_margin == 1701 * 635  # twips → EMU
    pdf = next(out.glob("*.pdf")).read_bytes()
    assert b"127.0.0.1" not in pdf and pdf.startswith(b"%PDF-")


def test_the_report_made_with_a_cleaned_reference_is_valid_wordprocessingml(cli, base, tmp_path):
    """The schema check of ../shared/ooxml-xsd: what was cut left no dangling reference
    and no element out of place."""
    validator = ROOT.parent / "shared" / "ooxml-xsd"
    if not (validator / "validate.py").is_file():
        pytest.skip(f"the schema folder {validator} is absent (it sits beside the checkout as ../shared)")
    sys.path.insert(0, str(validator))
    try:
        import validate
    finally:
        sys.path.remove(str(validator))
    reference = hostile_reference(tmp_path, base, "http://127.0.0.1:9/pixel.png")
    assert cli("render", EXAMPLE_2023, "-o", tmp_path / "out", "--reference-docx", reference).code == 0
    assert validate.validate_docx(str(next((tmp_path / "out").glob("*.docx")))) == []


@pytest.mark.parametrize("macros", ["vba", "type"])
def test_a_reference_with_macros_is_refused_and_nothing_is_written(cli, base, tmp_path, macros):
    reference = hostile_reference(tmp_path, base, "http://127.0.0.1:9/pixel.png", macros=macros)
    result = cli("render", EXAMPLE_2023, "-o", tmp_path / "out", "--to", "txt", "--reference-docx", reference)
    assert result.code == 2
    assert result.err.splitlines()[-1] == f"错误：{reference.name}：{MACROS}"
    assert not (tmp_path / "out").exists()


def test_a_word_template_as_reference_gives_a_document(cli, base, tmp_path):
    """A .dotx (the template content type) is a fine reference; the report must still be a
    document, or Word refuses to open a .docx that declares itself a template."""
    template = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
    parts = {n: d for n, d in _package_bytes(base).items()}
    parts["[Content_Types].xml"] = edit(parts["[Content_Types].xml"].decode(), "wordprocessingml.document.main+xml", "wordprocessingml.template.main+xml").encode()
    assert template.encode() in parts["[Content_Types].xml"]
    types = _rendered_with(cli, parts, tmp_path / "模板.dotx")["[Content_Types].xml"]
    assert b'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"' in types
    assert template.encode() not in types


def test_the_bundled_reference_is_taken_whole_and_says_nothing(cli, base, tmp_path):
    """The reference nianbao gives is all look: nothing is left out of it, nothing said."""
    reference = tmp_path / "默认样式.docx"
    result = cli("render", EXAMPLE_2023, "-o", tmp_path / "out", "--reference-docx", reference)
    assert result.code == 0 and result.err == "", result
    names = set(_package(next((tmp_path / "out").glob("*.docx"))))
    assert names == set(_package(reference)) - {"word/webSettings.xml"}


def _rendered_with(cli, parts: dict[str, bytes], reference: Path) -> dict[str, bytes]:
    """The 2023 example rendered, without a word, with ``parts`` as its reference: the report's parts."""
    with zipfile.ZipFile(reference, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    out = reference.parent / "out"
    result = cli("render", EXAMPLE_2023, "-o", out, "--reference-docx", reference)
    assert result.code == 0 and result.err == "", result
    return _package(next(out.glob("*.docx")))


def _package_bytes(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {n: package.read(n) for n in package.namelist()}


def test_empty_custom_properties_and_an_empty_bibliography_store_go_without_a_word(cli, base, tmp_path):
    """LibreOffice writes an empty docProps/custom.xml into every .docx, Word an empty
    bibliography store as customXml: dropped, and not worth a note that would teach the
    clerk to skip notes."""
    parts = _package_bytes(base)
    parts["docProps/custom.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>'
    )
    parts["customXml/item1.xml"] = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><b:Sources xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography" SelectedStyle="\\APA.XSL" StyleName="APA"/>'
    parts["customXml/itemProps1.xml"] = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?><ds:datastoreItem ds:itemID="{1}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>'
    reference = tmp_path / "另存.docx"
    with zipfile.ZipFile(reference, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    result = cli("render", EXAMPLE_2023, "-o", tmp_path / "out", "--reference-docx", reference)
    assert result.code == 0 and result.err == "", result
    names = set(_package(next((tmp_path / "out").glob("*.docx"))))
    assert not any("custom" in n.lower() for n in names)


def test_a_reference_without_styles_is_refused(cli, base, tmp_path):
    parts = _package_bytes(base)
    parts["word/_rels/document.xml.rels"] = re.sub(rb'<Relationship [^>]*relationships/styles"[^>]*/>', b"", parts["word/_rels/document.xml.rels"])
    reference = tmp_path / "无样式.docx"
    with zipfile.ZipFile(reference, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    result = cli("render", EXAMPLE_2023, "-o", tmp_path / "out", "--reference-docx", reference)
    assert result.code == 2
    assert result.err.splitlines()[-1] == "错误：无样式.docx：没有样式（word/styles.xml），不能用作样式参考文档：请用 nianbao reference-docx 生成的文件修改后再用"
    assert not (tmp_path / "out").exists()


def test_a_section_setup_using_a_prefix_of_the_references_own_root_is_written_whole(cli, base, tmp_path):
    """A sectPr copied as written must stand in nianbao's body, which declares only w: and r:.
    One whose attribute uses a prefix the reference declares on its root (Word 2010 writes
    w14: and mc: there) is written as the cleaned element, which declares what it uses:
    the report opens, with the reference's page setup."""
    parts = _package_bytes(base)
    document = parts["word/document.xml"].decode()
    document = document.replace('<w:pgSz w:w="11906"', '<w:pgSz w14:nianbao="1" w:w="11906"', 1)
    assert 'xmlns:w14="' in document and "w14:nianbao" in document
    parts["word/document.xml"] = document.encode()
    body = _rendered_with(cli, parts, tmp_path / "w14.docx")["word/document.xml"]
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    sect = etree.fromstring(body).find(f".//{w}sectPr")
    assert sect.find(f"{w}pgSz").get(f"{w}w") == "11906" and sect.find(f"{w}pgMar").get(f"{w}top") == "2098"
