"""Hand-typed 達成率 and 判定 cells: read as shown, checked against the report's numbers, replaced with a word."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlsheets.cli import main
from xlsheets.io.saving import save_workbook
from xlsheets.reading import read
from xlsheets.typed import scales_to_percent, typed_rate


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize(("value", "code", "want"), [
    (0.5, "0%", (50, "50%")),
    (1.06, "0.0%", (106, "106%")),
    (106, '0"%"', (106, "106%")),  # xlsheets' own format: the number is the percent
    (0.5, "General", (0.5, "0.5%")),  # shown as 0.5: a rate of 0.5 %
    ("146%", None, (146, "146%")),
    ("８０％", None, (80, "８０％")),
    (" 66.7 % ", None, (66.7, "66.7 %")),
    ("75", None, (75, "75")),
    (0.5, None, (50, "50%")),  # a fraction whose format this source cannot tell (xlwings Server/Lite)
    (1, None, None),  # 1 % or 100 %: not said
    (106, None, (106, "106%")),
    ("－", None, None), ("概ね達成", None, None), (None, None, None), (True, None, None),
])
def test_a_typed_rate_is_the_percent_the_cell_shows(value, code, want):
    assert typed_rate(value, code) == want


def test_a_percent_sign_inside_quotes_or_escaped_is_text():
    assert scales_to_percent("0%") and scales_to_percent("#,##0.0%")
    assert not scales_to_percent('0"%"') and not scales_to_percent("0\\%") and scales_to_percent(None) is None


def _typed_book(sample_books, tmp_path, cells: dict[str, tuple]) -> tuple:
    """The 令和2年度 sample's sheet 4 with values typed into its 達成率/判定 cells: {cell: (value, format)}."""
    src = sample_books["fy2020"]
    wb = load_workbook(src)
    ws = wb.worksheets[4]
    for ref, (value, fmt) in cells.items():
        ws[ref].value = value
        if fmt:
            ws[ref].number_format = fmt
    return save_workbook(wb, tmp_path / "typed.xlsx"), ws.title


def test_typed_rates_and_grades_are_read_as_shown(sample_books, tmp_path):
    path, _sheet = _typed_book(sample_books, tmp_path, {"J13": (0.5, "0%"), "K13": ("◎", None), "J11": ("８０％", None)})
    subs = [s for _i, s in read(path).goals[3].subitems()]
    assert subs[5].achievement["final"]["rate"] == 50 and subs[5].achievement["final"]["grade"] == "◎"
    assert subs[3].achievement["final"]["rate"] == 80


def test_validate_says_where_a_typed_rate_or_grade_contradicts_the_report(sample_books, tmp_path):
    # row 13: 使用割合85%以上 and a final report of 90.7 % (106 %); typed there: 50 % (0.5 formatted 0%) and ×
    path, sheet = _typed_book(sample_books, tmp_path, {"J13": (0.5, "0%"), "K13": ("×", None)})
    doc = json.loads(run("validate", path, "--format", "json").output)
    typed = [f for f in doc["files"][0]["findings"] if f["code"] == "typed-rate-mismatch"]
    assert [(f["sheet"], f["cell"], f["severity"]) for f in typed] == [(sheet, "J13", "error"), (sheet, "K13", "error")]
    rate, grade = typed[0]["message"], typed[1]["message"]
    assert "手入力の 50%" in rate and "計算した 106%" in rate and "根拠: 実績 90.7％" in rate
    assert "手入力の ×" in grade and "判定 ◎" in grade and "根拠: 実績" in grade


def test_a_typed_rate_within_the_rounding_of_the_report_passes(sample_books, tmp_path):
    path, _sheet = _typed_book(sample_books, tmp_path, {"J13": ("106%", None), "I13": ("105.6％", None),
                                                        "K13": ("◎", None)})
    doc = json.loads(run("validate", path, "--format", "json").output)
    assert not [f for f in doc["files"][0]["findings"] if f["code"] == "typed-rate-mismatch"]


def test_achieve_says_how_many_typed_values_it_replaced_and_keeps_them_in_the_note(sample_books, tmp_path):
    path, sheet = _typed_book(sample_books, tmp_path, {"J13": (0.5, "0%"), "K13": ("×", None), "J11": ("80%", None)})
    res = run("achieve", path, "-o", tmp_path / "a.xlsx")
    assert res.exit_code == 0, res.output
    assert "手入力の値を置き換えたセル 2 件" in res.output  # J13 and K13 (J11: 80 % is what the report gives)
    ws = load_workbook(tmp_path / "a.xlsx")[sheet]
    assert ws["J13"].value == 106
    assert "[xlsheets] 手入力の 50% を 106% に置き換え" in ws["J13"].comment.text
    assert "[xlsheets] 手入力の判定 × を ◎ に置き換え" in ws["J13"].comment.text
    again = run("achieve", tmp_path / "a.xlsx", "-o", tmp_path / "b.xlsx")
    assert "置き換えた" not in again.output  # its own values are the computed ones
