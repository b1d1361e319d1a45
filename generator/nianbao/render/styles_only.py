"""A unit's own style reference document (``--reference-docx``): its look, nothing else.

The file is a stranger's: a colleague's, a template site's, last year's report saved by
someone else.  Everything in it but the body used to go into every report, so a macro
project, an attached template on a network share (Word fetches it on open), a header
picture linked to an address (a tracking pixel on every open), custom properties and
data travelled with each one.  :func:`clean` keeps the parts that make the look —
styles, numbering, theme, font table, settings, headers and footers, footnote separators
and the pictures these show — found by following the relationships from the main part,
and cuts every reference to what is not kept.  Macros are refused outright: a clerk must
not learn to wave them through.  The bundled reference (:mod:`.reference`) goes through
the same door.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote
from xml.sax.saxutils import escape as _xml_escape

from lxml import etree

from ..errors import NianbaoError

# nianbao's own extended properties: what the reference says of its program is not kept
APP = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Template>Normal.dotm</Template><Application>nianbao</Application><DocSecurity>0</DocSecurity>"
    b"<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"
)

R_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                "http://purl.oclc.org/ooxml/officeDocument/relationships")
_R_ATTRIBUTES = tuple(f"{{{ns}}}" for ns in R_NAMESPACES)
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
O_HREF = "{urn:schemas-microsoft-com:office:office}href"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MACROS = "样式参考文档含有宏（VBA），不能使用：请在 Word 中另存为“Word 文档(*.docx)”后再用"

# relationship types (their last segment) followed from the main part, and below it.  Not
# stylesWithEffects: a copy of styles.xml that Word 2010 alone reads, for its text effects
# (Word 2007 and 2013+, WPS and LibreOffice read styles.xml; Word 2010 too when it is absent),
# and a third of every report's bytes
FROM_MAIN = {"styles", "numbering", "theme", "fontTable", "settings", "header", "footer", "footnotes", "endnotes"}
BELOW = {"image"}  # a header's emblem, a picture bullet, a theme's fill
# what is dropped with a word to the clerk, by relationship type …
SAID = {
    "attachedTemplate": "附加模板（attachedTemplate）",
    "mailMergeSource": "邮件合并数据源", "mailMergeHeaderSource": "邮件合并数据源", "recipientData": "邮件合并数据源",
    "customXml": "自定义 XML 数据（customXml）",
    "custom-properties": "自定义属性",
    "aFChunk": "外来内容块（altChunk）",
    "oleObject": "OLE 嵌入对象", "package": "OLE 嵌入对象",
    "control": "ActiveX 控件", "activeXControlBinary": "ActiveX 控件",
    "font": "嵌入字体", "subDocument": "子文档",
}
EXTERNAL = "外部链接（TargetMode=External）"
FIELDS = "从外部取内容的域代码"
# … and by part name (the relationship type it would have), for such parts nothing leads to
_BY_NAME = (
    (re.compile(r"(^|/)customXml/", re.I), "customXml"),
    (re.compile(r"^docProps/custom\.xml$", re.I), "custom-properties"),
    (re.compile(r"(^|/)embeddings/", re.I), "oleObject"),
    (re.compile(r"(^|/)activeX/", re.I), "control"),
    (re.compile(r"(^|/)fonts/|\.odttf$", re.I), "font"),
)
# settings that point outside the document or act on it when Word opens it: an attached
# template (and re-reading its styles), mail merge, XSLT on save, stored variables, a
# protection that would lock every report, the switch that embeds fonts
_SETTINGS_DROPPED = {W + t for t in ("attachedTemplate", "linkStyles", "mailMerge", "attachedSchema", "saveThroughXslt", "docVars",
                                     "documentProtection", "writeProtection", "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts")}
_FONT_EMBEDS = {W + t for t in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")}
_OBJECTS = {W + "drawing", W + "pict", W + "object"}
_FETCHING = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDE|DDEAUTO|IMPORT|DATABASE)\b", re.I)
_URL = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]+:|\\\\|//)")
_IMAGES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "gif": "image/gif", "bmp": "image/bmp",
           "tif": "image/tiff", "tiff": "image/tiff", "emf": "image/x-emf", "wmf": "image/x-wmf", "svg": "image/svg+xml"}


KIND = "样式参考文档"  # what the messages call the document


class UnusableReference(NianbaoError):
    """The reference cannot be used at all; the message is Chinese."""


@dataclass
class Cleaned:
    """What a report takes from a reference: its parts but the body and the properties (by
    name, ``[Content_Types].xml`` and the relationships rebuilt), the body's last section
    setup, and one Chinese note per kind of thing left out."""

    parts: dict[str, bytes]
    sect: str
    notes: list[str] = field(default_factory=list)


def _rels_name(part: str) -> str:
    folder, _, leaf = part.rpartition("/")
    return f"{folder}/_rels/{leaf}.rels" if folder else f"_rels/{leaf}.rels"


def _resolve(source: str, target: str) -> str:
    target = unquote(target.replace("\\", "/"))
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _segment(rel_type: str) -> str:
    return rel_type.rstrip("/").rsplit("/", 1)[-1]


def _shown(text: str) -> str:
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= 80 else text[:77] + "…"


class _Notes:
    """What was left out, said once per kind, naming the first few of each."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, what: str, item: str) -> None:
        items = self.items.setdefault(what, [])
        if item and item not in items:
            items.append(item)

    def said(self) -> list[str]:
        out = []
        for what, items in self.items.items():
            shown = "、".join(_shown(i) for i in items[:3]) + (f" 等{len(items)}处" if len(items) > 3 else "")
            out.append(f"已去掉样式参考文档中的{what}" + (f"：{shown}" if shown else ""))
        return out


# what :func:`_strip` acts on, looked for by lxml in C first: a reference's styles.xml holds
# some 10 000 elements, and walking them one by one in Python cost 0.1 s of every process's
# first render, for parts that (as nianbao's own reference's) hold none of it
_ACTED_ON = tuple(W + t for t in ("altChunk", "control", "dataBinding", "instrText", "fldSimple", "embedRegular", "embedBold", "embedItalic", "embedBoldItalic"))
_ATTRIBUTES_ACTED_ON = etree.XPath(
    "descendant-or-self::node()/@r:* | descendant-or-self::node()/@r2:* | descendant-or-self::node()/@o:href | descendant-or-self::node()/@src",
    namespaces={"o": O_HREF[1:O_HREF.index("}")], "r": R_NAMESPACES[0], "r2": R_NAMESPACES[1]},
)


def _anything_to_strip(root) -> bool:
    return next(root.iter(*_ACTED_ON), None) is not None or bool(_ATTRIBUTES_ACTED_ON(root))


def _strip(root, kept: set[str], notes: _Notes) -> bool:
    """Cut from one part every reference to a relationship that was not kept, every
    embedded or linked object, and every field that fetches; True if anything changed."""
    if not _anything_to_strip(root):
        return False
    changed = False
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None and element is not root:
            continue
        if element.tag in (W + "altChunk", W + "control", W + "dataBinding") or element.tag in _FONT_EMBEDS:
            element.getparent().remove(element)
            changed = True
            continue
        if element.tag == W + "instrText" and element.text and _FETCHING.match(element.text):
            notes.add(FIELDS, element.text.strip().split()[0].upper())
            element.text = " "
            changed = True
        if element.tag == W + "fldSimple" and _FETCHING.match(element.get(W + "instr", "")):
            notes.add(FIELDS, element.get(W + "instr", "").strip().split()[0].upper())
            parent = element.getparent()
            at = parent.index(element)
            for child in reversed(list(element)):
                parent.insert(at, child)
            parent.remove(element)
            changed = True
            continue
        for attr in (O_HREF, "src"):
            if element.get(attr) is not None and _URL.match(element.get(attr)):
                del element.attrib[attr]
                changed = True
        refs = [a for a in element.attrib if a.startswith(_R_ATTRIBUTES)]
        dangling = [a for a in refs if element.get(a) not in kept]
        if not dangling:
            continue
        changed = True
        if element.tag == W + "hyperlink" or len(refs) > len(dangling):
            for attr in dangling:  # the link's text stays; a picture keeps its embedded copy
                del element.attrib[attr]
            continue
        holder = None
        if not element.tag.endswith(("}hlinkClick", "}hlinkHover")):  # a picture's click link goes, not the picture
            holder = element if element.tag in _OBJECTS else next((a for a in element.iterancestors() if a.tag in _OBJECTS), None)
        doomed = holder if holder is not None else element
        if doomed.getparent() is not None:
            doomed.getparent().remove(doomed)
    return changed


def escape(text: str) -> str:
    """Text for an XML attribute in double quotes."""
    return _xml_escape(text, {'"': "&quot;"})


def _meaningful(segment: str, data: bytes | None) -> bool:
    """Whether dropping a part is worth a word: custom properties and customXml items that
    hold nothing (LibreOffice writes an empty custom.xml into every .docx, Word an empty
    bibliography store) go without one."""
    if segment not in ("custom-properties", "customXml"):
        return True
    if not data:
        return False
    from ..system import safezip

    try:
        root = safezip.parse_xml(data, KIND)
    except safezip.BadPackage:
        return True
    return len(root) > 0 or bool((root.text or "").strip())


def _relationships(items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{escape(i)}" Type="{escape(t)}" Target="{escape(g)}"/>' for i, t, g in items)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE_RELS}">{body}</Relationships>').encode()


class _Index(NamedTuple):
    """What a package declares of its parts: content types by extension and by part, and
    each ``.rels`` part's relationships (id, type, target, external)."""

    defaults: dict[str, str]
    overrides: dict[str, str]
    rels: dict[str, list[tuple[str, str, str, bool]]]

    def content_type(self, part: str) -> str:
        return self.overrides.get(part, self.defaults.get(part.rsplit(".", 1)[-1].lower(), ""))


def clean(parts: dict[str, bytes], *, core: str, app: str) -> Cleaned:
    """The reference's look and nothing else (see above).  ``parts`` were read within
    :mod:`nianbao.system.safezip`'s bounds; ``core`` and ``app`` name the properties parts the
    report writes itself.  Raises :class:`UnusableReference` for macros (a VBA project, a
    macro-enabled document) and for what is not a Word document; drops, with a note each,
    external relationships, an attached template, custom properties, customXml, altChunk,
    OLE objects, ActiveX controls and embedded fonts."""
    index = _index(parts)
    main = _main_part(parts, index)
    notes = _Notes()
    reserved = {"[Content_Types].xml", "_rels/.rels", core, app, "word/document.xml", main}  # written by the report
    kept = _kept_parts(parts, index, main, reserved, notes)
    _note_unlinked(parts, index, kept, notes)
    if not any(_segment(t) == "styles" for _, t, _ in kept[main]):
        raise UnusableReference("没有样式（word/styles.xml），不能用作样式参考文档：请用 nianbao reference-docx 生成的文件修改后再用")
    out, sect = _copied(parts, index, kept, main, notes)
    out["[Content_Types].xml"] = _content_types(out, index, core, app)
    out["_rels/.rels"] = _relationships([
        ("rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "word/document.xml"),
        ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", core),
        ("rId3", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties", app),
    ])
    out[app] = APP
    return Cleaned(out, sect, notes.said())


def _index(parts: dict[str, bytes]) -> _Index:
    from ..system import safezip

    content_types = safezip.parse_xml(parts.get("[Content_Types].xml", b"<Types/>"), KIND)
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in content_types if str(e.tag).endswith("Default")}
    overrides = {e.get("PartName", "").lstrip("/"): e.get("ContentType", "") for e in content_types if str(e.tag).endswith("Override")}
    rels: dict[str, list[tuple[str, str, str, bool]]] = {}
    for name in parts:
        if name.endswith(".rels"):
            root = safezip.parse_xml(parts[name], KIND)
            rels[name] = [(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode", "") == "External") for r in root]
    return _Index(defaults, overrides, rels)


def _main_part(parts: dict[str, bytes], index: _Index) -> str:
    """The document's main part; refuses macros and what is not a Word document."""
    lowered = [n.lower() for n in parts]
    if (any(n.endswith(("vbaproject.bin", "vbadata.xml")) for n in lowered)
            or any("macroenabled" in t.lower() for t in (*index.defaults.values(), *index.overrides.values()))
            or any(_segment(t) in ("vbaProject", "wordVbaData") for items in index.rels.values() for _, t, _, _ in items)):
        raise UnusableReference(MACROS)
    main = next((_resolve("", g) for _, t, g, ext in index.rels.get("_rels/.rels", []) if _segment(t) == "officeDocument" and not ext), "word/document.xml")
    if main not in parts or index.overrides.get(main, MAIN_TYPE) not in (MAIN_TYPE, TEMPLATE_TYPE):
        raise UnusableReference(f"不是有效的 Word 文档（缺少正文 {main}）" if main not in parts else "不是 Word 文档（.docx）")
    return main


def _kept_parts(parts: dict[str, bytes], index: _Index, main: str, reserved: set[str], notes: _Notes) -> dict[str, list[tuple[str, str, str]]]:
    """Each part of the look, reached from the main part by the relationships kept, with
    those relationships (id, type, resolved target); what is dropped is noted."""
    kept: dict[str, list[tuple[str, str, str]]] = {}
    queue = [main]
    while queue:
        part = queue.pop(0)
        kept[part] = []
        for rid, rel_type, target, external in index.rels.get(_rels_name(part), []):
            segment = _segment(rel_type)
            resolved = target if external else _resolve(part, target)
            if segment in SAID:
                if external or _meaningful(segment, parts.get(resolved)):
                    notes.add(SAID[segment], target if external else resolved)
                continue
            if external:
                notes.add(EXTERNAL, target)
                continue
            if (segment not in (FROM_MAIN if part == main else BELOW) or resolved not in parts or resolved in reserved
                    or resolved.endswith(".rels") or any(p.search(resolved) for p, _ in _BY_NAME)):
                continue  # not part of the look (comments, a glossary, web settings…): not copied
            kept[part].append((rid, rel_type, resolved))
            if resolved not in kept and resolved not in queue:
                queue.append(resolved)
    return kept


def _note_unlinked(parts: dict[str, bytes], index: _Index, kept: dict, notes: _Notes) -> None:
    """Notes for what the package holds outside the look: parts known by name, custom properties."""
    for name in parts:
        if name not in kept and not name.endswith(".rels") and "/itemProps" not in name:
            for pattern, segment in _BY_NAME:
                if pattern.search(name) and _meaningful(segment, parts[name]):
                    notes.add(SAID[segment], name)
    for _rid, rel_type, target, external in index.rels.get("_rels/.rels", []):
        if _segment(rel_type) == "custom-properties" and (external or _meaningful("custom-properties", parts.get(_resolve("", target)))):
            notes.add(SAID["custom-properties"], target if external else _resolve("", target))


def _copied(parts: dict[str, bytes], index: _Index, kept: dict[str, list[tuple[str, str, str]]], main: str, notes: _Notes) -> tuple[dict[str, bytes], str]:
    """The parts kept, each stripped of what points at a part dropped, with their
    relationships; and the main part's section properties (its only content kept)."""
    out: dict[str, bytes] = {}
    sect = ""
    for part, links in kept.items():
        ids = {rid for rid, _, _ in links}
        if part == main:
            sect = _section(parts[part], ids, notes)
        elif part.endswith(".xml") or index.content_type(part).endswith("xml"):
            out[part] = _stripped_xml(parts[part], ids, notes)
        else:
            out[part] = parts[part]
        name = "word/document.xml" if part == main else part
        if links:
            here = posixpath.dirname(name)
            out[_rels_name(name)] = _relationships([(rid, t, posixpath.relpath(g, here or ".")) for rid, t, g in links])
    return out, sect


def _stripped_xml(data: bytes, ids: set[str], notes: _Notes) -> bytes:
    """An XML part without what points at a dropped part (the settings also without a mail
    merge's source and the other settings dropped); the bytes as they were when unchanged."""
    from ..system import safezip

    root = safezip.parse_xml(data, KIND)
    changed = False
    if root.tag == W + "settings":
        for element in [e for e in root if e.tag in _SETTINGS_DROPPED]:
            if element.tag == W + "mailMerge":
                notes.add(SAID["mailMergeSource"], "")
            root.remove(element)
            changed = True
    changed = _strip(root, ids, notes) or changed
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else data


def _content_types(out: dict[str, bytes], index: _Index, core: str, app: str) -> bytes:
    types = {"rels": "application/vnd.openxmlformats-package.relationships+xml", "xml": "application/xml"}
    for part in out:
        extension = part.rsplit(".", 1)[-1].lower()
        if extension not in types and part not in index.overrides:
            types[extension] = index.defaults.get(extension) or _IMAGES.get(extension, "application/octet-stream")
    declared = {"word/document.xml": MAIN_TYPE,
                core: "application/vnd.openxmlformats-package.core-properties+xml",
                app: "application/vnd.openxmlformats-officedocument.extended-properties+xml"}
    declared.update({p: index.overrides[p] for p in out if p in index.overrides})
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CONTENT_TYPES}">'
        + "".join(f'<Default Extension="{escape(e)}" ContentType="{escape(t)}"/>' for e, t in types.items())
        + "".join(f'<Override PartName="/{escape(p)}" ContentType="{escape(t)}"/>' for p, t in sorted(declared.items()))
        + "</Types>"
    ).encode("utf-8")


def _stands_alone(sect: str) -> bool:
    """Whether ``sect`` as written is well-formed in a body that declares only ``w:`` and
    ``r:`` (a reference may declare the prefixes its sectPr uses on its root, or bind ``w:``
    to another namespace)."""
    body = f'<w:document xmlns:w="{W[1:-1]}" xmlns:r="{R_NAMESPACES[0]}"><w:body>{sect}</w:body></w:document>'
    try:
        root = etree.fromstring(body.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return False
    return root[0][0].tag == W + "sectPr"


def _section(document: bytes, kept: set[str], notes: _Notes) -> str:
    """The body's last ``w:sectPr`` (page size, margins, grid, which headers and footers):
    its text as written when nothing in it points at what was dropped and it stands alone
    in nianbao's body (the same bytes as before for the same reference), else the cleaned
    element, which declares the namespaces it uses."""
    from ..system import safezip

    root = safezip.parse_xml(document, KIND)
    sections = root.findall(f".//{W}sectPr")
    if not sections:
        raise UnusableReference("没有页面设置（w:sectPr）")
    sect = sections[-1]
    as_written = re.findall(r"<w:sectPr\b[^>]*?/>|<w:sectPr\b[^>]*?(?<!/)>.*?</w:sectPr>", document.decode("utf-8"), flags=re.S)
    if not _strip(sect, kept, notes) and len(as_written) == len(sections) and _stands_alone(as_written[-1]):
        return as_written[-1]
    alone = copy.deepcopy(sect)  # carries the namespaces it uses, declared on itself
    etree.cleanup_namespaces(alone)
    return etree.tostring(alone, encoding="unicode")
