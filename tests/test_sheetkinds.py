"""Only goal sheets are read: the form's signature, never an assumption. xlsheets' own sheets (検証結果 …)
are never goals, a half-matching sheet is listed with its reason, and no command writes into a sheet that
is not a goal sheet."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlsheets import layout as L
from xlsheets.cli import main
from xlsheets.io.loading import book_from_openpyxl, load_book
from xlsheets.io.saving import save_workbook
from xlsheets.reading import read, read_book
from xlsheets.sheetkinds import GOAL, OWN, SKIPPED, classify


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _cells(path, sheet: str) -> dict:
    ws = load_workbook(path)[sheet]
    return {c.coordinate: (c.value, c.fill.fgColor.rgb, c.comment.text if c.comment else None)
            for row in ws.iter_rows() for c in row if c.value is not None or c.comment}


def _findings(path) -> list[tuple]:
    res = run("validate", path, "--format", "json")
    return sorted((f["code"], f["sheet"], f["cell"], f["message"]) for f in json.loads(res.output)["files"][0]["findings"])


@pytest.fixture
def annotated(sample_books, tmp_path):
    """The 令和6年度 sample after `validate --annotate` (a 検証結果 and a hidden marks sheet added)."""
    out = tmp_path / "v.xlsx"
    assert run("validate", sample_books["fy2024"], "--annotate", "-o", out).exit_code == 0
    return out


def test_an_annotated_workbook_reads_as_the_original(sample_books, annotated):
    assert read(annotated).to_dict() == read(sample_books["fy2024"]).to_dict()
    kinds = {k.name: k.kind for k in classify(load_book(annotated))}
    assert kinds["検証結果"] == OWN and kinds["xlsheets_marks"] == OWN


def test_an_annotated_workbook_validates_again_as_the_original(sample_books, annotated, tmp_path):
    assert _findings(annotated) == _findings(sample_books["fy2024"])
    res = run("validate", annotated, "--annotate", "-o", tmp_path / "v2.xlsx")
    assert res.exit_code == 0, res.output
    assert _cells(tmp_path / "v2.xlsx", "検証結果") == _cells(annotated, "検証結果")


def test_achieve_on_an_annotated_workbook_writes_only_into_goal_sheets(sample_books, annotated, tmp_path):
    assert run("achieve", annotated, "-o", tmp_path / "a.xlsx").exit_code == 0
    assert run("achieve", sample_books["fy2024"], "-o", tmp_path / "plain.xlsx").exit_code == 0
    for sheet in ("検証結果", "xlsheets_marks"):
        assert _cells(tmp_path / "a.xlsx", sheet) == _cells(annotated, sheet)
    assert read(tmp_path / "a.xlsx").to_dict() == read(tmp_path / "plain.xlsx").to_dict()


def test_carry_forward_and_roll_up_of_an_annotated_workbook_see_only_its_goals(sample_books, annotated, tmp_path):
    from xlsheets.summary.pipeline import rollup

    assert run("carry-forward", annotated, "--to-year", "2025", "-o", tmp_path / "c.xlsx").exit_code == 0
    assert load_workbook(tmp_path / "c.xlsx").sheetnames == load_workbook(sample_books["fy2024"]).sheetnames
    alone, both = tmp_path / "alone", tmp_path / "both"
    for d in (alone, both):
        d.mkdir()
    (alone / "fy2024.xlsx").write_bytes(sample_books["fy2024"].read_bytes())
    (both / "v.xlsx").write_bytes(annotated.read_bytes())
    a, b = rollup([alone], tmp_path / "ra.xlsx"), rollup([both], tmp_path / "rb.xlsx")
    assert (b.rows, b.findings) == (a.rows, a.findings)


def _memo_sheet(wb):
    """A user's memo sheet: a header row with 重点目標 and 数値目標, rows under it (no 部局名, no 優先順位)."""
    ws = wb.create_sheet("メモ")
    ws.append(["重点目標", "数値目標", "中間報告", "備考"])
    ws.append(["地域包括ケア", "相談100件", "45件", "来年度も継続"])
    ws.append(["障がい者支援", "研修2回", "1回", ""])
    return ws


def test_a_memo_sheet_with_goal_headings_is_listed_not_read(sample_books, tmp_path):
    wb = load_workbook(sample_books["fy2024"])
    _memo_sheet(wb)
    path = save_workbook(wb, tmp_path / "memo.xlsx")
    assert read(path).to_dict() == read(sample_books["fy2024"]).to_dict()
    skipped = [f for f in json.loads(run("validate", path, "--format", "json").output)["files"][0]["findings"]
               if f["code"] == "sheet-skipped"]
    assert [(f["sheet"], f["cell"], f["severity"]) for f in skipped] == [("メモ", "", "info")]
    assert "「重点目標」の欄" in skipped[0]["message"] and "「部局名」か「優先順位」の欄" in skipped[0]["message"]


@pytest.mark.parametrize("command", [["achieve"], ["validate", "--annotate"]])
def test_no_command_writes_into_a_sheet_that_is_not_a_goal_sheet(sample_books, tmp_path, command):
    wb = load_workbook(sample_books["fy2024"])
    _memo_sheet(wb)
    path = save_workbook(wb, tmp_path / "memo.xlsx")
    out = tmp_path / "out.xlsx"
    assert run(command[0], path, *command[1:], "-o", out).exit_code in (0, 1)
    assert _cells(out, "メモ") == _cells(path, "メモ")


def test_xlsheets_own_sheets_are_never_goals_by_name_or_by_their_mark(sample_books, tmp_path):
    """A goal sheet's copy named 入力 is not read; the 検証結果 sheet renamed is known by its mark."""
    wb = load_workbook(sample_books["fy2024"])
    copy = wb.copy_worksheet(wb.worksheets[1])
    copy.title = L.INPUT_SHEET
    memo = wb.create_sheet("検証結果")
    memo.append(["重大度", "コード", "シート", "セル", "重点目標", "取組項目", "番号", "欄", "内容"])
    memo.append(["警告", "target-not-numeric", "1_社会保障", "F8", 1, 1, 1, "target", "数値目標に水準がありません"])
    path = save_workbook(wb, tmp_path / "own.xlsx")
    kinds = {k.name: k.kind for k in classify(load_book(path))}
    assert kinds[L.INPUT_SHEET] == OWN and kinds["検証結果"] == OWN
    assert len(read(path).goals) == 4

    annotated = tmp_path / "annotated.xlsx"
    assert run("validate", sample_books["fy2024"], "--annotate", "-o", annotated).exit_code == 0
    wb = load_workbook(annotated)
    assert L.N_OWN_SHEET in wb["検証結果"].defined_names
    wb["検証結果"].title = "検証メモ"
    book = book_from_openpyxl(wb)
    assert {k.name: k.kind for k in classify(book)}["検証メモ"] == OWN
    assert len(read_book(book).department.goals) == 4


def test_an_empty_hand_made_form_is_listed_as_skipped(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "様式"
    ws.append(["令和6年度　重点目標管理シート"])
    ws.append(["重点目標", "", "部局名", "", "優先順位", ""])
    ws.append(["取組項目及び方法・手段", "期間・期限", "数値目標", "中間報告", "期末報告"])
    filled = wb.create_sheet("1")
    for row in ws.iter_rows(values_only=True):
        filled.append(row)
    filled.append(["(1) 訪問", "通年", "40件", "20件", "41件"])
    path = save_workbook(wb, tmp_path / "forms.xlsx")
    kinds = {k.name: k for k in classify(load_book(path))}
    assert kinds["1"].kind == GOAL and kinds["様式"].kind == SKIPPED and "取組の行" in kinds["様式"].reason
    assert len(read(path).goals) == 1


def test_a_workbook_with_only_half_matching_sheets_says_why_each_was_not_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    _memo_sheet(wb)
    wb.remove(wb.worksheets[0])
    path = save_workbook(wb, tmp_path / "memo_only.xlsx")
    res = run("read", path)
    assert res.exit_code == 2
    assert "重点目標管理シートが見つかりません" in res.output and "メモ: 重点目標管理シートの形ではない" in res.output
