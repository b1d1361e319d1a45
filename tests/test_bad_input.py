"""Bad input from real clerks: each gets a Chinese message with its line, exit status 1
from ``check`` and ``render``, and ``render`` leaves no file behind."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE_2023, edit, line_of

from nianbao.findings import Finding
from nianbao.read.load import load_bytes, load_text

EXAMPLE = EXAMPLE_2023

TEXT = EXAMPLE_2023.read_text(encoding="utf-8")
NEW = "new: [5, 1, 0, 0, 1, 0, 7]"


def bad(old: str, new: str) -> str:
    return edit(TEXT, old, new)


CASES = {
    "quoted number": (bad(NEW, 'new: [5, "1", 0, 0, 1, 0, 7]'), "new: [",
                      "表三 一、本年新收 · 商业企业：“1”加了引号，是文字不是数字；请去掉引号写成 1"),
    "decimal count": (bad(NEW, "new: [5, 1.0, 0, 0, 1, 0, 7]"), "new: [",
                      "表三 一、本年新收 · 商业企业：应为整数，“1.0”带了小数点，请写成 1"),
    "full-width digits": (bad(NEW, "new: [５, 1, 0, 0, 1, 0, 7]"), "new: [",
                          "表三 一、本年新收 · 自然人：“５”是全角数字，请改为半角数字 5"),
    "negative count": (bad("licensing: 12", "licensing: -1"), "licensing:",
                       "表二 第二十条第（五）项 行政许可 · 本年处理决定数量：不能为负数（填写的是 -1），应为不小于0的整数"),
    "word for a number": (bad("penalties: 3", "penalties: 三"), "penalties:",
                          "表二 第二十条第（六）项 行政处罚 · 本年处理决定数量：应为不小于0的整数，这里是文字“三”"),
    "amount with unit": (bad("fees: 0  ", "fees: 25万元  "), "  fees:",
                         "表二 第二十条第（八）项 行政事业性收费 · 本年收费金额（单位：万元）：只填数字，不要带单位：“25万元”请写成 25（单位已印在表头）"),
    "empty cell": (bad(NEW, "new: [5, , 0, 0, 1, 0, 7]"), "new: [",
                   "YAML格式错误：方括号中有空着的位置：没有的请填 0"),
    "null cell": (bad(NEW, "new: [5, null, 0, 0, 1, 0, 7]"), "new: [",
                  "表三 一、本年新收 · 商业企业：没有填写，应为不小于0的整数（没有请填 0）"),
    "row too short": (bad(NEW, "new: [5, 1, 0, 0, 1]"), "new: [",
                      "表三 一、本年新收：应为6个数（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他），可再加第7个数“总计”，这里有5个"),
    "unknown key with suggestion": (bad("carried_forward:", "carried_foward:"), "carried_foward:",
                                    "表三：未知的键“carried_foward”，是否应为“carried_forward”（表三 四、结转下年度继续办理）？"),
    "unknown unit key": (bad("  phone: 0731", "  telephone: 0731"), "telephone:",
                         "机关信息：未知的键“telephone”，是否应为“phone”（联系电话）？"),
    "missing row": (bad("    repeated: [0, 0, 0, 0, 0, 0]", "    # repeated row deleted"), "not_processed:",
                    "缺少“表三 三（五）不予处理 2.重复申请”这一行；没有的请填 0（或用 --zero-missing 按0计）"),
    "group written as a row": (
        TEXT.split("  withheld:")[0] + "  withheld: [1, 0, 0, 0, 0, 0]\n  unavailable:" + TEXT.split("  unavailable:")[1],
        "withheld: [",
        "“表三 三（三）不予公开”应逐项填写（1.属于国家秘密、2.其他法律行政法规禁止公开、3.危及“三安全一稳定”、4.保护第三方合法权益、"
        "5.属于三类内部事务信息、6.属于四类过程性信息、7.属于行政执法案卷、8.属于行政查询事项），不能只写一行；没有的请填 0（或用 --zero-missing 按0计）"),
    "missing section": (TEXT.split("appeals:")[0] + "problems:" + TEXT.split("\nproblems:")[1], None,
                        "缺少表四（appeals）"),
    "tab indentation": (bad("  name: 青山镇人民政府", "\tname: 青山镇人民政府"), "name: 青山镇人民政府",
                        "YAML格式错误：用了Tab键缩进；请改用空格缩进"),
    "escape character": (bad("新增“乡村振兴”", "新增\x1b“乡村振兴”"), "新增",
                         "第23个字符处有不允许的控制字符（转义字符（ESC），U+001B），文件中不能有这样的字符，请删除"),
    "escape written as a YAML escape": (bad('name: 青山镇人民政府', 'name: "青山镇\\x1b人民政府"'), "name:",
                                        "“机关名称”中有不允许的控制字符（转义字符（ESC），U+001B），文件中不能有这样的字符，请删除"),
    "noncharacter written as a YAML escape": (bad('name: 青山镇人民政府', 'name: "青山镇\\uFFFE人民政府"'), "name:",
                                              "“机关名称”中有不允许的控制字符（控制字符，U+FFFE），文件中不能有这样的字符，请删除"),
    "impossible date": (bad("date: 2024-01-18", "date: 2024年2月30日"), "date:",
                        "落款日期：应写成 2024-01-20 或 2024年1月20日 这样的日期，这里是“2024年2月30日”"),
    "duplicate key": (bad("  licensing: 12", "  licensing: 12\n  licensing: 13"), "licensing: 13",
                      "键“licensing”重复出现（第31行已有），请删去其中一处"),
    "no year": (bad("year: 2023 ", "# year removed "), None, "缺少报告年度：请在文件开头写 year: 2023 这样的一行"),
    "unknown format": (bad("format: v2021", "format: 2021版"), "format:",
                       "格式版本应为 v2019、v2021 之一（也可省略，按年度确定），这里是“2021版”"),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_message(name):
    text, needle, message = CASES[name]
    loaded = load_text(text)
    errors = [f for f in loaded.findings if f.level == "error"]
    assert message in [f.message for f in errors], errors
    found = next(f for f in errors if f.message == message)
    if needle is not None:
        assert found.line == line_of(text, needle) if name != "missing row" else found.line == line_of(text, needle)
    assert found.rule == "S"


@pytest.mark.parametrize("name", CASES)
def test_bad_input_exit_status_and_no_output(name, tmp_path, cli):
    text = CASES[name][0]
    source = tmp_path / "2023.yaml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = cli("check", source)
    assert result.code == 1, result
    assert CASES[name][2] in result.out
    result = cli("render", source, "-o", out, "--to", "txt")
    assert result.code == 1, result
    assert not out.exists() or list(out.iterdir()) == []
    assert "Traceback" not in result.out + result.err


def test_zero_missing_turns_a_missing_row_into_a_warning(cli, tmp_path):
    text, _, message = CASES["missing row"]
    source = tmp_path / "2023.yaml"
    source.write_text(text, encoding="utf-8")
    result = cli("check", "--zero-missing", source)
    assert result.code == 0, result
    assert "[提示 S] 缺少“表三 三（五）不予处理 2.重复申请”这一行，已按0计" in result.out


def test_a_group_row_with_zero_missing_is_a_warning_and_its_items_count_zero():
    text = CASES["group written as a row"][0]
    loaded = load_text(text, zero_missing=True)
    assert [f.level for f in loaded.findings] == ["warning"]
    assert loaded.report is not None


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""), ("gb18030", b""), ("utf-16-le", b"\xff\xfe"),
     ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b""), ("utf-16-be", b"")],
)
def test_every_windows_encoding_reads_back_the_same_report(encoding, prefix):
    reference = load_text(TEXT).report
    loaded = load_bytes(prefix + TEXT.encode(encoding))
    assert loaded.findings == []
    assert loaded.report.data == reference.data


def test_crlf_line_ends_keep_line_numbers():
    loaded = load_bytes(bad(NEW, 'new: [5, "1", 0, 0, 1, 0, 7]').replace("\n", "\r\n").encode("utf-8"))
    assert loaded.findings[0].line == line_of(TEXT, "new: [")


def test_undecodable_bytes_are_refused_not_guessed():
    loaded = load_bytes(b"year: 2023\nunit: \xff\xff\xfe\x80\x80\n")
    assert loaded.findings == [Finding("error", "S", None, "无法识别文件编码：请用记事本“另存为”UTF-8 编码后再试")]


def test_empty_file_and_non_mapping():
    assert load_text("").findings[0].message == "文件是空的：请先用 nianbao init 生成报告文件"
    assert load_text("- 1\n- 2\n").findings[0].message == "文件内容不是报告：应以 year:、unit: 等键开头"


def test_phone_and_postcode_typed_without_quotes_keep_their_digits():
    text = bad('  postcode: "412300"', "  postcode: 012300")
    text = edit(text, "phone: 0731-5550123", "phone: 07315550123")
    report = load_text(text).report
    assert report.unit["postcode"] == "012300"
    assert report.unit["phone"] == "07315550123"


@pytest.mark.parametrize("pasted", ["\x0b", '"\\v"', '"\\a"', '"\\u200b"'])
def test_what_word_leaves_in_copied_text_is_removed_with_a_warning_and_never_written(pasted, cli, tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    if pasted.startswith('"'):  # a YAML escape in a quoted unit name
        text = text.replace("name: 青山镇人民政府", f'name: "青山镇{pasted[1:-1]}人民政府"')
    else:  # the character itself, in a narrative
        text = text.replace("新增“乡村振兴”", f"新增{pasted}“乡村振兴”")
    source = tmp_path / "2023.yaml"
    source.write_text(text, encoding="utf-8")
    loaded = load_text(text)
    assert loaded.report is not None and [f.level for f in loaded.findings] == ["warning"]
    assert "多半是从Word复制带入的，已删除" in loaded.findings[0].message
    result = cli("render", source, "-o", tmp_path / "out", "--to", "docx,txt,html")
    assert result.code == 0, result
    import zipfile

    from lxml import etree

    docx = next((tmp_path / "out").glob("*.docx"))
    body = zipfile.ZipFile(docx).read("word/document.xml")
    etree.fromstring(body)  # well-formed: Word opens it
    texts = [body.decode("utf-8")] + [p.read_text(encoding="utf-8-sig") for p in (tmp_path / "out").glob("*.txt")]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.html")]
    for text in texts:
        assert not any(ch in text for ch in "\x0b\x07\u200b")
