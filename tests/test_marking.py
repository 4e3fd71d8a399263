"""Writing into the user's workbook: achievement columns, finding marks, and their exact removal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.legacy import legacy_workbook
from xlsheets import layout as L
from xlsheets.cli import main
from xlsheets.errors import XlsheetsError
from xlsheets.findings import ERROR
from xlsheets.io.saving import save_workbook
from xlsheets.marking import RESULTS_HEADER_ROW, SEVERITY_FILL
from xlsheets.model import department_from_dict
from xlsheets.ops import achieve_file, annotate_file, clear_file
from xlsheets.reading import read
from xlsheets.samples import sample_dict


def _cells(path, skip_cols=frozenset()):
    """Every cell's value and style, every merge and print setting of a workbook."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[(ws.title, "merges")] = sorted(str(m) for m in ws.merged_cells.ranges)
        out[(ws.title, "print")] = (ws.print_area, ws.print_title_rows, ws.page_setup.orientation)
        out[(ws.title, "heights")] = {r: d.height for r, d in ws.row_dimensions.items()}
        out[(ws.title, "live checks")] = [(str(cf.sqref), r.type, r.formula, r.priority, r.stopIfTrue,
                                            r.dxf.fill.bgColor.rgb if r.dxf and r.dxf.fill else None)
                                           for cf in ws.conditional_formatting for r in cf.rules]
        for row in ws.iter_rows():
            for c in row:
                if c.column in skip_cols:
                    continue
                out[(ws.title, c.coordinate)] = (c.value, repr(c.font), repr(c.fill), repr(c.border),
                                                 repr(c.alignment), c.number_format,
                                                 c.comment.text if c.comment else None)
    return out


def test_achieve_fills_the_rate_columns_and_changes_nothing_else(fy2020, tmp_path):
    out = achieve_file(fy2020, tmp_path / "a.xlsx").path
    assert _cells(fy2020, {9, 10, 11}) == _cells(out, {9, 10, 11})
    goal4 = read(out).goals[3]
    finals = [s.achievement["final"]["rate"] for s in goal4.items[1].subitems]
    assert finals == [80, 116, 106, 106]
    first = goal4.items[1].subitems[0].achievement
    assert {k: (v["rate"], v["grade"]) for k, v in first.items()} == {"midterm": (40, "×"), "final": (80, "○")}
    assert first["final"]["evidence"] == "実績 12件（就労による自立ケース 12件） ÷ 目標 15件（就労による自立ケース15件）"
    ws = load_workbook(out).worksheets[4]
    assert ws["J13"].value == 106 and ws["J13"].number_format == '0"%"' and ws["K13"].value == "◎"
    assert ws["K13"].fill.fgColor.rgb.endswith("C6EFCE")


def test_achieve_twice_gives_the_same_file(fy2020, tmp_path):
    once = achieve_file(fy2020, tmp_path / "1.xlsx").path
    twice = achieve_file(once, tmp_path / "2.xlsx").path
    assert _cells(once) == _cells(twice)


def test_achieve_in_place_keeps_a_backup(fy2020):
    before = fy2020.read_bytes()
    res = CliRunner().invoke(main, ["achieve", str(fy2020), "--in-place"])
    assert res.exit_code == 0, res.output
    assert fy2020.with_name("fy2020.bak.xlsx").read_bytes() == before
    assert read(fy2020).goals[3].items[1].subitems[1].achievement["final"]["rate"] == 116


def test_achieve_appends_columns_to_a_legacy_sheet(tmp_path):
    dept = department_from_dict(sample_dict("fy2020"))
    dept.goals = dept.goals[3:]
    src = save_workbook(legacy_workbook(dept), tmp_path / "old.xlsx")
    out = achieve_file(src, tmp_path / "old_rates.xlsx").path
    ws = load_workbook(out).worksheets[0]
    headers = [c.value for c in ws[7]]
    assert headers[-3:] == [L.HEADER_TAIL["rate_midterm"], L.HEADER_TAIL["rate_final"], L.HEADER_TAIL["grade"]]
    subs = read(out).goals[0].items[1].subitems
    assert [s.achievement["final"]["rate"] for s in subs] == [80, 116, 106, 106]
    again = achieve_file(out, tmp_path / "again.xlsx").path
    assert _cells(out) == _cells(again)


def test_annotate_marks_cells_and_clear_restores_exactly(fy2020, tmp_path):
    # the user's own note and colour must survive
    wb = load_workbook(fy2020)
    ws = wb.worksheets[4]
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    ws["H13"].comment = Comment("係長確認済み", "田中")
    ws["H13"].fill = PatternFill("solid", fgColor="FFCCFFCC")
    ws["E8"].comment = Comment("自分のメモ", "田中")
    save_workbook(wb, fy2020, overwrite=True, backup=False)
    original = _cells(fy2020)

    res, report = annotate_file(fy2020, tmp_path / "ann.xlsx", stage="final")
    assert res.count > 0 and not report.valid
    wb = load_workbook(res.path)
    ws = wb.worksheets[4]
    assert "達成率 112%" in ws["H13"].comment.text and "係長確認済み" in ws["H13"].comment.text
    assert ws["H13"].fill.fgColor.rgb.endswith(SEVERITY_FILL[ERROR])
    results = wb["検証結果"]
    assert results.max_row == RESULTS_HEADER_ROW + len(report.findings)
    link = next(c.hyperlink.location or c.hyperlink.target for c in results["D"][1:] if c.hyperlink)
    assert "!" in link
    assert wb["xlsheets_marks"].sheet_state == "hidden"

    again, _ = annotate_file(res.path, tmp_path / "ann2.xlsx", stage="final")
    assert _cells(res.path) == _cells(again.path)  # annotating twice gives the same marks

    cleared = clear_file(res.path, tmp_path / "clear.xlsx").path
    assert _cells(cleared) == original


def test_in_place_write_refuses_a_file_that_would_lose_shapes(tmp_path, fy2020):
    import xlsxwriter

    path = tmp_path / "shapes.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("重点目標")
    sheet.write("A1", "重点目標")
    sheet.insert_textbox("C3", "担当者メモ")
    book.close()
    before = path.read_bytes()
    with pytest.raises(XlsheetsError, match="図形・テキストボックス"):
        achieve_file(path, in_place=True)
    assert path.read_bytes() == before
    res = CliRunner().invoke(main, ["validate", str(path), "--annotate", "--in-place"])
    assert res.exit_code == 2 and "-o" in res.output


def test_each_rate_cell_carries_its_evidence_as_an_xlsheets_note(fy2020, tmp_path):
    ws = load_workbook(achieve_file(fy2020, tmp_path / "a.xlsx").path).worksheets[4]
    assert ws["J13"].value == 106
    assert ws["J13"].comment.text == "[xlsheets] 根拠: 実績 90.7％（使用割合 90.7%） ÷ 目標 85％（使用割合85%以上）"


def test_a_users_note_on_a_rate_cell_survives_achieve_twice_and_clear(fy2020, tmp_path):
    from openpyxl.comments import Comment

    wb = load_workbook(fy2020)
    wb.worksheets[4]["J13"].comment = Comment("課長確認済み", "user")
    mine = tmp_path / "mine.xlsx"
    save_workbook(wb, mine)
    once = achieve_file(mine, tmp_path / "1.xlsx").path
    twice = achieve_file(once, tmp_path / "2.xlsx").path
    note = load_workbook(twice).worksheets[4]["J13"].comment.text
    assert note.startswith("課長確認済み\n\n[xlsheets] 根拠: ") and note.count("[xlsheets]") == 1
    cleared = clear_file(twice, tmp_path / "3.xlsx").path
    wb = load_workbook(cleared)
    assert wb.worksheets[4]["J13"].comment.text == "課長確認済み"
    assert wb.worksheets[4]["J12"].comment is None and wb.sheetnames == load_workbook(fy2020).sheetnames
    assert wb.worksheets[4]["J13"].value == 106  # clear takes notes away, not the rates


def test_annotating_findings_keeps_the_rate_evidence(fy2020, tmp_path):
    achieved = achieve_file(fy2020, tmp_path / "a.xlsx").path
    annotated, _report = annotate_file(achieved, tmp_path / "b.xlsx")
    assert load_workbook(annotated.path).worksheets[4]["J13"].comment.text.startswith("[xlsheets] 根拠: ")


# ---------------------------------------------------------------- marks over the template's live checks


def _colour_areas(pdfs, colours: dict[str, str]) -> dict[str, dict[str, int]]:
    """{pdf stem: {name: pixels of that colour}} over every page, rendered at 50 dpi."""
    from PIL import Image

    from xlsheets.render import pdf_to_png

    out = {}
    for pdf in pdfs:
        counts = dict.fromkeys(colours, 0)
        for png in pdf_to_png(pdf, pdf.with_suffix(""), dpi=50):
            for n, rgb in Image.open(png).convert("RGB").getcolors(1 << 24):
                for name, hexa in colours.items():
                    want = [int(hexa[i:i + 2], 16) for i in (0, 2, 4)]
                    counts[name] += n * all(abs(a - b) <= 2 for a, b in zip(rgb, want, strict=True))
        out[pdf.stem] = counts
    return out


def _goal_sheets_only(src, dst, *, live_checks: bool = True):
    """A copy without 検証結果 (its legend shares the colours), and without the template's live checks
    when live_checks is False (the marks, which are conditional formats too, stay)."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    from xlsheets.io.writers import MARK_FORMULA

    wb = load_workbook(src)
    if "検証結果" in wb.sheetnames:
        del wb["検証結果"]
    for ws in wb.worksheets:
        if not live_checks:
            keep = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules
                    if r.formula == [MARK_FORMULA]]
            ws.conditional_formatting = ConditionalFormattingList()
            for sqref, r in keep:
                ws.conditional_formatting.add(sqref, r)
    wb.save(dst)
    return dst


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice not installed")
def test_marks_show_over_the_templates_live_checks_and_clear_gives_the_checks_back(sample_books, tmp_path):
    """Rendered by LibreOffice: the marked area is the same with and without the template's conditional
    formats, and after --clear the live checks colour what they coloured before annotating."""
    from xlsheets.findings import WARNING
    from xlsheets.guides import NO_DIGIT_FILL, REQUIRED_FILL
    from xlsheets.render import convert

    marked, _report = annotate_file(sample_books["fy2020"], tmp_path / "marked.xlsx", stage="final")
    cleared = clear_file(marked.path, tmp_path / "cleared.xlsx").path
    files = [_goal_sheets_only(marked.path, tmp_path / "with_checks.xlsx"),
             _goal_sheets_only(marked.path, tmp_path / "without_checks.xlsx", live_checks=False),
             _goal_sheets_only(cleared, tmp_path / "after_clear.xlsx"),
             _goal_sheets_only(sample_books["fy2020"], tmp_path / "before.xlsx")]
    convert(files, "pdf", tmp_path)
    colours = {"error": SEVERITY_FILL[ERROR], "warning": SEVERITY_FILL[WARNING], "required": REQUIRED_FILL,
               "no digit": NO_DIGIT_FILL}
    area = _colour_areas([f.with_suffix(".pdf") for f in files], colours)
    assert area["without_checks"]["error"] > 0 and area["without_checks"]["warning"] > 0
    assert {k: area["with_checks"][k] for k in ("error", "warning")} == \
        {k: area["without_checks"][k] for k in ("error", "warning")}
    assert area["before"]["required"] > 0 and area["before"]["no digit"] > 0  # the sample trips both checks
    assert area["after_clear"] == area["before"]


def test_the_results_sheet_is_never_read_as_a_goal_sheet(sample_books, tmp_path):
    """検証結果 lists the form's own field names (重点目標, 数値目標, 方法・手段…): still not a goal sheet."""
    marked, _report = annotate_file(sample_books["fy2020"], tmp_path / "m.xlsx", stage="final")
    assert read(marked.path).to_dict() == read(sample_books["fy2020"]).to_dict()


def test_a_finding_on_a_merged_cell_is_noted_on_the_merged_range_and_clear_restores_it(fy2020, tmp_path):
    wb = load_workbook(fy2020)
    wb.worksheets[4].merge_cells("H13:I13")  # the final report and the cell after it, merged by the department
    wb.worksheets[4].merge_cells("D12:D13")  # the method written across two sub-items' rows
    save_workbook(wb, fy2020, overwrite=True, backup=False)
    original = _cells(fy2020)

    res, report = annotate_file(fy2020, tmp_path / "ann.xlsx", stage="final")
    on = {f.cell for f in report.findings if f.sheet == wb.worksheets[4].title}
    assert {"H13", "D13"} <= on  # a finding on the merged range's first cell and one on a cell inside a range
    ws = load_workbook(res.path).worksheets[4]
    assert "達成率 112%" in ws["H13"].comment.text and ws["D12"].comment is not None  # where Excel shows them
    achieved = achieve_file(fy2020, tmp_path / "ach.xlsx").path  # its evidence note on I13, inside H13:I13
    assert load_workbook(achieved).worksheets[4]["H13"].comment is not None
    cleared = clear_file(res.path, tmp_path / "clear.xlsx").path
    assert _cells(cleared) == original
