"""Fonts in the PDF (#20.1): on a machine without the official fonts, each role gets the
closest installed simplified-Chinese face — never a JP/KR/TC variant, never a Latin face
for Chinese text — through LibreOffice's replacement table (and fontconfig for a bold
title) in the private profile; the DOCX keeps the official names; render and batch say
once what stood in.  A machine with the official fonts gets no stand-in and no note."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pdfplumber
import pypdfium2
import pytest
from conftest import EXAMPLE_2023, edit
from lxml import etree
from PIL import Image, ImageChops, ImageDraw, ImageFont

from nianbao.read.load import load_file
from nianbao.render import fontsubst, office
from nianbao.render.docx import title_lines
from nianbao.render.fontsubst import Face, StandIn, choose, note

OFFICIAL = ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体")
NOTO = frozenset({"Noto Serif CJK SC", "Noto Serif CJK JP", "Noto Serif CJK KR", "Noto Serif CJK TC", "Noto Serif CJK HK",
                  "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK TC", "Noto Sans CJK HK",
                  "Noto Sans Mono CJK JP", "DejaVu Sans", "DejaVu Serif", "Liberation Serif", "Liberation Sans"})
ARPHIC = frozenset({"AR PL UKai CN", "AR PL UKai TW", "AR PL UKai HK", "AR PL UMing CN", "AR PL UMing TW", "WenQuanYi Zen Hei", "文泉驿正黑"})


def _faces(chosen: tuple[StandIn, ...]) -> dict[str, tuple[str, bool] | None]:
    return {s.official: (s.face.family, s.face.bold) if s.face else None for s in chosen}


def test_a_debian_server_with_noto_cjk_gets_the_sc_faces_in_their_roles():
    chosen = choose(NOTO)
    assert _faces(chosen) == {
        "仿宋_GB2312": ("Noto Serif CJK SC", False),
        "方正小标宋简体": ("Noto Serif CJK SC", True),  # a heavy song: the bold of the serif
        "黑体": ("Noto Sans CJK SC", False),
        "楷体_GB2312": ("Noto Serif CJK SC", False),  # no kai face installed: the body's
        "宋体": ("Noto Serif CJK SC", False),
    }
    assert note(chosen) == (
        "本机没有仿宋_GB2312、方正小标宋简体、黑体、楷体_GB2312、宋体，PDF 用思源宋体代替仿宋_GB2312、楷体_GB2312、宋体，"
        "用思源宋体（加粗）代替方正小标宋简体，用思源黑体代替黑体；在装有公文字体的电脑上生成可得到标准效果"
    )


def test_with_the_arphic_fonts_kai_is_asked_for_by_kai():
    assert _faces(choose(NOTO | ARPHIC))["楷体_GB2312"] == ("AR PL UKai CN", False)
    assert _faces(choose(ARPHIC))["仿宋_GB2312"] == ("AR PL UMing CN", False)  # no Noto: the song face
    assert _faces(choose(ARPHIC))["黑体"] == ("WenQuanYi Zen Hei", False)


def test_never_a_japanese_korean_or_traditional_face():
    only_other_regions = frozenset(f for f in NOTO | ARPHIC if not f.endswith(("SC", "CN")) and "WenQuanYi" not in f and "文泉驿" not in f)
    chosen = choose(only_other_regions)
    assert [s.face for s in chosen] == [None] * len(OFFICIAL)
    assert note(chosen) == (
        "本机没有仿宋_GB2312、方正小标宋简体、黑体、楷体_GB2312、宋体，也没有可代替的中文字体，PDF 中的汉字可能显示不正常；"
        "请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）"
    )
    for faces in fontsubst.PREFERENCES.values():
        assert not any(tag in f.family for f in faces for tag in (" JP", " KR", " TC", " HK", " TW"))


def test_a_stock_windows_uses_its_own_fangsong_kaiti_and_simsun():
    windows = frozenset({"FangSong", "KaiTi", "SimHei", "SimSun", "NSimSun", "Microsoft YaHei", "Times New Roman"})
    chosen = choose(windows)
    assert _faces(chosen) == {"仿宋_GB2312": ("FangSong", False), "方正小标宋简体": ("SimSun", False), "楷体_GB2312": ("KaiTi", False)}
    assert note(chosen) == "本机没有仿宋_GB2312、方正小标宋简体、楷体_GB2312，PDF 用仿宋代替仿宋_GB2312，用宋体代替方正小标宋简体，用楷体代替楷体_GB2312；在装有公文字体的电脑上生成可得到标准效果"


def test_one_missing_font_is_said_in_the_words_of_the_issue():
    assert note(choose(frozenset({*OFFICIAL[1:], "Noto Serif CJK SC"}))) == "本机没有仿宋_GB2312，PDF 用思源宋体代替；在装有公文字体的电脑上生成可得到标准效果"


def test_a_machine_with_the_official_fonts_gets_no_stand_in_and_no_note():
    assert choose(frozenset(OFFICIAL) | NOTO) == ()
    assert note(()) is None
    assert choose(None) == ()  # fonts that cannot be listed: LibreOffice does as it would
    xcu = etree.fromstring(office.profile_settings(()).encode("utf-8"))
    assert not [i for i in xcu if "Font/Substitution" in i.get("{http://openoffice.org/2001/registry}path")]


def test_the_profile_holds_the_replacement_table_and_keeps_its_network_lock():
    chosen = choose(NOTO | ARPHIC)
    oor = "{http://openoffice.org/2001/registry}"
    xcu = etree.fromstring(office.profile_settings(chosen).encode("utf-8"))
    pairs = {}
    for node in xcu.iter("node"):
        props = {p.get(f"{oor}name"): p.findtext("value") for p in node.findall("prop")}
        if "ReplaceFont" in props:
            assert props["Always"] == "true" and props["OnScreenOnly"] == "false"
            pairs[props["ReplaceFont"]] = props["SubstituteFont"]
    expected = {"仿宋_GB2312": "Noto Serif CJK SC", "黑体": "Noto Sans CJK SC", "楷体_GB2312": "AR PL UKai CN", "宋体": "Noto Serif CJK SC"}
    assert pairs == expected  # the bold title goes through fontconfig, which can set a weight
    replacement = [i for i in xcu if i.get(f"{oor}path") == "/org.openoffice.Office.Common/Font/Substitution"]
    assert [i.findtext("prop/value") for i in replacement] == ["true"]
    removed = [n.get(f"{oor}name") for n in xcu.iter("node") if n.get(f"{oor}op") == "remove"]
    assert "Provider12" in removed and "Provider3" in removed  # https and http still gone
    conf = etree.fromstring(office.fontconfig_settings(chosen, "/etc/fonts/fonts.conf").split("\n", 2)[2].encode("utf-8"))
    assert conf.findtext("include") == "/etc/fonts/fonts.conf"
    [rule] = conf.findall("match")
    assert rule.findtext("test/string") == "方正小标宋简体"
    assert [e.findtext("*") for e in rule.findall("edit")] == ["Noto Serif CJK SC", "bold"]



def test_where_fontconfig_cannot_set_the_weight_the_title_is_in_the_replacement_table(monkeypatch):
    monkeypatch.setattr(office, "_fontconfig_base", lambda: None)  # Windows, macOS, or no fonts.conf
    oor = "{http://openoffice.org/2001/registry}"
    xcu = etree.fromstring(office.profile_settings(choose(NOTO)).encode("utf-8"))
    pairs = {}
    for node in xcu.iter("node"):
        props = {p.get(f"{oor}name"): p.findtext("value") for p in node.findall("prop")}
        if "ReplaceFont" in props:
            pairs[props["ReplaceFont"]] = props["SubstituteFont"]
    assert pairs["方正小标宋简体"] == "Noto Serif CJK SC"
    assert office.fontconfig_settings(choose(NOTO), "/etc/fonts/fonts.conf") is None

# -- the PDF, made by LibreOffice on this machine ------------------------------------------------------------------
NO_TOOLS = pytest.mark.skipif(office.soffice() is None or shutil.which("pdffonts") is None,
                              reason="LibreOffice and poppler-utils are needed to look at the PDF's fonts")


def _pdf(cli, tmp_path, example=EXAMPLE_2023):
    result = cli("render", example, "-o", tmp_path, "--to", "pdf")
    assert result.code == 0, result
    return result, next(tmp_path.glob("*.pdf"))


def _ink(image: Image.Image) -> Image.Image:
    grey = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    return grey.crop(grey.getbbox()).resize((48, 48))


def _reference(family: str, char: str) -> Image.Image:
    """``char`` drawn with the face fontconfig gives for ``family`` (a face of a .ttc)."""
    spec = subprocess.run(["fc-match", "-f", "%{file}|%{index}", family], capture_output=True, text=True, check=True).stdout
    path, index = spec.split("|")
    font = ImageFont.truetype(path, 200, index=int(index))
    image = Image.new("L", (400, 400), 255)
    ImageDraw.Draw(image).text((100, 100), char, font=font, fill=0)
    return _ink(image)


def _differ(a: Image.Image, b: Image.Image) -> int:
    return ImageChops.difference(a, b).convert("1").histogram()[255]


@NO_TOOLS
def test_the_pdf_uses_the_stand_ins_in_their_roles_and_says_so_once(cli, tmp_path):
    chosen = fontsubst.stand_ins()
    assert chosen, "this machine has the official fonts: nothing to stand in"
    result, path = _pdf(cli, tmp_path)
    assert result.err.count("本机没有") == 1 and note(chosen) in result.err
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:]]
    assert not [n for n in names if "DejaVu" in n]
    allowed = ("NotoSerifSC", "NotoSansSC", "NotoSerifCJK", "NotoSansCJK", "UKai", "UMing", "WenQuanYi", "LiberationSerif")  # Liberation Serif: Times New Roman's digits
    assert all(n.startswith(allowed) for n in names), names
    faces = {s.official: s.face for s in chosen}

    def pdf_name(face: Face) -> str:
        return {"Noto Serif SC": "NotoSerifSC", "Noto Sans SC": "NotoSansSC", "Noto Serif CJK SC": "NotoSerifCJK", "Noto Sans CJK SC": "NotoSansCJK", "AR PL UKai CN": "UKai", "AR PL UMing CN": "UMing",
                "WenQuanYi Zen Hei": "WenQuanYi"}[face.family]

    report = load_file(EXAMPLE_2023).report
    title = title_lines(report.title)
    headings = {section.heading for section in report.spec.sections}
    with pdfplumber.open(path) as document:
        page = document.pages[0]
        roles = set()
        lines: dict[int, list[dict]] = {}
        for char in page.chars:
            lines.setdefault(round(char["top"]), []).append(char)
        for chars in lines.values():
            text = "".join(c["text"] for c in chars)
            chinese = [c for c in chars if not c["text"].isascii()]
            assert not [c for c in chinese if "Liberation" in c["fontname"] or "DejaVu" in c["fontname"]], text
            role = ("方正小标宋简体" if text in title else "黑体" if text in headings else "楷体_GB2312" if text.startswith("（一）")
                    else "宋体" if "—" in text else "仿宋_GB2312")
            face = faces[role]
            roles.add(role)
            assert all(pdf_name(face) in c["fontname"] for c in chinese), (text, role, {c["fontname"] for c in chinese})
            if role == "方正小标宋简体" and face.bold:
                assert all("Bold" in c["fontname"] for c in chinese), text
        assert roles == set(OFFICIAL)  # page 1 has each role: title, body, both headings, page number
        # the glyph forms are simplified Chinese ones: 直 in table 四, drawn as the SC face draws it, not the JP
        for number, page in enumerate(document.pages):  # noqa: B007 - the page found is read after the loop
            hits = [c for c in page.chars if c["text"] == "直"]
            if hits:
                break
        char = hits[0]
    scale = 10
    image = pypdfium2.PdfDocument(str(path))[number].render(scale=scale).to_pil()
    glyph = _ink(image.crop((int(char["x0"] * scale) - 2, int(char["top"] * scale) - 2, int(char["x1"] * scale) + 2, int(char["bottom"] * scale) + 2)))
    family = faces["仿宋_GB2312"].family
    if family.startswith("Noto Serif CJK"):
        sc, jp = _differ(glyph, _reference("Noto Serif CJK SC", "直")), _differ(glyph, _reference("Noto Serif CJK JP", "直"))
        assert sc * 2 < jp, (sc, jp)


@NO_TOOLS
def test_the_docx_keeps_the_official_names(cli, tmp_path):
    assert cli("render", EXAMPLE_2023, "-o", tmp_path, "--to", "docx").code == 0
    docx = zipfile.ZipFile(next(tmp_path.glob("*.docx")))
    styles = docx.read("word/styles.xml").decode("utf-8")
    for name in OFFICIAL:
        assert f'w:eastAsia="{name}"' in styles
    assert not [f for f in ("Noto", "UKai", "UMing", "WenQuanYi") if f in styles + docx.read("word/document.xml").decode("utf-8")]


@NO_TOOLS
def test_batch_says_it_once_for_all_its_pdfs(cli, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(EXAMPLE_2023, source)
    # a second unit of the same year (a 2020 report beside it would be set aside as 不是本年度, not rendered)
    (source / "白河乡.yaml").write_text(edit(EXAMPLE_2023.read_text(encoding="utf-8"), "name: 青山镇人民政府", "name: 白河乡人民政府"), encoding="utf-8")
    result = cli("batch", source, "-o", tmp_path / "out", "--to", "pdf", "--jobs", "2")
    assert result.code == 0, result
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2
    assert result.err.count("本机没有") == 1 and note(fontsubst.stand_ins()) in result.err


@NO_TOOLS
def test_with_the_official_fonts_nothing_is_said_or_replaced(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(fontsubst, "installed", lambda: frozenset(OFFICIAL))
    fontsubst.stand_ins.cache_clear()
    seen = []
    real = office.private_profile
    monkeypatch.setattr(office, "private_profile", lambda folder, stand_ins=(): seen.append(tuple(stand_ins)) or real(folder, stand_ins))
    try:
        result, _ = _pdf(cli, tmp_path)
    finally:
        fontsubst.stand_ins.cache_clear()
    assert "本机没有" not in result.err and "字体" not in result.err
    assert seen == [()]
