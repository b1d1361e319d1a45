"""One county's sums as a function (what aggregate prints and writes, and what a web front
shows): the same units counted, left out and missing as the command says."""

from __future__ import annotations

from test_county_trust import typo_inbox

from nianbao.county.tally import tally


def test_tally_counts_listed_units_leaves_out_an_unlisted_one_and_names_the_missing(tmp_path):
    inbox = typo_inbox(tmp_path)
    listed = ["青山镇人民政府", "柳林镇人民政府", "青石镇人民政府"]
    summed = tally((inbox,), "某某县人民政府", listed, outside=tmp_path / "汇总" / "全县.yaml")
    assert sorted(report.unit_name for _, report in summed.counted) == ["青山镇人民政府", "青石镇人民政府"]
    assert [entry.name for entry in summed.left_out] == ["柳林真人民政府"]
    assert summed.absent == ["柳林镇人民政府"]
    assert summed.gaps() == "1个文件未计入、1个单位未交回"
    assert summed.data["proactive"]["licensing"] == 12 + 5  # the two counted units' 行政许可
    assert summed.header("某某县人民政府").splitlines()[1:] == ["注意：以下文件未计入：柳林/柳林真.yaml", "注意：以下单位未交回：柳林镇人民政府"]
    assert any("柳林真人民政府 不在名单中，是否为柳林镇人民政府？" in line for line in summed.said)


def test_tally_of_nothing_countable_has_no_sums(tmp_path):
    inbox = tmp_path / "收回"
    inbox.mkdir()
    (inbox / "坏.yaml").write_text("year: [\n", encoding="utf-8")
    summed = tally((inbox,), "某某县人民政府", None, outside=tmp_path / "全县.yaml")
    assert summed.counted == [] and summed.spec is None and summed.data is None
    assert [entry.shown for entry in summed.left_out] == ["坏.yaml"]
