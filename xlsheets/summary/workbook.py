"""Writing the roll-up workbook: tables, links to the sources, formats, charts.

The workbook is written with XlsxWriter (pure Python, so xlsheets installs anywhere, Pyodide
included). The long sheets (一覧, 要確認) go in a whole row per call, over column formats made
once. No text from a source sheet ever becomes a formula, a link or a number: XlsxWriter's
guessing on strings is off, and only the 参照元 cells are links.

Memory stays bounded: the rows are read back from the gathered columns a chunk at a time, the
sheets' XML goes to temporary files (not in memory), and a long 一覧, 要確認 or 表紙 (over TABLE_ROWS rows) is
written in XlsxWriter's constant_memory mode, each row flushed as the next begins. XlsxWriter
cannot add an Excel Table in that mode (and its check for overlapping tables keeps an entry per
cell of one), so a long sheet gets what a reader uses of one instead: the same header look, the
filter buttons, banded rows. A city's roll-up stays far below TABLE_ROWS and keeps its Table.
"""

from __future__ import annotations

import math
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import layout as L
from ..model import circled, paren, wareki
from ..saving import save_workbook
from ..textwidth import text_lines
from ..validation import FIELD_JA as VALIDATION_FIELDS
from ..validation import SEVERITY_JA

RATE_FMT = L.RATE_FORMAT
NUM_FMT = "#,##0.##"
MAX_TEXT = 32767  # characters in one cell
MAX_URL = 2079  # Excel's limit for a link
CHART_LIMIT = 40  # per-department charts; beyond that the 集計 table speaks for itself
CHART_ROWS = 16  # rows a chart takes on グラフ (288 px of 20-px rows, and a gap)
MAX_LINKS = 65530  # Excel's limit of links on one sheet; beyond it the 参照元 text stays, without a link
GOAL_WIDTH = 36  # the 重点目標 column of 集計
YEAR_WIDTH = 14  # a year's column of 経年比較
LINE_HEIGHT = 12.5  # points per printed line of 10-pt text
TABLE_ROWS = 20_000  # a longer 一覧 / 要確認 is written in constant_memory mode, with filters instead of a Table
# no guessing on strings: a source's 「=1+1」, 「http://…」 or 「001」 stays the text it was
BOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
SHEETS = ("表紙", "一覧", "集計", "経年比較", "要確認", "取込エラー", "グラフ")
# 一覧's columns and their widths, in order (a record field of the same name fills each; 参照元 is the link)
LIST_SHEET = [
    ("年度", 5), ("部局名", 9), ("優先順位", 4), ("重点目標", 20), ("取組項目", 18), ("番号", 4), ("方法・手段", 22),
    ("期間・期限", 8), ("数値目標", 20), ("目標値", 9), ("単位", 5), ("中間実績", 8), ("中間達成率", 6),
    ("期末実績", 8), ("期末達成率", 6), ("判定", 4), ("根拠", 30), ("参照元", 40),
]
LIST_SHEET_COLUMNS = [c for c, _ in LIST_SHEET]
LIST_WIDTHS = dict(LIST_SHEET)
WRAPPED = ("重点目標", "取組項目", "方法・手段", "期間・期限", "数値目標", "根拠")
NUMERIC = {"目標値": "num", "中間実績": "num", "期末実績": "num", "中間達成率": "rate", "期末達成率": "rate"}
PLAIN = ("年度", "単位")
CENTRED = ("優先順位", "番号", "判定")
FINDING_COLUMNS = ["重大度", "コード", "位置", "内容", "参照元"]
# the 要確認 location of a finding: the validator's field names, and two of the roll-up's own
FIELD_JA = VALIDATION_FIELDS | {"item": "取組項目", "subitem": "番号"}


def row_height(row: dict[str, Any]) -> float | None:
    """The height a 一覧 row needs for its wrapped texts (None: the default height)."""
    lines = 1
    for c in WRAPPED:
        v = row.get(c)
        # measure only what may need a second line: short one-line texts fit in any case
        if isinstance(v, str) and (len(v) > (LIST_WIDTHS[c] - 1) // 2 or "\n" in v):
            lines = max(lines, text_lines(v, LIST_WIDTHS[c]))
    return _lines_height(lines)


def _lines_height(lines: int) -> float | None:
    """The row height for that many printed lines (None: one line, the default height)."""
    return min(409.0, lines * LINE_HEIGHT + 3) if lines > 1 else None


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
    """The cell formats of the roll-up (ＭＳ 明朝 10pt, top-aligned, as on the form), each made once."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.text = self.make(text_wrap=True)
        self.plain = self.make()
        self.centre = self.make(align="center")
        self.num = self.make(num_format=NUM_FMT)
        self.rate = self.make(num_format=RATE_FMT)
        self.link = self.make(font_color="#0563C1", underline=1)
        self.title = self.make(font_size=14, bold=True)
        self.bold = self.make(bold=True)
        self.total = self.make(bold=True, top=1, bg_color="#F2F2F2")
        self.dec = self.make(num_format="0.0")
        self.header = self.make(bold=True, text_wrap=True, valign="vcenter")
        self.header_right = self.make(bold=True, text_wrap=True, valign="vcenter", align="right")
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.mid = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        # Table Style Medium 2, for a sheet too long for an Excel Table
        self.long_header = self.make(bold=True, text_wrap=True, valign="vcenter", bg_color="#4472C4",
                                     font_color="#FFFFFF")
        self.band = wb.add_format({"bg_color": "#D9E1F2"})
        self.note = self.make(bold=True, font_color="#9C0006")

    def make(self, **props):
        return self.wb.add_format({"font_name": "ＭＳ 明朝", "font_size": 10, "valign": "top"} | props)

    def for_column(self, name: str):
        kind = NUMERIC.get(name)
        if kind:
            return getattr(self, kind)
        if name in CENTRED:
            return self.centre
        return self.plain if name in PLAIN else self.text


def _print_setup(ws, header_rows: int = 1, landscape: bool = True) -> None:
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(0.4, 0.4, 0.5, 0.5)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_header("", {"margin": 0.3})
    ws.set_footer("&C&P / &N", {"margin": 0.3})


def _value(v: Any) -> Any:
    """A cell value for write_row: text and numbers as they are, None for a blank ('' included)."""
    t = type(v)
    if t is str:  # the common case first: text read from a sheet is already valid
        return (v if len(v) <= MAX_TEXT else v[:MAX_TEXT]) if v else None
    if t is int:
        return v
    return _clean(v)


def _put(ws, r: int, c: int, v: Any, fmt) -> None:
    v = _clean(v)
    if v is not None:
        ws.write(r, c, v, fmt)


def _add_table(ws, first_row: int, last_row: int, headers: list[str], name: str, header_formats=None,
               first_col: int = 0) -> None:
    """An Excel Table (style Medium 2, with filters); header_formats: one per column, or one for all."""
    if not isinstance(header_formats, list):
        header_formats = [header_formats] * len(headers)
    columns = [{"header": h} | ({"header_format": fmt} if fmt is not None else {})
               for h, fmt in zip(headers, header_formats, strict=True)]
    ws.add_table(first_row, first_col, max(last_row, first_row + 1), first_col + len(headers) - 1,
                 {"name": name, "style": "Table Style Medium 2", "columns": columns})
    # XlsxWriter notes every cell of a table to refuse an overlapping one later: these tables never
    # overlap, and the notes would cost more memory than the cells themselves
    ws.table_cells.clear()


class RollupBook:
    """The roll-up workbook: write(records, tables) once every file is in."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.out_dir = out.parent
        self._targets: dict[str, tuple[str, str]] = {}  # source path → (link target, file name)
        self._links: dict[str, int] = {}  # links written per sheet
        self._urls: dict[str, Any] = {}  # link to a source file (parsed and escaped once) → its Url

    def link(self, path: str, sheet: str, cell: str) -> str | None:
        """A link that opens the source cell, relative to the roll-up (it survives moving both).

        None when the path holds a '#': a link cannot carry it (it starts the cell part).
        """
        target = self._target(path)
        if "#" in target or "://" in path:  # an fsspec URL (s3://…): named, no file link can open it
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
        if url is not None and ws.constant_memory:  # a long sheet: a HYPERLINK formula, written out with its row
            formula = _hyperlink_formula(url.removeprefix("file:///"), text)
            if formula and _put_formula(ws, r, c, formula, self.f.link, text):
                return
        elif url is not None and self._links.get(ws.name, 0) < MAX_LINKS:
            try:
                if ws.write_url(r, c, self._url(url, text), self.f.link) == 0:
                    self._links[ws.name] = self._links.get(ws.name, 0) + 1
                    return
            except ValueError:  # a path the link format cannot hold: keep the text, lose the link
                pass
        ws.write_string(r, c, text, self.f.plain)

    def _url(self, url: str, text: str):
        """XlsxWriter's link, with '/' kept in a relative target ("../in/a.xlsx", as Excel writes it).

        XlsxWriter turns a relative file link into Windows separators (..\\in\\a.xlsx), which Excel
        for Mac and LibreOffice do not open. The file part is parsed once per source file (a city's
        roll-up links 11,000 rows to 300 files); each link copies it with its own cell and text.
        """
        import copy

        from xlsxwriter.url import Url

        file_part, anchor = url.split("#", 1)
        base = self._urls.get(file_part)
        if base is None:
            base = self._urls[file_part] = Url(file_part)
            base._relationship_link = base._relationship_link.replace("\\", "/")  # checked by test_rollup
        link = copy.copy(base)
        link._anchor = anchor
        link.text = text
        return link

    def _source(self, ws, r: int, c: int, path: str, sheet: str, cell: str) -> None:
        """The 参照元 cell: 「file / sheet / cell」 as a link to that cell."""
        text = f"{self._name(path)} / {sheet} / {cell}" if cell else f"{self._name(path)} / {sheet}"
        self.put_link(ws, r, c, path, sheet, cell, text)

    def write(self, gathered, tables, *, overwrite: bool, limit: int = 1_048_575,
              beside: dict[str, Path] | None = None) -> Path:
        """Write every sheet and save the workbook atomically (a temporary file, then a rename).

        gathered: the records (summary.gathered.Gathered); limit: rows at most on 一覧 and 要確認;
        beside: sheet → the file holding its full table, for the tables cut at limit.
        """
        with tempfile.TemporaryDirectory(prefix="xlsheets-") as tmpdir:  # XlsxWriter's parts, gone after
            return save_workbook(lambda tmp: self._build(tmp, tmpdir, gathered, tables, limit, beside or {}),
                                 self.out, overwrite=overwrite, backup=False)

    def _build(self, path: Path, tmpdir: str, gathered, tables, limit: int, beside: dict[str, Path]) -> None:
        import xlsxwriter

        summary, by_goal, years, errors = tables.summary, tables.by_goal, tables.years, tables.errors
        self.wb = xlsxwriter.Workbook(str(path), BOOK_OPTIONS | {"tmpdir": tmpdir})
        self.f = _Formats(self.wb)
        sizes = {"一覧": min(len(gathered.rows), limit), "要確認": min(gathered.finding_count(), limit),
                 "表紙": sum(len(b["goals"]) + 3 for b in gathered.books if b.get("ok"))}
        self.ws = {name: self._sheet(name, sizes.get(name, 0) > TABLE_ROWS) for name in SHEETS}
        with warnings.catch_warnings():  # a value XlsxWriter refuses is handled here, not printed
            warnings.simplefilter("ignore")
            self._listing(gathered.rows.names, gathered.rows.rows(limit), sizes["一覧"], beside.get("一覧"))
            self._findings(gathered.finding_rows(), sizes["要確認"], beside.get("要確認"))
            _cover(self.ws["表紙"], self.f, gathered.books, self.put_link, beside)
            spans, first_col = _summary(self.ws["集計"], self.f, summary, by_goal)
            _years(self.ws["経年比較"], self.f, years)
            _errors(self.ws["取込エラー"], self.f, errors)
            _charts(self.wb, self.ws["グラフ"], summary, by_goal, spans, first_col)
        self.wb.define_name(L.N_ROLLUP, '="xlsheets"')  # a later roll-up of this folder must not count it
        self.wb.close()

    def _sheet(self, name: str, long: bool):
        """A worksheet; a long one in constant_memory mode (XlsxWriter takes it per sheet when added)."""
        self.wb.constant_memory = long
        try:
            return self.wb.add_worksheet(name)
        finally:
            self.wb.constant_memory = False

    def _listing(self, fields: list[str], rows: Iterator[tuple], n: int, beside: Path | None) -> None:
        ws, f = self.ws["一覧"], self.f
        cols = LIST_SHEET_COLUMNS[:-1]
        at = [fields.index(c) for c in cols]
        source, height = [fields.index(c) for c in ("ファイル", "シート", "セル")], fields.index("_height")
        for j, c in enumerate(LIST_SHEET_COLUMNS):  # each column's format made once, cells written without
            ws.set_column(j, j, LIST_WIDTHS[c], f.for_column(c) if c in cols else None)
        last = max(1, n)
        self._header(ws, 0, last, LIST_SHEET_COLUMNS, "一覧", 27)
        for i, row in enumerate(rows, start=1):
            ws.write_row(i, 0, [_value(row[k]) for k in at])
            if row[height]:
                ws.set_row(i, row[height])
            self._source(ws, i, len(cols), *(row[k] for k in source))
            _forget_written_row(ws, i - 1)
        for col in ("中間達成率", "期末達成率"):
            j = LIST_SHEET_COLUMNS.index(col)
            _rate_colours(ws, f, 1, j, last, j)
        self._long_table_look(ws, last, len(LIST_SHEET_COLUMNS))
        _cut_note(ws, f, n + 2, beside)
        ws.freeze_panes(1, 0)
        _print_setup(ws)
        # print what a reader needs on A4; the source column is for clicking, not for paper
        ws.print_area(0, 0, last, LIST_SHEET_COLUMNS.index("根拠"))

    def _findings(self, findings: Iterator[tuple[str, dict[str, Any]]], n: int, beside: Path | None) -> None:
        ws, f = self.ws["要確認"], self.f
        widths = [7, 18, 22, 70, 40]
        for j, (w, fmt) in enumerate(zip(widths, [f.plain, f.plain, f.plain, f.text, None], strict=True)):
            ws.set_column(j, j, w, fmt)
        if not n:
            ws.write(0, 0, "検証で指摘された問題はありません。", f.bold)
            return
        self._header(ws, 0, n, FINDING_COLUMNS, "要確認")
        for i, (path, x) in zip(range(1, n + 1), findings, strict=False):  # the first n
            message = _value(x["message"])
            ws.write_row(i, 0, [SEVERITY_JA.get(x["severity"], x["severity"]), _value(x["code"]),
                                _value(location_text(x["location"])), message])
            height = _lines_height(text_lines(message, widths[3])) if message else None
            if height:  # the row grows with its wrapped message: printed lines never overlap
                ws.set_row(i, height)
            self._source(ws, i, 4, path, x["sheet"], x["cell"])
            _forget_written_row(ws, i - 1)
        self._long_table_look(ws, n, len(FINDING_COLUMNS))
        _cut_note(ws, f, n + 2, beside)
        ws.freeze_panes(1, 0)
        _print_setup(ws)

    def _header(self, ws, first_row: int, last_row: int, headers: list[str], name: str, height: float | None = None):
        """The header row: an Excel Table's (style Medium 2, filters), or on a long sheet (constant_memory)
        the same look written cell by cell with filters, before any data row."""
        if ws.constant_memory:
            ws.write_row(first_row, 0, headers, self.f.long_header)
            ws.autofilter(first_row, 0, last_row, len(headers) - 1)
        else:
            _add_table(ws, first_row, last_row, headers, name, self.f.header)
        if height:
            ws.set_row(first_row, height)

    def _long_table_look(self, ws, last_row: int, width: int) -> None:
        """A long sheet's banded rows, as Table Style Medium 2 has them (after the rate colours, which win)."""
        if ws.constant_memory:
            ws.conditional_format(1, 0, last_row, width - 1, {"type": "formula", "criteria": "=MOD(ROW(),2)=0",
                                                              "format": self.f.band})


def _hyperlink_formula(target: str, text: str) -> str | None:
    """=HYPERLINK("target","text") with both as quoted literals (no text of a source is ever evaluated);
    None when either is longer than a formula's text literal may be (255 characters).

    A long sheet's links: XlsxWriter keeps every link object of a sheet until it is saved (and
    Excel takes at most 65,530 of them a sheet); a formula is written out with its row.
    """
    if len(target) > 255 or len(text) > 255:
        return None
    quote = lambda v: '"' + v.replace('"', '""') + '"'  # noqa: E731
    return f"=HYPERLINK({quote(target)},{quote(text)})"


def _put_formula(ws, r: int, c: int, formula: str, fmt, value: str) -> bool:
    """A formula stored as it is, in the row being written (constant_memory).

    XlsxWriter's write_formula rewrites every word it takes for a newer function (「SORT(」 → _xlfn…)
    and turns a formula naming one (「UNIQUE(」) into an array formula, inside quoted text too: a
    file or sheet name must stay as it is, so the cell is stored without that step.
    """
    from xlsxwriter.worksheet import CellFormulaTuple

    if ws.write_string(r, c, value, fmt) != 0:  # the cell's row begun (the one before it written out)
        return False
    ws.table[r][c] = CellFormulaTuple(formula.removeprefix("="), fmt, value)
    return True


def _forget_written_row(ws, row: int) -> None:
    """constant_memory: a row is written out once the next begins, but XlsxWriter keeps its height
    (for placing images, of which these sheets have none): drop it, so memory does not grow by row."""
    if ws.constant_memory:
        ws.row_info.pop(row, None)
        ws.row_sizes.pop(row, None)


def _is_number_column(df, col) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(df[col])) or (
        len(df) > 0 and all(isinstance(v, (int, float)) or v in ("", None) for v in df[col]) and
        any(isinstance(v, (int, float)) for v in df[col]))


def _table(ws, df, name: str, f: _Formats, fmts: dict[str, Any], default, first_row: int = 0, last_format=None,
           first_col: int = 0, widths: dict[str, float] | None = None, header_lines: int = 2) -> int:
    """Write a (small) DataFrame as an Excel Table; returns the last row. last_format: a total row.

    Each header sits as its column's values do: right over numbers, left over text. widths:
    the wrapped text columns, by which a row grows; header_lines: the header row's height.
    """
    widths = widths or {}
    cols = [str(c) for c in df.columns]
    headers = [f.header_right if _is_number_column(df, c) else f.header for c in df.columns]
    _add_table(ws, first_row, first_row + len(df), cols, name, headers, first_col)
    ws.set_row(first_row, _lines_height(header_lines))  # room for 「平均達成率（上限100%）」 on two lines
    values = [df[c].tolist() for c in df.columns]
    for i in range(len(df)):
        fmt_row = last_format if (last_format is not None and i == len(df) - 1) else None
        for j, col in enumerate(values):
            _put(ws, first_row + 1 + i, first_col + j, col[i], fmt_row or fmts.get(cols[j], default))
        lines = max((text_lines(col[i], widths[cols[j]]) for j, col in enumerate(values)
                     if cols[j] in widths and isinstance(col[i], str)), default=1)
        if lines > 1:  # the row grows with its wrapped text
            ws.set_row(first_row + 1 + i, _lines_height(lines))
    return first_row + max(1, len(df))


def _cut_note(ws, f: _Formats, row: int, beside: Path | None) -> None:
    """Under a table cut at the row limit: where its full version is."""
    if beside is not None:
        ws.write_string(row, 0, cut_text(ws.name, beside), f.note)


def cut_text(sheet: str, beside: Path) -> str:
    return (f"{sheet}は長すぎるため最初の部分だけを載せています。全件は {beside.name} にあります"
            f"（this table is cut; the full table is in {beside.name}）。")


def _cover(ws, f: _Formats, records, put_link, beside: dict[str, Path] | None = None) -> None:
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 80)
    _print_setup(ws, 0)
    r = 0
    for sheet, path in (beside or {}).items():  # first of all: a table in the workbook is not complete
        ws.write_string(r, 0, cut_text(sheet, path), f.note)
        r += 1
    r += 1 if beside else 0
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
    from ..grid import a1

    return a1(r + 1, c + 1)


def _rate_colours(ws, f: _Formats, r1: int, c1: int, r2: int, c2: int) -> None:
    """Green from 100%, yellow from 50%, red below; blank cells (no rate) stay white."""
    top = _cell(r1, c1)
    for rule, fmt in ((f"AND(ISNUMBER({top}),{top}>=100)", f.good),
                      (f"AND(ISNUMBER({top}),{top}>=50,{top}<100)", f.mid),
                      (f"AND(ISNUMBER({top}),{top}<50)", f.bad)):
        ws.conditional_format(r1, c1, r2, c2, {"type": "formula", "criteria": "=" + rule, "format": fmt})


def _is_average(col: str) -> bool:
    return col.startswith(("平均達成率", "中央値"))


def _summary(ws, f: _Formats, summary, by_goal) -> tuple[dict[tuple[str, str], tuple[int, int]], int]:
    """集計: per department (with the city-wide total), then per goal.

    The department table starts where its counts sit under the same counts of the goal table
    (its 部局名 in the goal table's wide 重点目標 column). Returns the goal row spans per
    department, and the department table's first column.
    """
    counts = "取組数"
    first_col = (list(by_goal.columns).index(counts) - list(summary.columns).index(counts)
                 if counts in summary.columns and counts in by_goal.columns else 0)
    ws.write(0, 0, "部局別の集計（達成 = 達成率100%以上）", f.title)
    fmts = {c: f.dec for c in [*summary.columns, *by_goal.columns] if _is_average(str(c))}
    last = _table(ws, summary, "部局別集計", f, fmts, f.plain, first_row=1, last_format=f.total,  # the city total
                  first_col=first_col)
    start = last + 3
    ws.write(start - 1, 0, "重点目標別の集計", f.title)
    _table(ws, by_goal, "重点目標別集計", f, fmts | {"重点目標": f.text}, f.plain, first_row=start,
           widths={"重点目標": GOAL_WIDTH})
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 14)
    width = max(len(summary.columns) + first_col, len(by_goal.columns))
    ws.set_column(2, max(2, width - 1), 9)
    if "重点目標" in by_goal.columns:
        ws.set_column(3, 3, GOAL_WIDTH)
    _print_setup(ws, 0)
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for i, (fy, dept) in enumerate(zip(by_goal.get("年度", []), by_goal.get("部局名", []), strict=False)):
        key = (str(fy), str(dept))
        row = start + 1 + i
        spans[key] = (spans.get(key, (row, row))[0], row)
    return spans, first_col


def _years(ws, f: _Formats, years) -> None:
    if years.empty:
        ws.write(0, 0, "同じ部局の複数年度のシートがないため、経年比較はありません。", f.bold)
        return
    rates = [str(c) for c in years.columns[3:]]
    last = _table(ws, years, "経年比較", f, {c: f.dec for c in rates} | {"重点目標": f.text}, f.plain,
                  widths={"重点目標": 40}, header_lines=max([2, *(text_lines(c, YEAR_WIDTH) for c in rates)]))
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 16)
    ws.set_column(3, max(3, len(years.columns)), YEAR_WIDTH)
    _rate_colours(ws, f, 1, 3, last, len(years.columns) - 1)
    ws.freeze_panes(1, 2)
    _print_setup(ws)


def _errors(ws, f: _Formats, errors) -> None:
    if errors.empty:
        ws.write(0, 0, "すべてのファイルを読み込みました。", f.bold)
        return
    _table(ws, errors, "取込エラー", f, {"理由": f.text}, f.plain, widths={"理由": 70})
    ws.set_column(0, 0, 50)
    ws.set_column(1, 1, 70)
    _print_setup(ws)


def _range(r1: int, c1: int, r2: int, c2: int) -> str:
    """An absolute range on 集計 for a chart series (0-based rows and columns)."""
    from ..grid import col_letter

    return f"'集計'!${col_letter(c1 + 1)}${r1 + 1}:${col_letter(c2 + 1)}${r2 + 1}"


def _chart(wb, kind: str, title: str, categories: str, values: str, width: int, height: int,
           label_format: str = ""):
    chart = wb.add_chart({"type": kind})
    labels = {"value": True} | ({"num_format": label_format} if label_format else {})
    chart.add_series({"name": title, "categories": categories, "values": values, "data_labels": labels})
    chart.set_title({"name": title})
    chart.set_legend({"none": True})
    chart.set_size({"width": width, "height": height})
    return chart


def _charts(wb, ws, summary, by_goal, spans, first_col: int) -> None:
    _print_setup(ws, 0)
    if summary.empty:
        return
    total_row = len(summary) + 1  # 集計: title row 0, header row 1, data from row 2; the total is the last
    grade_cols = [first_col + list(summary.columns).index(s) for s in ("◎", "○", "△", "×", "－")
                  if s in summary.columns]
    ws.insert_chart(0, 0, _chart(wb, "column", "判定の件数（市全体）", _range(1, grade_cols[0], 1, grade_cols[-1]),
                                 _range(total_row, grade_cols[0], total_row, grade_cols[-1]), 576, 288))
    rate = next((str(c) for c in by_goal.columns if str(c).startswith("平均達成率")), None)
    if rate is None:
        return
    rate_col = list(by_goal.columns).index(rate)
    title_col = list(by_goal.columns).index("重点目標")
    cap = rate[len("平均達成率"):]  # 「（上限100%）」: the chart says what its bars are
    breaks = []
    for k, ((fy, dept), (a, b)) in enumerate(sorted(spans.items())):
        # two charts a page (the grade chart shares the first): no chart is cut by a page break
        row = CHART_ROWS * (k + 1)
        if k >= CHART_LIMIT:
            ws.write(row, 0, f"ほか {len(spans) - CHART_LIMIT} 部局・年度のグラフは省略しました（集計シートを参照）。")
            break
        if row % (2 * CHART_ROWS) == 0:
            breaks.append(row)
        chart = _chart(wb, "bar", f"{dept}（{fy}年度）重点目標別の平均達成率{cap}", _range(a, title_col, b, title_col),
                       _range(a, rate_col, b, rate_col), 768, 288, RATE_FMT)
        chart.set_x_axis({"min": 0, "num_format": RATE_FMT})
        # the first goal on top, as on the sheets, and the rate axis below the bars
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        ws.insert_chart(row, 0, chart)
    if breaks:
        ws.set_h_pagebreaks(breaks)
