"""Hand-made layouts (tests/layouts.py, from the data in tests/data/layouts.yaml): each variant reads back
as its department's data, field for field, in .xlsx and as LibreOffice saves it (.xls, .ods), and is
found to have exactly the problems the same data has on the official form (none caused by the layout)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.layouts import build_all, department, variants
from xlsheets import layout as L
from xlsheets.cli import main
from xlsheets.filling import fill
from xlsheets.io.loading import load_book
from xlsheets.model import department_from_dict
from xlsheets.rates import achievement
from xlsheets.reading import read, read_book
from xlsheets.sheetkinds import label_key
from xlsheets.validation import validate, validate_path

VARIANTS = {v["name"]: v for v in variants()}
HAS_SOFFICE = shutil.which("soffice") is not None


@pytest.fixture(scope="session")
def layout_books(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(variant, format) → file: every variant as .xlsx, and as LibreOffice saves it as .xls and .ods."""
    d = tmp_path_factory.mktemp("layouts")
    books = {(name, "xlsx"): p for name, p in build_all(d).items()}
    if HAS_SOFFICE:
        from xlsheets.render import convert

        for ext in ("xls", "ods"):
            convert(sorted(p for (_n, e), p in books.items() if e == "xlsx"), ext, d / ext)
            books |= {(p.stem, ext): p for p in (d / ext).glob(f"*.{ext}")}
    return books


def _data(name: str) -> dict:
    return department_from_dict(department(VARIANTS[name])).to_dict()


def _without_rates(doc: dict) -> dict:
    for goal in doc["goals"]:
        for item in goal["items"]:
            for sub in item["subitems"]:
                sub.pop("achievement", None)
    return doc


def test_the_corpus_holds_eight_departments_habits():
    assert len(VARIANTS) >= 8
    assert len({v["department"] for v in VARIANTS.values()}) == len(VARIANTS)
    habits = {k for v in VARIANTS.values() for k in v["habits"]}
    assert {"columns", "subitems", "below", "extra", "header", "spacers", "numbers", "target_value", "rates",
            "headings", "title_row", "repeat_header", "cover", "dates", "positioning"} <= habits


@pytest.mark.parametrize("ext", ["xlsx", "xls", "ods"])
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_hand_made_layout_reads_back_as_its_data(layout_books, name, ext):
    if ext != "xlsx" and not HAS_SOFFICE:
        pytest.skip("LibreOffice not installed")
    assert _without_rates(read(layout_books[(name, ext)]).to_dict()) == _data(name)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_hand_made_layout_has_the_findings_of_its_data_on_the_official_form(layout_books, tmp_path, name):
    """Not one finding more or less than the official form filled with the same data: none from the layout."""
    official = fill(_data(name), tmp_path / "official.xlsx").path

    def found(path):
        keys = ["code", "severity", "goal", "item", "subitem", "field"]
        return sorted(map(tuple, validate_path(path).flatten(keys)))

    assert found(layout_books[(name, "xlsx")]) == found(official)
    assert not [f for f in validate_path(layout_books[(name, "xlsx")]).findings
                if f.code in ("layout-unplaced", "sheet-skipped", "numbering", "required-empty", "typed-rate-mismatch")]


@pytest.mark.parametrize("name", [n for n, v in VARIANTS.items() if v["habits"].get("rates", "none") != "none"])
def test_typed_rates_of_a_hand_made_layout_read_as_shown(layout_books, name):
    """0.5 formatted as a percentage, 「106%」 and 「１０６％」 are the rates the sheet shows."""
    for ext in ("xlsx", "xls", "ods") if HAS_SOFFICE else ("xlsx",):
        dept = read(layout_books[(name, ext)])
        for goal in dept.goals:
            for _item, sub in goal.subitems():
                want = {stage: a.rate for stage in ("midterm", "final")
                        if (a := achievement(sub.target, getattr(sub, stage))).rate is not None}
                assert {stage: v["rate"] for stage, v in sub.achievement.items() if v["rate"] is not None} == want, ext


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_read_as_json_then_fill_gives_back_every_character(layout_books, tmp_path, name):
    src = layout_books[(name, "xlsx")]
    res = _cli("read", src, "-o", tmp_path / "read.json")
    assert res.exit_code == 0, res.output
    assert _cli("fill", tmp_path / "read.json", "-o", tmp_path / "filled.xlsx").exit_code == 0
    assert read(tmp_path / "filled.xlsx").to_dict() == json.loads((tmp_path / "read.json").read_text(encoding="utf-8"))
    filled = load_book(tmp_path / "filled.xlsx")
    said = "\n".join(str(v) for sheet in filled.sheets for _r, _c, v in sheet.cells())
    for sheet, cell, text in _value_cells(src):
        for word in _words(text):
            assert word in said, (sheet, cell, word)


def _value_cells(path: Path):
    """The cells of a workbook's goal sheets that hold what a person wrote (not a label, heading or extra column)."""
    book = load_book(path)
    result = read_book(book)
    ignored = {(g.sheet.name, c) for g in result.department.goals for (_r, c), _h in g.sheet.ignored}
    for goal in result.department.goals:
        sheet = next(s for s in book.sheets if s.name == goal.sheet.name)
        for r, c, v in sheet.cells():
            text = str(v) if not isinstance(v, float) else str(int(v)) if v.is_integer() else str(v)
            if (goal.sheet.name, c) in ignored or label_key(v) or L.match_column(v) or any(
                    text.startswith(n) for n in L.NOTE_LABELS.values()) or isinstance(v, float):
                continue
            yield goal.sheet.name, (r, c), text


def _words(text: str) -> list[str]:
    """A cell's words without the numbering the form prints itself ((1), ①) and the 達成率 the cell shows."""
    text = re.sub(r"[(（]\s*[0-9０-９]+\s*[)）]|[①-⑳]|[0-9０-９]+\s*[%％]", " ", text)
    return [w for w in text.split() if w]


def test_a_hand_made_layout_converted_to_the_official_form_keeps_its_data(layout_books, tmp_path):
    for name in VARIANTS:
        out = tmp_path / f"{name}.xlsx"
        assert _cli("convert", layout_books[(name, "xlsx")], "-o", out).exit_code == 0
        assert _without_rates(read(out).to_dict()) == _data(name)


def test_columns_the_form_does_not_have_are_said_once_by_read(layout_books):
    res = _cli("read", layout_books[("welfare-separate-rows", "xlsx")])
    assert res.exit_code == 0
    assert res.output.count("「担当課」") == 1 and "様式にない欄のため読みませんでした" in res.output


def test_a_stray_text_is_reported_where_it_is(layout_books, tmp_path):
    """Text in a column without a heading, above the table and below it: each a layout-unplaced warning."""
    from openpyxl import load_workbook

    wb = load_workbook(layout_books[("welfare-separate-rows", "xlsx")])
    ws = wb["重点目標1"]
    header = next(r for r in range(1, 30) if ws.cell(r, 2).value == "取組項目（何を）")
    ws.cell(header + 1, 12).value = "要確認（山田）"  # right of the table, no heading
    ws.cell(2, 3).value = "第2版"  # above the table, no label
    wb.save(tmp_path / "stray.xlsx")
    dept = read_book(load_book(tmp_path / "stray.xlsx"))
    assert _without_rates(dept.department.to_dict()) == _data("welfare-separate-rows")
    found = [(f.cell, f.severity) for f in validate(dept).findings if f.code == "layout-unplaced"]
    assert sorted(found) == [("C2", "warning"), (f"L{header + 1}", "warning")]
    message = next(f.message for f in validate(dept).findings if f.cell == f"L{header + 1}")
    assert "見出しのない列" in message and "要確認（山田）" in message


def test_a_template_sheet_with_a_column_of_its_own_reads_and_says_what_it_left(sample_books, tmp_path):
    """The official form with a 担当課 column added (ignored, said by read) and a note typed beside the table
    without a heading (layout-unplaced)."""
    from openpyxl import load_workbook

    wb = load_workbook(sample_books["fy2024"])
    ws = wb.worksheets[1]
    ws["L7"], ws["L8"], ws["L9"] = "担当課", "生活福祉課", "生活福祉課"
    ws["N10"] = "要確認"
    wb.save(tmp_path / "own_column.xlsx")
    assert read(tmp_path / "own_column.xlsx").to_dict() == read(sample_books["fy2024"]).to_dict()
    res = _cli("read", tmp_path / "own_column.xlsx")
    assert res.output.count("「担当課」（L7）は様式にない欄のため読みませんでした") == 1
    found = [(f.sheet, f.cell) for f in validate_path(tmp_path / "own_column.xlsx").findings if f.code == "layout-unplaced"]
    assert found == [(ws.title, "N10")]
