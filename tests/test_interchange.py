"""The interchange formats: JSON Schema, long tables (CSV, .xlsx, DataFrame), unknown keys."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from xlsheets.errors import XlsheetsError
from xlsheets.interchange import department_to_long_records, load_department, long_table_to_dict
from xlsheets.model import department_from_dict, parse_fiscal_year, wareki
from xlsheets.samples import sample_dict

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schema" / "xlsheets.schema.json").read_text("utf-8"))


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_samples_validate_against_the_json_schema(name):
    jsonschema.validate(sample_dict(name), SCHEMA)
    jsonschema.validate(department_from_dict(sample_dict(name)).to_dict(), SCHEMA)


def test_schema_rejects_a_goal_without_items_list():
    bad = sample_dict("fy2024")
    bad["goals"][0]["items"] = "none"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SCHEMA)


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_long_table_round_trips(name):
    dept = department_from_dict(sample_dict(name))
    df = pd.DataFrame(department_to_long_records(dept))
    assert len(df) == sum(max(1, len(i.subitems)) for g in dept.goals for i in g.items)
    assert load_department(df).to_dict() == dept.to_dict()


def test_long_table_accepts_english_headers():
    dept = department_from_dict(sample_dict("fy2024"))
    records = department_to_long_records(dept, japanese=False)
    assert department_from_dict(long_table_to_dict(records)).to_dict() == dept.to_dict()


def test_long_table_with_two_departments_is_refused():
    recs = [{"部局名": "福祉部", "重点目標": "a", "方法・手段": "x"}, {"部局名": "総務部", "重点目標": "b", "方法・手段": "y"}]
    with pytest.raises(XlsheetsError, match="複数の部局"):
        long_table_to_dict(recs)


@pytest.mark.parametrize(
    ("text", "year"),
    [("令和6年度", 2024), ("R6", 2024), ("令和元年度", 2019), ("平成30年度", 2018), ("２０２４年度", 2024),
     (2024, 2024), ("来年", None)],
)
def test_fiscal_year_forms(text, year):
    assert parse_fiscal_year(text) == year


def test_wareki():
    assert wareki(2020) == "令和2年度" and wareki(2019) == "令和元年度" and wareki(2018) == "平成30年度"


@pytest.mark.parametrize("encoding", ["cp932", "utf-16", "utf-8-sig", "utf-8"])
def test_a_csv_saved_by_japanese_excel_is_read(tmp_path, encoding):
    """Excel on a Japanese PC saves CSV as Shift_JIS (or UTF-16 as 「Unicode テキスト」)."""
    from xlsheets.interchange import dump, load_document

    dept = department_from_dict(sample_dict("fy2020"))
    text = dump(dept, "csv")
    path = tmp_path / "入力.csv"
    path.write_bytes(text.encode(encoding, errors="strict"))
    assert load_document(path) == load_document(_utf8(tmp_path, text))


def _utf8(tmp_path, text):
    p = tmp_path / "utf8.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_never_hands_excel_a_formula_and_still_round_trips(tmp_path):
    import csv
    import io

    from xlsheets.interchange import dump, load_document

    d = sample_dict("fy2024")
    sub = d["goals"][0]["items"][0]["subitems"][0]
    sub["method"], sub["target"], sub["midterm"] = '=HYPERLINK("http://x","y")', "@SUM(1)", "'=既に引用符"
    text = dump(department_from_dict(d), "csv")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    assert department_from_dict(load_document(path)).to_dict() == department_from_dict(d).to_dict()
