"""The commands of the web front: serve (the site) and export (the site back out as report files).

Both import the web stack only when they run, so that ``check`` and the other commands start as
fast as before; the stack itself is an extra (``pip install ".[serve]"`` in the folder, as the README
installs it), and its absence is said as that install instruction, not a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import EXIT_FINDINGS, EXIT_OK, Usage, _folder_ok, main

_MISSING = "网页版需要另外安装：在 nianbao 文件夹中运行 pip install \".[serve]\"（Windows 用 .venv\\Scripts\\pip，其他系统用 .venv/bin/pip；缺少 {name}）"


def _stack() -> None:
    """Refuse, as a usage mistake, a machine without the site's libraries."""
    import importlib.util

    for module in ("starlette", "uvicorn", "sqlalchemy", "alembic", "argon2"):
        if importlib.util.find_spec(module) is None:
            raise Usage(_MISSING.format(name=module))


@main.command()
@click.argument("site", required=False, type=click.Path(path_type=Path), metavar="[站点文件夹]")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听的地址（默认只有本机能访问；给各单位用时写本机的局域网地址或 0.0.0.0）")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), metavar="端口", help="监听的端口")
@click.option("--db", "db_url", metavar="数据库地址", help="使用 PostgreSQL 数据库（postgresql://用户:密码@主机/库名），不用站点文件夹中的数据库")
@click.option("--units", "roster_file", type=click.Path(path_type=Path), metavar="名单文件", help="加入单位名单（.txt 每行一个，或 .xlsx 第一列），并为每个单位打印专用链接")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器")
@click.option("--public-url", metavar="地址", help="各单位访问网站用的地址（如 https://nianbao.某某县.gov.cn）：放在 HTTPS 反向代理之后时必填，见 docs/HTTPS.md")
@click.option("--trusted-proxy", "trusted", multiple=True, metavar="地址", help="只相信这个反向代理转来的客户地址和协议（X-Forwarded-For/Proto；默认有 --public-url 时为本机 127.0.0.1；可写多次或网段）")
@click.option("--cert", type=click.Path(path_type=Path, exists=True, dir_okay=False), metavar="证书文件", help="网站自己提供 HTTPS：PEM 格式的证书（与 --key 一起用）")
@click.option("--key", type=click.Path(path_type=Path, exists=True, dir_okay=False), metavar="私钥文件", help="与 --cert 配对的私钥（PEM，无口令）")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), metavar="进程数",
              help="同时处理请求的进程数（一般为本机 CPU 核数）；多个进程共用一个数据库，登录、会话和后台任务都在数据库中")
def serve(site: Path | None, host: str, port: int, db_url: str | None, roster_file: Path | None, no_browser: bool,
          public_url: str | None, trusted: tuple[str, ...], cert: Path | None, key: Path | None, workers: int) -> None:
    """启动网页版：各单位通过专用链接在浏览器中填写年报，县（区）汇总审核。"""
    _stack()
    from ..serve import server

    reach = server.front(public_url, list(trusted) if trusted else None, cert, key)  # a wrong address or certificate: exit 2 before anything starts
    if site is None and db_url is None:
        site = Path("年报网站")
    if site is not None:
        _folder_ok(site)
    names: list[str] | None = None
    if roster_file is not None:
        from . import _roster

        names, repeated = _roster(roster_file)
        if repeated:
            click.echo(f"注意：名单中重复的单位只加一次：{'、'.join(repeated)}", err=True)
    from ..serve.db import DatabaseError

    try:
        server.run(site, host=host, port=port, db=db_url, units=names, open_browser=not no_browser, reach=reach, workers=workers)
    except DatabaseError as exc:  # unreachable, made by a newer nianbao, not nianbao's: said, not a traceback
        click.echo(str(exc), err=True)
        raise SystemExit(EXIT_FINDINGS) from None


@main.command()
@click.argument("site", required=False, type=click.Path(path_type=Path), metavar="[站点文件夹]")
@click.option("--db", "db_url", metavar="数据库地址", help="从 PostgreSQL 数据库导出（postgresql://…）")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True, metavar="文件夹", help="写出报告文件和 汇总.xlsx 的文件夹")
def export(site: Path | None, db_url: str | None, out: Path) -> None:
    """把网站中每个单位的最新报告导出为报告文件（.yaml），并写出 汇总.xlsx：用于备份、迁移和命令行处理。"""
    _stack()
    if (site is None) == (db_url is None):
        raise Usage("请给出站点文件夹，或用 --db 给出数据库地址（二者选一）")
    if site is not None and not (site / "nianbao.db").is_file():
        raise Usage(f"{site} 中没有网站的数据库（nianbao.db）：请给出 nianbao serve 使用的站点文件夹")
    _folder_ok(out)
    from ..serve import export as exporting

    raise SystemExit(EXIT_OK if exporting.run(site, db=db_url, out=out) else EXIT_FINDINGS)
