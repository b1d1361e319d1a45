"""``nianbao compare`` and the repetition rates (issue 23): exact rates, exact cell changes
and sentences, the page's structure, the workbook read back, inputs of every kind."""

from __future__ import annotations

from conftest import EXAMPLE_2023, edit

from nianbao.compare.rates import DEFINITIONS, MIN_RUN, Rates, copied_share, copied_spans, reduce, repetition
from nianbao.read.load import load_text

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")


def load(text: str):
    loaded = load_text(text)
    assert loaded.report is not None, loaded.findings
    return loaded.report


def previous_of(text: str) -> str:
    """The example as if it were last year's report."""
    year = int(text.split("year: ", 1)[1][:4])
    text = edit(text, f"year: {year}", f"year: {year - 1}")
    return text.replace(f"date: {year + 1}-", f"date: {year}-")


# -- the rates --------------------------------------------------------------------------------------------
FRESH = "今年镇政府新设立了企业开办一件事专区，并组织村干部逐户走访讲解补贴政策的申领流程"
COPIED = "全年组织业务培训两次，重点学习条例和答复文书的规范写法，各村指定专人负责信息报送工作"


def test_identical_texts_are_wholly_copied():
    report = load(TEXT_2023)
    rates = repetition(report, load(previous_of(TEXT_2023)))
    assert rates.text == 1.0 and rates.tables == 1.0 and rates.overall == 1.0
    assert set(rates.sections.values()) == {1.0} and len(rates.sections) == 7
    assert (rates.text_chars, rates.copied_chars, rates.cells, rates.same_cells) == (589, 589, 27, 27)


def test_a_rewritten_text_is_not_copied():
    assert copied_share(FRESH, COPIED) == 0.0
    assert copied_spans(FRESH, COPIED) == []
    # the same words in other sentences: common set phrases shorter than MIN_RUN are no copy
    assert copied_share("依申请公开工作中，政府信息公开的答复均按时作出", "政府信息公开平台建设和依申请公开答复工作") == 0.0


def test_a_known_copied_paragraph_has_its_exact_share():
    fresh, copied = reduce(FRESH)[0], reduce(COPIED)[0]
    this = f"{FRESH}。\n{COPIED}。"
    last = f"去年的工作：{COPIED}。"
    assert copied_share(this, last) == len(copied) / (len(fresh) + len(copied))
    start = this.index(COPIED)
    assert copied_spans(this, last) == [(start, start + len(COPIED))]  # marks the passage, punctuation inside included
    # punctuation, spaces and full-width forms do not hide a copy
    assert copied_share("全年组织业务培训两次 重点学习条例和答复文书的规范写法；各村指定专人负责信息报送工作", COPIED) == 1.0
    # a run one character short of MIN_RUN is not a copy; MIN_RUN characters are
    assert copied_share(copied[: MIN_RUN - 1], COPIED) == 0.0 and copied_share(copied[:MIN_RUN], COPIED) == 1.0


def test_no_run_is_formed_across_two_of_last_years_sections():
    run = reduce(COPIED)[0][:MIN_RUN]
    assert copied_share(run, [run[:6], run[6:]]) == 0.0
    assert copied_share(run, run[:6] + run[6:]) == 1.0


def test_section_rates_and_the_text_rate_weighted_by_length():
    last_text = previous_of(TEXT_2023)
    this_text = edit(TEXT_2023, "全年组织业务培训2次", FRESH)
    rates = repetition(load(this_text), load(last_text))
    oversight = "一、总体情况.（五）监督保障"
    section = load(this_text).text("overview", "oversight")
    flat = reduce(section)[0]
    new = len(reduce(FRESH)[0])
    assert rates.sections[oversight] == (len(flat) - new) / len(flat)  # all but the new sentence
    assert rates.text == rates.copied_chars / rates.text_chars
    assert [h for h, r in rates.sections.items() if r < 1.0] == [oversight]


def test_the_tables_rate_on_a_constructed_pair():
    last = edit(previous_of(TEXT_2023), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [3, 1, 0, 0, 1, 0, 5]")
    last = edit(last, "regulations: [0, 0, 0]", "regulations: [2, 0, 0]")
    rates = repetition(load(TEXT_2023), load(last))
    # 27 figures not zero this year, one more not zero only last year; three differ
    assert (rates.cells, rates.same_cells) == (28, 25)
    assert rates.tables == 25 / 28
    assert rates.overall == (1.0 + 25 / 28) / 2


def test_overall_is_the_text_rate_when_every_cell_is_zero_in_both_years():
    zero = Rates({}, 0.5, 0.0, 0.5)
    assert zero.overall == zero.text
    assert set(DEFINITIONS) == {"sections", "text", "tables", "overall"}
    assert all(sentence.endswith("。") for sentence in DEFINITIONS.values())
