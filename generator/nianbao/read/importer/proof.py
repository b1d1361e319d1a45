"""The proof page of a scan: every figure cell's picture beside the figure read, the cells
left empty first (``nianbao import 扫描件.pdf --proof 校对.html``, and the site after a
scanned upload).

The person who signs the figures off types the few that the arithmetic could not confirm
while looking at their pictures, and can glance down the confirmed ones.  One file:
UTF-8, its style inside, no script, nothing fetched — the pictures are inside the page as
``data:`` addresses — so it opens from a folder, travels by mail and prints (A4).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache

from .confirm import EMPTY, FAILED, Figure

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>扫描件校对：{{ title }}</title>
<style>
body{margin:0 auto;max-width:1100px;padding:16px 20px;font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",SimHei,sans-serif;font-size:15px;line-height:1.6;color:#111;background:#fff}
h1{font-size:22px;margin:0 0 6px}
h2{font-size:18px;margin:24px 0 8px;padding-bottom:4px;border-bottom:2px solid #333}
p{margin:4px 0}
.how{border:1px solid #999;padding:8px 12px;margin:10px 0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #777;padding:4px 6px;vertical-align:middle;text-align:left}
thead th{background:#eee}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
td.pic img{display:block;max-width:260px;height:auto;border:1px solid #bbb;background:#fff}
td.read{font-size:20px;font-weight:bold;white-space:nowrap;font-variant-numeric:tabular-nums}
td.read small{font-size:12px;font-weight:normal;color:#444;display:block}
tr.empty td.read{text-decoration:line-through;color:#555}
tr.failed th{border-left:6px solid #b00}
tr.empty th{border-left:6px solid #555}
.mark{font-weight:bold}
tr.failed .mark{color:#b00}
.none{color:#555}
@media print{body{max-width:none;padding:0}td.pic img{max-width:200px}}
</style>
</head>
<body>
<h1>扫描件校对：{{ title }}</h1>
<p>{{ source }}：表格中的数字{{ figures|length }}个，经表格的合计核对确认{{ confirmed|length }}个，留空{{ empty|length }}个。</p>
<div class="how">
<p><strong>怎样使用：</strong>下面先列出留空的格：看左边的原图，把数字填进报告文件中注明“导入时未能确认”的位置（或网站上对应的格），然后运行 <code>nianbao check</code>，表格的合计会再核对一遍。</p>
<p>数字只在表格的合计（表三各行与各列的总计、一+二=三（七）+四、表四各项的总计）都相符、且识别把握高时才计入；合计不符时，能解释不符的格都留空——可能是识别错误，也可能原文本身算错，请对照原件判断。表二没有合计可以核对，它的数字都请对照原图填写。</p>
</div>
<h2>留空的格（{{ empty|length }}个，请对照原图填写）</h2>
{% if empty %}{{ rows(empty) }}{% else %}<p class="none">没有。</p>{% endif %}
<h2>已确认的格（{{ confirmed|length }}个）</h2>
{% if confirmed %}{{ rows(confirmed) }}{% else %}<p class="none">没有。</p>{% endif %}
</body>
</html>
"""

_ROWS = """<table>
<thead><tr><th scope="col">位置</th><th scope="col">原图</th><th scope="col">识别为</th><th scope="col">说明</th></tr></thead>
<tbody>
{% for f in figures %}<tr class="{{ 'empty' if f.status == EMPTY else 'ok' }}{{ ' failed' if f.rank == FAILED else '' }}">
<th scope="row">{{ f.label }}<br><span class="mark">{{ '留空' if f.status == EMPTY else '已确认' }}</span>　{{ f.page }}</th>
<td class="pic">{% if f.picture %}<img alt="原图：{{ f.label }}" src="data:image/png;base64,{{ b64(f.picture) }}">{% else %}（无图）{% endif %}</td>
<td class="read">{{ f.text or '（空白）' }}<small>把握 {{ '%.0f' % (f.score * 100) }}%</small></td>
<td>{{ f.why }}</td>
</tr>
{% endfor %}</tbody>
</table>"""


@lru_cache(maxsize=1)
def _templates():
    from jinja2 import Environment

    environment = Environment(autoescape=True, keep_trailing_newline=True)
    environment.globals.update(EMPTY=EMPTY, FAILED=FAILED, b64=lambda data: base64.b64encode(data).decode("ascii"))
    return environment.from_string(_PAGE), environment.from_string(_ROWS)


def page(figures: Sequence[Figure], title: str, source: str) -> str:
    """The proof page of ``figures`` (in the order :func:`~.confirm.confirm` gives: the cells
    left empty first)."""
    whole, rows = _templates()
    empty = [f for f in figures if f.status == EMPTY]
    confirmed = [f for f in figures if f.status != EMPTY]
    from markupsafe import Markup

    return whole.render(title=title, source=source, figures=figures, empty=empty, confirmed=confirmed, rows=lambda part: Markup(rows.render(figures=part)))
