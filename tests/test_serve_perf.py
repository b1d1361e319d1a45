"""The save path's speed-ups keep every answer: the composer reused per thread, the resolver
asked once per document, ``reportfile.scalar``'s remembered read-back, the editor's one parse
per text.  Each is compared with the plain way of doing the same thing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ruamel.yaml import YAML

from nianbao.model import yamlfile
from nianbao.render import reportfile

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"

DOCS = [
    "%YAML 1.1\n---\nk: yes\nn: 017\ns: 1:20\n",
    "k: yes\nn: 017\nt: 0o17\nd: 2024-01-02\nf: 1e3\nx: ~\ny: 1_000\nz: .inf\n",
    "%YAML 1.2\n---\nk: [yes, 0x10, .5, +1]\ns: !!str 12\ni: !!int '7'\nq: !<tag:yaml.org,2002:str> 5\n",
    "a: %41\n",
    "a: [1, 2\n",
    "a: &x [1]\nb: *x\n",
]


def _tags(node, out: list) -> list:
    if isinstance(node.value, list):
        for item in node.value:
            for sub in item if isinstance(item, tuple) else (item,):
                _tags(sub, out)
    else:
        out.append((str(node.tag), node.value))
    return out


def test_reused_composer_resolves_as_a_fresh_one() -> None:
    for doc in DOCS:
        try:
            fresh = _tags(YAML(typ="safe", pure=False).compose(doc), [])
        except Exception as exc:  # noqa: BLE001 - the same refusal is expected from ours
            fresh = type(exc).__name__
        try:
            ours = _tags(yamlfile._composer().compose(doc), [])
        except Exception as exc:  # noqa: BLE001
            ours = type(exc).__name__
        finally:
            yamlfile._composer().doc_infos.clear()
        assert ours == fresh, doc
        if isinstance(fresh, list):  # the fast tag is the tag ruamel gives
            node = yamlfile._composer().compose(doc)
            yamlfile._composer().doc_infos.clear()
            for key, value in node.value:
                assert yamlfile._tag(key) == str(key.tag)
                if not isinstance(value.value, list):
                    assert yamlfile._tag(value) == str(value.tag)


def test_composer_keeps_nothing_between_parses() -> None:
    for _ in range(50):
        yamlfile.parse("a: 1\n")
        yamlfile.parse("a: [1\n")  # a refusal too
    assert yamlfile._composer().doc_infos == []


def test_parse_in_threads_gives_the_same_answer() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    expected = yamlfile.parse(text)
    got: list = []

    def work() -> None:
        for _ in range(5):
            p = yamlfile.parse(text)
            got.append((p.data, p.lines, p.raw, p.findings))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 20
    assert all(g == (expected.data, expected.lines, expected.raw, expected.findings) for g in got)


def test_scalar_read_back_remembered_gives_the_same_text() -> None:
    samples = ["青山镇人民政府", "0571-1234567", "yes", "12", "0x10", " lead", "a: b", "null", "2024-01-02", "#x", "x" * 300, "x " * 150]
    for text in samples * 2:
        assert reportfile.scalar(text) == (text if reportfile._reads_back_parsed(text) and reportfile._PLAIN.fullmatch(text) else json.dumps(text, ensure_ascii=False))
    assert reportfile._reads_back_cached.cache_info().maxsize is not None


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.yaml"))]
    base = EXAMPLE.read_text(encoding="utf-8")
    texts.append(base.replace("name: 青山镇人民政府", "name: 青山镇\x07人民政府", 1))  # a control character: the loader's own parse
    texts.append(base.replace("year: 2023", "year: 2023\nyear: 2024", 1))  # a key twice
    texts.append(base.replace("licensing:", "licensing: 12件 #", 1))
    return texts


def test_load_text_with_the_parse_given_finds_the_same() -> None:
    from nianbao.read.load import load_text

    for text in _texts():
        parsed = yamlfile.parse(text)
        before = (yamlfile.tree_copy(parsed.data), dict(parsed.lines), dict(parsed.raw), list(parsed.findings))
        plain, shared = load_text(text), load_text(text, parsed=parsed)
        assert shared.findings == plain.findings
        assert (shared.report is None) == (plain.report is None)
        if plain.report is not None:
            assert shared.report.data == plain.report.data and shared.report.lines == plain.report.lines
        assert (parsed.data, parsed.lines, parsed.raw, parsed.findings) == before  # the caller's parse untouched


def test_editor_save_leaves_its_cached_parse_as_it_was() -> None:
    from nianbao.workflows import editing as editor

    text = EXAMPLE.read_text(encoding="utf-8")
    kept = yamlfile.tree_copy(editor.read(text).data)
    new = editor.apply(text, {"proactive.licensing": "99", "applications.new.0": "", "unit.name": "某某"})
    editor.evaluate(new, text.replace("year: 2023", "year: 2022", 1))
    editor.summary(text, new)
    editor.computed(new)["applications.new.0"] = "x"  # a caller changing what it got
    editor.form(new)["values"].clear()
    assert editor.read(text).data == kept
    assert editor.form(new)["values"]["proactive.licensing"] == "99"
    assert "x" not in editor.computed(new).values()


def test_leftovers_remembered_give_what_the_rule_finds() -> None:
    from nianbao.check import rules
    from nianbao.model.standard import SPECS

    spec = SPECS["v2021"]
    hint = rules.template_hints(spec)[0]
    for text in ["本年度工作扎实。", f"第一段\n{hint}\n# 注释", "#话题 不是注释", "x" * (rules.LEFTOVERS_CACHED + 1) + "\n# 注释"]:
        first, again = rules.leftovers(text, spec), rules.leftovers(text, spec)
        assert first == again == rules._leftovers_of(text, spec)
        again.clear()  # a caller's list is its own
        assert rules.leftovers(text, spec) == first


# -- a save's change, written and never read back, is what reading its text gives ---------------------------
_TYPED = ["", "0", "12", "１２", "12件", "1,200", "0x10", "2.50", "-3", "1e3", "  7 ", "null", "yes", "2024-01-15", "2024年1月15日",
          "abc\n", "两行\n第二行", "  缩进开头\n下一行", "# 像注释", "a: b", "\"引号\"", "'单引号'", "行尾空格  ", "[1, 2]", "x\r\ny",
          "tab\there", "…", "【待补充】", "\n\n前后空行\n\n", "- 列表", "? 问号", "|", ">", "&锚", "*别名", "%25", "@at", "`反引号`",
          "多\n\n段\n\n落", "\u3000全角空格开头"]


def _same_as_read(made) -> None:
    from nianbao.workflows import editing as editor

    fresh = editor._reading(made.text)
    if made.written:  # the text a save wrote (a few lines written again in the version before's) is the writer's whole text
        assert made.text == reportfile.dump(fresh.spec, fresh.tree(), header=fresh.header, notes=dict(fresh.notes))
    assert made.parsed.data == fresh.parsed.data
    assert [type(v) for v in _leaves(made.parsed.data)] == [type(v) for v in _leaves(fresh.parsed.data)]
    assert made.parsed.lines == fresh.parsed.lines
    assert made.parsed.raw == fresh.parsed.raw
    assert (made.header, dict(made.notes), dict(made.values)) == (fresh.header, dict(fresh.notes), dict(fresh.values))
    assert made.checked[1] == fresh.checked[1]
    assert dict(made.computed) == dict(fresh.computed)


def _leaves(value) -> list:
    if isinstance(value, dict):
        return [leaf for key in value for leaf in _leaves(value[key])]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def test_a_change_made_without_reading_its_text_is_what_reading_it_gives() -> None:
    """Every kind of input, with what clerks type (full-width digits, units, blocks, quotes, YAML's
    own marks): the Reading a save makes equals the one reading its text makes — data and their
    types, lines, scalar texts, notes, the form's values, findings and totals."""
    import random

    from nianbao.workflows import editing as editor

    base = editor.read(editor.canonical(EXAMPLE.read_text(encoding="utf-8")))
    names = list(editor._known(base.spec.id, base.overview_text))
    rng = random.Random(29)
    for n in range(150):
        values = {name: rng.choice(_TYPED) for name in rng.sample(names, rng.randint(1, 4))}
        try:
            made = editor.change(base, values)
        except editor.EditorError:
            continue
        assert made.written or made.text == base.text
        _same_as_read(made)
        base = made if n % 3 else base  # chains of changes, and branches from one version


def test_a_change_of_a_hand_written_file_reads_its_first_text() -> None:
    """A version whose text is not the writer's (written by hand, restored as it was) is not
    trusted to give the next one's reading: that one is read, and from then on written."""
    from nianbao.workflows import editing as editor

    text = EXAMPLE.read_text(encoding="utf-8").replace("year: 2023", "year:    2023", 1)
    base = editor.read(text)
    assert base.canonical != base.text
    made = editor.change(base, {"proactive.licensing": "5"})
    assert not made.written
    _same_as_read(made)
    again = editor.change(made, {"proactive.licensing": "6"})
    assert again.written
    _same_as_read(again)
