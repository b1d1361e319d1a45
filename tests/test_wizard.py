"""The wizard driven end to end with prompt_toolkit's pipe input (questionary's own way of
testing): keystrokes go in, the report file comes out."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE_2023
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from nianbao.load import load_file
from nianbao.wizard import Wizard, defaults_from, shown, steps

CLEAR = "\x15"  # Ctrl-U: clear the pre-filled default before typing
ENTER, SUBMIT_MULTILINE, DOWN, CTRL_C = "\r", "\x1b\r", "\x1b[B", "\x03"


def answers_for(report) -> list[tuple[str, str]]:
    """(step id, keystrokes) for every question, answering as ``report`` says."""
    out = [("year", CLEAR + str(report.year) + ENTER)]
    for step in steps(report.spec):
        if step.kind == "narrative":
            value = report.get(step.keys)
            out.append((step.id, (value or "").replace("\n", ENTER) + SUBMIT_MULTILINE))
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
    script = "".join(keys for _, keys in answers_for(example)) + "y"
    written, screen, wizard = run(tmp_path, script)
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report is not None
    expected, got = example.data.model_dump(), report.data.model_dump()
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
    written, screen, _ = run(tmp_path, script + "y")
    assert written is True, screen
    assert "表三的数对不上：" in screen
    assert "表三：第一项+第二项≠第三项（七）总计+第四项（自然人列：第一项+第二项=6+1=7，第三项（七）总计+第四项=5+1=6）" in screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert list(report.get(("applications", "new"))) == [5, 1, 0, 0, 1, 0]


def test_typing_mistakes_are_refused_as_typed(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = dict(answers_for(example))
    answers["proactive.licensing"] = CLEAR + "十二" + ENTER + CLEAR + "12" + ENTER  # refused, then typed again
    answers["applications.disclosed"] = CLEAR + "3 1 0 0" + ENTER + CLEAR + "3 1 0 0 0 -1" + ENTER + CLEAR + "3，1，0，0，0，0" + ENTER
    written, screen, _ = run(tmp_path, "".join(answers.values()) + "y")
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report.get(("proactive", "licensing")) == 12
    assert list(report.get(("applications", "disclosed"))) == [3, 1, 0, 0, 0, 0]


def test_ctrl_c_keeps_the_answers_and_resume_ends_with_the_same_file(tmp_path):
    example = load_file(EXAMPLE_2023).report
    answers = answers_for(example)
    whole = "".join(keys for _, keys in answers) + "y"
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

    rest = "y" + "".join(keys for _, keys in answers[cut:]) + "y"  # yes, go on where it stopped
    written, screen, wizard = run(tmp_path / "b", rest)
    assert written is True, screen
    assert (tmp_path / "b" / "青山镇2023.yaml").read_bytes() == uninterrupted
    assert not wizard.progress.exists()


def test_defaults_from_an_earlier_file_are_accepted_with_enter(tmp_path):
    example = load_file(EXAMPLE_2023).report
    keys = "".join(SUBMIT_MULTILINE if step_id.startswith(("overview", "problems", "other_matters")) else ENTER for step_id, _ in answers_for(example))
    written, screen, _ = run(tmp_path, keys + "y", defaults=defaults_from(example))
    assert written is True, screen
    report = load_file(tmp_path / "青山镇2023.yaml").report
    assert report.data.model_dump()["overview"] == example.data.model_dump()["overview"]
    assert [report.row(line) for line in report.spec.table3.data_lines()] == [example.row(line) for line in example.spec.table3.data_lines()]
    assert report.unit.date == example.unit.date and report.get(("proactive", "fees")) == example.get(("proactive", "fees"))


def test_without_a_terminal_new_exits_2(cli, tmp_path):
    result = cli("new", tmp_path / "x.yaml")
    assert result.code == 2 and "没有终端" in result.err
    assert list(tmp_path.iterdir()) == []
