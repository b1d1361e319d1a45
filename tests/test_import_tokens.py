"""The importer's token readings: the quick answers (a blank by ``strip``, a label by a
character no value cell holds, a paragraph by its count of ideographs) say what the full
readings say, for every character and for tokens made of the characters that matter."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.model.standard import ValueType
from nianbao.read.importer import glyphs, narrative, tables, words
from nianbao.read.importer import lines as lines_module
from nianbao.system.decode import BIDI

# what value cells, footnoted figures and notes are written with, and a few words around them
_PIECES = "0123456789１２３¹²①⑴㊀ⅠⅡ件条个项次人家份万元*＊※†‡#＃（注附备）()[]［］^，,.+-—–/／\\×xX无－~～·。OoDQlIi|丨SsBZzbgq一二三十 \u3000\u00a0予以公开属于第页共"


def _slow_value(text: str) -> bool:
    """:func:`words.is_value_token` as its docstring defines it, from the full readings."""
    return words.looks_numeric(text) or words.looks_junk(text) or words.looks_doubtful(text) or bool(words.footnoted(text))


def test_blank_is_what_normalises_to_nothing_for_every_character():
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        assert words.is_blank(ch) == (not "".join(unicodedata.normalize("NFKC", ch).split())), hex(code)


def test_label_characters_never_read_as_a_value():
    """Every character of the planes text is written in (and the compatibility ideographs),
    alone and after a figure."""
    words.forget()
    for code in [*range(0x20000), *range(0x2F800, 0x2FA20)]:
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        for token in (ch, "12" + ch):
            assert words.is_value_token(token) == _slow_value(token), (hex(code), token)
        if code % 4096 == 0:
            words.forget()


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_PIECES), min_size=1, max_size=8) | st.text(min_size=1, max_size=6))
def test_quick_readings_agree_with_the_full_ones(token):
    words.forget()
    assert words.is_value_token(token) == _slow_value(token)
    assert words.is_blank(token) == (not words.normal(token))
    assert words.is_label(token) == (not words.is_blank(token) and not _slow_value(token))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_PIECES + "政府信息公开年度报告情况"), max_size=80))
def test_paragraphs_told_early_are_what_the_full_tests_say(text):
    if narrative._LONG.match(text):
        assert len(words.normal(text)) > 44
    if tables._PARAGRAPH.match(text):
        assert len(words.normal(text)) > 50
    if lines_module._WORD.search(text):
        assert not lines_module._PAGE_NUMBER.match(words.nfkc(text).strip())


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{1,12}", fullmatch=True), st.sampled_from(list(ValueType)), st.booleans())
def test_a_plain_figure_reads_as_the_full_reading_reads_it(figure, kind, wan):
    words.forget()
    assert words.number(figure, kind, wan) == words.number(f" {figure} ", kind, wan)  # spaces: the full reading


_CHROME = ["附件下载", "扫一扫在手机上查看当前页面", "文字解读", "发布时间", "浏览次数", "【字体：大 中 小】", "来源：", "沭阳县",
           "2024-01-15", "35", "：", ":", "．pdf", ".docx", " ", "\u3000", "|", "行政许可", "ſ", "K", "QQ", "qq", "H5", "Ａ", "－", "①", "附件", "附件2", "通知.pdf", "．ｐｄｆ", "说明"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_CHROME) | st.text(max_size=2), max_size=8).map("".join))
def test_chrome_told_early_is_what_the_patterns_say(text):
    if len(text) <= lines_module.MAX_CHROME and not lines_module._SENTENCE_MARK.search(text):
        assert lines_module.is_site_chrome(text) == lines_module._chrome_pieces(words.nfkc(text).strip())


_GLYPHS = "⻘⺠⾏⼾\u202a\u202e\u2066\u2069\uf900\ufb06\ufb07\U0002f800\U0002fa1f\U0001f600\u2e7f\u2fe0\u2e80青民\n\t\u200b\u00a0\ufeff\r\x85\u2028 　“”—"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GLYPHS) | st.text(max_size=2) | st.just("[bookmark: _Toc1]"), max_size=10).map("".join))
def test_quick_clean_and_odd_are_what_the_patterns_say(text):
    assert glyphs.odd(text) == (glyphs._ODD.search(text) is not None)
    cleaned = lines_module._SPACES.sub(" ", lines_module._BOOKMARK.sub("", lines_module._CONTROL.sub("", text)))
    assert lines_module.clean(text) == cleaned


def test_what_clean_and_odd_look_for_is_never_printed():
    """The quick answers count on it, for every character."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if ch.isprintable():
            assert not lines_module._CLEAN_OR_NOT.match(ch) and ch not in BIDI, hex(code)
