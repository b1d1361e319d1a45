"""Rebuilds the committed PDF fixtures (needs LibreOffice; the tests themselves do not).

    python tests/data/published/make_pdfs.py

* ``2023-青山镇.pdf``, ``2020-白河乡.pdf``: nianbao's own DOCX of the two examples, exported.
* ``2020-南山乡-ruled.pdf``: another office's layout (tests/othertool.py): merged cells split,
  grid lines, table 三 running over pages with its header repeated.
* ``2020-南山乡-unruled.pdf``: the same without grid lines, labels wrapped in narrow columns.
* ``scan.pdf``: a page that is only a picture, as a scanner makes it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "tests"))

from othertool import build as other_tool  # noqa: E402

from nianbao.render import docx as render_docx  # noqa: E402
from nianbao.read.load import load_file  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sources = {
            "2023-青山镇": render_docx.render(load_file(ROOT / "examples" / "2023-青山镇.yaml").report, None),
            "2020-白河乡": render_docx.render(load_file(ROOT / "examples" / "2020-白河乡.yaml").report, None),
            "2020-南山乡-ruled": other_tool(ruled=True),
            "2020-南山乡-unruled": other_tool(ruled=False),
        }
        for name, data in sources.items():
            (work / f"{name}.docx").write_bytes(data)
        profile = (work / "profile").as_uri()
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                        *(str(work / f"{name}.docx") for name in sources)], check=True, capture_output=True)
        for name in sources:
            shutil.copy(work / f"{name}.pdf", HERE / f"{name}.pdf")
            print(f"wrote {HERE / f'{name}.pdf'}")
    scan()


def scan() -> None:
    """A scanned page: a picture of text, no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(image)
    for y in range(80, 800, 24):
        draw.line((60, y, 560, y), fill=90, width=2)
    image.save(HERE / "scan.pdf", "PDF", resolution=75)
    print(f"wrote {HERE / 'scan.pdf'}")


if __name__ == "__main__":
    main()
