"""nianbao export: the site's newest reports back out as the report files the command line reads
(byte for byte what the site holds), and 汇总.xlsx from batch's own check-only run — so that
``nianbao check`` and ``nianbao aggregate`` over the exported folder read the site's figures."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest
from conftest import EXAMPLE_2023, edit
from openpyxl import load_workbook
from pgserver import pg_url  # noqa: F401 - a fixture, used by name

from nianbao.model.yamlfile import parse
from nianbao.serve import db
from nianbao.serve.store import ADMIN, APPROVED, SUBMITTED, Store

QS = EXAMPLE_2023.read_text(encoding="utf-8")  # 青山镇人民政府 2023: licensing 12, penalties 3, new [5, 1, 0, 0, 1, 0, 7]
BH = edit(edit(edit(QS, "name: 青山镇人民政府 ", "name: 白河乡人民政府 "), "licensing: 12", "licensing: 30"), "penalties: 3 ", "penalties: 8 ")
BH = edit(BH, "review: [1, 0, 0, 0, 1]", "review: [0, 1, 0, 0, 1]")
COUNTY = edit(QS, "name: 青山镇人民政府 ", "name: 临溪县汇总     ")


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    """(the `export` arguments for the site, its store) on either database."""
    folder = tmp_path / "site"
    folder.mkdir()
    if request.param == "sqlite":
        store = Store.for_site(folder, None)
        args: tuple[str, ...] = (str(folder),)
    else:
        url = request.getfixturevalue("pg_url")
        store = Store(url)
        args = ("--db", url)
    store.set_year(2023)
    store.set_county_name("临溪县")
    yield args, store
    store.close()


def fill(store: Store) -> dict[str, int]:
    """Three units on the list: two with reports (one approved after a second version), one
    that has not started; and the county's own report, which is not a unit's."""
    (qs, _), (bh, _), (lz, _) = store.add_units(["青山镇人民政府", "白河乡人民政府", "绿竹村委会"], ADMIN, "")
    store.save(qs.id, 2023, QS.replace("216条", "200条"), base=0, author="青山镇人民政府", address="", summary=[], errors=0, warnings=0)
    store.save(qs.id, 2023, QS, base=1, author="青山镇人民政府", address="", summary=[], errors=0, warnings=0)
    store.set_status(qs.id, 2023, SUBMITTED, actor="青山镇人民政府", address="")
    store.set_status(qs.id, 2023, APPROVED, actor=ADMIN, address="")
    store.save(bh.id, 2023, BH, base=0, author="白河乡人民政府", address="", summary=[], errors=0, warnings=0)
    store.save(store.county_unit().id, 2023, COUNTY, base=0, author=ADMIN, address="", summary=[], errors=0, warnings=0)
    return {"qs": qs.id, "bh": bh.id, "lz": lz.id}


def test_export_then_check_and_aggregate_read_the_same_figures(cli, site, tmp_path):
    args, store = site
    fill(store)
    out = tmp_path / "导出"
    result = cli("export", *args, "-o", out)
    assert result.code == 0, result
    year = out / "2023年度"  # one folder a year: the folder batch and aggregate are given
    assert "已导出 2023年度/青山镇人民政府2023.yaml：第2版，青山镇人民政府于".replace("/", os.sep) in result.out
    assert "已导出 2023年度/白河乡人民政府2023.yaml：第1版".replace("/", os.sep) in result.out
    assert "已导出 2023年度/临溪县（汇总）2023.yaml（县本级汇总报告）：第1版，admin于".replace("/", os.sep) in result.out
    assert f"汇总表：{year / '汇总.xlsx'}（2023年，2份报告，名单上3个单位）；其中1个单位有错误或未填写" in result.out
    # the very texts the site holds
    assert (year / "青山镇人民政府2023.yaml").read_bytes() == QS.encode("utf-8")
    assert (year / "白河乡人民政府2023.yaml").read_bytes() == BH.encode("utf-8")
    assert (year / "临溪县（汇总）2023.yaml").read_bytes() == COUNTY.encode("utf-8")
    snapshot = ["网站数据库备份.db"] if args[0] != "--db" else []
    assert sorted(p.name for p in out.iterdir()) == sorted(["2023年度", *snapshot])
    assert sorted(p.name for p in year.iterdir()) == sorted([".nianbao-生成记录.json", "临溪县（汇总）2023.yaml", "汇总.xlsx", "白河乡人民政府2023.yaml",
                                                             "青山镇人民政府2023.yaml", "名单.txt"])
    assert (year / "名单.txt").read_text(encoding="utf-8").splitlines()[1:] == ["青山镇人民政府", "白河乡人民政府", "绿竹村委会"]  # the site's list travels
    assert ("数据库备份：" in result.out) == bool(snapshot) and ("请另用 pg_dump 备份整个数据库" in result.out) == (not snapshot)
    assert store.audit_log(1)[0].action == "导出" and store.audit_log(1)[0].detail == f"2份单位报告到 {out}"
    # check reads each as the site did: no error
    for name in ("青山镇人民政府2023.yaml", "白河乡人民政府2023.yaml"):
        checked = cli("check", year / name)
        assert checked.code == 0, checked
    # aggregate sums the two units' figures, never the county's own report again
    total = tmp_path / "汇总结果" / "临溪县2023.yaml"
    summed = cli("aggregate", year, "-o", total, "--unit", "临溪县")
    assert summed.code == 1, summed  # the list travelled with the export: the unit that sent nothing is named, the total is said incomplete
    assert f"按 {year / '名单.txt'} 中的3个单位核对是否交齐" in summed.err and "绿竹村委会：名单上的这个单位没有交回报告" in summed.err
    assert "不完整的汇总：只计入2个单位，1个单位未交回" in summed.out
    data = parse(total.read_text(encoding="utf-8")).data
    assert data["proactive"]["licensing"] == 12 + 30
    assert data["proactive"]["penalties"] == 3 + 8
    assert data["applications"]["new"] == [10, 2, 0, 0, 2, 0]  # the total column is computed, not written
    assert data["appeals"]["review"] == [1, 1, 0, 0]
    assert "已跳过" in summed.err and "临溪县（汇总）2023.yaml" in summed.err
    # 汇总.xlsx: batch's worklist, in the list's order, with the unit that sent nothing
    sheet = load_workbook(year / "汇总.xlsx")["单位"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[1], r[2], r[4], r[5]) for r in rows] == [("青山镇人民政府", 2023, "已生成", 0), ("白河乡人民政府", 2023, "已生成", 0),
                                                         ("绿竹村委会", None, "未交回", 1)]
    # the same counts as nianbao batch gives over the same files
    batch = cli("batch", year, "-o", tmp_path / "批量", "--to", "txt")
    assert batch.code == 1, batch  # 绿竹村委会 did not reply, as the export's own summary says
    batch_rows = [[c.value for c in row] for row in load_workbook(tmp_path / "批量" / "汇总.xlsx")["单位"].iter_rows(min_row=2)]
    assert sorted((r[1], r[4], r[5], r[6], r[7]) for r in batch_rows) == sorted((r[1], r[4], r[5], r[6], r[7]) for r in rows)


def test_export_again_keeps_a_changed_file_and_not_an_unchanged_one(cli, site, tmp_path):
    args, store = site
    ids = fill(store)
    out = tmp_path / "导出"
    assert cli("export", *args, "-o", out).code == 0
    changed = edit(BH, "licensing: 30", "licensing: 31")
    store.save(ids["bh"], 2023, changed, base=1, author="白河乡人民政府", address="", summary=[], errors=0, warnings=0)
    result = cli("export", *args, "-o", out)
    assert result.code == 0, result
    assert "白河乡人民政府2023.yaml：第2版" in result.out and "原有的文件已备份为 白河乡人民政府2023.yaml.bak" in result.out
    year = out / "2023年度"
    assert (year / "白河乡人民政府2023.yaml.bak").read_bytes() == BH.encode("utf-8")
    assert (year / "白河乡人民政府2023.yaml").read_bytes() == changed.encode("utf-8")
    assert not (year / "青山镇人民政府2023.yaml.bak").exists()
    assert "备份" not in result.out.split("青山镇人民政府2023.yaml")[1].splitlines()[0]


def test_other_years_in_folders_of_their_own(cli, site, tmp_path):
    args, store = site
    ids = fill(store)
    last = edit(edit(QS, "year: 2023 ", "year: 2022 "), "date: 2024-01-18", "date: 2023-01-18")
    store.save(ids["qs"], 2022, last, base=0, author="青山镇人民政府", address="", summary=[], errors=0, warnings=0)
    out = tmp_path / "导出"
    result = cli("export", *args, "-o", out)
    assert result.code == 0, result
    assert (out / "2022年度" / "青山镇人民政府2022.yaml").read_bytes() == last.encode("utf-8")
    assert f"2022年的报告在 {out / '2022年度'}（汇总表只列2023年）" in result.out
    # aggregate over the year's folder counts that year only (no file set aside as 不是本年度, as when the years shared a folder);
    # the folder's unit list names the one unit that sent nothing
    summed = cli("aggregate", out / "2023年度", "-o", tmp_path / "t.yaml", "--unit", "临溪县")
    assert summed.code == 1 and "不是本年度" not in summed.err and "绿竹村委会：名单上的这个单位没有交回报告" in summed.err
    assert "本次计入2023年度（2021年修订格式）的报告（全部2个文件都是这一年度）" in summed.err.splitlines()[0]
    assert [r[1].value for r in load_workbook(out / "2023年度" / "汇总.xlsx")["单位"].iter_rows(min_row=2)] == ["青山镇人民政府", "白河乡人民政府", "绿竹村委会"]


def test_the_unit_list_travels_with_the_export_and_aggregate_names_the_units_missing(cli, tmp_path):
    """The README's path — export the site, then aggregate the year's folder — on a site of 6
    units of which 1 has a report: the county total says it is 1 of 6 and names the 5 others
    (it said nothing and exited 0 before the export wrote the site's unit list beside the reports)."""
    store = Store.for_site(tmp_path / "site", None)
    try:
        store.set_year(2023)
        names = ["青山镇人民政府", "白河乡人民政府", "绿竹村委会", "柳林镇人民政府", "石桥镇人民政府", "东湖镇人民政府"]
        added = store.add_units(names, ADMIN, "")
        store.save(added[0][0].id, 2023, QS, base=0, author="青山镇人民政府", address="", summary=[], errors=0, warnings=0)
    finally:
        store.close()
    assert cli("export", tmp_path / "site", "-o", tmp_path / "备份").code == 0
    year = tmp_path / "备份" / "2023年度"
    result = cli("aggregate", year, "-o", tmp_path / "全县汇总.yaml", "--unit", "临溪县人民政府")
    assert result.code == 1, result
    said = result.err.splitlines()
    assert said[0] == "本次计入2023年度（2021年修订格式）的报告"  # one file: the year counted, first
    assert said[1].startswith(f"按 {year / '名单.txt'} 中的6个单位核对是否交齐")
    assert [line for line in said if "名单上的这个单位没有交回报告" in line] == [f"{name}：名单上的这个单位没有交回报告" for name in names[1:]]
    assert "不完整的汇总：只计入1个单位，5个单位未交回（见上），改正后请重新汇总" in result.out
    header = (tmp_path / "全县汇总.yaml").read_text(encoding="utf-8").splitlines()[1]
    assert header == "# 注意：以下单位未交回：" + "、".join(names[1:])
    # a list given on the command line wins over the folder's, and says so
    names_file = tmp_path / "名单.txt"
    names_file.write_text("青山镇人民政府\n", encoding="utf-8")
    again = cli("aggregate", year, "-o", tmp_path / "全县汇总.yaml", "--units", names_file)
    assert again.code == 0 and f"注意：已给出 --units {names_file}，文件夹中的 {year / '名单.txt'} 未使用" in again.err


# -- hostile sites (builders for bench/hostile.py: `nianbao export SITE -o OUT`, `nianbao serve SITE`) --------
def broken_site(folder: Path) -> Path:
    """A site folder whose nianbao.db is not a database at all (a disk error, a file copied over it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nianbao.db").write_bytes(b"\x00" * 4096 + b"not sqlite")
    return folder


def newer_site(folder: Path) -> Path:
    """A site a later nianbao made: its schema revision is unknown to this one."""
    Store.for_site(folder, None).close()
    with sqlite3.connect(folder / "nianbao.db") as c:
        c.execute("UPDATE alembic_version SET version_num = '0099'")
    return folder


def foreign_site(folder: Path) -> Path:
    """A nianbao.db that another program made (its own tables, no nianbao schema)."""
    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / "nianbao.db") as c:
        c.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        c.execute("INSERT INTO invoices VALUES (1, 9.5)")
    return folder


def _contents(path: Path) -> object:
    """What a database holds and its journal mode (a WAL file's bytes move at every checkpoint);
    the bytes themselves for a file that is no database."""
    try:
        with sqlite3.connect(path) as c:
            return c.execute("PRAGMA journal_mode").fetchone(), list(c.iterdump())
    except sqlite3.DatabaseError:
        return path.read_bytes()


@pytest.mark.parametrize(("build", "said"), [
    (broken_site, "站点文件夹中的数据库无法打开（file is not a database）：文件可能已损坏或不是 nianbao 的数据库；请从备份恢复，或换一个站点文件夹"),
    (newer_site, "这个数据库是较新版本的 nianbao 建立的（结构版本 0099），本版本无法使用：请升级 nianbao"),
    (foreign_site, "这个数据库中已有其他程序的数据表（invoices），不是 nianbao 网站的数据库：请换一个空的数据库"),
])
def test_unusable_sites_are_said_not_touched(cli, tmp_path, build, said):
    site = build(tmp_path / "site")
    before = _contents(site / "nianbao.db")
    result = cli("export", site, "-o", tmp_path / "out")
    assert (result.code, result.out) == (1, "") and said in result.err and "Traceback" not in result.err
    with socket.socket() as probe:  # a free port: serve refuses the database before it serves anything
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = cli("serve", site, "--no-browser", "--port", port)
    assert served.code == 1 and said in served.err and "Traceback" not in served.err + served.out
    assert _contents(site / "nianbao.db") == before  # left as it was: nothing migrated, nothing written, its journal mode kept
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_empty_site_and_unusable_databases(cli, tmp_path):
    folder = tmp_path / "site"
    Store.for_site(folder, None).close()
    result = cli("export", folder, "-o", tmp_path / "out")
    assert result.code == 0, result
    assert "网站中还没有任何单位保存过报告。" in result.out
    assert not (tmp_path / "out" / "汇总.xlsx").exists()
    result = cli("export", "--db", "postgresql://nianbao:pw-not-shown@127.0.0.1:1/none", "-o", tmp_path / "out3")
    assert result.code == 1 and "无法连接数据库" in result.err and "pw-not-shown" not in result.err
    result = cli("export", tmp_path / "nothing-here", "-o", tmp_path / "out4")
    assert result.code == 2 and "没有网站的数据库" in result.err


def test_unwritable_report_is_said_and_fails(cli, tmp_path):
    folder = tmp_path / "site"
    store = Store.for_site(folder, None)
    store.set_year(2023)
    fill(store)
    store.close()
    out = tmp_path / "out"
    (out / "2023年度" / "白河乡人民政府2023.yaml").mkdir(parents=True)  # a folder where the file goes: it cannot be written
    result = cli("export", folder, "-o", out)
    assert result.code == 1, result
    assert "未能写出 白河乡人民政府2023.yaml" in result.err
    assert (out / "2023年度" / "青山镇人民政府2023.yaml").read_bytes() == QS.encode("utf-8")


def test_export_names_are_safe_file_names(tmp_path):
    from nianbao.serve.export import file_stem

    assert file_stem("青山镇/人民政府:办公室", 2023) == "青山镇_人民政府_办公室2023"
    assert file_stem("CON", 2023) == "CON2023"
    assert db.SQLITE_NAME == "nianbao.db"


def test_snapshot_restores_the_whole_site(cli, tmp_path):
    """The database copy export writes beside the files, put back as a site's nianbao.db, is the
    site: every version, comment and audit row — taken while the site had a writer open."""
    folder = tmp_path / "site"
    store = Store.for_site(folder, None)
    store.set_year(2023)
    ids = fill(store)
    store.add_comment(ids["bh"], 2023, "表三", "请核对", actor=ADMIN, address="10.0.0.1")
    out = tmp_path / "out"
    assert cli("export", folder, "-o", out).code == 0
    store.close()
    restored = tmp_path / "restored"
    restored.mkdir()
    (out / "网站数据库备份.db").rename(restored / "nianbao.db")
    again = Store.for_site(restored, None)
    try:
        with again.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert [v.number for v in again.versions(ids["qs"], 2023)] == [2, 1]
        assert again.version(ids["qs"], 2023, 1).text == QS.replace("216条", "200条")
        assert [c.text for c in again.comments(ids["bh"], 2023)] == ["请核对"]
        assert again.audit_log(1)[0].action == "导出"
        assert [u.name for u in again.units(2023)] == ["青山镇人民政府", "白河乡人民政府", "绿竹村委会"]
    finally:
        again.close()
