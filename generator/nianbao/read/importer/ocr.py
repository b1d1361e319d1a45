"""The offline OCR engine of the ``ocr`` extra: a page image → text boxes with positions and
recognition confidences.

RapidOCR runs the PP-OCR detection and recognition models on ONNX Runtime's CPU provider.
The models are the ones inside the ``rapidocr`` wheel, named here by path, so nothing is
ever downloaded and nothing is sent anywhere (a government intranet has no internet, and
a scan of a report is the unit's document).  Without the extra, :func:`available` is
false and the readers keep telling the clerk what to install.

Two settings differ from RapidOCR's defaults, each for a reason:

* every box is kept whatever its confidence (RapidOCR drops those under 0.5): a digit
  read with doubt must reach the arithmetic confirmation as a doubtful figure, not
  vanish and leave a cell that looks printed empty (a zero);
* the recognizer's narrowest input is 96 pixels instead of 320: a table is mostly one-
  and two-digit cells, and padding each to a line's width cost twice the work for the
  same reading (measured on a JPEG scan: every digit ≥ 0.995 at 96 and at 320; at 48
  the confidence of some zeros fell to 0.76).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

INSTALL = 'pip install "nianbao[ocr]"'
MISSING = f"读取扫描件需要安装识别组件：在 nianbao 所在的环境中运行 {INSTALL}（离线安装见 docs/离线安装.md），不需要联网识别"


@dataclass(frozen=True)
class Box:
    """A run of text the engine found: its text, confidence (0–1) and axis-aligned box in
    the page's pixels."""

    text: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def available() -> bool:
    """The extra is installed (its packages import); the engine itself loads on first use."""
    try:
        import onnxruntime  # noqa: F401
        import rapidocr  # noqa: F401
    except Exception:  # noqa: BLE001 - a half-installed extra is as good as none
        return False
    return True


def _models() -> dict[str, Path]:
    import rapidocr

    folder = Path(rapidocr.__file__).parent / "models"
    found = {"det": sorted(folder.glob("*det*.onnx")), "rec": sorted(folder.glob("*rec*.onnx"))}
    if not found["det"] or not found["rec"]:
        raise RuntimeError(f"识别组件不完整：{folder} 中没有随安装包提供的识别模型，请重新安装（{INSTALL}）")
    return {k: v[-1] for k, v in found.items()}


@lru_cache(maxsize=1)
def engine() -> Any:
    """The engine, loaded once a process (about two seconds)."""
    from rapidocr import RapidOCR

    for name in ("RapidOCR", "rapidocr"):
        logging.getLogger(name).setLevel(logging.ERROR)  # library log lines are not the clerk's
    models = _models()
    params = {
        "Global.log_level": "error",
        "Global.use_cls": False,  # pages are upright once deskewed: no text turned 180°
        "Global.text_score": 0.0,
        "Global.max_side_len": 2400,  # a 200 dpi A4 page is read as it is
        "Det.model_path": str(models["det"]),
        "Rec.model_path": str(models["rec"]),
        "Rec.rec_img_shape": [3, 48, 96],
        "Rec.rec_batch_num": 16,
    }
    return RapidOCR(params=params)


def recognise(image: Any) -> list[Box]:
    """The text boxes of a page (an H×W or H×W×3 uint8 array), in no particular order."""
    import numpy as np

    picture = image if image.ndim == 3 else np.repeat(image[:, :, None], 3, axis=2)
    result = engine()(picture)
    boxes = getattr(result, "boxes", None)
    if boxes is None or result.txts is None:
        return []
    out = []
    for quad, text, score in zip(boxes, result.txts, result.scores):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        if text.strip():
            out.append(Box(text.strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
    return out
