"""The signature and date never stand alone on a page (GB/T 9704 §7.3.5): the last paragraph
of the text keeps with them.  Measured in LibreOffice: the example with its last section made
longer line by line, so that the signature falls at every place of a page, converted to PDF,
each page's text read back."""

from __future__ import annotations

import io
import re

import pdfplumber
from conftest import EXAMPLE_2023
from test_table_pages import LINE, _with_extra_lines

from nianbao.read.load import load_text
from nianbao.render import pdf
from nianbao.render.docx import render, report_date

EXTRA = range(0, 24, 2)  # enough to move the signature over a whole page (22 lines)


def test_the_signature_page_always_holds_the_end_of_the_text():
    source = EXAMPLE_2023.read_text(encoding="utf-8")
    documents = {}
    for n in EXTRA:
        loaded = load_text(_with_extra_lines(source, "other_matters", n))
        assert loaded.report is not None, loaded.findings
        documents[str(n)] = (render(loaded.report), report_date(loaded.report), loaded.report)
    pdfs = pdf.convert([(key, docx, date) for key, (docx, date, _) in documents.items()])
    alone = []
    for key, (_, _, report) in documents.items():
        with pdfplumber.open(io.BytesIO(pdfs[key])) as document:
            texts = [re.sub(r"\s+", "", page.extract_text() or "") for page in document.pages]
        name = report.unit_name
        last = texts[-1]
        assert name in last, (key, last)
        body = re.sub(r"[—\d年月日]", "", last.replace(name, ""))
        if not body:
            alone.append(key)
        else:  # the text's last paragraph (or its end) stands above the signature
            assert re.sub(r"\s+", "", LINE if key != "0" else report.data["other_matters"].split("\n")[-1])[-6:] in last, (key, last)
    assert alone == [], f"the signature alone on its page with {alone} extra lines"
