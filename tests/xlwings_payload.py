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

from xlsheets.io.grid import read_defined_names
from xlsheets.io.sheetops import set_text


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
        elif func == "addConditionalFormat":
            _add_rule_first(ws, _sqref(r0, c0, rows, cols), a["args"][0])
        elif func == "deleteConditionalFormat":
            _delete_rule(ws, _sqref(r0, c0, rows, cols), *a["args"])
        elif func in ("alert",):
            continue
        else:
            raise AssertionError(f"replay does not know the action {func}")
    wb.save(out)
    return out


def _sqref(r0: int, c0: int, rows: int, cols: int) -> str:
    from openpyxl.utils import get_column_letter as col

    first, last = f"{col(c0)}{r0}", f"{col(c0 + cols - 1)}{r0 + rows - 1}"
    return first if first == last else f"{first}:{last}"


def _rules(ws) -> list[tuple[str, Any]]:
    return sorted(((str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules), key=lambda x: x[1].priority)


def _set_rules(ws, rules) -> None:
    from openpyxl.formatting.formatting import ConditionalFormattingList

    fresh = ConditionalFormattingList()
    for k, (sqref, rule) in enumerate(rules, start=1):
        rule.priority = k
        fresh.add(sqref, rule)
    ws.conditional_formatting = fresh


def _add_rule_first(ws, sqref: str, spec: dict[str, Any]) -> None:
    """What Excel does with addConditionalFormat: a custom rule at the top of the sheet's order."""
    from openpyxl.formatting.rule import Rule
    from openpyxl.styles.differential import DifferentialStyle

    assert spec["type"] == "Custom", spec
    rgb = "FF" + spec["fill_color"].lstrip("#").upper()
    rule = Rule(type="expression", formula=[spec["formula"].lstrip("=")], stopIfTrue=spec.get("stop_if_true"),
                dxf=DifferentialStyle(fill=PatternFill(fill_type="solid", fgColor=rgb, bgColor=rgb)))
    _set_rules(ws, [(sqref, rule), *_rules(ws)])


def _delete_rule(ws, sqref: str, position: int, expected: dict[str, Any]) -> None:
    """deleteConditionalFormat: the position-th rule touching the range, refused (as Excel does) when it
    is not the one described."""
    from openpyxl.utils import get_column_letter as col
    from openpyxl.worksheet.cell_range import MultiCellRange

    cells = [f"{col(c)}{r}" for rng in MultiCellRange(sqref) for r, c in rng.cells]
    touching = [(q, r) for q, r in _rules(ws) if any(a in MultiCellRange(q) for a in cells)]
    q, rule = touching[position]
    seen = {"type": "Custom" if rule.type == "expression" else rule.type, "formula": "=" + rule.formula[0],
            "stop_if_true": bool(rule.stopIfTrue)}
    assert all(seen[k] == v for k, v in expected.items()), f"rule changed since it was read: {seen} != {expected}"
    _set_rules(ws, [(q2, r2) for q2, r2 in _rules(ws) if r2 is not rule])


__all__ = ["payload_from_file", "remote_book", "replay"]
