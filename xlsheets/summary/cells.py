"""What every sheet of the roll-up workbook shares: cell values as the writer takes them, the formats
(ＭＳ 明朝 10pt, as on the form), print setup, small tables and rate colours."""

from __future__ import annotations

import math
from typing import Any

from .. import layout as L
from ..io.grid import a1, col_letter
from ..io.textwidth import text_lines
from .columns import CENTRED, LINK, NUMBER, PLAIN, RATE, lines_height

RATE_FMT = L.RATE_FORMAT
NUM_FMT = "#,##0.##"
DEC_FMT = "0.0"  # means and medians: one decimal everywhere
MAX_TEXT = 32767  # characters in one cell


def text(v: Any) -> str:
    """A string the writer accepts: no lone surrogates (odd file names), at most one cell long."""
    s = str(v)
    if not s.isascii():
        s = s.encode("utf-8", "replace").decode("utf-8")
    return s[:MAX_TEXT]


def clean(v: Any) -> Any:
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
    return text(v)


def value(v: Any) -> Any:
    """A cell value for a row: text and numbers as they are, None for a blank ('' included)."""
    t = type(v)
    if t is str:  # the common case first: text read from a sheet is already valid
        return (v if len(v) <= MAX_TEXT else v[:MAX_TEXT]) if v else None
    if t is int:
        return v
    return clean(v)


def put(ws, r: int, c: int, v: Any, fmt) -> None:
    v = clean(v)
    if v is not None:
        ws.write(r, c, v, fmt)


class Formats:
    """The cell formats of the roll-up (ＭＳ 明朝 10pt, top-aligned, as on the form), each made once."""

    def __init__(self, wb) -> None:
        self.wb = wb
        self.text = self.make(text_wrap=True)
        self.plain = self.make()
        self.centre = self.make(align="center")
        self.num = self.make(num_format=NUM_FMT)
        self.rate = self.make(num_format=RATE_FMT)
        self.link = self.make(font_color="#0563C1", underline=1)
        self.link_wrap = self.make(font_color="#0563C1", underline=1, text_wrap=True)
        self.title = self.make(font_size=14, bold=True)
        self.bold = self.make(bold=True)
        self.total = self.make(bold=True, top=1, bg_color="#F2F2F2")
        self.total_dec = self.make(bold=True, top=1, bg_color="#F2F2F2", num_format=DEC_FMT)
        self.dec = self.make(num_format=DEC_FMT)
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

    def for_kind(self, kind: str):
        """The format of a 一覧 column of that kind (columns.WRAPPED, NUMBER, …)."""
        return {NUMBER: self.num, RATE: self.rate, CENTRED: self.centre, PLAIN: self.plain,
                LINK: self.link}.get(kind, self.text)


def print_setup(ws, header_rows: int | tuple[int, int] = 1, landscape: bool = True, pages_tall: int = 0) -> None:
    """A4, one page wide (pages_tall: at most that many pages down, 0: as many as needed); header_rows:
    the rows repeated at the top of every page (a count from the first row, or (first, last))."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, pages_tall)
    ws.set_margins(0.4, 0.4, 0.5, 0.5)
    rows = header_rows if isinstance(header_rows, tuple) else (0, header_rows - 1) if header_rows else None
    if rows:
        ws.repeat_rows(*rows)
    ws.set_header("", {"margin": 0.3})
    ws.set_footer("&C&P / &N", {"margin": 0.3})


def add_table(ws, first_row: int, last_row: int, headers: list[str], name: str, header_formats=None,
              first_col: int = 0) -> None:
    """An Excel Table (style Medium 2, with filters); header_formats: one per column, or one for all."""
    if not isinstance(header_formats, list):
        header_formats = [header_formats] * len(headers)
    from xlsxwriter.utility import xl_range

    columns = [{"header": h} | ({"header_format": fmt} if fmt is not None else {})
               for h, fmt in zip(headers, header_formats, strict=True)]
    last_col = first_col + len(headers) - 1
    # XlsxWriter notes every cell of a table to refuse an overlapping one later (a tenth of 一覧's
    # writing, and more memory than the cells): these tables never overlap, so the table is added
    # over its first two rows and then given its full range (its filter's too)
    ws.add_table(first_row, first_col, first_row + 1, last_col,
                 {"name": name, "style": "Table Style Medium 2", "columns": columns})
    ws.table_cells.clear()
    table = ws.tables[-1]
    full = xl_range(first_row, first_col, max(last_row, first_row + 1), last_col)
    table["range"] = table["a_range"] = full
    if table.get("autofilter"):
        table["autofilter"] = full


def is_number_column(df, col) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(df[col])) or (
        len(df) > 0 and all(isinstance(v, (int, float)) or v in ("", None) for v in df[col]) and
        any(isinstance(v, (int, float)) for v in df[col]))


def table(ws, df, name: str, f: Formats, fmts: dict[str, Any], default, first_row: int = 0,
          row_formats: dict[int, dict[str, Any]] | None = None, widths: dict[str, float] | None = None,
          header_lines: int = 2, links: dict[int, tuple[int, Any, str]] | None = None) -> int:
    """Write a (small) DataFrame as an Excel Table on a StreamedSheet; returns the last row.

    Each header sits as its column's values do: right over numbers, left over text. row_formats:
    the formats of some rows (by position in df: a total row), column by column; widths: the
    wrapped text columns, by which a row grows; header_lines: the header row's height; links:
    a row's link (column, target, text shown), as StreamedSheet.row takes it.
    """
    widths, row_formats, links = widths or {}, row_formats or {}, links or {}
    cols = [str(c) for c in df.columns]
    headers = [f.header_right if is_number_column(df, c) else f.header for c in df.columns]
    add_table(ws, first_row, first_row + len(df), cols, name, headers)
    ws.set_row(first_row, lines_height(header_lines))  # room for 「平均達成率（上限100%）」 on two lines
    formats = [fmts.get(c, default) for c in cols]
    ws.begin(first_row + 1, formats)
    values = [df[c].tolist() for c in df.columns]
    for i, row in enumerate(zip(*values, strict=True)):
        lines = max((text_lines(v, widths[c]) for c, v in zip(cols, row, strict=True) if c in widths and isinstance(v, str)),
                    default=1)
        special = row_formats.get(i)
        own = [special.get(c) or formats[j] for j, c in enumerate(cols)] if special else None
        ws.row([clean(v) for v in row], lines_height(lines), links.get(i), own)
    ws.finish(len(cols) - 1)
    return first_row + max(1, len(df))


def cell_ref(r: int, c: int) -> str:
    return a1(r + 1, c + 1)


def rate_colours(ws, f: Formats, r1: int, c1: int, r2: int, c2: int) -> None:
    """Green from 100%, yellow from 50%, red below; blank cells (no rate) stay white."""
    top = cell_ref(r1, c1)
    for rule, fmt in ((f"AND(ISNUMBER({top}),{top}>=100)", f.good),
                      (f"AND(ISNUMBER({top}),{top}>=50,{top}<100)", f.mid),
                      (f"AND(ISNUMBER({top}),{top}<50)", f.bad)):
        ws.conditional_format(r1, c1, r2, c2, {"type": "formula", "criteria": "=" + rule, "format": fmt})


def is_average(col: str) -> bool:
    return col.startswith(("平均達成率", "中央値"))


def sheet_range(sheet: str, r1: int, c1: int, r2: int, c2: int) -> str:
    """An absolute range on a sheet, for a chart series (0-based rows and columns)."""
    return f"'{sheet}'!${col_letter(c1 + 1)}${r1 + 1}:${col_letter(c2 + 1)}${r2 + 1}"
