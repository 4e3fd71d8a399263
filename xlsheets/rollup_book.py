"""Writing the roll-up workbook with xlsxwriter: tables, links to the sources, formats, charts.

No text from a source sheet ever becomes a formula or a link by accident: the workbook is
opened with strings_to_formulas/urls/numbers off, and only the link columns are links.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from .model import wareki
from .saving import save_workbook

RATE_FMT = '0"%"'
NUM_FMT = "#,##0.##"
CHART_LIMIT = 40  # per-department charts; beyond that the 集計 table speaks for itself


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def _link(path: str, sheet: str, cell: str, out_dir: Path) -> str:
    rel = os.path.relpath(path, out_dir)
    return f"external:{rel}#'{sheet}'!{cell}"


def write_rollup(records: list[dict[str, Any]], tables, out: Path, *, overwrite: bool = False) -> Path:
    listing, summary, by_goal, years, findings, errors, _rate = tables

    def write(tmp: Path) -> None:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "nan_inf_to_errors": True})
        f = _Formats(wb)
        _cover(wb, f, records, out.parent)
        _listing(wb, f, listing, out.parent)
        goal_rows = _summary(wb, f, summary, by_goal)
        _years(wb, f, years)
        _findings(wb, f, findings, out.parent)
        _errors(wb, f, errors)
        _charts(wb, summary, by_goal, goal_rows)
        wb.close()

    return save_workbook(write, out, overwrite=overwrite, backup=False)


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
        self.total_rate = wb.add_format({**base, "bold": True, "top": 1, "bg_color": "#F2F2F2", "num_format": "0.0"})
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


def _table(ws, df, name: str, fmts: dict[str, Any], default, first_row: int = 0, style: str = "Table Style Medium 2"):
    """Write a DataFrame as an Excel Table (filters, banding); returns the last row written."""
    cols = list(df.columns)
    data = [[_clean(v) for v in row] for row in df.itertuples(index=False, name=None)]
    n = max(1, len(data))
    ws.add_table(first_row, 0, first_row + n, len(cols) - 1, {
        "name": name, "style": style,
        "columns": [{"header": str(c), "format": fmts.get(c, default)} for c in cols],
    })
    for i, row in enumerate(data, start=first_row + 1):
        for j, v in enumerate(row):
            fmt = fmts.get(cols[j], default)
            if v is None:
                ws.write_blank(i, j, None, fmt)
            elif isinstance(v, str):
                ws.write_string(i, j, v, fmt)
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v, fmt)
            else:
                ws.write_string(i, j, str(v), fmt)
    return first_row + n


def _cover(wb, f: _Formats, records, out_dir: Path) -> None:
    ws = wb.add_worksheet("表紙")
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 80)
    _print_setup(ws, 0)
    r = 0
    blocks = sorted((rec for rec in records if rec.get("ok")),
                    key=lambda rec: (str(rec["fiscal_year"]), rec["department"]))
    if not blocks:
        ws.write_string(0, 0, "読み込めたシートがありません。取込エラーを確認してください。", f.bold)
    for rec in blocks:
        fy = rec["fiscal_year"]
        title = f"{wareki(fy)}　重点目標" if isinstance(fy, int) else f"{fy}　重点目標"
        ws.write_string(r, 0, title, f.title)
        ws.write_string(r + 1, 0, "部局名", f.bold)
        ws.write_string(r + 1, 1, rec["department"] or "（部局名なし）", f.bold)
        r += 2
        goals = sorted(rec["goals"], key=lambda g: (0, g["priority"]) if isinstance(g["priority"], int) else (1, 0))
        for g in goals:
            ws.write_string(r, 0, str(g["priority"] if g["priority"] is not None else ""), f.plain)
            ws.write_url(r, 1, _link(rec["path"], g["sheet"], "A1", out_dir), f.link, g["title"] or "（無題）")
            r += 1
        r += 1


def _listing(wb, f: _Formats, listing, out_dir: Path) -> None:
    ws = wb.add_worksheet("一覧")
    df = listing.drop(columns=["目標ID"]).copy()
    df["ファイル"] = [Path(p).name for p in listing["ファイル"]]
    fmts = {"目標値": f.num, "中間実績": f.num, "期末実績": f.num, "中間達成率": f.rate, "期末達成率": f.rate,
            "年度": f.plain, "優先順位": f.plain, "番号": f.plain, "判定": f.plain, "セル": f.link}
    last = _table(ws, df, "一覧", fmts, f.text)
    cell_col = list(df.columns).index("セル")
    for i, (path, sheet, cell) in enumerate(zip(listing["ファイル"], listing["シート"], listing["セル"], strict=False),
                                            start=1):
        ws.write_url(i, cell_col, _link(path, sheet, cell, out_dir), f.link, cell)
    widths = {"年度": 5, "部局名": 9, "優先順位": 4, "重点目標": 20, "取組項目": 18, "番号": 4, "方法・手段": 22,
              "期間・期限": 8, "数値目標": 20, "目標値": 9, "単位": 5, "中間実績": 8, "中間達成率": 6,
              "期末実績": 8, "期末達成率": 6, "判定": 4, "ファイル": 20, "シート": 18, "セル": 6}
    for j, c in enumerate(df.columns):
        ws.set_column(j, j, widths.get(c, 10))
    # row heights from the wrapped text, so that nothing overlaps on screen or on paper
    from .sheetops import text_lines

    wrapped = [(j, widths.get(c, 10)) for j, c in enumerate(df.columns)
               if c in ("重点目標", "取組項目", "方法・手段", "期間・期限", "数値目標")]
    for i, row in enumerate(df.itertuples(index=False, name=None), start=1):
        lines = max((text_lines(str(row[j]), w) for j, w in wrapped if isinstance(row[j], str) and row[j]), default=1)
        if lines > 1:
            ws.set_row(i, min(409, lines * 12.5 + 3))
    ws.set_row(0, 27, f.header)
    ws.freeze_panes(1, 0)
    for col in ("中間達成率", "期末達成率"):
        j = list(df.columns).index(col)
        _rate_colours(ws, f, 1, j, max(1, last), j)
    _print_setup(ws)
    # print what a reader needs on A4; the source columns are for clicking, not for paper
    ws.print_area(0, 0, max(1, last), list(df.columns).index("判定"))


def _rate_colours(ws, f: _Formats, r1: int, c1: int, r2: int, c2: int) -> None:
    """Green from 100%, yellow from 50%, red below; blank cells (no rate) stay white."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    top = xl_rowcol_to_cell(r1, c1, row_abs=False, col_abs=False)
    for rule, fmt in ((f"AND(ISNUMBER({top}),{top}>=100)", f.good),
                      (f"AND(ISNUMBER({top}),{top}>=50,{top}<100)", f.mid),
                      (f"AND(ISNUMBER({top}),{top}<50)", f.bad)):
        ws.conditional_format(r1, c1, r2, c2, {"type": "formula", "criteria": rule, "format": fmt})


def _summary(wb, f: _Formats, summary, by_goal) -> dict[tuple[str, str], tuple[int, int]]:
    """集計: per department (with the city-wide total), then per goal. Returns goal row spans per department."""
    ws = wb.add_worksheet("集計")
    ws.write_string(0, 0, "部局別の集計（達成 = 達成率100%以上）", f.title)
    fmts = {"平均達成率": f.dec, "中央値": f.dec, "年度": f.plain}
    last = _table(ws, summary, "部局別集計", fmts, f.plain, first_row=1)
    # the city-wide total row stands out
    for j, v in enumerate(summary.iloc[-1].tolist() if len(summary) else []):
        v = _clean(v)
        fmt = f.total_rate if summary.columns[j] in ("平均達成率", "中央値") else f.total
        if isinstance(v, (int, float)):
            ws.write_number(last, j, v, fmt)
        elif v is None:
            ws.write_blank(last, j, None, fmt)
        else:
            ws.write_string(last, j, str(v), fmt)
    start = last + 3
    ws.write_string(start - 1, 0, "重点目標別の集計", f.title)
    end = _table(ws, by_goal, "重点目標別集計", fmts | {"重点目標": f.text}, f.plain, first_row=start)
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
        a, _b = spans.get(key, (row, row))
        spans[key] = (a, row)
    del end
    return spans


def _years(wb, f: _Formats, years) -> None:
    ws = wb.add_worksheet("経年比較")
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


def _findings(wb, f: _Formats, findings, out_dir: Path) -> None:
    ws = wb.add_worksheet("要確認")
    if findings.empty:
        ws.write_string(0, 0, "検証で指摘された問題はありません。", f.bold)
        return
    df = findings.copy()
    df["ファイル"] = [Path(p).name for p in findings["ファイル"]]
    df["重大度"] = df["重大度"].map({"error": "エラー", "warning": "警告", "info": "情報"})
    _table(ws, df, "要確認", {"内容": f.text, "セル": f.link}, f.plain)
    for i, (path, sheet, cell) in enumerate(zip(findings["ファイル"], findings["シート"], findings["セル"], strict=False),
                                            start=1):
        if cell:
            ws.write_url(i, 2, _link(path, sheet, cell, out_dir), f.link, cell)
    for j, w in enumerate([20, 18, 6, 7, 18, 7, 7, 5, 9, 70]):
        ws.set_column(j, j, w)
    ws.freeze_panes(1, 0)
    _print_setup(ws)


def _errors(wb, f: _Formats, errors) -> None:
    ws = wb.add_worksheet("取込エラー")
    if errors.empty:
        ws.write_string(0, 0, "すべてのファイルを読み込みました。", f.bold)
        return
    _table(ws, errors, "取込エラー", {"理由": f.text}, f.plain)
    ws.set_column(0, 0, 50)
    ws.set_column(1, 1, 70)
    _print_setup(ws)


def _charts(wb, summary, by_goal, spans) -> None:
    ws = wb.add_worksheet("グラフ")
    _print_setup(ws, 0)
    if summary.empty:
        return
    total_row = len(summary) + 1  # header at row 1 (0-based) on 集計, data from row 2; total is the last
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
