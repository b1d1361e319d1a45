"""The wizard driven end to end with prompt_toolkit's pipe input (questionary's own way of
testing): keystrokes go in, the report file comes out."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLE_2023
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from terminal import Pty

from nianbao.read.load import load_file
from nianbao.read.wizard import LATER, REVISE, Wizard, defaults_from, shown, steps
from nianbao.render.textgrid import width as display_width

CLEAR = "\x15"  # Ctrl-U: clear the pre-filled default before typing
ENTER, DOWN, CTRL_C = "\r", "\x1b[B", "\x03"
YES, NO = ENTER, DOWN + ENTER  # a 是/否 menu whose default is 是: Enter takes it, ↓ Enter says 否


def answers_for(report) -> list[tuple[str, str]]:
    """(step id, keystrokes) for every question, answering as ``report`` says."""
    out = [("year", CLEAR + str(report.year) + ENTER)]
    for step in steps(report.spec):
        if step.kind == "narrative":
            value = report.get(step.keys)
            # each paragraph ends with Enter, and Enter on the empty line after the last ends the answer
            out.append((step.id, "".join(line + ENTER for line in (value or "").split("\n") if line) + ENTER))
            continue
        if step.keys[0] == "applications":
            value = report.row(next(line for line in report.spec.table3.data_lines() if ("applications", *report.spec.table3.keypath(line)) == step.keys))[:6]
        elif step.keys[0] == "appeals":
            value = report.get(step.keys)[:4]
        else:
            value = report.get(step.keys)
        out.append((step.id, CLEAR + shown(value) + ENTER))
    return out


def run(tmp_path, keystrokes: str, name: str = "青山镇2023.yaml", defaults=None):
    echoed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keystrokes)
        wizard = Wizard(tmp_path / name, defaults=defaults, input=pipe, output=DummyOutput(), echo=echoed.append)
        try:
            written = wizard.run()
        except KeyboardInterrupt:
            written = None
    return written, "\n".join(echoed), wizard


@pytest.fixture(autouse=True)
def no_editor(monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)


def test_a_whole_report(tmp_path):
    example = load_file(EXAMPLE_2023).report
    script = "".join(keys for _, keys in answers_for(example)) + YES
    written, screen, wizard = run(tmp_path, script)
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report is not None
    expected, got = example.plain(), report.plain()
    for key in ("applications", "appeals"):  # the example writes totals; the wizard computes them
        expected.pop(key), got.pop(key)
    assert got == expected
    assert [report.row(line) for line in report.spec.table3.data_lines()] == [example.row(line) for line in example.spec.table3.data_lines()]
    assert "表三勾稽关系正确" in screen and "检查结果：错误0个，提示0个" in screen
    assert "  总计：7" in screen  # shown after 一、本年新收
    assert not wizard.progress.exists()
    text = (tmp_path / "青山镇2023.yaml").read_text(encoding="utf-8")
    assert "  new: [5, 1, 0, 0, 1, 0]                   # 一、本年新收政府信息公开申请数量" in text  # init's commented layout


def test_table_3_that_does_not_balance_is_corrected(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = answers_for(example)
    ids = [step_id for step_id, _ in answers]
    wrong = dict(answers)
    wrong["applications.new"] = CLEAR + "６ 1 0 0 1 0" + ENTER  # full-width 6 from a Chinese input method
    rows = [s.id for s in steps(example.spec) if s.keys[0] == "applications"]
    fix = DOWN * rows.index("applications.new") + ENTER + CLEAR + "5 1 0 0 1 0" + ENTER
    script = ""
    for step_id in ids:
        script += wrong[step_id]
        if step_id == "applications.carried_forward":
            script += fix
    written, screen, _ = run(tmp_path, script + YES)
    assert written is True, screen
    assert "表三的数对不上：" in screen
    unwrapped = re.sub(r"\n +", "", screen)  # lines wider than the screen are wrapped, indented
    assert "表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=6+1=7，第三项（七）总计+第四项=5+1=6）" in unwrapped
    assert all(display_width(line) <= 79 for line in screen.split("\n"))
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert list(report.get(("applications", "new"))) == [5, 1, 0, 0, 1, 0]


def test_typing_mistakes_are_refused_as_typed(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = dict(answers_for(example))
    answers["proactive.licensing"] = CLEAR + "十二" + ENTER + "12" + ENTER  # refused and selected: what is typed next replaces it
    # refused (negative), replaced by typing, refused (four numbers), kept with → and completed
    answers["applications.disclosed"] = CLEAR + "3 1 0 0 0 -1" + ENTER + "3，1，0，0" + ENTER + "\x1b[C" + "，0，0" + ENTER
    written, screen, _ = run(tmp_path, "".join(answers.values()) + YES)
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report.get(("proactive", "licensing")) == 12
    assert list(report.get(("applications", "disclosed"))) == [3, 1, 0, 0, 0, 0]


def test_ctrl_c_keeps_the_answers_and_resume_ends_with_the_same_file(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = answers_for(example)
    whole = "".join(keys for _, keys in answers) + YES
    (tmp_path / "a").mkdir()
    run(tmp_path / "a", whole)
    uninterrupted = (tmp_path / "a" / "青山镇2023.yaml").read_bytes()

    (tmp_path / "b").mkdir()
    cut = next(i for i, (step_id, _) in enumerate(answers) if step_id == "applications.withheld.state_secret")
    first = "".join(keys for _, keys in answers[:cut]) + CLEAR + "1 2" + CTRL_C
    written, _, wizard = run(tmp_path / "b", first)
    assert written is None and wizard.progress.is_file() and not (tmp_path / "b" / "青山镇2023.yaml").exists()
    saved = wizard.progress.read_text(encoding="utf-8")
    assert '"applications.partially_disclosed": "1 0 0 0 0 0"' in saved and "state_secret" not in saved

    rest = YES + "".join(keys for _, keys in answers[cut:]) + YES  # yes, go on where it stopped
    written, screen, wizard = run(tmp_path / "b", rest)
    assert written is True, screen
    assert (tmp_path / "b" / "青山镇2023.yaml").read_bytes() == uninterrupted
    assert not wizard.progress.exists()


def test_defaults_from_an_earlier_file_are_accepted_with_enter(tmp_path):
    example = load_file(EXAMPLE_2023).report
    keys = "".join(ENTER for _ in answers_for(example))  # a text there already: Enter keeps it
    written, screen, _ = run(tmp_path, keys + YES, defaults=defaults_from(example))
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report.plain()["overview"] == example.plain()["overview"]
    assert [report.row(line) for line in report.spec.table3.data_lines()] == [example.row(line) for line in example.spec.table3.data_lines()]
    assert report.unit["date"] == example.unit["date"] and report.get(("proactive", "fees")) == example.get(("proactive", "fees"))


def test_without_a_terminal_new_exits_2(cli, tmp_path):
    result = cli("new", tmp_path / "x.yaml")
    assert result.code == 2 and "没有终端" in result.err
    assert list(tmp_path.iterdir()) == []


# -- a real terminal of 80 × 24 ----------------------------------------------------------------------------------
class Terminal:
    """A VT100 screen (pyte) that prompt_toolkit and the wizard's own lines both write to."""

    def __init__(self, columns: int, rows: int) -> None:
        import io

        import pyte
        from prompt_toolkit.data_structures import Size
        from prompt_toolkit.output.vt100 import Vt100_Output

        self.screen = pyte.Screen(columns, rows)
        stream = pyte.Stream(self.screen)

        class Sink(io.StringIO):
            encoding = "utf-8"

            def write(self, text: str) -> int:
                stream.feed(text)
                return len(text)

            def isatty(self) -> bool:
                return True

        self.sink = Sink()
        self.output = Vt100_Output(self.sink, lambda: Size(rows=rows, columns=columns), term="xterm")

    def echo(self, text: str) -> None:
        self.sink.write(text.replace("\n", "\r\n") + "\r\n")

    def shown(self) -> str:
        return "".join(line.rstrip() for line in self.screen.display)


@pytest.mark.parametrize("from_last_year", [False, True], ids=["typed", "from-last-year"])
def test_at_80_by_24_every_question_and_its_answer_stay_on_screen(tmp_path, from_last_year):
    """The question on its own line, the answer under it with the whole width: after every
    answer both are on the 80×24 screen (a long label or a long text once blanked it)."""
    example = load_file(EXAMPLE_2023).report
    terminal = Terminal(80, 24)
    seen: list[str] = []

    class Watched(Wizard):
        def answer(self, step_id: str, text: str) -> None:
            super().answer(step_id, text)
            screen = terminal.shown()
            step = next((s for s in steps(example.spec) if s.id == step_id), None)
            label = step.label if step else "报告年度"
            assert label[:20].replace(" ", "") in screen.replace(" ", ""), (step_id, screen)
            assert "›" in screen, (step_id, screen)
            seen.append(step_id)

    if from_last_year:
        script = "".join(ENTER for _ in answers_for(example)) + YES
        defaults = defaults_from(example)
    else:
        script = "".join(keys for _, keys in answers_for(example)) + YES
        defaults = None
    with create_pipe_input() as pipe:
        pipe.send_text(script)
        wizard = Watched(tmp_path / "青山镇2023.yaml", defaults=defaults, input=pipe, output=terminal.output, echo=terminal.echo)
        assert wizard.run() is True, terminal.shown()
    assert len(seen) == len(steps(example.spec)) + 1
    assert "已生成" in terminal.shown()
    assert "（发出收费通知的件数）" not in terminal.shown()  # a label is said once


def test_r1_menu_marks_the_rows_of_the_failing_column(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = dict(answers_for(example))
    answers["applications.new"] = CLEAR + "6 1 0 0 1 0" + ENTER  # 自然人 one too many
    menus: list[list[str]] = []

    class Watched(Wizard):
        def ask_select(self, message, choices, default=None):
            menus.append([c if isinstance(c, str) else c.title for c in choices])
            return super().ask_select(message, choices, default)

    script = ""
    for step_id, keys in answers.items():
        script += keys
        if step_id == "applications.carried_forward":
            script += "\x1b[A" + ENTER  # up from the first wraps to the last choice: go on, correct it later
    with create_pipe_input() as pipe:
        pipe.send_text(script + ENTER + DOWN + ENTER)  # 否 (the default when there are errors): not written; kept for later
        Watched(tmp_path / "x.yaml", input=pipe, output=DummyOutput(), echo=lambda text: None).run()
    assert menus[-2] == ["是", "否"] and menus[-1] == [REVISE, LATER]  # not written: go through it again, or later
    menu = menus[-3]
    assert menu == [
        "◀ 一、本年新收政府信息公开申请数量（自然人6）",
        "◀ 二、上年结转政府信息公开申请数量（自然人1）",
        "◀ （一）予以公开（自然人3）",
        "◀ （二）部分公开（区分处理的，只计这一情形，不计其他情形）（自然人1）",
        "◀ （三）不予公开：8项（第4项有数）",
        "  （四）无法提供：3项",
        "  （五）不予处理：5项",
        "  （六）其他处理：3项",
        "◀ 四、结转下年度继续办理（自然人1）",
        "数字无误，先继续（稍后在文件中修改）",
    ]  # ten lines: the menu fits a screen of 24


def test_not_writing_at_the_end_offers_to_go_through_every_answer_again(tmp_path):
    """An Esc too many at the last question must not cost the clerk the report: "n" offers
    to go through the answers again (each the default), and Enter keeps each."""
    example = load_file(EXAMPLE_2023).report
    answers = answers_for(example)
    again = ENTER * (len(answers) - 1)  # the year is not asked again; every other answer kept with Enter
    written, screen, wizard = run(tmp_path, "".join(keys for _, keys in answers) + NO + ENTER + again + YES)
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert [report.row(line) for line in report.spec.table3.data_lines()] == [example.row(line) for line in example.spec.table3.data_lines()]
    assert report.text("problems") == example.text("problems") and report.unit_name == example.unit_name


def test_wrapped_lines_keep_their_indent_and_never_start_with_a_comma_or_cut_a_path():
    from nianbao.read.wizard import wrap

    line = "  表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=6+1=7，第三项（七）总计+第四项=5+1=6）"
    pieces = wrap(line, 40)
    assert "".join(p.strip() for p in pieces) == line.strip()
    assert all(display_width(p) <= 40 for p in pieces)
    assert all(p.startswith("    ") for p in pieces[1:]) and not any(p.strip()[0] in "，。）" for p in pieces[1:])
    deep = wrap(" " * 40 + "表" * 100, 30)  # indented deeper than the screen is wide: it still ends
    assert "".join(p.strip() for p in deep) == "表" * 100 and all(display_width(p) <= 30 for p in deep)
    path = "已生成 /tmp/某个很长的文件夹/青山镇人民政府2025.yaml（原文件已备份）"
    assert any("青山镇人民政府2025.yaml" in p or "/tmp/某个很长的文件夹/青山镇人民政府2025.yaml" in p for p in wrap(path, 30))


# -- a real pseudo-terminal of 80 × 24, the wizard in its own process ------------------------------------------------
@pytest.mark.skipif(__import__("sys").platform == "win32", reason="a pseudo-terminal is POSIX")
def test_on_a_real_80x24_terminal_a_refused_answer_is_replaced_paragraphs_end_on_an_empty_line_and_yes_is_是(tmp_path):
    """Issue #20: typing 3件 then 3 gave 3件3; text answers needed Esc then Enter; confirmations
    echoed Yes/No.  Now the refused answer is selected with the message under it and typing
    replaces it; Enter starts a paragraph and Enter on the empty line ends the answer (Ctrl-D
    too), as the hint says; the 是/否 menu echoes 是."""
    from nianbao.model.standard import spec_for_year

    spec = spec_for_year(2023)
    term = Pty(["new", "a.yaml"], tmp_path)
    try:
        term.asked("报告年度")
        term.type(CLEAR + "2023" + ENTER)
        for step in steps(spec):
            term.asked(step.label)
            if step.id == "unit.name":
                term.type("青山镇人民政府" + ENTER)
            elif step.id == "proactive.licensing":
                term.type("3件" + ENTER)
                screen = term.until(lambda text: "不是整数" in text, "不是整数")
                assert "“3件”不是整数" in screen
                assert term.answer_line().replace(" ", "") == "›3件" and term.reversed_text() == "3件"  # selected
                term.type("3")
                term.until(lambda text: "不是整数" not in text, "message gone")
                assert term.answer_line().replace(" ", "") == "›3" and "3件3" not in term.text()
                term.type(ENTER)
            elif step.id == "overview.proactive":
                assert "  （写完一段按 Enter 另起一段；全部写完后在空行上再按 Enter（或按 Ctrl-D））" in term.lines()  # one line
                term.type("第一段" + ENTER + "第二段" + ENTER)
                screen = term.until(lambda text: text.split("\n")[-1] == "" and "第二段" in text, "第二段")
                assert "（二）依申请公开" not in screen  # Enter after a paragraph does not end the answer
                term.type(ENTER)  # on the empty line: done
            elif step.id == "overview.requests":
                term.type("一段话" + "\x04")  # Ctrl-D
            else:
                term.type(ENTER)
        screen = term.until(lambda text: "写入 a.yaml？" in text, "写入 a.yaml？")
        assert term.lines()[-3:] == ["› 写入 a.yaml？ （用↑↓选择，回车确认）", " » 是", "   否"]  # the menu reads 是/否
        term.type(ENTER)
        screen = term.until(lambda text: "已生成" in text, "已生成")
        assert "› 写入 a.yaml？ 是" in screen and "Yes" not in screen
    finally:
        code = term.close()
    assert code == 0
    report = load_file(tmp_path / "a.yaml").report
    assert report.get(("proactive", "licensing")) == 3
    assert report.text("overview", "proactive") == "第一段\n第二段" and report.text("overview", "requests") == "一段话"


def test_a_year_no_report_can_have_is_refused_and_the_next_answer_replaces_it(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = answers_for(example)
    assert answers[0][0] == "year"
    script = CLEAR + "9999" + ENTER + "2023" + ENTER + "".join(keys for _, keys in answers[1:]) + YES
    written, screen, wizard = run(tmp_path, script)
    assert written is True, screen
    assert load_file(tmp_path / "青山镇2023.yaml").report.year == 2023
