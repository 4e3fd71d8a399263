"""Workbook and text files read into the cell interface: calamine for every format (with the number
formats calamine leaves out read from the file's own parts), openpyxl for a workbook being edited, and
text files as Japanese PCs save them."""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from pathlib import Path

from ..errors import UnreadableWorkbook, XlsheetsError
from .datefmt import BUILTIN, code_for, shown, xlsx_styles
from .formats import Quiet, extra_parts
from .grid import BookGrid, SheetGrid, a1, attach_names, defined_names, read_defined_names, xlsx_sheet_parts
from .inspection import KIND_SUFFIXES, Limits, check_spreadsheet, misnamed


def load_book(path: str | Path) -> BookGrid:
    """Check a workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods) and read all its sheets as grids (calamine)."""
    kind, workbook_xml = check_spreadsheet(path)
    try:
        book = read_book_calamine(path, workbook_xml, kind)
    except UnreadableWorkbook:
        raise
    except Exception as e:  # calamine and the XML parser raise their own error types on broken parts
        raise UnreadableWorkbook(f"ブックを読めません: {path}（{e}）", f"cannot read workbook: {e}") from e
    book.misnamed = misnamed(path, kind) or ""
    return book


def _refuse_twin_sheets(names: list[str], path: str) -> None:
    """A damaged package naming two sheets alike: one of them would be read twice and the other not at all."""
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise UnreadableWorkbook(
                f"ブックに同じ名前のシート「{name}」が2つあり、どちらの内容か決められません（ブックが壊れています）。"
                f"Excel で開いて修復し、シート名を変えて保存し直してください: {path}",
                f"two sheets are named {name!r}: the workbook is damaged; repair it in Excel and rename one",
            )
        seen.add(name.casefold())


def read_book_calamine(path: str | Path, workbook_xml: bytes | None = None, kind: str = "xlsx") -> BookGrid:
    """Read every sheet with python-calamine; names from workbook.xml (or formats.extra_parts).

    workbook_xml: that part as check_package() returned it (else it is read here).
    kind: xlsx (also .xlsm), xls, xlsb or ods, as inspection.check_spreadsheet() found it.
    """
    from python_calamine import CalamineWorkbook

    max_cells = Limits().max_cells
    path = str(path)
    wb = _open_calamine(CalamineWorkbook, path, kind)
    grids: list[SheetGrid] = []
    all_names = [m.name for m in wb.sheets_metadata]  # localSheetId counts every sheet, charts included
    try:
        _refuse_twin_sheets(all_names, path)
        for meta in wb.sheets_metadata:
            if str(getattr(meta, "typ", "")).lower().endswith("chartsheet"):
                continue
            sh = wb.get_sheet_by_name(meta.name)
            if sh.total_height * max(1, sh.total_width) > max_cells:
                raise UnreadableWorkbook(
                    f"シート「{meta.name}」の使用範囲が大きすぎます（{sh.total_height:,}行 × {sh.total_width}列。"
                    f"XLSHEETS_MAX_CELLS で上限を変えられます）: {path}",
                    f"sheet {meta.name!r} has too large a used range",
                )
            rows = sh.to_python(skip_empty_area=False)
            merges = [(m[0][0] + 1, m[0][1] + 1, m[1][0] + 1, m[1][1] + 1) for m in (sh.merged_cell_ranges or [])]
            grids.append(SheetGrid(meta.name, rows, merges))
    finally:
        wb.close()
    if kind != "xlsx":
        entries = _other_format_parts(path, kind, grids, all_names)
    elif workbook_xml is None:
        with zipfile.ZipFile(path) as zf:
            entries = read_defined_names(zf)
    else:
        entries = defined_names(workbook_xml)
    by_name = {g.name: g for g in grids}
    ordered = [by_name.get(n) for n in all_names]
    remapped = []
    for name, text, local in entries:
        if local is not None:
            g = ordered[local] if 0 <= local < len(ordered) else None
            local = grids.index(g) if g is not None else None
            if local is None:
                continue
        remapped.append((name, text, local))
    constants = attach_names(grids, remapped)
    if kind in ("xlsx", "xls"):
        _show_dates(path, grids, kind)
        for g in grids:
            g.formats = _formats_on_demand(path, kind, g)
    return BookGrid(grids, constants, path, kind)


def _open_calamine(reader, path: str, kind: str):
    """calamine picks its reader by the file's extension: a file whose name says another format than its
    bytes (an .xlsx saved as .xls) is handed over as bytes, which calamine reads by their content."""
    if Path(path).suffix.lower() in KIND_SUFFIXES.get(kind, ()):
        return reader.from_path(path)
    import io

    return reader.from_filelike(io.BytesIO(Path(path).read_bytes()))


def _formats_on_demand(path: str, kind: str, grid: SheetGrid):
    """SheetGrid.formats of an .xlsx/.xls sheet: its cells' number formats, read when asked."""
    def formats(cells: list[tuple[int, int]]) -> dict[tuple[int, int], str | None]:
        at = {(r - grid.origin[0], c - grid.origin[1]): (r, c) for r, c in cells}
        codes = (_xlsx_codes if kind == "xlsx" else _xls_codes)(path, [grid], {grid.name: list(at)}, numbers=True)
        return {cell: codes.get((grid.name, *ij)) for ij, cell in at.items()}

    return formats


def _show_dates(path: str, grids: list[SheetGrid], kind: str) -> None:
    """Date cells of an .xlsx or .xls become the text their number format shows (datefmt.ShownDate)."""
    todo = {g.name: [(i, j) for i, row in enumerate(g.rows) for j, v in enumerate(row) if isinstance(v, _dt.date)]
            for g in grids}
    if not any(todo.values()):
        return

    codes = _xlsx_codes(path, grids, todo) if kind == "xlsx" else _xls_codes(path, grids, todo)
    for g in grids:
        for i, j in todo[g.name]:
            text = shown(g.rows[i][j], codes.get((g.name, i, j)))
            if text is not None:
                g.rows[i][j] = text


# built-in number formats that are not dates (datefmt.BUILTIN has those): General, numbers, percentages
NUMBER_BUILTIN = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%"}


def _xlsx_codes(path: str, grids: list[SheetGrid], todo, numbers: bool = False) -> dict[tuple[str, int, int], str | None]:
    """The number format of chosen cells (todo: sheet → grid indices) of an .xlsx (its style in the sheet XML,
    styles.xml); numbers: the built-in number formats too (else dates' only)."""
    out: dict[tuple[str, int, int], str | None] = {}
    with zipfile.ZipFile(path) as zf:
        try:
            ids, custom = xlsx_styles(zf.read("xl/styles.xml"))
        except KeyError:
            return out
        parts = dict(xlsx_sheet_parts(zf))
        for g in grids:
            if not todo.get(g.name) or g.name not in parts:
                continue
            wanted = {a1(g.origin[0] + i, g.origin[1] + j).encode(): (i, j) for i, j in todo[g.name]}
            styles = {m.group(1): int(m.group(2)) for m in _CELL_STYLE.finditer(zf.read(parts[g.name]))
                      if m.group(1) in wanted}  # one pass over the sheet, however many cells are asked
            for ref, (i, j) in wanted.items():
                style = styles.get(ref, 0)
                fmt_id = ids[style] if style < len(ids) else -1
                code = code_for(fmt_id, custom) if fmt_id >= 0 else None
                out[(g.name, i, j)] = code or (NUMBER_BUILTIN.get(fmt_id) if numbers else None)
    return out


_CELL_STYLE = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?\ss="(\d+)"')


def _xls_codes(path: str, grids: list[SheetGrid], todo, numbers: bool = False) -> dict[tuple[str, int, int], str | None]:
    """The number format of chosen cells (todo: sheet → grid indices) of an .xls (xlrd's formatting records);
    numbers: the built-in number formats too (else dates' only)."""
    import xlrd

    out: dict[tuple[str, int, int], str | None] = {}
    try:
        book = xlrd.open_workbook(path, formatting_info=True, on_demand=True, logfile=Quiet())
    except Exception:  # the format is a help for showing a date: ISO without it
        return out
    try:
        for g in grids:
            if not todo.get(g.name):
                continue
            sheet = book.sheet_by_name(g.name)
            for i, j in todo[g.name]:
                r, c = g.origin[0] + i - 1, g.origin[1] + j - 1
                key = book.xf_list[sheet.cell_xf_index(r, c)].format_key
                fmt = book.format_map.get(key)
                code = BUILTIN.get(key) or (NUMBER_BUILTIN.get(key) if numbers else None)
                out[(g.name, i, j)] = code if key < 164 else (fmt.format_str if fmt else None)
    except Exception:
        pass
    finally:
        book.release_resources()
    return out


def _other_format_parts(path: str, kind: str, grids: list[SheetGrid], all_names: list[str]):
    """Names (indexed like all_names) of an .xls/.xlsb/.ods; merges that calamine does not read are set
    here, and the dates of an .ods shown as their format shows them."""
    entries, merges, codes = extra_parts(path, kind, all_names)
    for g in grids:
        if not g.merges and merges.get(g.name):
            g.merges = merges[g.name]
    by_name = {g.name: g for g in grids}
    known: dict[str, dict[tuple[int, int], str]] = {}
    for (sheet, r, c), code in codes.items():
        g = by_name.get(sheet)
        v = g.value(r, c) if g else None
        known.setdefault(sheet, {})[(r, c)] = code
        text = shown(v, code) if isinstance(v, _dt.date) else None
        if text is not None:
            g.rows[r - g.origin[0]][c - g.origin[1]] = text
    if kind == "ods":  # its content.xml says which cells are dates and percentages; the rest is General
        for g in grids:
            g.formats = _known_formats(known.get(g.name, {}))
    return entries


def _known_formats(known: dict[tuple[int, int], str]):
    """SheetGrid.formats from formats read with the sheet: the cells named, else General."""
    return lambda cells: {cell: known.get(cell, "General") for cell in cells}


# ---------------------------------------------------------------- openpyxl (a workbook being edited)


def grid_from_openpyxl(ws) -> SheetGrid:
    """Snapshot an openpyxl worksheet (values; formulas as their text; dates as their format shows them)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, _dt.date):
                code = ws.cell(i + 1, j + 1).number_format
                row[j] = shown(v, BUILTIN[14] if code == "mm-dd-yy" else code) or v  # openpyxl's name for id 14
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    return SheetGrid(ws.title, rows, merges,
                     formats=lambda cells: {(r, c): ws.cell(r, c).number_format for r, c in cells})


def book_from_openpyxl(wb) -> BookGrid:
    grids = [grid_from_openpyxl(ws) for ws in wb.worksheets]
    entries: list[tuple[str, str, int | None]] = []
    for name, dn in wb.defined_names.items():
        entries.append((name, dn.attr_text or "", None))
    for i, ws in enumerate(wb.worksheets):
        for name, dn in ws.defined_names.items():
            entries.append((name, dn.attr_text or "", i))
    constants = attach_names(grids, entries)
    return BookGrid(grids, constants)


def read_text(path: Path) -> str:
    """A text file as Excel and editors on Japanese PCs save it: UTF-8 (with or without BOM),
    UTF-16 (Excel's 「Unicode テキスト」) or Shift_JIS (cp932, Excel's 「CSV（コンマ区切り）」)."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as e:
        raise XlsheetsError(
            f"文字コードを判別できません（UTF-8 か Shift_JIS で保存してください）: {path}",
            f"unknown text encoding (save as UTF-8 or Shift_JIS): {path}",
        ) from e
