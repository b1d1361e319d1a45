"""The bad-input corpus (tests/hostile.py, and the hostile cases the tests of issue 19 build) given to nianbao, one child process per case:
exit status, wall time and peak memory of each, against the bounds 10 s and 500 MB; no case may
end in an internal error (exit 3).

    python bench/hostile.py [--json]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "generator"))

import hostile  # noqa: E402  (tests/hostile.py: bench/, where this script is, comes after tests/ on the path)
from figures import at_most, emit, say  # noqa: E402
from test_hostile import MEASURE  # noqa: E402


def run(args: list[str], cwd: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "nianbao", *args], capture_output=True, cwd=cwd, env=env)
    return json.loads(done.stdout)


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def rows_of_issue_19(folder: Path) -> list[tuple[str, list[str]]]:
    """Hidden text, look-alike characters, typed totals, remapped hidden sheets, odd numbers and
    years, unlisted units, GBK names, bounded default texts: each a case built by its test."""
    import test_county_trust as county
    import test_values as values
    import test_visible as visible
    import test_workbook_trust as workbook

    def place(name: str) -> Path:
        (folder / name).mkdir()
        return folder / name

    out = str(folder / "out")
    rows: list[tuple[str, list[str]]] = [
        ("HTML display:none digit in a cell", ["import", str(_file(folder, "hidden.html", visible.build_html('12<span style="display:none">0</span>'))), "-o", out]),
        ("HTML class hidden by <style>", ["import", str(_file(folder, "cls.html", visible.build_html('12<span class="fn">0</span>', ".fn{display:none}"))), "-o", out]),
        ("HTML white digit", ["import", str(_file(folder, "white.html", visible.build_html('12<span style="color:#fff">0</span>'))), "-o", out]),
        ("HTML <sup> footnote mark", ["import", str(_file(folder, "sup.html", visible.build_html("12<sup>1</sup>"))), "-o", out]),
        ("DOCX w:vanish run in a cell", ["import", str(_file(folder, "hidden.docx", visible.build_docx("<w:r><w:rPr><w:vanish/></w:rPr><w:t>0</w:t></w:r>"))), "-o", out]),
        ("DOCX 12① in a cell", ["import", str(_file(folder, "marked.docx", visible.build_docx(cell="<w:p><w:r><w:t>12①</w:t></w:r></w:p>"))), "-o", out]),
        ("PDF invisible glyphs", ["import", str(_file(folder, "hostile.pdf", visible.build_hostile_pdf())), "-o", out]),
        ("XLSX total typed over formula", ["check", str(workbook.typed_over_a_row_total(place("t1")))]),
        ("XLSX （七）总计 typed over", ["check", str(workbook.typed_over_the_results_total(place("t2")))]),
        ("XLSX 表四 总计 typed over", ["check", str(workbook.typed_over_an_appeal_total(place("t3")))]),
        ("XLSX total formula changed", ["check", str(workbook.changed_total_formula(place("t4")))]),
        ("XLSX hidden sheet remapped", ["check", str(workbook.remapped_hidden_sheet(place("t5")))]),
        ("XLSX array formula in figures", ["check", str(workbook.formulas_in_number_cells(place("t6")))]),
        ("YAML count 0x10", ["check", str(values.yaml_count_written_as(place("v1"), "0x10"))]),
        ("YAML count of 5 000 digits", ["check", str(values.yaml_count_written_as(place("v2"), "1" * 5000))]),
        ("YAML year 99999", ["render", str(values.yaml_year(place("v3"), "99999")), "-o", out]),
        ("YAML unit name with U+202E", ["render", str(values.yaml_bidi_unit_name(place("v4"))), "-o", out, "--to", "txt,html"]),
    ]
    import test_office_network as office_network
    import test_reference_safety as reference

    base = subprocess.run([sys.executable, "-m", "nianbao", "reference-docx", str(folder / "base.docx")], capture_output=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT / "generator")))
    assert base.returncode == 0, base.stderr
    base_bytes = (folder / "base.docx").read_bytes()
    styled = reference.hostile_reference(place("ref"), base_bytes, "http://127.0.0.1:9/pixel.png")
    macros = reference.hostile_reference(place("ref-vba"), base_bytes, "http://127.0.0.1:9/pixel.png", macros="vba")
    example = str(hostile.EXAMPLE_2023)
    rows.append(("reference with VBA, links, template", ["render", example, "-o", out, "--to", "docx,pdf", "--reference-docx", str(styled)]))
    rows.append(("reference with VBA refused", ["render", example, "-o", out, "--reference-docx", str(macros)]))
    rows.append(("ODT zip bomb", ["import", str(office_network.odt_zip_bomb(place("odt1"))), "-o", out]))
    rows.append(("ODT entity bomb", ["import", str(office_network.odt_entity_bomb(place("odt2"))), "-o", out]))
    typo = place("typo")
    rows.append(("batch: unit not on the list", ["batch", str(county.typo_inbox(typo)), "-o", out, "--units", str(typo / "名单.txt")]))
    rows.append(("batch: GBK file names", ["batch", str(county.gbk_named_inbox(place("gbk"))), "-o", str(folder / "gbk-out")]))
    rows.append(("aggregate: GBK file names", ["aggregate", str(folder / "gbk" / "收回"), "-o", str(folder / "gbk-sum" / "全县.yaml")]))
    rows.append(("batch: records of over 1 MB", ["batch", str(county.oversized_records(place("rec"))), "-o", str(folder / "rec" / "out")]))
    for name, (template, _said) in county.BOMBS.items():
        here = place(f"bomb-{name}")
        inbox = county.defaults_bomb(here, template)
        rows.append((f"defaults: {name}", ["batch", str(inbox), "-o", str(here / "out"), "--defaults", str(here / "默认文字.yaml"), "--jobs", "2"]))
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"))
        subprocess.run([sys.executable, "-m", "nianbao", "render", str(hostile.EXAMPLE_2023), "-o", str(folder / "r")], check=True, capture_output=True, env=env)
        subprocess.run([sys.executable, "-m", "nianbao", "sheet", "--year", "2025", "--unit", "青山镇人民政府", "-o", str(folder / "s.xlsx")], check=True, capture_output=True, env=env)
        docx = next((folder / "r").glob("*.docx")).read_bytes()
        workbook = (folder / "s.xlsx").read_bytes()
        files = [
            ("YAML alias bomb", "check", hostile.yaml_aliases(folder)),
            ("YAML brackets 100 000 deep", "check", hostile.yaml_deep(folder)),
            ("YAML indentation 2 800 deep", "check", hostile.yaml_deep_block(folder)),
            ("YAML 50 MB", "check", hostile.yaml_50mb(folder)),
            ("DOCX zip bomb (200 MB part)", "import", hostile.docx_zip_bomb(folder)),
            ("DOCX XML entity bomb", "import", hostile.docx_entity_bomb(folder)),
            ("DOCX truncated", "import", hostile.truncated_docx(folder, docx)),
            ("text named .docx", "import", hostile.text_named_docx(folder)),
            ("XLSX zip bomb (200 MB sheet)", "check", hostile.xlsx_zip_bomb(folder, workbook)),
            ("XLSX XML entity bomb", "check", hostile.xlsx_entity_bomb(folder, workbook)),
            ("XLSX 1 000 000 rows", "check", hostile.xlsx_million_rows(folder, workbook)),
            ("HTML 50 MB", "import", hostile.huge_html(folder)),
            ("HTML 200 000 nested div", "import", hostile.deep_html(folder)),
            ("TXT 50 MB", "import", hostile.big_text(folder)),
            ("PDF 20 MB of junk", "import", hostile.junk_pdf(folder)),
            ("TXT 1 300 000 lines (5 MB)", "import", hostile.text_of_many_lines(folder)),
            ("HTML 600 000 paragraphs", "import", hostile.html_of_many_paragraphs(folder)),
            ("DOCX 600 000 paragraphs", "import", hostile.docx_of_many_paragraphs(folder)),
        ]
        cases = [(title, [command, str(path)] + (["-o", str(folder / "out")] if command == "import" else [])) for title, command, path in files]
        cases += rows_of_issue_19(folder)
        quiet = "--json" in sys.argv[1:]
        say(f"{'case':34} {'command':9} exit  seconds  peak MB  first line said", quiet=quiet)
        worst = 0.0, 0.0
        internal = 0
        for title, args in cases:
            result = run(args, folder)
            said = next((line.strip() for line in (result["out"] + result["err"]).splitlines() if "[错误" in line), "")
            mb = f"{result['mb']:.0f}" if result["mb"] is not None else "-"
            worst = max(worst[0], result["seconds"]), max(worst[1], result["mb"] or 0.0)
            internal += result["code"] == 3
            say(f"{title:34} {args[0]:9} {result['code']:>4}  {result['seconds']:7.2f}  {mb:>7}  {said[:60]}", quiet=quiet)
        say(f"{len(cases)} cases; slowest {worst[0]:.2f} s of the 10 s bound ({worst[0] / 10:.2f}), "
            f"largest {worst[1]:.0f} MB of the 500 MB bound ({worst[1] / 500:.2f}); {internal} internal errors (exit 3)", quiet=quiet)
        if quiet:
            emit([at_most(f"hostile files ({len(cases)}): slowest", worst[0], 10, "s"),
                  at_most(f"hostile files ({len(cases)}): largest memory", worst[1], 500, "MB"),
                  at_most("hostile files: internal errors (exit 3)", internal, 0, "cases", "0")])


if __name__ == "__main__":
    main()
