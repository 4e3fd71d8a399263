"""Writing the roll-up workbook: tables, links to the sources, formats, charts.

The workbook is written with rust_xlsxwriter (through the rvgsrust-xlsxwriter binding): the
long sheets (一覧, 要確認) go in as Arrow columns, one call per sheet, so that a city's
200,000 cells take a fraction of a second. No text from a source sheet ever becomes a
formula or a link: strings are written as strings, and only the 参照元 cells are links.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from . import layout as L
from .model import circled, paren, wareki
from .saving import save_workbook
from .textwidth import text_lines
from .validation import FIELD_JA as VALIDATION_FIELDS

RATE_FMT = '0"%"'
NUM_FMT = "#,##0.##"
MAX_TEXT = 32767  # characters in one cell
MAX_URL = 2079  # Excel's limit for a link
CHART_LIMIT = 40  # per-department charts; beyond that the 集計 table speaks for itself
CHART_ROWS = 16  # rows a chart takes on グラフ (288 px of 20-px rows, and a gap)
SHEETS = ("表紙", "一覧", "集計", "経年比較", "要確認", "取込エラー", "グラフ")
LIST_SHEET_COLUMNS = [
    "年度", "部局名", "優先順位", "重点目標", "取組項目", "番号", "方法・手段", "期間・期限", "数値目標", "目標値",
    "単位", "中間実績", "中間達成率", "期末実績", "期末達成率", "判定", "根拠", "参照元",
]
LIST_WIDTHS = {"年度": 5, "部局名": 9, "優先順位": 4, "重点目標": 20, "取組項目": 18, "番号": 4, "方法・手段": 22,
               "期間・期限": 8, "数値目標": 20, "目標値": 9, "単位": 5, "中間実績": 8, "中間達成率": 6,
               "期末実績": 8, "期末達成率": 6, "判定": 4, "根拠": 30, "参照元": 40}
WRAPPED = ("重点目標", "取組項目", "方法・手段", "期間・期限", "数値目標", "根拠")
NUMERIC = {"目標値": "num", "中間実績": "num", "期末実績": "num", "中間達成率": "rate", "期末達成率": "rate"}
PLAIN = ("年度", "単位")
CENTRED = ("優先順位", "番号", "判定")
FINDING_COLUMNS = ["重大度", "コード", "位置", "内容", "参照元"]
# the 要確認 location of a finding: the validator's field names, and two of the roll-up's own
FIELD_JA = VALIDATION_FIELDS | {"item": "取組項目", "subitem": "番号"}
SEVERITY_JA = {"error": "エラー", "warning": "警告", "info": "情報"}


def row_height(row: dict[str, Any]) -> float | None:
    """The height a 一覧 row needs for its wrapped texts (None: the default height)."""
    lines = 1
    for c in WRAPPED:
        v = row.get(c)
        # measure only what may need a second line: short one-line texts fit in any case
        if isinstance(v, str) and (len(v) > (LIST_WIDTHS[c] - 1) // 2 or "\n" in v):
            lines = max(lines, text_lines(v, LIST_WIDTHS[c]))
    return min(409.0, lines * 12.5 + 3) if lines > 1 else None


def location_text(loc: dict[str, Any]) -> str:
    """{'goal': 4, 'item': 2, 'subitem': 3, 'field': 'final'} → '重点目標4 ②(3) 期末報告'."""
    parts = []
    if loc.get("goal") not in (None, ""):
        parts.append(f"重点目標{loc['goal']}")
    item = (circled(loc["item"]) if loc.get("item") not in (None, "") else "") + (
        paren(loc["subitem"]) if loc.get("subitem") not in (None, "") else "")
    if item:
        parts.append(item)
    if loc.get("field"):
        parts.append(FIELD_JA.get(loc["field"], loc["field"]))
    return " ".join(parts)


def _text(v: Any) -> str:
    """A string the writer accepts: no lone surrogates (odd file names), at most one cell long."""
    s = str(v)
    if not s.isascii():
        s = s.encode("utf-8", "replace").decode("utf-8")
    return s[:MAX_TEXT]


def _clean(v: Any) -> Any:
    """A cell value: str, int/float, or None for a blank (NaN, inf and numpy scalars handled)."""
    if type(v) is str:  # the common case first: text read from a sheet is already valid
        return v if len(v) <= MAX_TEXT else v[:MAX_TEXT]
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):  # numpy scalars
        v = v.item()
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, (int, float)):
        return v
    return _text(v)


class _Formats:
    """The cell formats of the roll-up (ＭＳ 明朝 10pt, top-aligned, as on the form)."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.text = self.make(wrap=True)
        self.plain = self.make()
        self.centre = self.make(align="center")
        self.num = self.make(num=NUM_FMT)
        self.rate = self.make(num=RATE_FMT)
        self.link = self.make(color="#0563C1", underline=True)
        self.title = self.make(size=14, bold=True)
        self.bold = self.make(bold=True)
        self.total = self.make(bold=True, top=True, bg="#F2F2F2")
        self.dec = self.make(num="0.0")
        self.header = self.make(bold=True, wrap=True, valign="vcenter")
        self.good = self.colours("#C6EFCE", "#006100")
        self.mid = self.colours("#FFEB9C", "#9C5700")
        self.bad = self.colours("#FFC7CE", "#9C0006")

    def make(self, *, size: float = 10, bold: bool = False, wrap: bool = False, num: str | None = None,
             color: str | None = None, underline: bool = False, bg: str | None = None, top: bool = False,
             valign: str = "top", align: str = ""):
        f = self.wb.add_format()
        if align:
            f.set_align(align)
        f.set_font_name("ＭＳ 明朝")
        f.set_font_size(size)
        f.set_vertical_align(valign)
        if bold:
            f.set_bold()
        if wrap:
            f.set_text_wrap()
        if num:
            f.set_num_format(num)
        if color:
            f.set_font_color(color)
        if underline:
            f.set_underline()
        if bg:
            f.set_background_color(bg)
        if top:
            f.set_top_border("thin")
        return f

    def colours(self, bg: str, fg: str):
        f = self.wb.add_format()
        f.set_background_color(bg)
        f.set_font_color(fg)
        return f

    def for_column(self, name: str):
        kind = NUMERIC.get(name)
        if kind:
            return getattr(self, kind)
        if name in CENTRED:
            return self.centre
        return self.plain if name in PLAIN else self.text


def _print_setup(ws, header_rows: int = 1, landscape: bool = True) -> None:
    ws.set_paper_size(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.set_print_fit_to_pages(1, 0)
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3)
    if header_rows:
        ws.set_repeat_rows(0, header_rows - 1)
    ws.set_footer("&C&P / &N")


def _put(ws, r: int, c: int, v: Any, fmt) -> None:
    v = _clean(v)
    if v is not None:
        ws.write(r, c, v, fmt)


def _add_table(ws, first_row: int, last_row: int, headers: list[str], name: str, header_format=None) -> None:
    import rvgsrust_xlsxwriter as rx

    columns = []
    for h in headers:
        col = rx.TableColumn()
        col.set_header(h)
        if header_format is not None:
            col.set_header_format(header_format)
        columns.append(col)
    table = rx.Table()
    table.set_name(name)
    table.set_style("medium2")
    table.set_columns(columns)
    ws.add_table(first_row, 0, max(last_row, first_row + 1), len(headers) - 1, table)


def _columns(ws, first_row: int, columns: dict[str, list[Any]], formats: dict[str, Any]) -> None:
    """Write columns of values below first_row in one call (Arrow), blanks left unwritten.

    A column that mixes numbers and text (a hand-written 優先順位 「未定」 among 1, 2, 3), or
    holds a value the fast path cannot take, is written cell by cell, each value cleaned.
    """
    import pyarrow as pa

    arrays, names, slow = [], [], []
    for j, (name, values) in enumerate(columns.items()):
        try:
            array = pa.array([None if v == "" else v for v in values], from_pandas=True)  # NaN → blank
            if pa.types.is_string(array.type) and max(map(len, filter(None, values)), default=0) > MAX_TEXT:
                raise ValueError("a text longer than a cell holds")
            if not (pa.types.is_string(array.type) or pa.types.is_integer(array.type)
                    or pa.types.is_floating(array.type) or pa.types.is_null(array.type)):
                raise ValueError(f"cells of type {array.type}")
        except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError, ValueError, OverflowError):
            slow.append((j, name, values))
            array = pa.nulls(len(values))
        if pa.types.is_null(array.type):  # nothing to write here: a typed column of blanks
            array = pa.nulls(len(values), pa.string())
        arrays.append(array)
        names.append(name)
    if arrays and len(arrays[0]):
        ws.write_dataframe(first_row, 0, pa.Table.from_arrays(arrays, names=names), write_header=False,
                           column_formats={n: formats[n] for n in names if n in formats})
    for j, name, values in slow:
        for i, v in enumerate(values):
            v = _clean(v)
            if v is not None:
                ws.write(first_row + i, j, v, formats.get(name))


class RollupBook:
    """The roll-up workbook: write(records, tables) once every file is in."""

    def __init__(self, out: Path) -> None:
        import rvgsrust_xlsxwriter as rx

        self.out = out
        self.out_dir = out.parent
        self.wb = rx.Workbook()
        self.f = _Formats(self.wb)
        self.ws = {name: self.wb.add_worksheet(name) for name in SHEETS}
        self._targets: dict[str, tuple[str, str]] = {}  # source path → (link target, file name)

    def link(self, path: str, sheet: str, cell: str) -> str | None:
        """A link that opens the source cell, relative to the roll-up (it survives moving both).

        None when the path holds a '#': a link cannot carry it (it starts the cell part).
        """
        target = self._target(path)
        if "#" in target:
            return None
        url = f"file:///{target}#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell or 'A1'}"
        return url if len(url) <= MAX_URL else None

    def _target(self, path: str) -> str:
        if path not in self._targets:
            try:
                target = Path(os.path.relpath(path, self.out_dir)).as_posix()
            except ValueError:  # another drive (Windows): an absolute link
                target = Path(path).resolve().as_posix()
            self._targets[path] = (_text(target), _text(Path(path).name))
        return self._targets[path][0]

    def _name(self, path: str) -> str:
        self._target(path)
        return self._targets[path][1]

    def put_link(self, ws, r: int, c: int, path: str, sheet: str, cell: str, text: str) -> None:
        """The text as a link to the source cell; the text alone when no link can hold the path."""
        url = self.link(path, sheet, cell)
        if url is not None:
            try:
                ws.write_url(r, c, url, self.f.link, text)
                return
            except Exception:  # a path the link format cannot hold: keep the text, lose the link
                pass
        ws.write(r, c, text, self.f.plain)

    def _write_links(self, ws, first_row: int, col: int, links: list[tuple[str, str, str]]) -> None:
        for i, (path, sheet, cell) in enumerate(links):
            text = f"{self._name(path)} / {sheet} / {cell}" if cell else f"{self._name(path)} / {sheet}"
            self.put_link(ws, first_row + i, col, path, sheet, cell, text)

    def write(self, records: list[dict[str, Any]], tables, *, overwrite: bool) -> Path:
        """Write every sheet and save the workbook atomically."""
        _listing, summary, by_goal, years, _findings, errors = tables
        self._listing([row for rec in records if rec.get("ok") for row in rec["rows"]])
        self._findings([(rec["path"], f) for rec in records if rec.get("ok") for f in rec["findings"]])
        _cover(self.ws["表紙"], self.f, records, self.put_link)
        spans = _summary(self.ws["集計"], self.f, summary, by_goal)
        _years(self.ws["経年比較"], self.f, years)
        _errors(self.ws["取込エラー"], self.f, errors)
        _charts(self.ws["グラフ"], summary, by_goal, spans)
        self.wb.define_name(L.N_ROLLUP, '="xlsheets"')  # a later roll-up of this folder must not count it
        data = self.wb.save_to_buffer()
        return save_workbook(lambda tmp: tmp.write_bytes(data), self.out, overwrite=overwrite, backup=False)

    def _listing(self, rows: list[dict[str, Any]]) -> None:
        ws, f = self.ws["一覧"], self.f
        cols = LIST_SHEET_COLUMNS[:-1]
        for j, c in enumerate(LIST_SHEET_COLUMNS):
            ws.set_column_width(j, LIST_WIDTHS[c])
        ws.set_row_height(0, 27)
        _columns(ws, 1, {c: [row[c] for row in rows] for c in cols}, {c: f.for_column(c) for c in cols})
        for i, row in enumerate(rows, start=1):
            if row.get("_height"):
                ws.set_row_height(i, row["_height"])
        self._write_links(ws, 1, len(cols), [(row["ファイル"], row["シート"], row["セル"]) for row in rows])
        last = max(1, len(rows))
        _add_table(ws, 0, last, LIST_SHEET_COLUMNS, "一覧", f.header)
        for col in ("中間達成率", "期末達成率"):
            j = LIST_SHEET_COLUMNS.index(col)
            _rate_colours(ws, f, 1, j, last, j)
        ws.freeze_panes(1, 0)
        _print_setup(ws)
        # print what a reader needs on A4; the source column is for clicking, not for paper
        ws.set_print_area(0, 0, last, LIST_SHEET_COLUMNS.index("根拠"))

    def _findings(self, findings: list[tuple[str, dict[str, Any]]]) -> None:
        ws, f = self.ws["要確認"], self.f
        for j, w in enumerate([7, 18, 22, 70, 40]):
            ws.set_column_width(j, w)
        if not findings:
            ws.write(0, 0, "検証で指摘された問題はありません。", f.bold)
            return
        _columns(ws, 1, {
            "重大度": [SEVERITY_JA.get(x["severity"], x["severity"]) for _, x in findings],
            "コード": [x["code"] for _, x in findings],
            "位置": [location_text(x["location"]) for _, x in findings],
            "内容": [x["message"] for _, x in findings],
        }, {"重大度": f.plain, "コード": f.plain, "位置": f.plain, "内容": f.text})
        self._write_links(ws, 1, 4, [(path, x["sheet"], x["cell"]) for path, x in findings])
        _add_table(ws, 0, len(findings), FINDING_COLUMNS, "要確認", f.header)
        ws.freeze_panes(1, 0)
        _print_setup(ws)


def _table(ws, df, name: str, fmts: dict[str, Any], default, first_row: int = 0, last_format=None) -> int:
    """Write a (small) DataFrame as an Excel Table; returns the last row. last_format: a total row."""
    cols = [str(c) for c in df.columns]
    _add_table(ws, first_row, first_row + len(df), cols, name)
    values = [df[c].tolist() for c in df.columns]
    for i in range(len(df)):
        fmt_row = last_format if (last_format is not None and i == len(df) - 1) else None
        for j, col in enumerate(values):
            _put(ws, first_row + 1 + i, j, col[i], fmt_row or fmts.get(cols[j], default))
    return first_row + max(1, len(df))


def _cover(ws, f: _Formats, records, put_link) -> None:
    ws.set_column_width(0, 10)
    ws.set_column_width(1, 80)
    _print_setup(ws, 0)
    r = 0
    blocks = sorted((rec for rec in records if rec.get("ok")),
                    key=lambda rec: (str(rec["fiscal_year"]), rec["department"], rec["path"]))
    if not blocks:
        ws.write(0, 0, "読み込めたシートがありません。取込エラーを確認してください。", f.bold)
    for rec in blocks:
        fy = rec["fiscal_year"]
        ws.write(r, 0, f"{wareki(fy) if isinstance(fy, int) else fy}　重点目標", f.title)
        ws.write(r + 1, 0, "部局名", f.bold)
        ws.write(r + 1, 1, _text(rec["department"] or "（部局名なし）"), f.bold)
        r += 2
        goals = sorted(rec["goals"], key=lambda g: (0, g["priority"]) if isinstance(g["priority"], int) else (1, 0))
        for g in goals:
            _put(ws, r, 0, str(g["priority"] if g["priority"] is not None else ""), f.plain)
            put_link(ws, r, 1, rec["path"], g["sheet"], "A1", _text(g["title"] or "（無題）"))
            r += 1
        r += 1


def _cell(r: int, c: int) -> str:
    from .grid import a1

    return a1(r + 1, c + 1)


def _rate_colours(ws, f: _Formats, r1: int, c1: int, r2: int, c2: int) -> None:
    """Green from 100%, yellow from 50%, red below; blank cells (no rate) stay white."""
    import rvgsrust_xlsxwriter as rx

    top = _cell(r1, c1)
    for rule, fmt in ((f"AND(ISNUMBER({top}),{top}>=100)", f.good),
                      (f"AND(ISNUMBER({top}),{top}>=50,{top}<100)", f.mid),
                      (f"AND(ISNUMBER({top}),{top}<50)", f.bad)):
        cf = rx.ConditionalFormatFormula()
        cf.set_rule(rule)
        cf.set_format(fmt)
        ws.add_conditional_format(r1, c1, r2, c2, cf)


def _summary(ws, f: _Formats, summary, by_goal) -> dict[tuple[str, str], tuple[int, int]]:
    """集計: per department (with the city-wide total), then per goal. Returns goal row spans per department."""
    ws.write(0, 0, "部局別の集計（達成 = 達成率100%以上）", f.title)
    fmts = {"平均達成率": f.dec, "中央値": f.dec}
    last = _table(ws, summary, "部局別集計", fmts, f.plain, first_row=1, last_format=f.total)  # the city total
    start = last + 3
    ws.write(start - 1, 0, "重点目標別の集計", f.title)
    _table(ws, by_goal, "重点目標別集計", fmts | {"重点目標": f.text}, f.plain, first_row=start)
    ws.set_column_width(0, 8)
    ws.set_column_width(1, 14)
    for j in range(2, len(summary.columns) + 1):
        ws.set_column_width(j, 9)
    if "重点目標" in by_goal.columns:
        ws.set_column_width(3, 36)
    _print_setup(ws, 0)
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for i, (fy, dept) in enumerate(zip(by_goal.get("年度", []), by_goal.get("部局名", []), strict=False)):
        key = (str(fy), str(dept))
        row = start + 1 + i
        spans[key] = (spans.get(key, (row, row))[0], row)
    return spans


def _years(ws, f: _Formats, years) -> None:
    if years.empty:
        ws.write(0, 0, "同じ部局の複数年度のシートがないため、経年比較はありません。", f.bold)
        return
    last = _table(ws, years, "経年比較", {c: f.dec for c in years.columns if "達成率" in c} | {"重点目標": f.text},
                  f.plain)
    ws.set_column_width(0, 12)
    ws.set_column_width(1, 40)
    ws.set_column_width(2, 16)
    for j in range(3, len(years.columns) + 1):
        ws.set_column_width(j, 14)
    _rate_colours(ws, f, 1, 3, last, len(years.columns) - 1)
    ws.freeze_panes(1, 2)
    _print_setup(ws)


def _errors(ws, f: _Formats, errors) -> None:
    if errors.empty:
        ws.write(0, 0, "すべてのファイルを読み込みました。", f.bold)
        return
    _table(ws, errors, "取込エラー", {"理由": f.text}, f.plain)
    ws.set_column_width(0, 50)
    ws.set_column_width(1, 70)
    _print_setup(ws)


def _range(r1: int, c1: int, r2: int, c2: int) -> str:
    """An absolute range on 集計 for a chart series (0-based rows and columns)."""
    from .grid import col_letter

    return f"'集計'!${col_letter(c1 + 1)}${r1 + 1}:${col_letter(c2 + 1)}${r2 + 1}"


def _chart(kind: str, title: str, categories: str, values: str, width: int, height: int, label_format: str = ""):
    import rvgsrust_xlsxwriter as rx

    series = rx.ChartSeries()
    series.set_name(title)
    series.set_categories(categories)
    series.set_values(values)
    label = rx.ChartDataLabel()
    label.show_value()
    if label_format:
        label.set_num_format(label_format)
    series.set_data_label(label)
    chart = rx.Chart(kind)
    chart.push_series(series)
    chart.set_title_name(title)
    chart.set_legend_hidden()
    chart.set_width(width)
    chart.set_height(height)
    return chart


def _charts(ws, summary, by_goal, spans) -> None:
    _print_setup(ws, 0)
    if summary.empty:
        return
    total_row = len(summary) + 1  # 集計: title row 0, header row 1, data from row 2; the total is the last
    grade_cols = [list(summary.columns).index(s) for s in ("◎", "○", "△", "×", "－") if s in summary.columns]
    ws.insert_chart(0, 0, _chart("column", "判定の件数（市全体）", _range(1, grade_cols[0], 1, grade_cols[-1]),
                                 _range(total_row, grade_cols[0], total_row, grade_cols[-1]), 576, 288))
    if "平均達成率" not in by_goal.columns:
        return
    rate_col = list(by_goal.columns).index("平均達成率")
    title_col = list(by_goal.columns).index("重点目標")
    breaks = []
    for k, ((fy, dept), (a, b)) in enumerate(sorted(spans.items())):
        # two charts a page (the grade chart shares the first): no chart is cut by a page break
        row = CHART_ROWS * (k + 1)
        if k >= CHART_LIMIT:
            ws.write(row, 0, f"ほか {len(spans) - CHART_LIMIT} 部局・年度のグラフは省略しました（集計シートを参照）。")
            break
        if row % (2 * CHART_ROWS) == 0:
            breaks.append(row)
        chart = _chart("bar", f"{dept}（{fy}年度）重点目標別の平均達成率", _range(a, title_col, b, title_col),
                       _range(a, rate_col, b, rate_col), 768, 288, RATE_FMT)
        chart.set_x_axis_min(0)
        chart.set_x_axis_num_format(RATE_FMT)
        chart.set_y_axis_reverse()  # the first goal on top, as on the sheets
        chart.set_y_axis_crossing("max")  # and the rate axis below the bars
        ws.insert_chart(row, 0, chart)
    if breaks:
        ws.set_page_breaks(breaks)
