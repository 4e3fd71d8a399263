"""Validation: findings with stable codes at the right cells, JSON output and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsheets.cli import main
from xlsheets.filling import fill
from xlsheets.findings import RULES
from xlsheets.samples import sample_dict
from xlsheets.validation import validate_path

GOAL3 = "3_地域包括ケアシステムの深化と地域福祉の推進に向けた取組"
GOAL4 = "4_生活困窮者の自立に向けた支援の推進"


def test_fy2020_seed_mistakes_are_found_at_their_cells(sample_books):
    rep = validate_path(sample_books["fy2020"], stage="final")
    rows = rep.flatten(["code", "sheet", "cell", "goal", "item", "subitem", "field"])
    assert ["rate-mismatch", GOAL4, "H13", 4, 2, 3, "final"] in rows  # 達成率 112% where 90.7/85 gives 106%
    assert ["invalid-date", GOAL3, "H10", 3, 1, 3, "final"] in rows  # R3.2.31
    assert ["unit-mismatch", GOAL3, "H15", 3, 3, 1, "final"] in rows  # 検査人数1,500人 → 検査数125件
    # the sample's six correct stated rates raise nothing
    assert [r for r in rows if r[0] == "rate-mismatch"] == [["rate-mismatch", GOAL4, "H13", 4, 2, 3, "final"]]
    msg = next(f.message for f in rep.findings if f.code == "rate-mismatch")
    assert "112%" in msg and "106%" in msg


def _doc(**changes):
    d = sample_dict("fy2024")
    d["goals"] = d["goals"][:2]
    for path, value in changes.items():
        obj = d
        keys = path.split("__")
        for k in keys[:-1]:
            obj = obj[int(k)] if k.isdigit() else obj[k]
        obj[int(keys[-1]) if keys[-1].isdigit() else keys[-1]] = value
    return d


@pytest.mark.parametrize(
    ("changes", "code", "cell"),
    [
        ({"goals__0__title": ""}, "required-empty", "C2"),
        ({"goals__1__priority": 1}, "priority-invalid", "K2"),
        ({"goals__0__priority": "未定"}, "priority-invalid", "K2"),
        ({"goals__0__items__1__no": 3}, "numbering", "A10"),
        ({"goals__0__items__1__subitems__1__no": 4}, "numbering", "C11"),
        ({"goals__0__items__1__subitems__1__target": "概ね100"}, "target-unparsed", None),
        ({"goals__0__items__0__subitems__0__target": "関係課との連携"}, "target-not-numeric", "F8"),
        ({"goals__0__items__1__subitems__1__midterm": "12件実施"}, "unit-mismatch", "G11"),
        ({"goals__0__items__1__subitems__1__final": "概ね順調に実施した"}, "report-not-numeric", "H11"),
        ({"goals__0__items__1__subitems__1__midterm": "12名実施（達成率 100%）"}, "rate-mismatch", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": "12名実施（達成率 120.5%）"}, "rate-mismatch", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": "面談 6名、支援 8名"}, "report-ambiguous", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": "2/30に実施"}, "invalid-date", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": "R8.5.1に12名実施"}, "date-outside-year", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": ""}, "missing-report", "G11"),
        ({"goals__0__items__1__subitems__1__midterm": "10名以上"}, "report-copies-target", "G11"),
        ({"goals__0__items__1__subitems__1__method": "就労準備支援事業（実施"}, "truncated-text", "D11"),
    ],
)
def test_each_rule_fires_on_its_cell(tmp_path, changes, code, cell):
    path = fill(_doc(**changes), tmp_path / "x.xlsx").path
    found = [f for f in validate_path(path, stage="midterm").findings if f.code == code]
    assert found, f"{code} not reported"
    if cell:
        assert cell in [f.cell for f in found]
    assert all(f.severity == RULES[code].severity and f.message for f in found)


def test_a_clean_sheet_has_no_errors(tmp_path):
    d = {"fiscal_year": 2024, "department": "総務部", "goals": [{
        "priority": 1, "title": "窓口の改善", "items": [{"no": 1, "title": "○待ち時間の短縮", "subitems": [
            {"no": 1, "method": "番号案内の導入", "period": "年度内", "target": "平均待ち時間10分以内",
             "midterm": "平均12分", "final": "平均9分"}]}]}]}
    rep = validate_path(fill(d, tmp_path / "ok.xlsx").path, stage="final")
    assert rep.findings == []


def test_cli_json_output_and_exit_codes(sample_books, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["validate", str(sample_books["fy2020"]), "--format", "json"])
    assert res.exit_code == 1
    doc = json.loads(res.output)
    f = doc["files"][0]["findings"][0]
    assert set(f) == {"code", "severity", "sheet", "cell", "location", "message"}
    assert set(f["location"]) == {"goal", "item", "subitem", "field"}
    assert doc["summary"]["error"] >= 3
    clean = fill({"fiscal_year": 2024, "department": "総務部", "goals": [{"priority": 1, "title": "t", "items": [
        {"no": 1, "title": "i", "subitems": [{"no": 1, "method": "m", "period": "p", "target": "10件",
                                               "midterm": "5件", "final": ""}]}]}]}, tmp_path / "c.xlsx").path
    assert runner.invoke(main, ["validate", str(clean)]).exit_code == 0
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    res = runner.invoke(main, ["validate", str(clean), str(broken)])
    assert res.exit_code == 2 and "読込不可" in res.output


def test_every_rule_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", readme, re.M))
    assert set(RULES) <= documented


def test_the_cover_list_is_checked_against_the_goal_sheets(sample_books, tmp_path):
    from openpyxl import load_workbook

    from xlsheets.io.saving import save_workbook

    assert not [f for f in validate_path(sample_books["fy2020"]).findings if f.code == "cover-mismatch"]
    wb = load_workbook(sample_books["fy2020"])
    ws = wb["表紙"]
    rows = {ws.cell(r, 2).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value}
    r_renamed, r3, r4 = (rows["共生社会の実現を目指した障がい者支援の充実"],
                         rows["地域包括ケアシステムの深化と地域福祉の推進に向けた取組"],
                         rows["生活困窮者の自立に向けた支援の推進"])
    ws.cell(r_renamed, 2).value = "障がい者の就労支援"  # renamed on the cover only
    ws.cell(r3, 1).value, ws.cell(r4, 1).value = ws.cell(r4, 1).value, ws.cell(r3, 1).value  # priorities swapped
    path = save_workbook(wb, tmp_path / "cover.xlsx")
    found = [(f.sheet, f.cell) for f in validate_path(path).findings if f.code == "cover-mismatch"]
    assert ("表紙", f"B{r_renamed}") in found and ("表紙", f"A{r3}") in found and ("表紙", f"A{r4}") in found
    assert any(sheet.startswith("2_") for sheet, _ in found)  # that goal is missing from the cover


def test_a_title_of_another_year_is_pointed_out_on_its_cell(sample_books, tmp_path):
    from openpyxl import load_workbook

    from xlsheets.io.grid import a1
    from xlsheets.io.saving import save_workbook
    from xlsheets.reading import read

    assert not [f for f in validate_path(sample_books["fy2024"]).findings if f.code == "year-mismatch"]
    dept = read(sample_books["fy2024"])
    copied = dept.goals[1].sheet  # a sheet copied from the year before, its title not updated
    wb = load_workbook(sample_books["fy2024"])
    cell = wb[copied.name].cell(*copied.fields["sheet_title"])
    cell.value = cell.value.replace("令和6年度", "令和5年度")
    path = save_workbook(wb, tmp_path / "copied.xlsx")
    found = [f for f in validate_path(path).findings if f.code == "year-mismatch"]
    assert [(f.sheet, f.cell) for f in found] == [(copied.name, a1(*copied.fields["sheet_title"]))]
    assert "令和5年度（2023）" in found[0].message and "令和6年度（2024）" in found[0].message
    assert read(path).fiscal_year == 2024  # the workbook's year stands: the finding says which one differs


def test_a_hand_made_cover_is_read_and_checked(tmp_path):
    from openpyxl import load_workbook

    from tests.legacy import legacy_workbook
    from xlsheets.io.saving import save_workbook
    from xlsheets.model import department_from_dict

    dept = department_from_dict(sample_dict("fy2020"))
    wb = legacy_workbook(dept)
    cover = wb.create_sheet("表紙", 0)
    cover["A1"] = "令和2年度 重点目標"
    cover["A3"], cover["B3"] = "部局名", "福祉部"
    for k, goal in enumerate(dept.goals):
        cover.cell(5 + k, 1).value = f"{goal.priority}"
        cover.cell(5 + k, 2).value = goal.title
    cover.cell(5, 2).value = "別の題名"
    path = save_workbook(wb, tmp_path / "hand.xlsx")
    found = [f for f in validate_path(path).findings if f.code == "cover-mismatch"]
    assert [(f.sheet, f.cell) for f in found if f.sheet == "表紙"] == [("表紙", "B5")]
    assert load_workbook(path)["表紙"]["B5"].value == "別の題名"


def test_a_sheet_naming_another_department_is_pointed_out(tmp_path):
    from openpyxl import load_workbook

    from xlsheets.io.saving import save_workbook

    path = fill(sample_dict("fy2024"), tmp_path / "a.xlsx").path
    wb = load_workbook(path)
    ws = wb.worksheets[2]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "福祉部")
    cell.value = "健康こども未来部"
    save_workbook(wb, tmp_path / "b.xlsx")
    found = [f for f in validate_path(tmp_path / "b.xlsx").findings if f.code == "department-mismatch"]
    assert [(f.sheet, f.cell) for f in found] == [(ws.title, cell.coordinate)]


def test_an_ambiguous_report_names_the_amounts_it_saw_and_gets_no_rate(tmp_path):
    path = fill(_doc(goals__0__items__1__subitems__1__midterm="面談 6名、支援 8名"), tmp_path / "x.xlsx").path
    [f] = [f for f in validate_path(path, stage="midterm").findings if f.code == "report-ambiguous"]
    assert "面談 6名" in f.message and "支援 8名" in f.message and "計○人" in f.message
