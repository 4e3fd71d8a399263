"""Old hand-made sheets: fields found by their labels, sub-items split out of one cell."""

from __future__ import annotations

import pytest

from tests.legacy import legacy_workbook
from xlsheets.handmade import split_numbered
from xlsheets.io.loading import book_from_openpyxl
from xlsheets.io.saving import save_workbook
from xlsheets.model import department_from_dict
from xlsheets.reading import read, read_book


def _dept():
    return department_from_dict({
        "fiscal_year": 2020, "department": "健康こども未来部",
        "goals": [{
            "priority": 2, "title": "子育て支援の充実",
            "positioning": {"comprehensive_plan": "第2編 第1章", "regional_strategy": "戦略1",
                            "admin_reform": "改革1 イ", "reconstruction_plan": "挑戦3"},
            "current_issues": "待機児童が増えています。", "purpose": "安心して子育てできる。",
            "items": [
                {"no": 1, "title": "○保育所の整備【新】", "subitems": [
                    {"no": 1, "method": "施設整備", "period": "年度内", "target": "定員30人増",
                     "midterm": "設計完了", "final": "定員32人増"},
                    {"no": 2, "method": "保育士確保", "period": "通年", "target": "10名採用",
                     "midterm": "4名採用", "final": "9名採用"}]},
                {"no": 2, "title": "", "subitems": [
                    {"no": 1, "method": "相談窓口", "period": "~7月", "target": "相談件数100件",
                     "midterm": "45件", "final": "120件"}]},
            ],
            "notes": {"participation": "保護者の声を聞いた。", "effects": "○待機児童が解消した。"},
        }],
    })


@pytest.mark.parametrize(
    "opts",
    [
        {},
        {"row0": 4, "col0": 3},
        {"fullwidth": True},
        {"newlines": False},
        {"number_in_method": True, "row0": 2},
        {"header": False, "col0": 2, "fullwidth": True, "newlines": False},
    ],
    ids=["plain", "shifted", "fullwidth-parens", "one-line-cells", "number-in-method-cell", "all-at-once"],
)
def test_legacy_sheet_reads_into_the_model(tmp_path, opts):
    dept = _dept()
    path = save_workbook(legacy_workbook(dept, **opts), tmp_path / "legacy.xlsx")
    got = read(path).to_dict()
    want = dept.to_dict()
    if opts.get("header") is False:
        want["fiscal_year"] = ""  # no year anywhere on the sheet
    assert got == want


def test_label_variants_of_other_departments(tmp_path):
    dept = _dept()
    wb = legacy_workbook(dept)
    ws = wb.worksheets[0]
    ws["A2"], ws["D2"], ws["B7"] = "重点目標名", "所属", "方法・手段（何をどのように）"
    got = read(save_workbook(wb, tmp_path / "variant.xlsx")).to_dict()
    assert got == dept.to_dict()


@pytest.mark.parametrize("labels", [
    {"D2": "部署名", "F2": "優先度", "C7": "実施時期", "D7": "目標値", "E7": "中間実績", "F7": "年度末実績"},
    {"D2": "所管部局", "F2": "順位", "C7": "スケジュール", "D7": "成果指標（どの水準まで）",
     "E7": "上半期実績（9月末）", "F7": "最終報告"},
])
def test_more_label_variants_of_other_departments(tmp_path, labels):
    dept = _dept()
    wb = legacy_workbook(dept)
    ws = wb.worksheets[0]
    for cell, text in labels.items():
        ws[cell] = text
    got = read(save_workbook(wb, tmp_path / "variant.xlsx")).to_dict()
    assert got["goals"][0] == dept.to_dict()["goals"][0]


def test_legacy_target_shared_by_two_subitems_stays_with_the_second():
    head, parts = split_numbered("(1) (2) 国、県、広域的な数値の整合性を図りながら策定")
    assert head == "" and parts == [(1, ""), (2, "国、県、広域的な数値の整合性を図りながら策定")]


def test_split_ignores_parenthesised_text_that_is_not_a_label():
    head, parts = split_numbered("○審議会 (1) 開催 (5/31) (2) 答申 (1/22、意見27件)")
    assert head == "○審議会"
    assert parts == [(1, "開催 (5/31)"), (2, "答申 (1/22、意見27件)")]


def test_legacy_numbers_that_differ_between_columns_are_recorded():
    dept = _dept()
    wb = legacy_workbook(dept)
    ws = wb.worksheets[0]
    ws["D8"] = "(1) 定員30人増 (3) 10名採用"  # the target cell numbers (1)(3), the method (1)(2)
    res = read_book(book_from_openpyxl(wb))
    nos = {f: n for (_cell, f, n) in res.department.goals[0].sheet.label_numbers[:5]}
    assert nos["method"] == [1, 2] and nos["target"] == [1, 3]


def test_a_workbook_without_goal_sheets_is_refused(tmp_path):
    from openpyxl import Workbook

    from xlsheets.errors import NotAGoalSheet

    wb = Workbook()
    wb.active["A1"] = "売上表"
    path = save_workbook(wb, tmp_path / "other.xlsx")
    with pytest.raises(NotAGoalSheet, match="重点目標管理シートが見つかりません"):
        read(path)


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_a_template_sheet_that_lost_its_names_reads_the_same(sample_books, tmp_path, name):
    """Copied into a new workbook, a sheet keeps its layout but not its defined names: read it by its labels."""
    from openpyxl import load_workbook

    from xlsheets.ops import achieve_file

    achieved = achieve_file(sample_books[name], tmp_path / "a.xlsx").path
    wb = load_workbook(achieved)
    for ws in wb.worksheets:
        for n in list(ws.defined_names):
            del ws.defined_names[n]
    for n in list(wb.defined_names):
        del wb.defined_names[n]
    save_workbook(wb, tmp_path / "plain.xlsx")
    named, plain = read(achieved).to_dict(), read(tmp_path / "plain.xlsx").to_dict()
    assert plain == named
