"""The openpyxl face of the write interface (``grid.CellWriter``): a workbook file being edited.

The core decides what to write (``marking.py``); a writer only knows how. The xlwings
writer in ``excel.py`` implements the same methods over a live workbook.
"""

from __future__ import annotations

import json
from typing import Any

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

from .errors import XlsheetsError
from .sheetops import set_text

AUTHOR = "xlsheets"


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
        c = self._cell(sheet, row, col).comment
        return c.text if c else ""

    def set_note(self, sheet: str, row: int, col: int, text: str | None) -> None:
        cell = self._cell(sheet, row, col)
        if not text:
            cell.comment = None
            return
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 140
        cell.comment = comment

    def has_sheet(self, name: str) -> bool:
        return name in self.wb.sheetnames

    def write_sheet(self, name: str, rows: list[list[Any]], *, links: dict[tuple[int, int], str] | None = None,
                    hidden: bool = False, widths: list[float] | None = None) -> None:
        """(Re)create a sheet holding rows; links map (row, col) → '#Sheet!A1'."""
        from openpyxl.styles import Font

        if name in self.wb.sheetnames:
            del self.wb[name]
        ws = self.wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                set_text(ws.cell(r, c), v)
        for c in range(1, len(rows[0]) + 1 if rows else 1):
            ws.cell(1, c).font = Font(bold=True)
        for (r, c), target in (links or {}).items():
            ws.cell(r, c).hyperlink = target
            ws.cell(r, c).font = Font(color="0563C1", underline="single")
        for i, w in enumerate(widths or [], start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = w
        if rows:
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
        if hidden:
            ws.sheet_state = "hidden"

    def delete_sheet(self, name: str) -> None:
        if name in self.wb.sheetnames:
            del self.wb[name]
