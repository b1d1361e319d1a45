"""One produce path: ``render`` and ``batch`` give the same bytes for the same report and
formats, because both go through :func:`nianbao.produce.produce` (issue 21)."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE_2020, EXAMPLE_2023


@pytest.mark.parametrize("example", [EXAMPLE_2023, EXAMPLE_2020], ids=["2021-format", "2019-format"])
def test_batch_and_render_give_byte_identical_outputs(cli, tmp_path, example):
    from nianbao.render import office

    formats = "docx,txt,html,fragment" + (",pdf" if office.soffice() is not None else "")
    one, many = tmp_path / "render", tmp_path / "batch"
    source = tmp_path / "in" / example.name
    source.parent.mkdir()
    source.write_bytes(example.read_bytes())
    assert cli("render", source, "-o", one, "--to", formats).code == 0
    assert cli("batch", source.parent, "-o", many, "--to", formats, "--jobs", "1").code == 0
    rendered = {p.name: p.read_bytes() for p in one.iterdir() if p.is_file() and not p.name.startswith(".")}
    batched = {p.name: p.read_bytes() for p in many.iterdir() if p.name in rendered}
    assert len(rendered) == len(formats.split(","))
    assert batched.keys() == rendered.keys()
    for name, data in rendered.items():
        assert batched[name] == data, name
