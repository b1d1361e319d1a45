"""What a clerk leaves behind (issue #20.4): a template comment kept as text, a fill-in hint
copied as text — a warning in ``check`` (R7), a refusal in ``render`` (P, nothing written) —
and a paragraph that still opens with last year (X4).  Each report file is built here byte
for byte from the bundled example."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLE_2023, edit, line_of

from nianbao.check.crossyear import check_previous, opening_years
from nianbao.check.rules import check, leftovers, template_hints
from nianbao.findings import Finding
from nianbao.model.standard import spec_for_year
from nianbao.read.load import load_text

TEXT_2023 = EXAMPLE_2023.read_text(encoding="utf-8")
PROACTIVE = "  proactive: |-                             # （一）主动公开\n    全年通过"
PROACTIVE_PATH = "一、总体情况.（一）主动公开"
PROACTIVE_LABEL = "一、总体情况（一）主动公开"  # as messages name it
PROBLEMS_PATH = "五、存在的主要问题及改进情况"


def notepad_comment_left_in() -> str:
    """The report file after the clerk turned ``null`` into ``|`` and wrote under the comment:
    the comment line is now the first line of the text."""
    return edit(TEXT_2023, PROACTIVE, "  proactive: |-                             # （一）主动公开\n    # （一）主动公开\n    全年通过")


def hint_copied_as_text() -> str:
    """Section 五 that opens with the hint init writes beside it, retyped with other commas."""
    return edit(TEXT_2023, "\n  本年度工作中仍有不足", "\n  本年存在的问题, 改进措施, 以及上年问题的整改情况：\n  本年度工作中仍有不足")


def last_year_opening_with_its_year() -> str:
    """Last year's report (2023) whose 主动公开 paragraph opens with its year, for ``next``."""
    return edit(TEXT_2023, "    全年通过县政府门户网站", "    2023年，青山镇通过县政府门户网站")


def write(tmp_path: Path, text: str, name: str = "青山镇2023.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def leftover_findings(text: str) -> list[Finding]:
    loaded = load_text(text)
    assert loaded.report is not None, loaded.findings
    return [f for f in check(loaded.report) if f.rule == "R7"]


# -- check (R7) ---------------------------------------------------------------------------------------
def test_a_comment_line_left_in_a_narrative_is_a_warning_in_check(cli, tmp_path):
    text = notepad_comment_left_in()
    assert leftover_findings(text) == [
        Finding(
            "warning",
            "R7",
            PROACTIVE_PATH,
            f"{PROACTIVE_LABEL}：有一行“# （一）主动公开”以 # 开头，是报告文件模板中的注释，会作为正文印出，请删去这一行"
            "（不改的话 render 会拒绝生成；要先看草稿可加 --draft）",
            line_of(text, "  proactive: "),
        )
    ]
    result = cli("check", write(tmp_path, text))
    assert result.code == 0 and "“# （一）主动公开”以 # 开头" in result.out  # a warning: a draft may be unfinished


def test_a_hint_copied_as_text_is_a_warning_in_check():
    text = hint_copied_as_text()
    assert leftover_findings(text) == [
        Finding(
            "warning",
            "R7",
            PROBLEMS_PATH,
            f"{PROBLEMS_PATH}：有一行“本年存在的问题, 改进措施, 以及上年问题的整改情况：”照抄了模板的填写提示"
            "“本年存在的问题、改进措施，以及上年问题的整改情况”，请改为实际内容（不改的话 render 会拒绝生成；要先看草稿可加 --draft）",
            line_of(text, "problems: "),
        )
    ]


def test_a_hashtag_a_number_sign_inside_a_line_and_the_example_are_not_leftovers():
    spec = spec_for_year(2023)
    assert leftovers("#青山发布#公众号全年推送信息300条\n编号为#12的栏目已更新", spec) == []
    assert leftovers("＃ （一）主动公开\n　# 一段\n## 二级 #\n#", spec) == [("＃ （一）主动公开", ""), ("# 一段", ""), ("## 二级 #", ""), ("#", "")]
    assert leftover_findings(TEXT_2023) == []


def test_the_hints_are_the_ones_init_writes_beside_the_narratives(cli, tmp_path):
    """The hints come from the spec, where init's comments and the wizard's lines take them."""
    assert cli("init", tmp_path / "r.yaml", "--year", "2026", "--unit", "青山镇人民政府").code == 0
    written = (tmp_path / "r.yaml").read_text(encoding="utf-8")
    hints = template_hints(spec_for_year(2026))
    assert hints == (
        "留空（null）则按机关信息自动生成",
        "分五个方面写本年工作",
        "写本年主动公开政府信息的数量、渠道和重点领域",
        "写本年收到、办理和答复政府信息公开申请的情况",
        "写政府信息的发布审核、清理、解读等管理情况",
        "写政府网站、政务新媒体、公开专栏等平台的建设情况",
        "写监督保障情况，含工作考核、社会评议和责任追究结果",
        "本年存在的问题、改进措施，以及上年问题的整改情况",
        "信息处理费之外的事项：政务公开工作要点落实、人大代表建议和政协提案办理结果公开、工作创新等",
    )
    assert all(hint in written for hint in hints)


# -- render (P) ---------------------------------------------------------------------------------------
def test_render_refuses_a_comment_line_and_writes_nothing(cli, tmp_path):
    source = write(tmp_path, notepad_comment_left_in())
    out = tmp_path / "out"
    result = cli("render", source, "-o", out, "--to", "html")
    assert result.code == 1, result
    assert f"[错误 P] {PROACTIVE_LABEL}：有一行“# （一）主动公开”以 # 开头，是报告文件模板中的注释，会作为正文印出，请删去这一行后再生成（或加 --draft 生成草稿）" in result.out + result.err
    assert "render 会拒绝生成" not in result.out + result.err  # said once, as the refusal it now is
    assert not out.exists() or list(out.iterdir()) == []
    drafted = cli("render", source, "-o", out, "--to", "html", "--draft")
    assert drafted.code == 1 and ".html" in [p.suffix for p in out.iterdir()]


def test_render_refuses_a_hint_copied_as_text(cli, tmp_path):
    source = write(tmp_path, hint_copied_as_text())
    result = cli("render", source, "-o", tmp_path / "out", "--to", "txt")
    assert result.code == 1, result
    assert f"[错误 P] {PROBLEMS_PATH}：有一行“本年存在的问题, 改进措施, 以及上年问题的整改情况：”照抄了模板的填写提示" in result.out + result.err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


# -- X4: a paragraph that opens with last year -----------------------------------------------------------
def test_opening_years():
    assert opening_years("2025年，青山镇全年发布信息200条。\n（一）2025年度，完成栏目调整。", 2026) == ["2025"]
    assert opening_years("二、2024年全年新收申请3件\n2023年是攻坚之年", 2026) == ["2024", "2023"]
    for fine in (
        "2026年，青山镇全年发布信息。",  # this year
        "2027年，我镇将继续完善专栏。",  # plans for next year
        "2025年存在的问题已全部整改。",  # last year's problems, as section 五 must say
        "较2025年，发布量增长一成。",  # a comparison inside the paragraph
        "〔2025〕3号文件要求，各村……",  # a document number
        "（2019年修订），条例第五十条",  # an edition note
    ):
        assert opening_years(fine, 2026) == [], fine


def test_x4_a_draft_from_next_whose_paragraph_still_opens_with_last_year(cli, tmp_path):
    """``next`` carries last year's text; the clerk edits the rest of the paragraph but not its
    first words.  ``check`` compares with last year's report by itself (the draft names it)."""
    last_file = write(tmp_path, last_year_opening_with_its_year())
    assert cli("next", last_file, "-o", tmp_path / "青山镇2024.yaml").code == 0
    draft = tmp_path / "青山镇2024.yaml"
    text = draft.read_text(encoding="utf-8")
    assert "2023年，青山镇通过县政府门户网站" in text
    result = cli("check", draft, "--json")
    import json

    x4 = [f for f in json.loads(result.out)["findings"] if f["rule"] == "X4" and f["path"] == PROACTIVE_PATH]  # 五 names 2022
    assert [(f["path"], f["message"]) for f in x4] == [
        (PROACTIVE_PATH, f"{PROACTIVE_LABEL}：有一段以“2023年”开头，而本报告是2024年度的：是否沿用了上一年度报告的文字？")
    ]


def test_x4_says_a_year_two_back_once():
    """A year two or more back was X4 already; at the head of a paragraph it is said once."""
    text = edit(TEXT_2023, "    全年通过县政府门户网站", "    2021年，青山镇通过县政府门户网站")
    last = edit(TEXT_2023, "year: 2023", "year: 2022").replace("date: 2024-", "date: 2023-")
    now, before = load_text(text).report, load_text(last).report
    x4 = [f.message for f in check_previous(now, before) if f.rule == "X4"]
    assert x4 == [f"{PROACTIVE_LABEL}：提到“2021年”，既不是本报告年度（2023年），也不是前后一年：是否沿用了旧报告的文字？"]
