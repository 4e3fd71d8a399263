"""validate of folders: one line per file, one workbook to send back with a sheet per department-year,
and exit 2 when nothing could be validated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.city import make_city
from xlsheets.cli import main
from xlsheets.validation import validate_path


@pytest.fixture(scope="module")
def city(sample_books, tmp_path_factory):
    return make_city(tmp_path_factory.mktemp("city"), sample_books)


def test_summary_prints_one_line_per_file_and_the_totals_last(city):
    res = CliRunner().invoke(main, ["validate", str(city), "--summary"])
    lines = res.output.strip().splitlines()
    assert res.exit_code == 1  # the samples hold errors
    r2 = validate_path(city / "福祉部_R2.xlsx").summary()
    assert f"福祉部 令和2年度（2020）: エラー {r2['error']} 件・警告 {r2['warning']} 件（{city / '福祉部_R2.xlsx'}）" in lines
    assert len(lines) == 5 + 2 and lines[0].startswith("福祉部 令和7年度（2025）")  # the latest year first
    assert lines[-1] == "読込 5 冊・読めないファイル 0 冊・対象外 0 件"


def test_a_results_workbook_has_a_sheet_per_department_year_with_links_to_the_cells(city, tmp_path):
    out = tmp_path / "検証結果一覧.xlsx"
    res = CliRunner().invoke(main, ["validate", str(city), "-o", str(out), "--summary"])
    assert res.exit_code == 1 and f"検証結果一覧を作りました: {out}（5 冊）" in res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["検証結果一覧", "福祉部 令和7年度", "総務部 令和6年度", "第10部 令和6年度",
                             "福祉部 令和6年度", "福祉部 令和2年度"]
    ws = wb["福祉部 令和2年度"]
    header = [c.value for c in ws[4]]
    assert header == ["重大度", "コード", "シート", "セル", "重点目標", "取組項目", "番号", "欄", "内容"]  # as 検証結果
    report = validate_path(city / "福祉部_R2.xlsx")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert [(r[1], r[2], r[3]) for r in rows] == [(f.code, f.sheet, f.cell) for f in report.findings]
    link = ws.cell(5, 4).hyperlink
    import os

    relative = Path(os.path.relpath(city / "福祉部_R2.xlsx", out.parent)).as_posix()  # moving both keeps it
    assert link.target == relative and link.location == f"'{rows[0][2]}'!{rows[0][3]}"
    listing = wb["検証結果一覧"]
    assert listing.cell(2, 6).hyperlink.location == "'福祉部 令和7年度'!A1"


def test_an_unreadable_file_is_listed_with_its_reason(city, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(city, src)
    (src / "壊れた.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(main, ["validate", str(src), "-o", str(out)])
    assert res.exit_code == 2
    listing = [[c.value for c in row] for row in load_workbook(out)["検証結果一覧"].iter_rows(min_row=2)]
    assert listing[-1][4] == "壊れた.xlsx" and listing[-1][5].startswith("読めません: ")


@pytest.mark.parametrize("made", [[], ["~$福祉部.xlsx", "メモ.txt"]])
def test_a_folder_with_nothing_to_validate_is_an_error(tmp_path, made):
    src = tmp_path / "提出"
    src.mkdir()
    for name in made:
        (src / name).write_bytes(b"x")
    res = CliRunner().invoke(main, ["validate", str(src)])
    assert res.exit_code == 2 and "検証できるブック" in res.output and "エラー 0 件" not in res.output
    if made:
        assert "対象外 2 件（ロックファイル 1、表計算以外 1）" in res.output


def test_an_existing_results_workbook_is_kept_before_anything_is_read(city, tmp_path):
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"keep")
    res = CliRunner().invoke(main, ["validate", str(city), "-o", str(out)])
    assert res.exit_code == 2 and out.read_bytes() == b"keep" and "Traceback" not in res.output


def test_a_results_workbook_opens_when_a_file_name_holds_a_control_character(sample_books, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sample_books["fy2020"], folder / "福祉部\x01R2.xlsx")
    out = tmp_path / "検証結果一覧.xlsx"
    res = CliRunner().invoke(main, ["validate", str(folder), "-o", str(out)])
    assert res.exit_code == 1, res.output  # the sample's errors
    wb = load_workbook(out)  # a link holding the name made the workbook unreadable
    listing = wb["検証結果一覧"]
    assert listing.cell(2, 5).value and listing.cell(2, 5).hyperlink is None
    assert listing.cell(2, 6).hyperlink is not None  # the link to its own sheet stays
