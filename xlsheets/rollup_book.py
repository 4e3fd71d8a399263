"""Writing the roll-up workbook with xlsxwriter: tables, links to the sources, formats, charts.

The long sheets (一覧, 要確認) are written row by row while the worker processes are still
reading files; the summaries, the cover and the charts follow when every file is in.
No text from a source sheet ever becomes a formula or a link by accident: the workbook is
opened with strings_to_formulas/urls/numbers off, and only the 参照元 cells are links.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import Any

from .model import circled, paren, wareki
from .saving import save_workbook

RATE_FMT = '0"%"'
NUM_FMT = "#,##0.##"
CHART_LIMIT = 40  # per-department charts; beyond that the 集計 table speaks for itself
SHEETS = ("表紙", "一覧", "集計", "経年比較", "要確認", "取込エラー", "グラフ")
LIST_SHEET_COLUMNS = [
    "年度", "部局名", "優先順位", "重点目標", "取組項目", "番号", "方法・手段", "期間・期限", "数値目標", "目標値",
    "単位", "中間実績", "中間達成率", "期末実績", "期末達成率", "判定", "参照元",
]
LIST_WIDTHS = {"年度": 5, "部局名": 9, "優先順位": 4, "重点目標": 20, "取組項目": 18, "番号": 4, "方法・手段": 22,
               "期間・期限": 8, "数値目標": 20, "目標値": 9, "単位": 5, "中間実績": 8, "中間達成率": 6,
               "期末実績": 8, "期末達成率": 6, "判定": 4, "参照元": 40}
WRAPPED = ("重点目標", "取組項目", "方法・手段", "期間・期限", "数値目標")
FINDING_COLUMNS = ["重大度", "コード", "位置", "内容", "参照元"]
FIELD_JA = {"title": "重点目標", "department": "部局名", "priority": "優先順位", "positioning": "位置付け",
            "current_issues": "現況・課題", "purpose": "目的・効果", "item_title": "取組項目名", "method": "方法・手段",
            "period": "期間・期限", "target": "数値目標", "midterm": "中間報告", "final": "期末報告",
            "notes": "特記事項", "item": "取組項目", "subitem": "番号"}
SEVERITY_JA = {"error": "エラー", "warning": "警告", "info": "情報"}


def row_height(row: dict[str, Any]) -> float | None:
    """The height a 一覧 row needs for its wrapped texts (None: the default height)."""
    from .sheetops import text_lines

    lines = max((text_lines(row[c], LIST_WIDTHS[c]) for c in WRAPPED if isinstance(row.get(c), str) and row[c]),
                default=1)
    return min(409.0, lines * 12.5 + 3) if lines > 1 else None


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


class _Formats:
    def __init__(self, wb) -> None:
        base = {"font_name": "ＭＳ 明朝", "font_size": 10, "valign": "top"}
        self.text = wb.add_format({**base, "text_wrap": True})
        self.plain = wb.add_format(base)
        self.num = wb.add_format({**base, "num_format": NUM_FMT})
        self.rate = wb.add_format({**base, "num_format": RATE_FMT})
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.title = wb.add_format({**base, "font_size": 14, "bold": True})
        self.bold = wb.add_format({**base, "bold": True})
        self.total = wb.add_format({**base, "bold": True, "top": 1, "bg_color": "#F2F2F2"})
        self.dec = wb.add_format({**base, "num_format": "0.0"})
        self.header = wb.add_format({**base, "bold": True, "text_wrap": True, "valign": "vcenter"})
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.mid = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})


def _print_setup(ws, header_rows: int = 1, landscape: bool = True) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_footer("&C&P / &N")


def _put(ws, r: int, c: int, v: Any, fmt) -> None:
    v = _clean(v)
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_string(r, c, str(v), fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _source(path: str, sheet: str, cell: str) -> str:
    return f"{Path(path).name} / {sheet} / {cell}" if cell else f"{Path(path).name} / {sheet}"


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


class RollupBook:
    """The roll-up workbook being written: add(record) as files come in, then finish()."""

    def __init__(self, out: Path) -> None:
        import xlsxwriter

        self.out = out
        self.out_dir = out.parent
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": True, "in_memory": True, "max_url_length": 2079})
        self.f = _Formats(self.wb)
        self.ws = {name: self.wb.add_worksheet(name) for name in SHEETS}
        self.list_rows = 0
        self.finding_rows = 0
        ws = self.ws["一覧"]
        for j, c in enumerate(LIST_SHEET_COLUMNS):
            ws.set_column(j, j, LIST_WIDTHS[c])
        ws.set_row(0, 27, self.f.header)
        ws.freeze_panes(1, 0)
        fws = self.ws["要確認"]
        for j, w in enumerate([7, 18, 22, 70, 40]):
            fws.set_column(j, j, w)
        fws.freeze_panes(1, 0)
        f = self.f
        self.list_formats = [
            {"目標値": f.num, "中間実績": f.num, "期末実績": f.num, "中間達成率": f.rate, "期末達成率": f.rate,
             "年度": f.plain, "優先順位": f.plain, "番号": f.plain, "判定": f.plain, "単位": f.plain}.get(c, f.text)
            for c in LIST_SHEET_COLUMNS[:-1]
        ]

    def _link(self, path: str, sheet: str, cell: str) -> str:
        rel = os.path.relpath(path, self.out_dir)
        return f"external:{rel}#'{sheet}'!{cell or 'A1'}"

    def add(self, record: dict[str, Any]) -> None:
        """Write one file's rows on 一覧 and its findings on 要確認."""
        if not record.get("ok"):
            return
        ws, fmts, link_fmt = self.ws["一覧"], self.list_formats, self.f.link
        cols = LIST_SHEET_COLUMNS[:-1]
        write_string, write_number = ws.write_string, ws.write_number
        for row in record["rows"]:
            self.list_rows += 1
            r = self.list_rows
            if row.get("_height"):
                ws.set_row(r, row["_height"])
            for j, c in enumerate(cols):
                v = row[c]  # plain str/int/float/None from extract(); blanks are left unwritten
                if v is None or v == "":
                    continue
                if isinstance(v, str):
                    write_string(r, j, v, fmts[j])
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    write_number(r, j, v, fmts[j])
                else:
                    write_string(r, j, str(v), fmts[j])
            ws.write_url(r, len(cols), self._link(row["ファイル"], row["シート"], row["セル"]), link_fmt,
                         _source(row["ファイル"], row["シート"], row["セル"]))
        fws, text = self.ws["要確認"], self.f.text
        for finding in record["findings"]:
            self.finding_rows += 1
            r = self.finding_rows
            fws.write_string(r, 0, SEVERITY_JA.get(finding["severity"], finding["severity"]), self.f.plain)
            fws.write_string(r, 1, finding["code"], self.f.plain)
            fws.write_string(r, 2, location_text(finding["location"]), self.f.plain)
            fws.write_string(r, 3, finding["message"], text)
            fws.write_url(r, 4, self._link(record["path"], finding["sheet"], finding["cell"]), link_fmt,
                          _source(record["path"], finding["sheet"], finding["cell"]))

    def finish(self, records: list[dict[str, Any]], tables, *, overwrite: bool) -> Path:
        _listing, summary, by_goal, years, _findings, errors = tables
        f = self.f
        ws = self.ws["一覧"]
        ws.add_table(0, 0, max(1, self.list_rows), len(LIST_SHEET_COLUMNS) - 1, {
            "name": "一覧", "style": "Table Style Medium 2",
            "columns": [{"header": c, "header_format": f.header} for c in LIST_SHEET_COLUMNS]})
        for col in ("中間達成率", "期末達成率"):
            j = LIST_SHEET_COLUMNS.index(col)
            _rate_colours(ws, f, 1, j, max(1, self.list_rows), j)
        _print_setup(ws)
        # print what a reader needs on A4; the source column is for clicking, not for paper
        ws.print_area(0, 0, max(1, self.list_rows), LIST_SHEET_COLUMNS.index("判定"))
        fws = self.ws["要確認"]
        if self.finding_rows:
            fws.add_table(0, 0, self.finding_rows, len(FINDING_COLUMNS) - 1, {
                "name": "要確認", "style": "Table Style Medium 2",
                "columns": [{"header": c} for c in FINDING_COLUMNS]})
            _print_setup(fws)
        else:
            fws.write_string(0, 0, "検証で指摘された問題はありません。", f.bold)
        _cover(self.ws["表紙"], f, records, self._link)
        spans = _summary(self.ws["集計"], f, summary, by_goal)
        _years(self.ws["経年比較"], f, years)
        _errors(self.ws["取込エラー"], f, errors)
        _charts(self.wb, self.ws["グラフ"], summary, by_goal, spans)
        self.wb.close()
        data = self.buffer.getvalue()
        return save_workbook(lambda tmp: tmp.write_bytes(data), self.out, overwrite=overwrite, backup=False)


def _table(ws, df, name: str, fmts: dict[str, Any], default, first_row: int = 0, last_format=None) -> int:
    """Write a (small) DataFrame as an Excel Table; returns the last row. last_format: a total row."""
    cols = [str(c) for c in df.columns]
    ws.add_table(first_row, 0, first_row + max(1, len(df)), len(cols) - 1, {
        "name": name, "style": "Table Style Medium 2", "columns": [{"header": c} for c in cols]})
    values = [df[c].tolist() for c in df.columns]
    for i in range(len(df)):
        fmt_row = last_format if (last_format is not None and i == len(df) - 1) else None
        for j, col in enumerate(values):
            _put(ws, first_row + 1 + i, j, col[i], fmt_row or fmts.get(cols[j], default))
    return first_row + max(1, len(df))


def _cover(ws, f: _Formats, records, link) -> None:
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 80)
    _print_setup(ws, 0)
    r = 0
    blocks = sorted((rec for rec in records if rec.get("ok")),
                    key=lambda rec: (str(rec["fiscal_year"]), rec["department"], rec["path"]))
    if not blocks:
        ws.write_string(0, 0, "読み込めたシートがありません。取込エラーを確認してください。", f.bold)
    for rec in blocks:
        fy = rec["fiscal_year"]
        ws.write_string(r, 0, f"{wareki(fy) if isinstance(fy, int) else fy}　重点目標", f.title)
        ws.write_string(r + 1, 0, "部局名", f.bold)
        ws.write_string(r + 1, 1, rec["department"] or "（部局名なし）", f.bold)
        r += 2
        goals = sorted(rec["goals"], key=lambda g: (0, g["priority"]) if isinstance(g["priority"], int) else (1, 0))
        for g in goals:
            ws.write_string(r, 0, str(g["priority"] if g["priority"] is not None else ""), f.plain)
            ws.write_url(r, 1, link(rec["path"], g["sheet"], "A1"), f.link, g["title"] or "（無題）")
            r += 1
        r += 1


def _rate_colours(ws, f: _Formats, r1: int, c1: int, r2: int, c2: int) -> None:
    """Green from 100%, yellow from 50%, red below; blank cells (no rate) stay white."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    top = xl_rowcol_to_cell(r1, c1, row_abs=False, col_abs=False)
    for rule, fmt in ((f"AND(ISNUMBER({top}),{top}>=100)", f.good),
                      (f"AND(ISNUMBER({top}),{top}>=50,{top}<100)", f.mid),
                      (f"AND(ISNUMBER({top}),{top}<50)", f.bad)):
        ws.conditional_format(r1, c1, r2, c2, {"type": "formula", "criteria": rule, "format": fmt})


def _summary(ws, f: _Formats, summary, by_goal) -> dict[tuple[str, str], tuple[int, int]]:
    """集計: per department (with the city-wide total), then per goal. Returns goal row spans per department."""
    ws.write_string(0, 0, "部局別の集計（達成 = 達成率100%以上）", f.title)
    fmts = {"平均達成率": f.dec, "中央値": f.dec}
    last = _table(ws, summary, "部局別集計", fmts, f.plain, first_row=1, last_format=f.total)  # the city total
    start = last + 3
    ws.write_string(start - 1, 0, "重点目標別の集計", f.title)
    _table(ws, by_goal, "重点目標別集計", fmts | {"重点目標": f.text}, f.plain, first_row=start)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 14)
    ws.set_column(2, len(summary.columns), 9)
    if "重点目標" in by_goal.columns:
        ws.set_column(3, 3, 36)
    _print_setup(ws, 0)
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for i, (fy, dept) in enumerate(zip(by_goal.get("年度", []), by_goal.get("部局名", []), strict=False)):
        key = (str(fy), str(dept))
        row = start + 1 + i
        spans[key] = (spans.get(key, (row, row))[0], row)
    return spans


def _years(ws, f: _Formats, years) -> None:
    if years.empty:
        ws.write_string(0, 0, "同じ部局の複数年度のシートがないため、経年比較はありません。", f.bold)
        return
    last = _table(ws, years, "経年比較", {c: f.dec for c in years.columns if "達成率" in c} | {"重点目標": f.text},
                  f.plain)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 16)
    ws.set_column(3, len(years.columns), 14)
    _rate_colours(ws, f, 1, 3, last, len(years.columns) - 1)
    ws.freeze_panes(1, 2)
    _print_setup(ws)


def _errors(ws, f: _Formats, errors) -> None:
    if errors.empty:
        ws.write_string(0, 0, "すべてのファイルを読み込みました。", f.bold)
        return
    _table(ws, errors, "取込エラー", {"理由": f.text}, f.plain)
    ws.set_column(0, 0, 50)
    ws.set_column(1, 1, 70)
    _print_setup(ws)


def _charts(wb, ws, summary, by_goal, spans) -> None:
    _print_setup(ws, 0)
    if summary.empty:
        return
    total_row = len(summary) + 1  # 集計: title row 0, header row 1, data from row 2; the total is the last
    grade_cols = [list(summary.columns).index(s) for s in ("◎", "○", "△", "×", "－") if s in summary.columns]
    grades = wb.add_chart({"type": "column"})
    grades.add_series({
        "name": "判定の件数（市全体）",
        "categories": ["集計", 1, grade_cols[0], 1, grade_cols[-1]],
        "values": ["集計", total_row, grade_cols[0], total_row, grade_cols[-1]],
        "data_labels": {"value": True},
    })
    grades.set_title({"name": "判定の件数（市全体）"})
    grades.set_legend({"none": True})
    ws.insert_chart(0, 0, grades, {"x_scale": 1.2, "y_scale": 1.0})
    if "平均達成率" not in by_goal.columns:
        return
    rate_col = list(by_goal.columns).index("平均達成率")
    title_col = list(by_goal.columns).index("重点目標")
    row = 16
    for k, ((fy, dept), (a, b)) in enumerate(sorted(spans.items())):
        if k >= CHART_LIMIT:
            ws.write_string(row, 0, f"ほか {len(spans) - CHART_LIMIT} 部局・年度のグラフは省略しました（集計シートを参照）。")
            break
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": "平均達成率",
            "categories": ["集計", a, title_col, b, title_col],
            "values": ["集計", a, rate_col, b, rate_col],
            "data_labels": {"value": True, "num_format": '0"%"'},
        })
        chart.set_title({"name": f"{dept}（{fy}年度）重点目標別の平均達成率"})
        chart.set_legend({"none": True})
        chart.set_x_axis({"min": 0, "num_format": '0"%"'})
        chart.set_y_axis({"reverse": True})
        ws.insert_chart(row, 0, chart, {"x_scale": 1.6, "y_scale": 0.9})
        row += 15
