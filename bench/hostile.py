"""The bad-input corpus (tests/hostile.py) given to nianbao, one child process per case:
exit status, wall time and peak memory of each, against the bounds 10 s and 500 MB.

    python bench/hostile.py
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

import hostile  # noqa: E402
from test_hostile import MEASURE  # noqa: E402


def run(args: list[str], cwd: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"), PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "nianbao", *args], capture_output=True, cwd=cwd, env=env)
    return json.loads(done.stdout)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "generator"))
        subprocess.run([sys.executable, "-m", "nianbao", "render", str(hostile.EXAMPLE_2023), "-o", str(folder / "r")], check=True, capture_output=True, env=env)
        subprocess.run([sys.executable, "-m", "nianbao", "sheet", "--year", "2025", "--unit", "青山镇人民政府", "-o", str(folder / "s.xlsx")], check=True, capture_output=True, env=env)
        docx = next((folder / "r").glob("*.docx")).read_bytes()
        workbook = (folder / "s.xlsx").read_bytes()
        cases = [
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
        print(f"{'case':32} {'command':8} exit  seconds  peak MB  first line said")
        for title, command, path in cases:
            args = [command, str(path)] + (["-o", str(folder / "out")] if command == "import" else [])
            result = run(args, folder)
            said = next((line.strip() for line in (result["out"] + result["err"]).splitlines() if "[错误" in line), "")
            mb = f"{result['mb']:.0f}" if result["mb"] is not None else "-"
            print(f"{title:32} {command:8} {result['code']:>4}  {result['seconds']:7.2f}  {mb:>7}  {said[:60]}")


if __name__ == "__main__":
    main()
