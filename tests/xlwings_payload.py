"""Real xlwings code paths without Excel: the JSON payload xlwings Server sends, and its actions replayed.

``payload_from_file`` builds the request body an Office.js client would send for a workbook;
``xw.Book(json=payload)`` is xlwings' remote engine over it; ``replay`` applies the returned
actions to the same file with openpyxl, so that the result can be compared with the CLI's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import xlwings as xw
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from python_calamine import CalamineWorkbook

from xlsheets.grid import read_defined_names
from xlsheets.sheetops import set_text


def payload_from_file(path: Path, active: int | str = 0) -> dict[str, Any]:
    import zipfile

    wb = CalamineWorkbook.from_path(str(path))
    names_in_order = wb.sheet_names
    sheets = []
    for name in names_in_order:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        width = max((len(r) for r in rows), default=0)
        values = [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in rows] or [[""]]
        sheets.append({"name": name, "values": values, "pictures": [], "tables": [], "notes": []})
    with zipfile.ZipFile(path) as zf:
        entries = read_defined_names(zf)
    names = []
    for name, text, local in entries:  # as the Office.js client sends them (xlwings_server's named-items.js)
        scope = {"book_scope": local is None, "scope_sheet_name": None if local is None else names_in_order[local],
                 "scope_sheet_index": local, "refers_to": "=" + text}
        m = re.match(r"^'?(.*?)'?!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", text)
        if not m:  # a constant (a goal's id, the fiscal year): no range, only its definition
            names.append({"name": name, "sheet_index": None, "address": None, **scope})
            continue
        sheet = m.group(1).replace("''", "'")
        address = f"{m.group(2)}{m.group(3)}" + (f":{m.group(4)}{m.group(5)}" if m.group(4) else "")
        names.append({"name": name, "sheet_index": names_in_order.index(sheet), "address": address, **scope})
    idx = active if isinstance(active, int) else names_in_order.index(active)
    return {"client": "Office.js", "version": xw.__version__,
            "book": {"name": path.name, "active_sheet_index": idx, "selection": "A1"},
            "names": names, "sheets": sheets}


def remote_book(path: Path, active: int | str = 0):
    return xw.Book(json=payload_from_file(path, active))


def _cells(address: str):
    m = re.match(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", address.split("!")[-1])
    return m


def replay(actions: list[dict[str, Any]], path: Path, out: Path) -> Path:
    """Apply xlwings actions to the workbook at path with openpyxl; save to out."""
    wb = load_workbook(path)
    order = list(wb.sheetnames)
    for a in actions:
        func, pos = a["func"], a.get("sheet_position")
        ws = wb[order[pos]] if pos is not None and pos < len(order) else None
        r0, c0 = (a.get("start_row") or 0) + 1, (a.get("start_column") or 0) + 1
        rows, cols = a.get("row_count") or 1, a.get("column_count") or 1
        if func == "setValues":
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    if isinstance(v, str) and v.startswith("'"):
                        v = v[1:]
                    set_text(ws.cell(r0 + i, c0 + j), None if v == "" else v)
        elif func == "setRangeColor":
            color = a["args"][0]
            for i in range(rows):
                for j in range(cols):
                    ws.cell(r0 + i, c0 + j).fill = (PatternFill("solid", fgColor="FF" + color.lstrip("#").upper())
                                                    if color else PatternFill(fill_type=None))
        elif func == "setNumberFormat":
            for i in range(rows):
                for j in range(cols):
                    ws.cell(r0 + i, c0 + j).number_format = a["args"][0]
        elif func in ("addNote", "setNoteText"):
            m = _cells(a["args"][0])
            ws[f"{m.group(1)}{m.group(2)}"].comment = Comment(a["args"][1], "xlsheets")
        elif func == "deleteNote":
            m = _cells(a["args"][0])
            ws[f"{m.group(1)}{m.group(2)}"].comment = None
        elif func == "addSheet":
            ix, name = a["args"]
            wb.create_sheet(name, index=ix)
            order.insert(ix, name)
        elif func == "sheetDelete":
            del wb[order[pos]]
            order.pop(pos)
        elif func == "setSheetVisibility":
            ws.sheet_state = "visible" if a["args"][0] == "Visible" else "hidden"
        elif func == "namesAdd":  # a sheet's own name (xlsheets marks the sheets it adds), else the workbook's
            name, refers_to = a["args"]
            names = ws.defined_names if ws is not None else wb.defined_names
            names[name] = DefinedName(name, attr_text=refers_to.lstrip("="))
        elif func == "addHyperlink":
            ws.cell(r0, c0).hyperlink = a["args"][0]
        elif func in ("alert",):
            continue
        else:
            raise AssertionError(f"replay does not know the action {func}")
    wb.save(out)
    return out


__all__ = ["payload_from_file", "remote_book", "replay"]
