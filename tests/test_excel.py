"""The Excel face through xlwings' real remote engine: the buttons' actions equal the CLI's results."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlsheets.excel as x  # noqa: E402
from tests.xlwings_payload import remote_book, replay  # noqa: E402
from xlsheets.io.live import XlwingsWriter  # noqa: E402
from xlsheets.ops import achieve_file, annotate_file, clear_file  # noqa: E402
from xlsheets.reading import read  # noqa: E402


def _rates(path):
    return [[s.achievement for _i, s in g.subitems()] for g in read(path).goals]


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_compute_achievement_button_equals_the_cli(sample_books, tmp_path, name):
    src = sample_books[name]
    book = remote_book(src, active=0)  # the cover is active: every goal sheet
    assert "計算できた取組" in x.compute_achievement(book)
    actions = book.json()["actions"]
    values = [a for a in actions if a["func"] == "setValues"]
    assert values and all(len(a["values"][0]) == 1 for a in values)  # whole column blocks, not cells
    assert len(values) <= 3 * len(read(src).goals) * 2
    live = replay(actions, src, tmp_path / "live.xlsx")
    cli = achieve_file(src, tmp_path / "cli.xlsx").path
    assert _rates(live) == _rates(cli)
    notes = [{(ws.title, c.coordinate): c.comment.text for ws in load_workbook(path).worksheets for row in ws.iter_rows()
              for c in row if c.comment} for path in (live, cli)]
    assert notes[0] == notes[1] and any(n.startswith("[xlsheets] 根拠: ") for n in notes[0].values())


def _results_sheet(path):
    ws = load_workbook(path)["検証結果"]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_validate_button_equals_the_cli_and_clear_removes_it(sample_books, tmp_path):
    src = sample_books["fy2020"]
    book = remote_book(src, active=0)
    assert "エラー" in x.validate_sheet(book, stage="final")
    live = replay(book.json()["actions"], src, tmp_path / "live.xlsx")
    cli, _report = annotate_file(src, tmp_path / "cli.xlsx", stage="final")
    assert _results_sheet(live) == _results_sheet(cli.path)
    ws_live, ws_cli = load_workbook(live).worksheets[4], load_workbook(cli.path).worksheets[4]
    assert ws_live["H13"].comment.text == ws_cli["H13"].comment.text  # the 112% rate-mismatch
    assert ws_live["H13"].fill.fgColor.rgb == ws_cli["H13"].fill.fgColor.rgb

    cleared_cli = clear_file(cli.path, tmp_path / "cli_clear.xlsx").path
    book2 = remote_book(live, active=0)  # a new request for the annotated workbook
    x.clear_findings(book2)
    live_clear = replay(book2.json()["actions"], live, tmp_path / "live_clear.xlsx")
    assert load_workbook(live_clear).sheetnames == load_workbook(cleared_cli).sheetnames
    ws = load_workbook(live_clear).worksheets[4]
    assert ws["H13"].fill.fgColor.rgb in ("00000000", None)


def test_active_goal_sheet_only(sample_books, tmp_path):
    src = sample_books["fy2020"]
    sheet = load_workbook(src).sheetnames[4]
    book = remote_book(src, active=sheet)
    x.compute_achievement(book)
    touched = {a["sheet_position"] for a in book.json()["actions"] if a["func"] == "setValues"}
    assert touched == {4}


def test_not_a_goal_sheet_gives_a_japanese_message_box(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "売上"
    wb.save(tmp_path / "other.xlsx")
    book = remote_book(tmp_path / "other.xlsx")
    assert x.validate_sheet(book) is None
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert alerts and "重点目標管理シートがありません" in alerts[0]["args"][0]


def test_unexpected_errors_are_logged_and_explained(sample_books, monkeypatch, tmp_path):
    monkeypatch.setattr(x, "LOG_PATH", tmp_path / "xlsheets.log")

    def broken(*_a, **_k):
        raise RuntimeError("Worksheet is protected (HRESULT 0x800A03EC)")

    monkeypatch.setattr(x, "book_grid", broken)
    book = remote_book(sample_books["fy2020"])
    assert x.compute_achievement(book) is None
    alert = next(a for a in book.json()["actions"] if a["func"] == "alert")["args"][0]
    assert "シートが保護されています" in alert and str(tmp_path / "xlsheets.log") in alert
    assert "RuntimeError" in (tmp_path / "xlsheets.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("err", "words"),
    [("Call was rejected by callee.", "編集中"), ("The workbook is read-only", "読み取り専用"),
     ("Protected View", "保護ビュー")],
)
def test_excel_problems_in_plain_japanese(err, words):
    assert words in x.excel_problem(Exception(err))


def test_worksheet_functions_give_the_core_values():
    from xlsheets.rates import achievement
    from xlsheets.samples import sample_dict

    assert x.XS_TARGET("被保護者40人以上の受診") == "40人 以上"
    assert x.XS_TARGET("訪問3か所・通所5か所で実施") == "3か所・5か所 以上"
    assert x.XS_TARGET("方向性の検討") == "数値目標なし"
    assert x.XS_TARGET("目標調達額：8,000千円") == "8,000,000円 以上"
    assert x.XS_TARGET("満足度4.0以上") == "4 以上"
    assert x.XS_RATE("被保護者30人以上の受診", "被保護者 35名受診") == 116
    assert x.XS_RATE("方向性の検討", "検討した") == ""
    assert [x.XS_GRADE(r) for r in (116, 80, 50, 10, "", "abc")] == ["◎", "○", "△", "×", "－", "－"]
    for g in sample_dict("fy2020")["goals"]:
        for it in g["items"]:
            for s in it["subitems"]:
                want = achievement(s["target"], s["final"]).rate
                assert x.XS_RATE(s["target"], s["final"]) == ("" if want is None else want)


def test_text_that_looks_like_a_formula_is_sent_as_text(sample_books):
    writer = XlwingsWriter(remote_book(sample_books["fy2020"]))
    writer.set_value(writer.book.sheets[1].name, 30, 2, "=HYPERLINK(\"http://x\")")
    writer.flush()
    action = writer.book.json()["actions"][0]
    assert action["values"] == [["'=HYPERLINK(\"http://x\")"]]



def test_validate_twice_in_a_row_works_and_gives_the_same_result(sample_books, tmp_path):
    """The second 検証 reads the annotated workbook (検証結果 included) as the first read the original."""
    src = sample_books["fy2024"]
    first = remote_book(src, active=0)
    said = x.validate_sheet(first)
    once = replay(first.json()["actions"], src, tmp_path / "once.xlsx")
    assert "xs_own_sheet" in load_workbook(once)["検証結果"].defined_names
    for active in (0, "検証結果"):  # the cover, or the results sheet itself: every goal sheet
        again = remote_book(once, active=active)
        assert x.validate_sheet(again) == said
        twice = replay(again.json()["actions"], once, tmp_path / "twice.xlsx")
        assert _results_sheet(twice) == _results_sheet(once)
        assert read(twice).to_dict() == read(src).to_dict()


def test_achievement_on_an_annotated_workbook_writes_only_into_goal_sheets(sample_books, tmp_path):
    src = sample_books["fy2024"]
    first = remote_book(src, active=0)
    x.validate_sheet(first)
    once = replay(first.json()["actions"], src, tmp_path / "once.xlsx")
    book = remote_book(once, active=0)
    x.compute_achievement(book)
    names = load_workbook(once).sheetnames
    touched = {names[a["sheet_position"]] for a in book.json()["actions"] if a.get("sheet_position") is not None}
    assert touched == set(names[1:5])  # the four goal sheets: not 表紙, 検証結果 or xlsheets_marks
