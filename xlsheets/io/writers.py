"""The openpyxl face of the write interface (``grid.CellWriter``): a workbook file being edited.

The core decides what to write (``marking.py``); a writer only knows how. The xlwings
writer in ``excel.py`` implements the same methods over a live workbook.
"""

from __future__ import annotations

import json
from typing import Any

from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import Rule
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.workbook.defined_name import DefinedName

from ..errors import XlsheetsError
from .grid import a1
from .sheetops import set_text
from .textwidth import text_lines

AUTHOR = "xlsheets"
MARK_FORMULA = "TRUE"  # a finding's mark: a conditional format that always applies, placed before all others


def _color_dict(c: Color | None) -> dict[str, Any] | None:
    if c is None:
        return None
    out = {}
    for attr in ("rgb", "theme", "tint", "indexed", "auto"):
        v = getattr(c, attr, None)
        if isinstance(v, (str, int, float, bool)) and v not in (None, 0.0) or (attr == "theme" and v == 0 and c.type == "theme"):
            out[attr] = v
    out["type"] = c.type
    return out


def _color(d: dict[str, Any] | None) -> Color | None:
    if not d:
        return None
    kind = d.get("type")
    if kind == "theme":
        return Color(theme=d.get("theme", 0), tint=d.get("tint", 0.0))
    if kind == "indexed":
        return Color(indexed=d.get("indexed", 64))
    if kind == "auto":
        return Color(auto=True)
    return Color(rgb=d.get("rgb", "00000000"))


class OpenpyxlWriter:
    """Writes into an openpyxl Workbook (the file is saved afterwards through saving.py)."""

    def __init__(self, wb) -> None:
        self.wb = wb

    def _cell(self, sheet: str, row: int, col: int):
        return self.wb[sheet].cell(row, col)

    def _shown(self, sheet: str, row: int, col: int):
        """The cell a person sees there: a merged range's first cell, as Excel places a note on a merged range."""
        ws = self.wb[sheet]
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
                return ws.cell(rng.min_row, rng.min_col)
        return ws.cell(row, col)

    def set_value(self, sheet: str, row: int, col: int, value: Any, number_format: str | None = None) -> None:
        cell = self._cell(sheet, row, col)
        if type(cell).__name__ == "MergedCell":
            return
        if self.wb[sheet].protection.sheet and cell.protection.locked:  # where Excel would not let a person type
            raise XlsheetsError(
                f"シート「{sheet}」は保護されていて、{cell.coordinate} はロックされたセルのため書き込めません。"
                "「校閲」→「シート保護の解除」をしてから、もう一度実行してください。",
                f"sheet {sheet!r} is protected and {cell.coordinate} is locked: unprotect it first",
            )
        set_text(cell, value)
        if number_format:
            cell.number_format = number_format

    def get_fill(self, sheet: str, row: int, col: int) -> str:
        """The cell's fill as a JSON string ('' when it has none)."""
        f = self._cell(sheet, row, col).fill
        if f is None or f.patternType in (None, "none"):
            return ""
        return json.dumps({"patternType": f.patternType, "fg": _color_dict(f.fgColor), "bg": _color_dict(f.bgColor)})

    def set_fill(self, sheet: str, row: int, col: int, color: str | None) -> None:
        """color: 'RRGGBB', a JSON string from get_fill, or None/'' for no fill."""
        cell = self._cell(sheet, row, col)
        if not color:
            cell.fill = PatternFill(fill_type=None)
        elif color.startswith("{"):
            d = json.loads(color)
            cell.fill = PatternFill(patternType=d.get("patternType"), fgColor=_color(d.get("fg")),
                                    bgColor=_color(d.get("bg")))
        else:
            cell.fill = PatternFill("solid", fgColor="FF" + color)

    def get_note(self, sheet: str, row: int, col: int) -> str:
        c = self._shown(sheet, row, col).comment
        return c.text if c else ""

    def set_note(self, sheet: str, row: int, col: int, text: str | None) -> None:
        cell = self._shown(sheet, row, col)
        if not text:
            cell.comment = None
            return
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 140
        cell.comment = comment

    def mark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None:
        """Colour the cells rows[0]..rows[1] of col with a conditional format placed first (stop if true), so
        that no live check of the template hides it: Excel follows the priority, LibreOffice the order in
        the file (both first)."""
        fill = PatternFill(fill_type="solid", fgColor="FF" + color, bgColor="FF" + color)
        rule = Rule(type="expression", formula=[MARK_FORMULA], stopIfTrue=True, dxf=DifferentialStyle(fill=fill))
        ws = self.wb[sheet]
        rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]
        for _sqref, r in rules:
            r.priority = (r.priority or 0) + 1
        rule.priority = 1
        _set_rules(ws, [(_block(rows, col), rule), *rules])

    def unmark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None:
        """Remove the conditional format that mark() put on these cells; the others keep their order."""
        ws = self.wb[sheet]
        kept, gone = [], []
        for cf in ws.conditional_formatting:
            for r in cf.rules:
                ours = _is_mark(r, color) and str(cf.sqref) == _block(rows, col)
                (gone if ours else kept).append((str(cf.sqref), r))
        if not gone:
            return
        for _sqref, r in kept:
            r.priority = (r.priority or 0) - sum((g.priority or 0) < (r.priority or 0) for _s, g in gone)
        _set_rules(ws, kept)

    def has_sheet(self, name: str) -> bool:
        return name in self.wb.sheetnames

    def write_sheet(self, name: str, rows: list[list[Any]], *, links: dict[tuple[int, int], str] | None = None,
                    hidden: bool = False, widths: list[float] | None = None, header_row: int = 1,
                    landscape: bool = False, mark: str = "") -> None:
        """(Re)create a sheet holding rows; links map (row, col) → '#Sheet!A1'. The table starts at
        header_row (rows above it are free text); landscape: printed on A4 landscape, one page wide,
        the header row on every page, the last column wrapped; mark: a sheet-scoped name the sheet
        carries (its value the sheet's name), the caller's sign that the sheet is its own."""
        from openpyxl.styles import Font

        if name in self.wb.sheetnames:
            del self.wb[name]
        ws = self.wb.create_sheet(name)
        if mark:
            ws.defined_names[mark] = DefinedName(mark, attr_text='"' + name.replace('"', '""') + '"')
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                set_text(ws.cell(r, c), v)
        width = len(rows[header_row - 1]) if len(rows) >= header_row else 0
        for c in range(1, width + 1):
            ws.cell(header_row, c).font = Font(bold=True)
        for r in range(1, header_row):
            ws.cell(r, 1).font = Font(bold=True)
        for (r, c), target in (links or {}).items():
            ws.cell(r, c).hyperlink = target
            ws.cell(r, c).font = Font(color="0563C1", underline="single")
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = w
        if width:
            ws.freeze_panes = ws.cell(header_row + 1, 1).coordinate
            last = ws.cell(len(rows), width).coordinate
            ws.auto_filter.ref = f"A{header_row}:{last}"
        if landscape and width:
            _print_landscape(ws, header_row, width, len(rows))
        if hidden:
            ws.sheet_state = "hidden"

    def delete_sheet(self, name: str) -> None:
        if name in self.wb.sheetnames:
            del self.wb[name]


def _block(rows: tuple[int, int], col: int) -> str:
    return a1(rows[0], col) if rows[0] == rows[1] else f"{a1(rows[0], col)}:{a1(rows[1], col)}"


def _is_mark(rule: Rule, color: str) -> bool:
    fill = rule.dxf.fill if rule.dxf is not None else None
    rgb = (fill.bgColor.rgb if fill is not None and fill.bgColor is not None else "") or ""
    return (rule.type == "expression" and list(rule.formula or []) == [MARK_FORMULA] and bool(rule.stopIfTrue)
            and isinstance(rgb, str) and rgb[-6:].upper() == color.upper())


def _set_rules(ws, rules: list[tuple[str, Rule]]) -> None:
    """The sheet's conditional formats in this order (the order LibreOffice applies them in)."""
    fresh = ConditionalFormattingList()
    for sqref, rule in rules:
        fresh.add(sqref, rule)
    ws.conditional_formatting = fresh


def _print_landscape(ws, header_row: int, width: int, height: int) -> None:
    """A4 landscape, every column on one page (as many pages down as needed), header repeated; every
    column wraps and each row is as tall as its longest cell, so nothing is clipped or runs off the page."""
    from openpyxl.styles import Alignment

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.gridLines = True
    cols = [ws.column_dimensions[ws.cell(1, c).column_letter].width or 8.43 for c in range(1, width + 1)]
    for r in range(header_row, height + 1):
        lines = 1
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")  # numbers beside text
            lines = max(lines, text_lines(str(cell.value if cell.value is not None else ""), cols[c - 1], 11.0))
        if lines > 1:  # neither Excel nor LibreOffice grows a row on opening a file
            ws.row_dimensions[r].height = 15 * lines
