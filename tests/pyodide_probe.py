"""The core's results on a workbook's cell values, as JSON: run by CPython and by Pyodide alike.

``book_cells(path)`` (CPython only: it reads the file) gives every sheet's values and the defined
names; ``results(cells)`` (standard library and xlsheets' core only) gives parse_target,
achievement and validate on them. tests/test_lite.py compares the two interpreters' answers.
"""

from __future__ import annotations

from typing import Any


def book_cells(path) -> dict[str, Any]:
    import zipfile

    from xlsheets.io.grid import read_defined_names
    from xlsheets.io.loading import load_book

    book = load_book(path)
    with zipfile.ZipFile(path) as zf:
        names = read_defined_names(zf)
    sheets = [{"name": g.name, "origin": list(g.origin),
               "rows": [[v if v is None or isinstance(v, (str, int, float)) else str(v) for v in row] for row in g.rows]}
              for g in book.sheets]
    return {"sheets": sheets, "names": [list(n) for n in names]}


def results(cells: dict[str, Any]) -> dict[str, Any]:
    from xlsheets.grammar import parse_target
    from xlsheets.io.grid import BookGrid, SheetGrid, attach_names
    from xlsheets.rates import achievement, compute_rates
    from xlsheets.reading import read_book
    from xlsheets.settings import load_settings
    from xlsheets.validation import validate

    grids = [SheetGrid(s["name"], s["rows"], [], origin=tuple(s["origin"])) for s in cells["sheets"]]
    constants = attach_names(grids, [tuple(n) for n in cells["names"]])
    book = BookGrid(grids, constants, "book.xlsx")
    result = read_book(book)
    settings = load_settings(book=book)
    subs = [sub for goal in result.department.goals for _item, sub in goal.subitems()]
    targets = []
    for sub in subs:
        t = parse_target(sub.target)
        targets.append(None if t is None else [t.comparator, [[str(c.value), c.unit] for c in t.components]])
    rates = [[a.rate, a.grade, a.status] for sub in subs for a in
             (achievement(sub.target, sub.midterm, settings), achievement(sub.target, sub.final, settings))]
    report = validate(result, None, settings, compute_rates(result.department, settings))
    return {"subitems": len(subs), "targets": targets, "rates": rates,
            "findings": [f.to_dict() for f in report.findings]}
