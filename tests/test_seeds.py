"""The figures of seeds 001, 002 and 004, transcribed by hand into tests/data, check as
the published reports do; the transcription is compared with the seed text itself."""

from __future__ import annotations

import re

import pytest
from conftest import DATA

from nianbao.check.rules import check
from nianbao.findings import Finding
from nianbao.read.load import load_file

EXPECTED = {
    "001": [Finding("warning", "R5", "机关信息.落款日期", "未填写落款日期：应为2021年1月1日至2021年3月31日之间", 12)],
    "002": [Finding("warning", "R5", "机关信息.落款日期", "未填写落款日期：应为2023年1月1日至2023年3月31日之间", 12),
            # 「存在问题：…改进情况：…」: measures, but not a word on last year's problems, which v2021 asks for (FORMAT.md §2)
            Finding("warning", "R7", "五、存在的主要问题及改进情况",
                    "五、存在的主要问题及改进情况：没有写上年问题的整改情况（改进措施已写）：请写明上一年度报告所列问题整改得怎样", 68)],
    "004": [Finding("warning", "R5", "机关信息.落款日期", "未填写落款日期：应为2024年1月1日至2024年3月31日之间", 12)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transcribed_seed_checks(name):
    loaded = load_file(DATA / f"{name}.yaml")
    assert loaded.findings == []
    assert check(loaded.report) == EXPECTED[name]


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text).translate(str.maketrans("(),", "（），"))


def seed_rows(seed: str, labels: list[str]) -> list[list[int]]:
    """Each label's seven numbers from a seed's table 三: tab-separated on the label's line,
    or one cell per line below it.  An empty cell between tabs is a zero (FORMAT.md §8)."""
    lines = seed.rsplit("收到和处理政府信息公开申请情况", 1)[1].split("\n")
    rows, start = [], 0
    for label in labels:
        at = next(i for i in range(start, len(lines)) if _normal(label) in _normal(lines[i]))
        start = at + 1
        fields = lines[at].split("\t")
        where = max(i for i, f in enumerate(fields) if f.strip() and not f.strip().isdigit())
        cells = [f.strip() for f in fields[where + 1 :]]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:  # one cell per line
            cells = [lines[j].strip() for j in range(at + 1, len(lines)) if lines[j].strip()][:7]
        cells = [""] * (7 - len(cells)) + cells[-7:]  # 001 lost a cell in （一）予以公开
        rows.append([int(c) if c else 0 for c in cells])
    return rows


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transcription_matches_the_seed(name, seeds):
    """Every row of the seed's table 三 equals the transcribed row."""
    seed = next(seeds.glob(f"{name}_*.txt")).read_text(encoding="utf-8")
    report = load_file(DATA / f"{name}.yaml").report
    lines = list(report.spec.table3.data_lines())
    assert seed_rows(seed, [line.label for line in lines]) == [report.row(line) for line in lines]
    assert f"{report.unit_name}{report.year}" in re.sub(r"\s+", "", seed)[:60]
