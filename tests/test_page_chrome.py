"""What a person sees is what is read, for the site around a report too (issue 27): the
lines of a saved page that belong to the site — download and attachment links, share,
QR and print tools, links to 解读, time and font-size bars — are not the report's words.
Dropped from the narratives and never joined to the unit's name, with one note saying
what was dropped; compare's rates and X5 are then those of the report itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit, load

from nianbao.check.repetition import repetition
from nianbao.compare.page import percent
from nianbao.read.importer import import_file
from nianbao.read.importer.lines import is_site_chrome
from nianbao.render.html import render

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
OTHER = "本年度按照县政府办公室印发的政务公开工作要点，完成了重点领域信息公开各项任务。县人大代表建议2件、县政协委员提案1件的办理结果已在专栏公开。"
SHORT = "本年度无其他需要报告的事项。"  # too short for X5 to weigh
TIME_BAR = "<div class='info'><span>发布时间：2024-01-20 10:30</span> <span>浏览次数：135</span> <span>【字体：大 中 小】</span></div>"
PAGE_END = "<p>附件下载</p><p>扫一扫在手机上查看当前页面</p><p>文字解读　图片解读</p><p>【打印本页】【关闭窗口】</p>"


def saved_page(text: str, *, before_title: str = "", after: str = "") -> bytes:
    """The report as a site shows it: nianbao's own page, with the site's lines put in
    before the title and after the signature, in plain paragraphs as many sites write them."""
    page = render(load(text)).decode("utf-8")
    page = page.replace("<h1", f"{before_title}<h1", 1)
    return page.replace("</body>", f"{after}</body>", 1).encode("utf-8")


def pingtan(year: int) -> str:
    """平潭县's report of ``year``: section 六 a short sentence (its fees in their own statement)."""
    text = edit(TEXT_2023, "name: 青山镇人民政府", "name: 平潭县人民政府")
    text = edit(text, OTHER, SHORT)
    if year != 2023:
        text = text.replace("year: 2023", f"year: {year}").replace("date: 2024-", f"date: {year + 1}-")
    return text


@pytest.mark.parametrize("line", ["附件下载", "文件下载", "扫一扫在手机上查看当前页面", "文字解读 图片解读", "打印本页", "时效",
                                  "发布时间：2024-01-15 10:00 来源：沭阳县发展和改革局 浏览次数：123 【字体：大 中 小】 【打印本页】【关闭窗口】",
                                  "附件：2023年度报告.pdf", "【字号：大 中 小】【打印】【关闭】"])
def test_site_lines_are_chrome(line):
    assert is_site_chrome(line)


@pytest.mark.parametrize("line", [SHORT, "全年收取信息处理费0元。", "沭阳县发展和改革局", "2024年1月18日", "六、其他需要报告的事项", "（三）政策解读",
                                  "附件1：政府信息公开情况统计表", "主动公开", "无", "沭阳县发展和改革局2024年政府信息公开工作年度报告"])
def test_report_lines_are_not(line):
    assert not is_site_chrome(line)


def test_a_saved_page_whose_last_section_ends_in_the_sites_lines(cli, tmp_path):
    """平潭-like: section 六 is one short sentence, then the signature, then 附件下载, 扫一扫…,
    文字解读 图片解读: read as the sentence alone, the signature and date found, one note."""
    pages = {}
    for year in (2023, 2024):
        pages[year] = tmp_path / f"{year}.html"
        pages[year].write_bytes(saved_page(pingtan(year), before_title=TIME_BAR, after=PAGE_END))
    imported = import_file(pages[2024])
    assert imported.data["other_matters"] == SHORT
    assert imported.data["unit"]["name"] == "平潭县人民政府"
    assert imported.data["unit"]["date"] == dt.date(2025, 1, 18)  # the signature is the last thing read again
    notes = [f.message for f in imported.findings if "不是报告的文字" in f.message]
    assert notes == ["原文中有4行是网站的下载、分享、打印、解读链接或时间、字号栏（“附件下载”、“扫一扫在手机上查看当前页面”、“文字解读　图片解读”、“【打印本页】【关闭窗口】”），不是报告的文字，未读入"]

    result = cli("compare", pages[2023], pages[2024], "-o", tmp_path / "比对.html")
    assert result.code == 0, result
    rates = repetition(load(pingtan(2024)), load(pingtan(2023)))  # the report files the pages were made from
    assert f"文字重复率{percent(rates.text)}，表格重复率{percent(rates.tables)}，总体重复率{percent(rates.overall)}" in result.out
    assert "六、其他需要报告的事项：" not in result.out  # no X5 on a sentence too short to weigh
    page = (tmp_path / "比对.html").read_text(encoding="utf-8")
    texts = re.sub(r"<[^>]+>", "", page.split('<h2 id="texts">')[1].split('<h2 id="cells">')[0])
    assert SHORT in texts and "附件下载" not in texts and "扫一扫" not in texts and "图片解读" not in texts
    assert "不是报告的文字，未读入" in page.split('<h2 id="findings">')[1]  # the note, among each report's findings


def test_the_sites_lines_are_never_joined_to_the_units_name(tmp_path):
    """沭阳县发改局-like: 文件下载 and 时效 stand right above the title."""
    text = edit(TEXT_2023, "name: 青山镇人民政府", "name: 沭阳县发展和改革局")
    page = tmp_path / "page.html"
    page.write_bytes(saved_page(text, before_title="<p>文件下载</p><p>时效</p>"))
    imported = import_file(page)
    assert imported.data["unit"]["name"] == "沭阳县发展和改革局"
    assert imported.data["year"] == 2023
    assert not [f for f in imported.findings if f.rule == "I" and "标题" in f.message]  # the title read as printed


def test_a_page_without_chrome_has_no_note(tmp_path: Path):
    page = tmp_path / "plain.html"
    page.write_bytes(saved_page(TEXT_2023))
    assert not [f for f in import_file(page).findings if "不是报告的文字" in f.message]
