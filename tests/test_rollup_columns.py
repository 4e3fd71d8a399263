"""一覧's columns are one table (summary.columns.LISTING): a column added there is in the rows extraction
makes, on the sheet with its width and format, in the print area, in the tidy data, on the live 集計
sheet and in the open data; the per-file step loads no writer, and the workers find loaded what it needs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import xlsheets.excel as X
from tests.xlwings_payload import remote_book, replay
from xlsheets import layout as L
from xlsheets import rollup
from xlsheets.publish.opendata import csv_columns
from xlsheets.summary import columns
from xlsheets.summary.columns import CENTRED, FLOAT, LINK, NUMBER, RATE, TEXT, WRAPPED, Column, Listing
from xlsheets.summary.extraction import extract

EXTRA = Column("方法の字数", lambda s: len(s.sub.method), 7, NUMBER, tidy=FLOAT)  # printed, after 根拠
NUMBER_FORMATS = {NUMBER: "#,##0.##", RATE: '0"%"'}


@pytest.fixture
def folder(sample_books, tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    for name, path in sample_books.items():
        (d / f"福祉部_{name}.xlsx").write_bytes(path.read_bytes())
    return d


@pytest.fixture
def longer(monkeypatch) -> Listing:
    """The roll-up's 一覧 with one more column, after 根拠."""
    stock = list(columns.LISTING.columns)
    at = [c.name for c in stock].index("根拠") + 1
    listing = Listing([*stock[:at], EXTRA, *stock[at:]])
    monkeypatch.setattr(columns, "LISTING", listing)
    return listing


def test_a_column_added_to_the_table_is_in_every_row_extraction_makes(longer, sample_books):
    rows = extract(str(sample_books["fy2020"]))["rows"]
    assert rows and all(r["方法の字数"] == len(r["方法・手段"]) for r in rows)
    assert all(list(r) == longer.row_fields for r in rows)


def _column(ws, col: int):
    """A column's dimension: its width and the format of a cell typed into it."""
    return next(d for d in ws.column_dimensions.values() if d.min and d.min <= col <= d.max)


def _width(ws, col: int) -> float:
    """A column's width as set (XlsxWriter stores it with the cell padding, in 1/256 of a character)."""
    return round(_column(ws, col).width - 5 / 7, 1)


def test_a_column_added_to_the_table_is_on_the_sheet_in_its_print_area_and_in_the_tidy_data(longer, folder, tmp_path):
    res = rollup([folder], tmp_path / "r.xlsx", jobs=1, tidy_format="parquet")
    ws = load_workbook(res.path)["一覧"]
    assert [c.value for c in ws[1]] == [c.name for c in longer.sheet]
    for j, c in enumerate(longer.sheet, start=1):
        column = _column(ws, j)
        assert _width(ws, j) == c.width, c.name
        assert column.number_format == NUMBER_FORMATS.get(c.kind, "General"), c.name
        assert (column.alignment.horizontal == "center") == (c.kind == CENTRED), c.name
        assert bool(column.alignment.wrap_text) == (c.kind in (WRAPPED, TEXT)), c.name
    assert ws.cell(2, longer.link + 1).hyperlink is not None
    extra = [c.name for c in longer.sheet].index("方法の字数")
    method = [c.name for c in longer.sheet].index("方法・手段")
    assert all(r[extra].value == len(r[method].value or "") for r in ws.iter_rows(min_row=2))
    last = get_column_letter(longer.printed)
    assert ws.print_area == f"'一覧'!$A$1:${last}${res.rows + 1}" and last == get_column_letter(extra + 1)
    parquet = pd.read_parquet(res.tidy)
    assert list(parquet.columns) == longer.tidy and "方法の字数" in longer.tidy
    assert {c for c in parquet.columns if parquet[c].dtype == "float64"} == longer.numbers
    csv = rollup([folder], tmp_path / "c.xlsx", jobs=1, tidy_format="csv").tidy
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert list(table.columns) == longer.tidy
    assert (table["方法の字数"] == table["方法・手段"].fillna("").str.len()).all()


def test_a_column_added_to_the_table_is_on_the_live_rollup_sheet_and_in_the_open_data(longer, sample_books,
                                                                                        tmp_path):
    book = remote_book(sample_books["fy2020"])  # xlwings' remote engine: the server and Lite code path
    X.rollup_sheet(book)
    out = replay(book.json()["actions"], sample_books["fy2020"], tmp_path / "live.xlsx")
    header = [c.value for c in next(load_workbook(out)[L.LIVE_ROLLUP_SHEET].iter_rows(max_row=1))]
    assert header == [name for name in longer.sheet_fields if name != "ファイル"] and "方法の字数" in header
    assert csv_columns()[:len(longer.tidy)] == longer.tidy


def test_the_print_area_is_one_range_so_an_unprinted_column_comes_after_every_printed_one():
    stock = list(columns.LISTING.columns)
    at = [c.name for c in stock].index("参照元") + 1
    with pytest.raises(ValueError, match="printed"):
        Listing([*stock[:at], EXTRA, *stock[at:]])  # printed, after the unprinted 参照元


def test_the_sheet_has_one_link_made_of_the_fields_it_shows():
    stock = list(columns.LISTING.columns)
    with pytest.raises(ValueError, match="link"):
        Listing([c for c in stock if c.kind != LINK])
    assert columns.LISTING.sheet[columns.LISTING.link].parts == ("ファイル", "シート", "セル")
    assert set(columns.LISTING.sheet[columns.LISTING.link].parts) <= set(columns.LISTING.fields)


def _probe(code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


WRITER = ("xlsxwriter", "xlsheets.summary.cells", "xlsheets.summary.workbook", "xlsheets.summary.rowstream",
          "xlsheets.summary.pages", "xlsheets.summary.charts")
LOADED_BY_EXTRACTION = """
import json, sys
from xlsheets.summary.extraction import extract
imported = sorted(sys.modules)
ok = extract(sys.argv[1])["ok"]
print(json.dumps({"ok": ok, "imported": imported, "ran": sorted(sys.modules)}))
"""


def test_the_per_file_step_loads_no_workbook_writer(sample_books):
    seen = _probe(LOADED_BY_EXTRACTION, str(sample_books["fy2024"]))
    assert seen["ok"]
    for moment in ("imported", "ran"):
        assert not set(seen[moment]) & set(WRITER), moment


LOADED_AFTER_PRELOAD = """
import json, sys
from xlsheets.summary import workers
workers._preload()
before = set(sys.modules)
from xlsheets.summary.extraction import extract
ok = [extract(p)["ok"] for p in sys.argv[1:]]
print(json.dumps({"ok": ok, "new": sorted(set(sys.modules) - before)}))
"""


def test_workers_forked_after_the_preload_import_nothing_again_to_read_a_workbook(sample_books):
    legacy = Path(__file__).parent / "data" / "fy2020.xlsb"
    seen = _probe(LOADED_AFTER_PRELOAD, *(str(p) for p in sample_books.values()), str(legacy))
    assert seen["ok"] == [True, True, True]
    # the standard library's codecs a file's names need may come later; no module of xlsheets or a reader
    assert [m for m in seen["new"] if m.partition(".")[0] not in sys.stdlib_module_names] == []


def test_the_readme_names_the_sheet_and_open_data_columns_as_the_table_does():
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    sheet = re.search(r"^\| 一覧 \| 取組1件1行: (.*?)。", text, re.M).group(1)
    assert re.sub(r"（[^）]*）", "", sheet).split(", ") == [c.name for c in columns.LISTING.sheet]
    data = re.search(r"列は `rollup --format csv` の一覧（([^）]*)）", text).group(1)
    assert data.split(", ") == columns.LISTING.tidy
