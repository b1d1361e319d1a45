"""The command line of the README: exit statuses, JSON, file names, atomic writes."""

from __future__ import annotations

import json

from conftest import EXAMPLE_2020, EXAMPLE_2023, edit

TITLE_2023 = "青山镇人民政府2023年政府信息公开工作年度报告"


def test_init_writes_a_file_that_loads_and_refuses_to_overwrite(cli, tmp_path):
    target = tmp_path / "r.yaml"
    result = cli("init", target, "--year", "2023", "--unit", "青山镇人民政府")
    assert result.code == 0, result
    text = target.read_text(encoding="utf-8")
    assert "# 一、本年新收政府信息公开申请数量" in text and "year: 2023" in text
    checked = cli("check", target)
    assert checked.code == 0, checked  # zeros everywhere balance; only warnings remain
    assert "[提示 R7] 一、总体情况（一）主动公开：未填写" in checked.out

    target.write_text("year: 2023\n", encoding="utf-8")
    again = cli("init", target, "--year", "2023")
    assert again.code == 2
    assert target.read_text(encoding="utf-8") == "year: 2023\n"

    forced = cli("init", target, "--year", "2020", "--force")
    assert forced.code == 0, forced
    assert (tmp_path / "r.yaml.bak").read_text(encoding="utf-8") == "year: 2023\n"
    assert "format: v2019" in target.read_text(encoding="utf-8")


def test_init_refuses_a_year_before_the_standard(cli, tmp_path):
    result = cli("init", tmp_path / "x.yaml", "--year", "2017")
    assert result.code == 2
    assert "不支持2017年度" in result.err
    assert not (tmp_path / "x.yaml").exists()


def test_check_exit_statuses(cli, tmp_path):
    assert cli("check", EXAMPLE_2023, EXAMPLE_2020).code == 0
    missing = cli("check", tmp_path / "nope.yaml")
    assert missing.code == 2 and "找不到文件" in missing.err
    broken = tmp_path / "broken.yaml"
    broken.write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "review: [1, 0, 0, 0, 1]", "review: [1, 0, 0, 0, 2]"), encoding="utf-8")
    result = cli("check", EXAMPLE_2023, broken)
    assert result.code == 1
    assert "[错误 R4] 表四：行政复议的总计填写为2" in result.out
    assert "（broken.yaml 第71行）" in result.out
    assert cli("check", "--bogus", EXAMPLE_2023).code == 2


def test_check_json_is_one_object_per_file(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "new: [5, 1, 0, 0, 1, 0, 7]", "new: [5, 1, 0, 0, 1, 0, 8]"), encoding="utf-8")
    result = cli("check", "--json", EXAMPLE_2023, broken)
    assert result.code == 1
    objects = [json.loads(line) for line in result.out.splitlines()]
    assert objects[0] == {"file": str(EXAMPLE_2023), "ok": True, "findings": []}
    assert objects[1]["ok"] is False
    assert objects[1]["findings"][0] == {
        "level": "error",
        "rule": "R1",
        "path": "表三.一.总计",
        "line": 39,
        "message": "表三：第一项+第二项≠第三项（七）总计+第四项（总计列：第一项+第二项=8+1=9，第三项（七）总计+第四项=7+1=8）",
    }
    assert [f["rule"] for f in objects[1]["findings"]] == ["R1", "R2", "R6"]  # the text says 7 new applications


def test_render_txt_writes_the_official_file_name(cli, tmp_path):
    result = cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "txt")
    assert result.code == 0, result
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == [f"{TITLE_2023}.txt"]


def test_render_file_name_is_safe_for_windows(cli, tmp_path):
    source = tmp_path / "odd.yaml"
    source.write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", 'name: "青山镇/农业:办?"'), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("render", source, "-o", out, "--to", "txt").code == 0
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == ["青山镇_农业_办_2023年政府信息公开工作年度报告.txt"]


def test_render_leaves_no_temporary_files_and_replaces_atomically(cli, tmp_path):
    target = tmp_path / f"{TITLE_2023}.txt"
    target.write_bytes(b"old")
    assert cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "txt").code == 0
    assert target.read_bytes() != b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".nianbao-生成记录.json", target.name, target.name + ".bak"]
    assert (tmp_path / (target.name + ".bak")).read_bytes() == b"old"  # not nianbao's: kept


def test_render_rejects_unknown_targets(cli, tmp_path):
    result = cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "odt")
    assert result.code == 2
    assert list(tmp_path.iterdir()) == []


def test_schema_prints_json_schema(cli):
    result = cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert set(schema["$defs"]) >= {"Report2019", "Report2021"}


def test_internal_errors_never_show_a_traceback_unless_debug(cli, monkeypatch):
    import nianbao.read.sources as cli_module  # where check finds its loader

    def boom(*args, **kwargs):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(cli_module, "load_checked", boom)
    result = cli("check", EXAMPLE_2023)
    assert result.code == 3
    assert "Traceback" not in result.err and "请加 --debug 重新运行" in result.err
    try:
        cli("--debug", "check", EXAMPLE_2023)
    except RuntimeError as exc:
        assert str(exc) == "synthetic failure"
    else:  # pragma: no cover
        raise AssertionError("--debug should let the exception through")


def test_an_output_place_that_cannot_be_one_is_refused_before_any_work(cli, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for args in (("render", EXAMPLE_2023, "-o", afile), ("batch", EXAMPLE_2023, "-o", afile), ("aggregate", EXAMPLE_2023, "-o", afile / "x.yaml")):
        result = cli(*args)
        assert result.code == 2 and "afile 是文件，不是文件夹" in result.err, result
        assert "内部错误" not in result.err and result.out == ""
    folder = cli("check", tmp_path)
    assert folder.code == 2 and "是文件夹：请给出报告文件；要处理整个文件夹，用 nianbao batch" in folder.err


def test_a_file_the_system_will_not_write_is_said_in_chinese(cli, tmp_path, monkeypatch):
    """On Windows a DOCX open in Word cannot be replaced: PermissionError, said to the clerk."""
    import nianbao.system.output

    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(nianbao.system.output, "write_atomic", refuse)
    result = cli("render", EXAMPLE_2023, "-o", tmp_path)
    assert result.code == 1 and "没有权限，或文件正被 Word、WPS 或其他程序打开（请先关闭它）" in result.err
    assert "Traceback" not in result.err and "内部错误" not in result.err


def test_render_says_a_placeholder_once_as_a_refusal_and_check_warns_of_it(cli, tmp_path):
    text = edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", "name: 某某镇人民政府")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    checked = cli("check", tmp_path / "r.yaml")
    assert checked.code == 0 and "不改的话 render 会拒绝生成" in checked.out
    rendered = cli("render", tmp_path / "r.yaml", "-o", tmp_path)
    assert rendered.code == 1
    said = rendered.out + rendered.err
    assert said.count("某某") == 1 and "[错误 P]" in said and "[提示 R7]" not in said


def test_a_command_loads_only_its_own_module_and_the_map_of_commands_is_what_they_register():
    """`nianbao check` imports the report commands, not the county's, the reviewer's or the
    site's (its start-up is a bench goal); every command is where cli.COMMANDS says, and a
    mistyped name is offered the close ones among all of them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nianbao.cli import main\n"
        "try:\n"
        f"    main.main(['check', {str(EXAMPLE_2023)!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nianbao.cli.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['nianbao.cli.report', 'nianbao.cli.zh']"  # zh: click's words in Chinese, installed as the commands are declared

    from nianbao.cli import COMMANDS, main

    registered = {name: main.get_command(None, name).callback.__module__ for name in COMMANDS}  # type: ignore[arg-type, union-attr]
    assert registered == {name: f"nianbao.cli.{module}" for name, module in COMMANDS.items()}
    assert set(main.commands) == set(COMMANDS)


def test_a_mistyped_command_is_offered_the_close_names_among_every_command(cli):
    result = cli("overvew")
    assert result.code == 2
    assert "没有命令 'overvew'" in result.err and "'overview'" in result.err


def test_a_library_that_logs_later_is_silent_and_check_does_not_load_logging():
    """No library log line reaches the clerk, though the root logger's silent handler is given
    only when a library first imports logging (`check` loads none that logs, nor logging)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nianbao.cli import _quiet_libraries, main\n"
        "_quiet_libraries()\n"
        "try:\n"
        f"    main.main(['check', {str(EXAMPLE_2023)!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('logging' in sys.modules)\n"
        "import logging\n"
        "logging.getLogger('pdfminer').warning('a library talking')\n"
        "print(len(logging.getLogger().handlers), [type(f).__name__ for f in sys.meta_path if type(f).__module__.startswith('nianbao')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-2:] == ["False", "1 []"]
    assert done.stderr == ""
