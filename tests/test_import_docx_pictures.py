"""A paragraph holding only a picture is read as a picture (a table published as an image is
then reported missing, never read as blank), also when the picture element has no children:
lxml calls such an element false, and ``any(...)`` over the elements found missed it."""

from __future__ import annotations

import io

from docx import Document

from nianbao.read.importer.docx import read_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _with_picture_element(tag: str) -> bytes:
    from docx.oxml import parse_xml

    document = Document()
    document.add_paragraph("表三 收到和处理政府信息公开申请情况")
    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:{tag} xmlns:w="{W}"/>'))  # empty: no child elements
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_empty_picture_element_is_a_picture():
    for tag in ("pict", "object"):
        lines = read_docx(_with_picture_element(tag))
        assert [line.kind for line in lines if line.text == ""] == ["image"], tag
