"""Stand-in faces for the official fonts, when the PDF is made on a machine without them.

The DOCX names the fonts of a 公文 (FORMAT.md §7): 仿宋_GB2312 for the body, 方正小标宋简体
for the title, 黑体 and 楷体_GB2312 for the headings, 宋体 for the page numbers.  Few
machines have all of them; a Linux server has none.  Left to itself, LibreOffice then
takes whatever fontconfig offers first for an unknown name — Noto Sans CJK **JP** (Japanese
glyph forms) for every role, Liberation and DejaVu for the rest — and the PDF no longer
looks like a 公文.

So, for each official font that is missing, the installed face closest to it *in its
role* is chosen by a preference table (a fangsong or song face for the body, a heavy song
for the title, a hei face for 黑体, a kai face for 楷体), always a simplified-Chinese (SC /
CN / GB) face, and LibreOffice is told to use it (:mod:`nianbao.render.office` writes the
replacement table, or a fontconfig rule where a weight must be set too).  The DOCX is not
touched: it keeps the official names, and Word's fallbacks in its font table.  A machine
with the official fonts gets no stand-in and no note.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Face:
    """A face to ask for: its family name as the system lists it, its name for the clerk,
    and whether the bold of that family is meant (a heavy title from a regular family)."""

    family: str
    chinese: str
    bold: bool = False


@dataclass(frozen=True)
class StandIn:
    """An official font the machine lacks and the face that stands in for it (or None:
    no Chinese face of that kind, nor any other, is installed)."""

    official: str
    face: Face | None


# Names under which an official font may be installed (Windows lists some in English).
OFFICIAL = {
    "仿宋_GB2312": ("仿宋_GB2312", "FangSong_GB2312"),
    "方正小标宋简体": ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
    "黑体": ("黑体", "SimHei"),
    "楷体_GB2312": ("楷体_GB2312", "KaiTi_GB2312"),
    "宋体": ("宋体", "SimSun"),
}

_SERIF = (
    Face("Noto Serif SC", "思源宋体"),  # the one-region font: its name in the PDF says SC (the CJK collection's says jp for all)
    Face("Noto Serif CJK SC", "思源宋体"),
    Face("Source Han Serif SC", "思源宋体"),
    Face("Source Han Serif CN", "思源宋体"),
    Face("思源宋体", "思源宋体"),
    Face("AR PL UMing CN", "文鼎明体"),
    Face("AR PL SungtiL GB", "文鼎宋体"),
)
_SANS = (
    Face("Noto Sans SC", "思源黑体"),
    Face("Noto Sans CJK SC", "思源黑体"),
    Face("Source Han Sans SC", "思源黑体"),
    Face("Source Han Sans CN", "思源黑体"),
    Face("思源黑体", "思源黑体"),
    Face("WenQuanYi Zen Hei", "文泉驿正黑"),
    Face("WenQuanYi Micro Hei", "文泉驿微米黑"),
    Face("Microsoft YaHei", "微软雅黑"),
)

# Per official font, best first: the same design under another name (a stock Windows has
# 仿宋, 楷体, 黑体 and 宋体, not the _GB2312 ones), then faces of the same kind, then any
# simplified-Chinese face — never a JP, KR, TC or HK variant.
PREFERENCES: dict[str, tuple[Face, ...]] = {
    "仿宋_GB2312": (Face("FangSong", "仿宋"), Face("仿宋", "仿宋"), Face("STFangsong", "华文仿宋"), Face("华文仿宋", "华文仿宋"),
                   *_SERIF, Face("SimSun", "宋体"), Face("宋体", "宋体"), *_SANS),
    "方正小标宋简体": (Face("STZhongsong", "华文中宋"), Face("华文中宋", "华文中宋"),
                  Face("Noto Serif CJK SC Black", "思源宋体 Black"), Face("Noto Serif CJK SC SemiBold", "思源宋体 SemiBold"),
                  Face("Source Han Serif SC Heavy", "思源宋体 Heavy"), Face("Source Han Serif SC SemiBold", "思源宋体 SemiBold"),
                  *(Face(f.family, f.chinese + "（加粗）", bold=True) for f in _SERIF),
                  Face("SimSun", "宋体"), Face("宋体", "宋体"), *_SANS),
    "黑体": (Face("SimHei", "黑体"), *_SANS, *_SERIF),
    "楷体_GB2312": (Face("KaiTi", "楷体"), Face("楷体", "楷体"), Face("STKaiti", "华文楷体"), Face("华文楷体", "华文楷体"),
                  Face("AR PL UKai CN", "文鼎楷体"), Face("AR PL KaitiM GB", "文鼎楷体"), *_SERIF, *_SANS),
    "宋体": (Face("SimSun", "宋体"), Face("NSimSun", "新宋体"), *_SERIF, Face("FangSong", "仿宋"), *_SANS),
}

NOTE_END = "在装有公文字体的电脑上生成可得到标准效果"


def _fc_families() -> frozenset[str] | None:
    """Every family name fontconfig knows (each face lists its names in all languages,
    comma-separated), or None when ``fc-list`` is not there to ask."""
    program = shutil.which("fc-list")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "--format", "%{family}\n"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    text = done.stdout.decode("utf-8", "replace")
    return frozenset(name.strip().replace("\\-", "-") for line in text.splitlines() for name in line.split(",") if name.strip())


def _windows_families() -> frozenset[str] | None:
    """The fonts registered with Windows, for the machine and for the user ("SimSun &
    NSimSun (TrueType)" gives SimSun and NSimSun)."""
    if sys.platform != "win32":
        return None
    import winreg  # only on Windows

    names: set[str] = set()
    key_path = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\Fonts"
    for root in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            with winreg.OpenKey(root, key_path) as key:
                for i in range(winreg.QueryInfoKey(key)[1]):
                    value = winreg.EnumValue(key, i)[0]
                    value = value.split(" (")[0]
                    names.update(part.strip() for part in value.split("&") if part.strip())
        except OSError:
            continue
    return frozenset(names) if names else None


@lru_cache(maxsize=1)
def installed() -> frozenset[str] | None:
    """The font families of this machine, or None when they cannot be listed (then
    nothing is substituted and nothing said: LibreOffice does as it would)."""
    return _windows_families() if sys.platform == "win32" else _fc_families()


def choose(families: frozenset[str] | None) -> tuple[StandIn, ...]:
    """A stand-in for each official font missing from ``families``; none when the list
    is unknown or every official font is there."""
    if families is None:
        return ()
    out = []
    for official, names in OFFICIAL.items():
        if any(name in families for name in names):
            continue
        face = next((f for f in PREFERENCES[official] if f.family in families), None)
        out.append(StandIn(official, face))
    return tuple(out)


@lru_cache(maxsize=1)
def stand_ins() -> tuple[StandIn, ...]:
    """This machine's stand-ins, found once a run."""
    return choose(installed())


def note(chosen: tuple[StandIn, ...]) -> str | None:
    """What the clerk is told once a run: which official fonts were missing and what stood
    in, e.g. 本机没有仿宋_GB2312，PDF 用思源宋体代替；在装有公文字体的电脑上生成可得到标准效果."""
    if not chosen:
        return None
    missing = "、".join(s.official for s in chosen)
    by_face: dict[str, list[str]] = {}
    for s in chosen:
        if s.face is not None:
            by_face.setdefault(s.face.chinese, []).append(s.official)
    if not by_face:
        return f"本机没有{missing}，也没有可代替的中文字体，PDF 中的汉字可能显示不正常；请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk）"
    if len(chosen) == 1 and (face := chosen[0].face) is not None:  # it has, since by_face has it
        return f"本机没有{missing}，PDF 用{face.chinese}代替；{NOTE_END}"
    pairs = "，".join(f"用{face}代替{'、'.join(officials)}" for face, officials in by_face.items())
    lacking = [s.official for s in chosen if s.face is None]
    tail = f"（{'、'.join(lacking)}没有可代替的字体）" if lacking else ""
    return f"本机没有{missing}，PDF {pairs}{tail}；{NOTE_END}"
