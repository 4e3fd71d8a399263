"""A live Excel workbook through xlwings (desktop, xlwings Server, Lite): read into the cell interface,
every sheet's used range in one call; written through :class:`XlwingsWriter`, which sends whole column
blocks rather than single cells. Works on any xlwings Book-like object; never imports xlwings itself."""

from __future__ import annotations

import contextlib
import datetime as _dt
from typing import Any

from .grid import UNKNOWN_NOTE, BookGrid, SheetGrid, attach_names
from .writers import MARK_FORMULA

_FORMULA_START = ("=", "+", "-", "@")


# ---------------------------------------------------------------- reading a live book


def book_grid(book) -> BookGrid:
    """Every sheet's used range in one call each, plus the defined names."""
    grids = []
    for sheet in book.sheets:
        rng = sheet.used_range
        values = rng.options(ndim=2).value or [[]]
        rows = [[_plain(v) for v in row] for row in values]
        grids.append(SheetGrid(sheet.name, rows, [], origin=(rng.row, rng.column)))
    entries = []
    index = {g.name: i for i, g in enumerate(grids)}
    for name in book.names:
        full = name.name
        local = None
        if "!" in full:
            sheet_part, full = full.rsplit("!", 1)
            local = index.get(sheet_part.strip("'"))
        try:
            refers = name.refers_to
        except Exception:  # an engine that cannot say what a name points at
            continue
        entries.append((full, (refers or "").lstrip("="), local))
    constants = attach_names(grids, entries)
    return BookGrid(grids, constants, getattr(book, "fullname", "") or book.name)


def _plain(v: Any) -> Any:
    if isinstance(v, _dt.datetime):  # xlwings turns date-like cells into datetimes
        return v.strftime("%Y/%m/%d") if not (v.hour or v.minute) else v.isoformat(sep=" ")
    return None if v == "" else v


# ---------------------------------------------------------------- writing to a live book


class XlwingsWriter:
    """grid.CellWriter over an xlwings Book. Values and fills are buffered and sent as column blocks."""

    def __init__(self, book) -> None:
        self.book = book
        self._values: dict[tuple[str, int], dict[int, tuple[Any, str | None]]] = {}
        self._fills: dict[tuple[str, int], dict[int, str | None]] = {}

    def _sheet(self, name: str):
        return self.book.sheets[name]

    def set_value(self, sheet: str, row: int, col: int, value: Any, number_format: str | None = None) -> None:
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            value = "'" + value  # text stays text: Excel would read "=…" as a formula
        self._values.setdefault((sheet, col), {})[row] = (value, number_format)

    def set_fill(self, sheet: str, row: int, col: int, color: str | None) -> None:
        if color and color.startswith("{"):  # a fill saved by the file writer: keep its colour only
            import json

            color = ((json.loads(color).get("fg") or {}).get("rgb") or "")[-6:] or None
        self._fills.setdefault((sheet, col), {})[row] = color

    def get_fill(self, sheet: str, row: int, col: int) -> str:
        try:
            c = self._sheet(sheet).range((row, col)).color
        except (NotImplementedError, Exception):  # the remote engine cannot read colours
            return ""
        if not c:
            return ""
        return "".join(f"{v:02X}" for v in c[:3]) if isinstance(c, tuple) else str(c).lstrip("#").upper()

    def get_note(self, sheet: str, row: int, col: int) -> str:
        rng = self._sheet(sheet).range((row, col))
        try:
            note = rng.note
        except NotImplementedError:
            return ""
        if note is None:
            return ""
        try:
            return note.text or ""
        except NotImplementedError:
            return UNKNOWN_NOTE

    def set_note(self, sheet: str, row: int, col: int, text: str | None) -> None:
        rng = self._sheet(sheet).range((row, col))
        note = rng.note
        if not text:
            if note is not None:
                note.delete()
            return
        if note is not None:
            note.text = text
        elif hasattr(rng, "add_note"):
            rng.add_note(text)
        else:  # pragma: no cover - older xlwings
            rng.note.text = text

    def mark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None:
        """A conditional format on the cells, placed first with stop-if-true (xlwings puts it first on every
        engine), so that the template's live checks do not hide the mark."""
        rng = self._sheet(sheet).range((rows[0], col), (rows[1], col))
        rng.conditional_formats.add_custom("=" + MARK_FORMULA, fill_color="#" + color, stop_if_true=True)

    def unmark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None:
        """Delete what mark() added on these cells. Excel on Windows lists a range's rules, so ours is found
        by what it is; Office.js (server, Lite) cannot list them here: ours is the first, and Excel checks
        that the first rule still is ours before deleting it (else an error, and nothing else is deleted)."""
        rng = self._sheet(sheet).range((rows[0], col), (rows[1], col))
        try:
            rules = list(rng.conditional_formats)
        except NotImplementedError:
            _delete_first_rule(rng, {"type": "Custom", "formula": "=" + MARK_FORMULA, "stop_if_true": True})
            return
        want = tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))
        for rule in rules:
            if rule.type == "custom" and rule.formula == "=" + MARK_FORMULA and rule.fill_color == want:
                rule.delete()

    def has_sheet(self, name: str) -> bool:
        return name in [s.name for s in self.book.sheets]

    def write_sheet(self, name: str, rows: list[list[Any]], *, links=None, hidden: bool = False,
                    widths: list[float] | None = None, header_row: int = 1, landscape: bool = False,
                    mark: str = "") -> None:
        """As OpenpyxlWriter.write_sheet; the print setup (landscape) is not sent to a live workbook."""
        self.delete_sheet(name)
        sheet = self.book.sheets.add(name=name, after=self.book.sheets[len(self.book.sheets) - 1])
        safe = [["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in r] for r in rows]
        if safe:
            sheet.range("A1").value = safe
        if mark:
            with contextlib.suppress(Exception):  # a live book may refuse the name; the sheet's name still says it
                sheet.names.add(mark, f'="{name}"')
        for (r, c), target in (links or {}).items():
            text = rows[r - 1][c - 1]
            sheet.range((r, c)).add_hyperlink(target, str(text) if text is not None else target)
        if hidden:
            sheet.visible = False

    def delete_sheet(self, name: str) -> None:
        if self.has_sheet(name):
            self._sheet(name).delete()

    def flush(self) -> None:
        """Send the buffered values and fills: one call per contiguous block of a column."""
        for (sheet, col), cells in self._values.items():
            for start, block in _runs(cells):
                rng = self._sheet(sheet).range((start, col), (start + len(block) - 1, col))
                rng.options(ndim=2).value = [[v] for v, _fmt in block]
                formats = {fmt for _v, fmt in block}
                if len(formats) == 1 and None not in formats:
                    rng.number_format = formats.pop()
        for (sheet, col), cells in self._fills.items():
            for start, block in _runs(cells):
                k = 0
                while k < len(block):  # one call per run of the same colour
                    j = k
                    while j + 1 < len(block) and block[j + 1] == block[k]:
                        j += 1
                    color = block[k]
                    self._sheet(sheet).range((start + k, col), (start + j, col)).color = (
                        "#" + color if color else None)
                    k = j + 1
        self._values.clear()
        self._fills.clear()


def _delete_first_rule(rng, snapshot: dict[str, Any]) -> None:
    """Office.js: delete the first conditional format of rng if it still is the one described."""
    from xlwings.pro._xlremote import ConditionalFormats

    ConditionalFormats(rng.impl, [snapshot])(1).delete()


def _runs(cells: dict[int, Any]):
    """{row: x} → [(first_row, [x, …])] for runs of consecutive rows."""
    rows = sorted(cells)
    out: list[tuple[int, list[Any]]] = []
    for r in rows:
        if out and r == out[-1][0] + len(out[-1][1]):
            out[-1][1].append(cells[r])
        else:
            out.append((r, [cells[r]]))
    return out
