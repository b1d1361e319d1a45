"""A generated county for the overview's tests and its timing: N report files made from the
bundled 2023 example, each unit with its own name and its own figures (balanced, so that
check passes), and optionally last year's files of the same units.

``bench/compare.py`` calls :func:`time_overview` (``python -c "…time_overview(300)"``)."""

from __future__ import annotations

import io
import random
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "2023-青山镇.yaml"
PLACES = "青山 白沙 柳林 石桥 东湖 西岭 南坪 北塘 龙潭 凤凰 桃源 梅溪 竹园 松柏 金鸡 银河 玉泉 花垣 云台 清水".split()


def unit_name(i: int) -> str:
    """The i-th unit's name: 青山镇人民政府, 白沙镇人民政府 … then 青山第2镇人民政府 …"""
    place = PLACES[i % len(PLACES)]
    return f"{place}{'' if i < len(PLACES) else f'第{i // len(PLACES) + 1}'}镇人民政府"


def unit_data(i: int, year: int = 2023, seed: int = 0) -> dict:
    """The example's data with unit ``i``'s name, year and figures: new and carried-over
    applications split into results so that 一+二 = 三（七）+四 in every column; the
    narratives kept (their quoted figures differ: R6 warnings, as in real reports)."""
    rng = random.Random(seed * 100_003 + i)
    yaml = YAML()
    data = yaml.load(EXAMPLE.read_text(encoding="utf-8"))
    data["year"] = year
    data["unit"]["name"] = unit_name(i)
    data["unit"]["date"] = data["unit"]["date"].replace(year=year + 1)
    apps = data["applications"]
    zero = [0] * 6
    new = [rng.randint(0, 30), rng.randint(0, 4), 0, 0, rng.randint(0, 2), 0]
    carried = [rng.randint(0, 3), 0, 0, 0, 0, 0]
    pool = [a + b for a, b in zip(new, carried)]
    rows: dict[str, list[int]] = {}
    for key in ("disclosed", "partially_disclosed", "third_party_rights", "not_held", "repeated", "forward"):
        take = [rng.randint(0, p) if key != "forward" else p for p in pool]
        take = [min(t, p) for t, p in zip(take, pool)]
        pool = [p - t for p, t in zip(pool, take)]
        rows[key] = take
    apps["new"] = new
    apps["carried_over"] = carried
    apps["disclosed"] = rows["disclosed"]
    apps["partially_disclosed"] = rows["partially_disclosed"]
    for group in ("withheld", "unavailable", "not_processed", "other"):
        for key in apps[group]:
            apps[group][key] = list(zero)
    apps["withheld"]["third_party_rights"] = rows["third_party_rights"]
    apps["unavailable"]["not_held"] = rows["not_held"]
    apps["not_processed"]["repeated"] = rows["repeated"]
    del apps["total"]
    apps["carried_forward"] = rows["forward"]
    review = [rng.randint(0, 2), rng.randint(0, 1), 0, rng.randint(0, 1)]
    data["appeals"]["review"] = review
    data["appeals"]["lawsuit_direct"] = [rng.randint(0, 1), rng.randint(0, 1), 0, 0]
    fees = rng.choice([0, 0, 0, 1])
    data["processing_fees"]["notices"] = fees
    data["processing_fees"]["billed"] = fees * 100
    data["processing_fees"]["collected"] = fees * 100
    data["proactive"]["licensing"] = rng.randint(0, 200)
    return data


def _flow(node):
    """Lists written on one line, as the example writes them: ``new: [5, 1, 0, 0, 1, 0]``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap | dict):
        for key in list(node):
            node[key] = _flow(node[key])
        return node
    if isinstance(node, list):
        seq = node if isinstance(node, CommentedSeq) else CommentedSeq(node)
        seq.fa.set_flow_style()
        return seq
    return node


def dump(data: dict) -> str:
    data = _flow(data)
    yaml = YAML()
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def make_county(folder: Path, count: int, *, year: int = 2023, seed: int = 0) -> list[Path]:
    """``count`` report files of ``year`` in ``folder`` (one per unit); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{i + 1:03d}-{unit_name(i)}.yaml"
        path.write_text(dump(unit_data(i, year, seed)), encoding="utf-8")
        paths.append(path)
    return paths


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the readers' pool)."""
    import os

    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def time_overview(count: int = 300, *, previous: bool = False, folder: Path | None = None) -> dict[str, float]:
    """Seconds to build the overview of ``count`` generated units from their files — the
    page and, separately, the workbook — wall clock and CPU (this process and the
    readers' worker processes): what bench/compare.py prints.  On a shared machine the
    CPU seconds are the steadier figure."""
    import os
    import tempfile

    from nianbao.compare import overview, overview_page, overview_sheet

    with tempfile.TemporaryDirectory() as scratch:
        root = folder or Path(scratch)
        make_county(root / "本年", count)
        if previous:
            make_county(root / "上年", count, year=2022, seed=1)
        out = {"units": float(count)}
        wall, cpu = time.perf_counter(), _cpu()
        gathered = overview.gather([root / "本年"], [root / "上年"] if previous else [], None, outside=root / "out")
        out["gather_s"], out["gather_cpu_s"] = time.perf_counter() - wall, _cpu() - cpu
        wall, cpu = time.perf_counter(), _cpu()
        page = overview_page.page(gathered, jobs=os.cpu_count() or 1)
        out["html_s"], out["html_cpu_s"] = time.perf_counter() - wall, _cpu() - cpu
        wall, cpu = time.perf_counter(), _cpu()
        book = overview_sheet.workbook(gathered)
        out["xlsx_s"], out["xlsx_cpu_s"] = time.perf_counter() - wall, _cpu() - cpu
        out["total_html_s"] = out["gather_s"] + out["html_s"]
        out["total_html_cpu_s"] = out["gather_cpu_s"] + out["html_cpu_s"]
        out["html_kb"] = len(page.encode("utf-8")) / 1024
        out["xlsx_kb"] = len(book) / 1024
        return {key: round(value, 2) for key, value in out.items()}
