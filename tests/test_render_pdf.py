"""PDF output: the DOCX converted by LibreOffice, with the report's title, author and date,
the same bytes for the same input; without LibreOffice, a clear message and the other
formats still written."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import EXAMPLE_2023, edit

from nianbao.render import office

NO_SOFFICE = pytest.mark.skipif(office.soffice() is None, reason="LibreOffice (soffice) is not installed: no PDF can be made here")


def test_without_libreoffice_the_clerk_is_told_what_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    result = cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "docx,pdf,html")
    assert result.code == 1
    assert "未生成 PDF" in result.err and "LibreOffice" in result.err and "libreoffice.org" in result.err
    assert sorted(p.suffix for p in tmp_path.iterdir() if not p.name.startswith(".")) == [".docx", ".html"]  # the others are written


def test_batch_without_libreoffice_renders_the_rest_and_says_so(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(EXAMPLE_2023, source)
    result = cli("batch", source, "-o", tmp_path / "out", "--to", "txt,pdf", "--jobs", "1")
    assert result.code == 1 and "未生成 PDF" in result.err
    assert (tmp_path / "out" / "青山镇人民政府2023年政府信息公开工作年度报告.txt").is_file()


@NO_SOFFICE
def test_pdf_carries_the_reports_title_author_and_date_and_is_the_same_each_time(cli, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("render", EXAMPLE_2023, "-o", first, "--to", "pdf").code == 0
    assert cli("render", EXAMPLE_2023, "-o", second, "--to", "pdf").code == 0
    name = "青山镇人民政府2023年政府信息公开工作年度报告.pdf"
    data = (first / name).read_bytes()
    assert data == (second / name).read_bytes()
    assert data.startswith(b"%PDF")

    def text(key: str) -> str:
        hexa = re.search(rb"/" + key.encode() + rb"\s*<FEFF([0-9A-F]+)>", data).group(1)
        return bytes.fromhex(hexa.decode()).decode("utf-16-be")

    assert text("Title") == "青山镇人民政府2023年政府信息公开工作年度报告"
    assert text("Author") == "青山镇人民政府"
    assert b"/CreationDate(D:20240118000000" in data  # the date under the signature


@NO_SOFFICE
def test_batch_pdf_with_two_jobs(cli, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(EXAMPLE_2023, source)
    # a second unit of the same year (a 2020 report beside it would be set aside as 不是本年度, not rendered)
    (source / "白河乡.yaml").write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", "name: 白河乡人民政府"), encoding="utf-8")
    result = cli("batch", source, "-o", tmp_path / "out", "--to", "pdf", "--jobs", "2")
    assert result.code == 0, result
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == [
        "白河乡人民政府2023年政府信息公开工作年度报告.pdf", "青山镇人民政府2023年政府信息公开工作年度报告.pdf"]
