"""TXT output: every official label, the figures in their rows, the signature, the bytes."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023

from nianbao.model.report import Report
from nianbao.read.load import load_file
from nianbao.render import txt as render_txt


def rendered(path) -> tuple[Report, str]:
    report = load_file(path).report
    data = render_txt.render(report)
    assert data.startswith("\ufeff".encode("utf-8"))
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return report, text.replace("\r\n", "\n")


def official_labels(report: Report):
    spec = report.spec
    yield from (s.heading for s in spec.sections)
    for group in spec.table2:
        yield group.article
        yield from (c.label for c in group.columns)
        yield from (i.label for i in group.items)
    yield spec.table3.corner
    yield spec.table3.applicant_header
    yield spec.table3.org_header
    yield from (c.label for c in spec.table3.all_columns)
    for line, _ in spec.table3.walk():
        yield line.label
    for g in spec.table4.groups:
        yield g.label
        yield from (g.parent,) if g.parent else ()
    yield from (c.label for c in spec.table4.all_columns)


def numbers_after(text: str, label: str) -> list[str]:
    line = next(line for line in text.split("\n") if line.strip().startswith(label) or f"  {label}" in line)
    return re.findall(r"-?\d+(?:\.\d+)?", line.split(label, 1)[1])


@pytest.mark.parametrize("path", [EXAMPLE_2023, EXAMPLE_2020], ids=["v2021", "v2019"])
def test_every_official_label_is_printed(path):
    report, text = rendered(path)
    flat = re.sub(r"\s+", "", text)  # long labels wrap inside their column
    for label in official_labels(report):
        assert re.sub(r"\s+", "", label) in flat, label
    assert text.split("\n")[0].strip() == report.title


def test_v2021_figures_stand_in_their_rows():
    _, text = rendered(EXAMPLE_2023)
    assert numbers_after(text, "一、本年新收政府信息公开申请数量") == ["5", "1", "0", "0", "1", "0", "7"]
    assert numbers_after(text, "二、上年结转政府信息公开申请数量") == ["1", "0", "0", "0", "0", "0", "1"]
    assert numbers_after(text, "4.保护第三方合法权益") == ["1", "0", "0", "0", "0", "0", "1"]
    assert numbers_after(text, "（七）总计") == ["5", "1", "0", "0", "1", "0", "7"]
    assert numbers_after(text, "四、结转下年度继续办理") == ["1", "0", "0", "0", "0", "0", "1"]
    assert numbers_after(text, "行政规范性文件") == ["1", "0", "6"]
    table4 = text.split("四、政府信息公开行政复议、行政诉讼情况")[1].split("五、")[0].strip().split("\n")
    assert table4[-1].split() == ["1", "0", "0", "0", "1"] + ["0"] * 10
    assert "本年度未发出政府信息公开信息处理费收费通知，未收取信息处理费。" in text
    lines = text.rstrip("\n").split("\n")
    assert lines[-2].strip() == "青山镇人民政府" and lines[-1].strip() == "2024年1月18日"


def test_v2019_figures_stand_in_their_rows():
    _, text = rendered(EXAMPLE_2020)
    assert numbers_after(text, "行政处罚") == ["4", "-1", "6"]
    assert numbers_after(text, "政府集中采购") == ["3", "12.5"]
    assert numbers_after(text, "（六）其他处理") == ["1", "0", "0", "0", "0", "0", "1"]
    assert "信息处理费" not in text


def test_preamble_is_generated_from_unit_facts_when_left_out():
    _, text = rendered(EXAMPLE_2023)
    preamble = text.split("\n")[2]
    assert preamble.startswith("\u3000\u3000本报告根据《中华人民共和国政府信息公开条例》")
    for fact in ("青山镇党政综合办公室", "2023年1月1日至2023年12月31日", "https://qingshan.example.gov.cn/xxgk", "0731-5550123", "412300"):
        assert fact in preamble


def test_table_columns_line_up_for_a_monospace_viewer():
    from nianbao.render.textgrid import width

    _, text = rendered(EXAMPLE_2023)
    rows = [line for line in text.split("\n") if line.startswith(("一、本年新收", "二、上年结转", "四、结转下年度"))]
    rows += [line for line in text.split("\n") if "处理其政府信息公开申请" in line]  # the wrapped labels' last lines
    ends = {width(row) for row in rows}
    assert len(ends) == 1  # right-aligned numbers end in the same display column
