"""The committed JSON Schema matches the model; every official label is typed once."""

from __future__ import annotations

import json
import re

from conftest import ROOT

from nianbao.model.schema import json_schema
from nianbao.model.standard import SPECS, spec_for_year


def test_committed_schema_is_up_to_date():
    committed = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: nianbao schema > schemas/report.schema.json"


def test_every_field_has_a_chinese_title():
    schema = json_schema()
    for name, definition in schema["$defs"].items():
        assert re.search(r"[\u4e00-\u9fff]", definition["title"]), name
        for key, prop in definition.get("properties", {}).items():
            if "$ref" in prop:  # a nested table: its title is on the definition
                prop = schema["$defs"][prop["$ref"].rsplit("/", 1)[1]]
            assert re.search(r"[\u4e00-\u9fff]", prop.get("title", "")), f"{name}.{key}"


def test_format_follows_the_year():
    assert spec_for_year(2018) is None
    assert spec_for_year(2019).id == spec_for_year(2020).id == "v2019"
    assert spec_for_year(2021).id == spec_for_year(2035).id == "v2021"


def _labels():
    for spec in SPECS.values():
        for section in spec.sections:
            yield section.heading
        for group in spec.table2:
            yield group.article
            yield from (c.label for c in group.columns)
            yield from (i.label for i in group.items)
        for line, _ in spec.table3.walk():
            yield line.label
        yield from (c.label for c in spec.table3.all_columns)
        yield from (g.label for g in spec.table4.groups)


def test_no_official_label_is_typed_twice():
    """A label lives in exactly one place of the package source (the spec)."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "generator" / "nianbao").rglob("*.py")]
    sources += [p.read_text(encoding="utf-8") for p in (ROOT / "templates").glob("*.j2")]
    labels = set(_labels())
    for label in labels:
        bare = re.sub(r"^(\d+\.|（[一二三四五六七]）|[一二三四五六]、)", "", label)
        quoted = {f'"{label}"'} | (set() if bare in labels else {f'"{bare}"'})
        count = sum(source.count(q) for source in sources for q in quoted)
        # 其他 is two labels that happen to read alike: a column of 表三 and item （六）3.
        assert count <= (2 if label == "其他" else 1), f"{label} is written {count} times"


def test_table3_sizes():
    v2019, v2021 = SPECS["v2019"].table3, SPECS["v2021"].table3
    assert len(list(v2021.data_lines())) == 25 and len(list(v2021.leaves())) == 21
    assert len(list(v2019.data_lines())) == 23 and len(list(v2019.leaves())) == 19
