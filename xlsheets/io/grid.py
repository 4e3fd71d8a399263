"""The small cell-access interface the core works on, and its file adapters.

Reading: every face turns a sheet into a :class:`SheetGrid` (values, merges, defined
names) in one go: calamine for files (fast), openpyxl for a workbook being edited,
xlwings for a live workbook. The core reads only SheetGrids and never imports a
workbook library. Writing goes through :class:`CellWriter` (see ``writers.py``).
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

Range = tuple[int, int, int, int]  # r1, c1, r2, c2, 1-based inclusive
UNKNOWN_NOTE = "[xlsheets:note-text-unknown]"  # a writer's get_note: a note is there, its text unreadable


class Ref(NamedTuple):
    """Where a defined name points: a cell range on a sheet (a workbook has hundreds: kept light)."""

    sheet: str
    r1: int
    c1: int
    r2: int
    c2: int


@dataclass
class SheetGrid:
    """A snapshot of one sheet: values, merged ranges and the names that point into it."""

    name: str
    rows: list[list[Any]]
    merges: list[Range] = field(default_factory=list)
    names: dict[str, Ref] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)  # sheet-scoped constant names
    origin: tuple[int, int] = (1, 1)  # sheet row/col of rows[0][0]
    # number formats of chosen cells, read on demand (a format None: this source cannot tell)
    formats: Callable[[list[tuple[int, int]]], dict[tuple[int, int], str | None]] | None = field(
        default=None, repr=False, compare=False)
    _merge_at: dict[tuple[int, int], Range] | None = field(default=None, repr=False)

    @property
    def max_row(self) -> int:
        return self.origin[0] + len(self.rows) - 1

    @property
    def max_col(self) -> int:
        return self.origin[1] + max((len(r) for r in self.rows), default=0) - 1

    def value(self, row: int, col: int) -> Any:
        r, c = row - self.origin[0], col - self.origin[1]
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def text(self, row: int, col: int) -> str:
        return cell_text(self.value(row, col))

    def merge_at(self, row: int, col: int) -> Range | None:
        """The merged range that covers (row, col), if any."""
        if self._merge_at is None:
            idx: dict[tuple[int, int], Range] = {}
            for m in self.merges:
                r1, c1, r2, c2 = m
                if (r2 - r1 + 1) * (c2 - c1 + 1) > 10000:
                    continue  # a whole-column merge: not part of the form
                for r in range(r1, r2 + 1):
                    for c in range(c1, c2 + 1):
                        idx[(r, c)] = m
            self._merge_at = idx
        return self._merge_at.get((row, col))

    def number_formats(self, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str | None]:
        """The number format of each cell (None where the source cannot tell: xlwings Server/Lite, .xlsb)."""
        if not cells:
            return {}
        if self.formats is None:
            return dict.fromkeys(cells)
        return self.formats(cells)

    def cells(self):
        """Yield (row, col, value) for every non-empty cell."""
        r0, c0 = self.origin
        for i, row in enumerate(self.rows):
            for j, v in enumerate(row):
                if v is not None and v != "":
                    yield r0 + i, c0 + j, v


def cell_text(v: Any) -> str:
    """A cell value as the text a person sees (whole floats without '.0', a date without 00:00:00)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, _dt.datetime) and v.time() == _dt.time():
        return v.date().isoformat()
    return str(v)


class CellWriter(Protocol):
    """What the core may change in a workbook. Adapters: openpyxl, xlwings."""

    def set_value(self, sheet: str, row: int, col: int, value: Any, number_format: str | None = None) -> None: ...
    def set_fill(self, sheet: str, row: int, col: int, color: str | None) -> None: ...
    def get_fill(self, sheet: str, row: int, col: int) -> str: ...
    def get_note(self, sheet: str, row: int, col: int) -> str: ...
    def set_note(self, sheet: str, row: int, col: int, text: str | None) -> None: ...
    def mark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None: ...
    def unmark(self, sheet: str, rows: tuple[int, int], col: int, color: str) -> None: ...
    def write_sheet(self, name: str, rows: list[list[Any]], *, links: dict | None = None, hidden: bool = False,
                    widths: list[float] | None = None, header_row: int = 1, landscape: bool = False,
                    mark: str = "") -> None: ...
    def delete_sheet(self, name: str) -> None: ...


# ---------------------------------------------------------------- A1 references

_A1 = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


def parse_ref(text: str) -> Ref | None:
    """'Sheet 1'!$A$1:$B$2 → Ref; None for constants, formulas and multi-area names."""
    m = _REF.match(text.strip())
    if not m:
        return None
    quoted, bare, c1, r1, c2, r2 = m.groups()
    sheet = quoted.replace("''", "'") if quoted is not None else bare
    return Ref(sheet, int(r1), col_index(c1), int(r2 or r1), col_index(c2 or c1))


def format_ref(ref: Ref) -> str:
    sheet = "'" + ref.sheet.replace("'", "''") + "'"
    start = f"${col_letter(ref.c1)}${ref.r1}"
    if (ref.r1, ref.c1) == (ref.r2, ref.c2):
        return f"{sheet}!{start}"
    return f"{sheet}!{start}:${col_letter(ref.c2)}${ref.r2}"


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def constant_value(text: str) -> str | None:
    """'"abc"' → 'abc'; '2024' → '2024'; a reference or formula → None."""
    t = text.strip()
    if t.startswith("=") :
        t = t[1:]
    if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
        return t[1:-1].replace('""', '"')
    if _NUMBER.fullmatch(t):
        return t
    return None


def attach_names(grids: list[SheetGrid], entries: list[tuple[str, str, int | None]]) -> dict[str, str]:
    """Attach defined names (name, text, localSheetId) to the grids they point into.

    Returns the workbook-scoped constants ({name: value}).
    """
    by_name = {g.name: g for g in grids}
    book_constants: dict[str, str] = {}
    for name, text, local in entries:
        const = constant_value(text)
        if const is not None:
            if local is not None and 0 <= local < len(grids):
                grids[local].constants[name] = const
            else:
                book_constants[name] = const
            continue
        ref = parse_ref(text)
        if ref is None or ref.sheet not in by_name:
            continue
        target = by_name[ref.sheet]
        # A sheet-scoped name wins over a workbook-scoped one of the same name.
        if local is not None or name not in target.names:
            target.names[name] = ref
    return book_constants


# ---------------------------------------------------------------- calamine (fast file reading)


@dataclass
class BookGrid:
    """All sheets of a workbook as grids, plus the workbook-scoped constant names."""

    sheets: list[SheetGrid]
    constants: dict[str, str] = field(default_factory=dict)
    path: str = ""
    kind: str = "xlsx"  # the file's format: xlsx (also .xlsm), xls, xlsb or ods
    misnamed: str = ""  # what to say once when the file's name says another format than its bytes


_DEFINED = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>([^<]*)</(?:\w+:)?definedName>")


def read_defined_names(zf: zipfile.ZipFile) -> list[tuple[str, str, int | None]]:
    """The <definedName> entries of xl/workbook.xml (name, text, localSheetId)."""
    try:
        return defined_names(zf.read("xl/workbook.xml"))
    except KeyError:
        return []


def xlsx_sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) of an .xlsx, in the workbook's sheet order (chart sheets left out)."""
    from html import unescape

    rels = zf.read("xl/_rels/workbook.xml.rels")
    target = {}
    for m in re.finditer(rb"<Relationship\b[^>]*>", rels):
        rid, tgt = re.search(rb'\bId="([^"]*)"', m.group(0)), re.search(rb'\bTarget="([^"]*)"', m.group(0))
        if rid and tgt:
            t = unescape(tgt.group(1).decode())
            target[rid.group(1)] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    names = set(zf.namelist())
    out = []
    for m in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", zf.read("xl/workbook.xml")):
        rid = re.search(rb'\b(?:r|\w+):id="([^"]*)"', m.group(0))
        name = _NAME_ATTR.search(m.group(0))
        part = target.get(rid.group(1)) if rid else None
        if name and part in names and part.startswith("xl/worksheets/"):
            out.append((unescape(name.group(1).decode("utf-8", "replace")), part))
    return out


_NAME_ATTR = re.compile(rb'\bname="([^"]*)"')
_LOCAL_ATTR = re.compile(rb'\blocalSheetId="(\d+)"')


def defined_names(workbook_xml: bytes) -> list[tuple[str, str, int | None]]:
    """The <definedName> entries of a workbook.xml (name, text, localSheetId).

    A plain scan, not an XML parser: check_package has already refused any DOCTYPE/ENTITY.
    """
    from html import unescape

    def text(b: bytes) -> str:
        s = b.decode("utf-8", "replace")
        return unescape(s) if "&" in s else s

    out = []
    for attrs, value in _DEFINED.findall(workbook_xml):
        name = _NAME_ATTR.search(attrs)
        local = _LOCAL_ATTR.search(attrs)
        out.append((text(name.group(1)) if name else "", text(value), int(local.group(1)) if local else None))
    return out
