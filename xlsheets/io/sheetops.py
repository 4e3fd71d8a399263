"""openpyxl helpers for editing the form: safe text, growing tables, names, row heights."""

from __future__ import annotations

import re
from copy import copy
from typing import Any, NamedTuple

from openpyxl.formatting.formatting import ConditionalFormatting, ConditionalFormattingList
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from .grid import Ref, format_ref, parse_ref
from .textwidth import text_lines

EXCEL_MAX_CELL = 32767
MAX_ROW_HEIGHT = 409.0  # Excel's largest row height, in points
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@")


def xml_holds(text: str) -> bool:
    """Whether XML (a link's target, a sheet name) can hold the text: no control characters."""
    return _ILLEGAL_XML.search(text) is None


def clean_text(value: str) -> tuple[str, list[str]]:
    """Make text storable in a cell; return it with what was changed (in Japanese)."""
    changes = []
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
        changes.append("保存できない制御文字を削除しました")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("改行コードを統一しました")
    # Lone surrogates cannot be encoded in XML.
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # a lone one → U+FFFD
        changes.append("不正な文字（サロゲート）を置き換えました")
    if len(value) > EXCEL_MAX_CELL:
        value = value[:EXCEL_MAX_CELL]
        changes.append(f"Excelの上限 {EXCEL_MAX_CELL} 文字で切り詰めました")
    return value, changes


def set_text(cell, value: Any) -> list[str]:
    """Write a value; text is always text, never a formula. Returns what was changed."""
    if value is None or value == "":
        cell.value = None
        return []
    if not isinstance(value, str):
        cell.value = value
        return []
    value, changes = clean_text(value)
    cell.value = value
    if value.startswith(_FORMULA_START) or cell.data_type != "s":
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return changes


# ---------------------------------------------------------------- defined names


def sheet_names(ws) -> dict[str, Ref]:
    """The sheet-scoped names of a worksheet that point at cells."""
    out = {}
    for name, dn in ws.defined_names.items():
        ref = parse_ref(dn.attr_text or "")
        if ref is not None:
            out[name] = ref
    return out


def set_sheet_name(ws, name: str, ref: Ref | str) -> None:
    text = format_ref(ref) if isinstance(ref, Ref) else ref
    ws.defined_names[name] = DefinedName(name, attr_text=text)


def copy_sheet_names(src, dst) -> None:
    """Copy src's sheet-scoped names to dst, re-pointed at dst."""
    for name, dn in src.defined_names.items():
        ref = parse_ref(dn.attr_text or "")
        if ref is not None and ref.sheet == src.title:
            set_sheet_name(dst, name, Ref(dst.title, ref.r1, ref.c1, ref.r2, ref.c2))
        else:
            dst.defined_names[name] = DefinedName(name, attr_text=dn.attr_text)


def retitle_names(ws, old_title: str) -> None:
    """After ws was renamed, point its names at its new title."""
    for name, dn in list(ws.defined_names.items()):
        ref = parse_ref(dn.attr_text or "")
        if ref is not None and ref.sheet == old_title:
            set_sheet_name(ws, name, Ref(ws.title, ref.r1, ref.c1, ref.r2, ref.c2))


# ---------------------------------------------------------------- growing the table


def insert_rows(ws, idx: int, n: int) -> None:
    """Insert n rows before row idx, moving merges, names, heights and print titles along."""
    if n <= 0:
        return
    moved = []
    for m in list(ws.merged_cells.ranges):
        if m.max_row >= idx:
            moved.append((m.min_row, m.min_col, m.max_row, m.max_col))
            ws.unmerge_cells(m.coord)
    heights = {r: d.height for r, d in ws.row_dimensions.items() if r >= idx and d.height is not None}
    ws.insert_rows(idx, n)
    for r in sorted(heights, reverse=True):
        ws.row_dimensions[r + n].height = heights[r]
        ws.row_dimensions[r].height = None
    for r1, c1, r2, c2 in moved:
        nr1 = r1 + n if r1 >= idx else r1
        ws.merge_cells(start_row=nr1, start_column=c1, end_row=r2 + n, end_column=c2)
    for name, ref in sheet_names(ws).items():
        if ref.sheet != ws.title or ref.r2 < idx:
            continue
        r1 = ref.r1 + n if ref.r1 >= idx else ref.r1
        set_sheet_name(ws, name, Ref(ref.sheet, r1, ref.c1, ref.r2 + n, ref.c2))
    remap_rules(ws, lambda a: [_moved(a, idx, n)])


def copy_row_format(ws, src_row: int, dst_row: int, max_col: int) -> None:
    """Give dst_row the styles, height and single-row merges of src_row."""
    for c in range(1, max_col + 1):
        src = ws.cell(src_row, c)
        if src.has_style:
            ws.cell(dst_row, c)._style = copy(src._style)
    h = ws.row_dimensions[src_row].height
    if h is not None:
        ws.row_dimensions[dst_row].height = h
    for m in list(ws.merged_cells.ranges):
        if m.min_row == m.max_row == src_row:
            ws.merge_cells(start_row=dst_row, start_column=m.min_col, end_row=dst_row, end_column=m.max_col)
    remap_rules(ws, lambda a: _with_row(a, src_row, dst_row))


# ---------------------------------------------------------------- input rules and live checks


def _moved(area: CellRange, idx: int, n: int) -> CellRange:
    """An area after n rows were inserted before row idx (as Excel moves it)."""
    if area.max_row < idx:
        return area
    return CellRange(min_col=area.min_col, max_col=area.max_col, max_row=area.max_row + n,
                     min_row=area.min_row + n if area.min_row >= idx else area.min_row)


def _with_row(area: CellRange, src_row: int, dst_row: int) -> list[CellRange]:
    """An area that holds src_row also covers dst_row: grown when next to it, else a new area."""
    if not area.min_row <= src_row <= area.max_row or area.min_row <= dst_row <= area.max_row:
        return [area]
    if dst_row == area.max_row + 1:
        return [CellRange(min_col=area.min_col, min_row=area.min_row, max_col=area.max_col, max_row=dst_row)]
    return [area, CellRange(min_col=area.min_col, min_row=dst_row, max_col=area.max_col, max_row=dst_row)]


def _shifted(formula: str | None, rows: int) -> str | None:
    """A rule's formula moved down by rows (relative references follow, absolute ones stay)."""
    if not formula or not rows:
        return formula
    return Translator("=" + formula, origin="A1").translate_formula(f"A{1 + rows}")[1:]


def _remapped(sqref: MultiCellRange, remap) -> tuple[MultiCellRange, int]:
    """New areas of a rule, and how far its anchor (the first area's top row) moved."""
    old = sqref.sorted()
    areas = [new for area in old for new in remap(area)]
    fresh = MultiCellRange(areas)
    return fresh, (fresh.sorted()[0].min_row - old[0].min_row) if old else 0


def remap_rules(ws, remap) -> None:
    """Give every data validation and conditional format of ws new areas: remap(area) → areas.

    openpyxl's insert_rows and copy_worksheet leave both alone; a growing table calls this.
    """
    for dv in ws.data_validations.dataValidation:
        dv.sqref, moved = _remapped(dv.sqref, remap)
        dv.formula1, dv.formula2 = _shifted(dv.formula1, moved), _shifted(dv.formula2, moved)
    old, fresh = ws.conditional_formatting, ConditionalFormattingList()
    for cf in old:
        sqref, moved = _remapped(cf.sqref, remap)
        for rule in cf.rules:
            rule.formula = [_shifted(f, moved) for f in rule.formula]
            fresh.add(ConditionalFormatting(sqref=sqref), rule)
    fresh.max_priority = old.max_priority
    ws.conditional_formatting = fresh


def copy_sheet_rules(src, dst) -> None:
    """Give dst (a copy of src) src's input rules, live checks and sheet protection."""
    for dv in src.data_validations.dataValidation:
        dst.add_data_validation(copy(dv))
    for cf in src.conditional_formatting:
        for rule in cf.rules:
            dst.conditional_formatting.add(ConditionalFormatting(sqref=str(cf.sqref)), copy(rule))
    dst.protection = copy(src.protection)


# ---------------------------------------------------------------- row heights


def column_width(ws, col: int) -> float:
    d = ws.column_dimensions.get(get_column_letter(col))
    return d.width if d is not None and d.width else 8.43


def _line_height(size: float) -> float:
    return size * 1.3


def needed_height(ws, row: int, col: int, text: str, cols: int = 1) -> float:
    """Points needed to show text at (row, col) spanning `cols` columns."""
    width = sum(column_width(ws, c) for c in range(col, col + cols))
    size = float(ws.cell(row, col).font.sz or 10)
    return text_lines(text, width, size) * _line_height(size) + 5


class PrintCut(NamedTuple):
    """A cell whose text cannot print in full at its column width, even with its rows at 409 pt."""

    sheet: str
    cell: str
    lines_needed: int
    lines_fit: int

    def message(self) -> str:
        return (f"{self.sheet}!{self.cell}: 文が長く、印刷では途中で切れます（必要 {self.lines_needed} 行、行の高さを上限の "
                f"{MAX_ROW_HEIGHT:.0f} pt にしても入るのは {self.lines_fit} 行）。セルには全文が残っています。"
                f"印刷するには別紙に続けるか、短くしてください (text too long to print in full: "
                f"{self.lines_needed} lines needed, {self.lines_fit} fit)")


def print_cuts(ws) -> list[PrintCut]:
    """Every cell of ws whose text needs more lines than its rows hold at Excel's largest height."""
    spans = {(m.min_row, m.min_col): (m.max_row - m.min_row + 1, m.max_col - m.min_col + 1)
             for m in ws.merged_cells.ranges}
    cuts = []
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value or type(cell).__name__ == "MergedCell":
                continue
            rows, cols = spans.get((cell.row, cell.column), (1, 1))
            size = float(cell.font.sz or 10)
            need = text_lines(cell.value, sum(column_width(ws, c) for c in range(cell.column, cell.column + cols)), size)
            fit = int((MAX_ROW_HEIGHT * rows - 5) // _line_height(size))
            if need > fit:
                cuts.append(PrintCut(ws.title, cell.coordinate, need, fit))
    return cuts


def fit_rows(ws, rows: range | list[int]) -> None:
    """Raise row heights so that wrapped text in single-row cells is never clipped."""
    spans = {}
    for m in ws.merged_cells.ranges:
        if m.min_row == m.max_row:
            spans[(m.min_row, m.min_col)] = m.max_col - m.min_col + 1
    for r in rows:
        need = 0.0
        for cell in ws[r]:
            if isinstance(cell.value, str) and cell.value and type(cell).__name__ != "MergedCell":
                need = max(need, needed_height(ws, r, cell.column, cell.value, spans.get((r, cell.column), 1)))
        current = ws.row_dimensions[r].height or 13.5
        if need > current:
            ws.row_dimensions[r].height = min(MAX_ROW_HEIGHT, need)
