"""The template guides a person in plain Excel: input rules, hints, live checks and locks,
kept on every row a growing table adds, drawn by LibreOffice, ignored by read."""

from __future__ import annotations

import os
from collections import Counter
from copy import deepcopy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter
from PIL import Image

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlsheets.excel as x  # noqa: E402
from tests.xlwings_payload import payload_from_file  # noqa: E402
from xlsheets import layout as L  # noqa: E402
from xlsheets.carry import carry_forward  # noqa: E402
from xlsheets.errors import XlsheetsError  # noqa: E402
from xlsheets.filling import fill  # noqa: E402
from xlsheets.guides import HINT_REPORT, HINT_TARGET, NO_DIGIT_FILL, REQUIRED_FILL  # noqa: E402
from xlsheets.interchange import department_to_long_records  # noqa: E402
from xlsheets.io.saving import lossy_parts  # noqa: E402
from xlsheets.io.sheetops import insert_rows, sheet_names  # noqa: E402
from xlsheets.marking import BELOW_FILL  # noqa: E402
from xlsheets.ops import achieve_file, annotate_file  # noqa: E402
from xlsheets.reading import read  # noqa: E402
from xlsheets.render import convert, pdf_to_png  # noqa: E402
from xlsheets.samples import sample_dict  # noqa: E402
from xlsheets.template import templates_dir  # noqa: E402

INPUT_ROLES = ("item_no", "item_title", "subitem_no", "method", "period", "target", "midterm", "final",
               "rate_midterm", "rate_final", "grade")


def _goal_sheets(wb):
    return [ws for ws in wb.worksheets if L.N_BODY in ws.defined_names]


def _cols(names) -> dict[str, int]:
    return {role: names[name].c1 for role, name in L.N_COLS.items() if name in names}


def _validation(ws, coord: str):
    """The one data validation covering coord (None when none does)."""
    found = [dv for dv in ws.data_validations.dataValidation if coord in dv.sqref]
    assert len(found) <= 1, f"{ws.title}!{coord} has {len(found)} validations"
    return found[0] if found else None


def _checks(ws, coord: str) -> list[str]:
    """The conditional-format formulas covering coord."""
    return [rule.formula[0] for cf in ws.conditional_formatting if coord in cf.sqref for rule in cf.rules]


def assert_guided(ws) -> int:
    """Every body row of a goal sheet has its rules, hints, checks and unlocked cells; returns its rows."""
    names = sheet_names(ws)
    body, col = names[L.N_BODY], _cols(names)
    for r in range(body.r1, body.r2 + 1):
        at = {role: f"{get_column_letter(c)}{r}" for role, c in col.items()}
        assert _validation(ws, at["item_no"]).formula1.startswith('"①,②')
        assert _validation(ws, at["subitem_no"]).formula1.startswith('"(1),(2)')
        assert "◎" in _validation(ws, at["grade"]).formula1
        assert _validation(ws, at["target"]).prompt == HINT_TARGET[:255]
        assert _validation(ws, at["midterm"]).prompt == _validation(ws, at["final"]).prompt == HINT_REPORT
        assert "いつ" in _validation(ws, at["period"]).prompt
        for role in ("subitem_no", "period", "target"):
            assert any("$D" in f and "LEN" in f for f in _checks(ws, at[role])), (ws.title, at[role])
        assert any("SUMPRODUCT" in f for f in _checks(ws, at["target"]))
        assert any("<50" in f for f in _checks(ws, at["rate_final"]))
        for role in INPUT_ROLES:
            cell = ws[at[role]]
            assert cell.protection.locked is False or type(cell).__name__ == "MergedCell", (ws.title, at[role])
    for cf in ws.conditional_formatting:  # relative references start at the first body row
        assert cf.sqref.sorted()[0].min_row == body.r1
        assert all(f"{body.r1}" in rule.formula[0] for rule in cf.rules)
    return body.r2 - body.r1 + 1


# ---------------------------------------------------------------- the template as shipped


@pytest.mark.parametrize("year", sorted(L.LAYOUTS))
def test_template_rules_are_warnings_with_japanese_messages(year):
    wb = load_workbook(templates_dir() / L.LAYOUTS[year].file_name)
    ws = wb[L.GOAL_SHEET]
    names = sheet_names(ws)
    assert_guided(ws)
    prio = _validation(ws, f"{get_column_letter(names[L.N_PRIORITY].c1)}{names[L.N_PRIORITY].r1}")
    assert prio.formula1.split(",")[0] == '"1位' and prio.formula1.endswith(',20位"')
    checked = [dv for dv in ws.data_validations.dataValidation if dv.type]
    assert len(checked) == 5  # 優先順位, ①…, (1)…, 判定, 年度
    for dv in checked:
        assert dv.errorStyle == "warning" and dv.showErrorMessage and dv.error and dv.errorTitle
        assert dv.showInputMessage and dv.prompt and dv.promptTitle
    for dv in ws.data_validations.dataValidation:
        assert len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32
    for sheet, title in ((ws, L.N_SHEET_TITLE), (wb[L.COVER_SHEET], L.N_COVER_TITLE)):
        ref = sheet_names(sheet)[title]
        year_rule = _validation(sheet, f"{get_column_letter(ref.c1)}{ref.r1}")
        assert year_rule.type == "custom" and "年度" in year_rule.formula1


@pytest.mark.parametrize("year", sorted(L.LAYOUTS))
def test_labels_are_locked_inputs_free_and_sheets_unprotected(year):
    wb = load_workbook(templates_dir() / L.LAYOUTS[year].file_name)
    ws = wb[L.GOAL_SHEET]
    names = sheet_names(ws)
    labels = {"重点目標", "部局名", "優先順位", "現況・課題", "目的・効果", "特記事項", *L.NOTE_LABELS.values(),
              *L.LAYOUTS[year].positioning_labels.values(), *L.LAYOUTS[year].headers.values()}
    seen = {c.value for row in ws.iter_rows() for c in row if c.value in labels and c.protection.locked}
    assert seen == labels
    inputs = [L.N_SHEET_TITLE, L.N_TITLE, L.N_DEPARTMENT, L.N_PRIORITY, L.N_CURRENT, L.N_PURPOSE,
              *L.N_NOTES.values(), *(L.N_POSITIONING[k] for k in L.LAYOUTS[year].positioning_labels)]
    for name in inputs:
        assert ws.cell(names[name].r1, names[name].c1).protection.locked is False, name
    cover = wb[L.COVER_SHEET]
    for name in (L.N_COVER_TITLE, L.N_COVER_DEPARTMENT, L.N_COVER_LIST):
        ref = sheet_names(cover)[name]
        assert cover.cell(ref.r1, ref.c1).protection.locked is False, name
    assert not ws.protection.sheet and not cover.protection.sheet


def test_a_template_filled_in_excel_takes_its_year_from_the_title(tmp_path):
    """No hidden year constant in the template overrides the title a person edits."""
    wb = load_workbook(templates_dir() / L.LAYOUTS[2024].file_name)
    ws = wb[L.GOAL_SHEET]
    names = sheet_names(ws)
    title = ws.cell(names[L.N_SHEET_TITLE].r1, names[L.N_SHEET_TITLE].c1)
    title.value = title.value.replace("令和6年度", "令和7年度")
    for name, text in ((L.N_TITLE, "生活困窮者への支援"), (L.N_DEPARTMENT, "福祉部"), (L.N_PRIORITY, "1位")):
        ws.cell(names[name].r1, names[name].c1).value = text
    body, col = names[L.N_BODY], _cols(names)
    for role, text in (("item_no", "①"), ("subitem_no", "(1)"), ("method", "相談"), ("target", "10件")):
        ws.cell(body.r1, col[role]).value = text
    wb.save(tmp_path / "by_hand.xlsx")
    assert read(tmp_path / "by_hand.xlsx").fiscal_year == 2025


# ---------------------------------------------------------------- kept when the table grows


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_filled_samples_have_rules_checks_and_locks_on_every_row(sample_books, name):
    wb = load_workbook(sample_books[name])
    template = load_workbook(templates_dir() / L.layout_for(sample_dict(name)["fiscal_year"]).file_name)
    proto = template[L.GOAL_SHEET]
    sheets = _goal_sheets(wb)
    assert len(sheets) == len(sample_dict(name)["goals"])
    rows = [assert_guided(ws) for ws in sheets]
    assert max(rows) > 1  # the table grew
    for ws in sheets:  # each rule once, as many as the template has: no duplicates, none lost
        assert len(ws.data_validations.dataValidation) == len(proto.data_validations.dataValidation)
        assert len(list(ws.conditional_formatting)) == len(list(proto.conditional_formatting))
    assert lossy_parts(sample_books[name]) == []


def test_carry_forward_and_the_create_button_keep_the_guides(sample_books, tmp_path):
    carried = fill(carry_forward(read(sample_books["fy2024"]), 2025), tmp_path / "next.xlsx").path
    for ws in _goal_sheets(load_workbook(carried)):
        assert_guided(ws)
    # 作成 (fill_sheets): the 入力 sheet of xlsheets.xlsm, one row per sub-item, through xlwings' remote engine
    records = department_to_long_records(read(sample_books["fy2020"]))
    inbook = tmp_path / "入力.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "入力"
    wb.active.append(list(records[0]))
    for rec in records:
        wb.active.append([str(v) for v in rec.values()])
    wb.save(inbook)
    import xlwings as xw

    payload = payload_from_file(inbook)
    payload["book"]["name"] = str(inbook)  # the remote engine's fullname: where the button writes
    book = xw.Book(json=payload)
    assert "作成しました" in x.fill_sheets(book)
    made = next(tmp_path.glob("*_重点目標管理シート.xlsx"))
    sheets = _goal_sheets(load_workbook(made))
    assert sum(assert_guided(ws) for ws in sheets) >= len(records)


def test_rows_inserted_above_the_table_move_rules_and_their_formulas(tmp_path):
    wb = load_workbook(templates_dir() / L.LAYOUTS[2024].file_name)
    ws = wb[L.GOAL_SHEET]
    insert_rows(ws, 3, 2)
    assert sheet_names(ws)[L.N_BODY].r1 == 10
    assert_guided(ws)
    assert any("$D10" in f for f in _checks(ws, "E10")) and not _checks(ws, "E8")
    assert _validation(ws, "K2").formula1.startswith('"1位') and not _validation(ws, "K4")  # above: unchanged


# ---------------------------------------------------------------- read, lossless, protection


def test_read_ignores_the_guides(sample_books, tmp_path):
    src = sample_books["fy2020"]
    wb = load_workbook(src)
    for ws in wb.worksheets:
        ws.data_validations.dataValidation = []
        ws.conditional_formatting = type(ws.conditional_formatting)()
    wb.save(tmp_path / "bare.xlsx")
    assert read(src).to_dict() == read(tmp_path / "bare.xlsx").to_dict()


def _rules(path: Path) -> list[tuple]:
    """Every rule of every goal sheet: where, what, and the message shown."""
    out = []
    for ws in _goal_sheets(load_workbook(path)):
        out += [(ws.title, str(dv.sqref), dv.type, dv.formula1, dv.prompt, dv.errorStyle)
                for dv in ws.data_validations.dataValidation]
        out += [(ws.title, str(cf.sqref), r.formula, r.dxf.fill.fgColor.rgb) for cf in ws.conditional_formatting
                for r in cf.rules]
    return out


def test_in_place_writes_keep_every_rule(fy2020):
    """The template's rules and live checks stay, in their order; annotate only adds its marks (which
    clear takes away again)."""
    from xlsheets.io.writers import MARK_FORMULA
    from xlsheets.ops import clear_file

    before = _rules(fy2020)
    achieve_file(fy2020, in_place=True, backup=False)
    annotate_file(fy2020, in_place=True, backup=False)
    after = _rules(fy2020)
    assert len(before) > 20 and [r for r in after if r[2] != [MARK_FORMULA]] == before and lossy_parts(fy2020) == []
    assert len(after) > len(before)
    clear_file(fy2020, in_place=True, backup=False)
    assert _rules(fy2020) == before


def _protect(path: Path, out: Path) -> Path:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        ws.protection.sheet = True
    wb.save(out)
    return out


def test_fill_and_achieve_work_on_protected_sheets_where_a_person_could_type(tmp_path):
    template = _protect(templates_dir() / L.LAYOUTS[2024].file_name, tmp_path / "protected_template.xlsx")
    filled = fill(sample_dict("fy2024"), tmp_path / "filled.xlsx", template=template).path
    assert all(ws.protection.sheet for ws in load_workbook(filled).worksheets)
    before = load_workbook(filled)
    achieve_file(filled, in_place=True, backup=False)
    after = load_workbook(filled)
    changed = [(ws.title, c.coordinate) for ws in _goal_sheets(after) for row in ws.iter_rows() for c in row
               if c.value != before[ws.title][c.coordinate].value]
    assert changed
    assert all(not after[s][c].protection.locked for s, c in changed)
    assert all(ws.protection.sheet for ws in after.worksheets)
    assert read(filled).goals[1].items[0].subitems[0].achievement


def test_achieve_refuses_a_locked_cell_on_a_protected_sheet_and_writes_nothing(sample_books, tmp_path):
    path = tmp_path / "locked.xlsx"
    wb = load_workbook(sample_books["fy2024"])
    for ws in _goal_sheets(wb):
        ws.protection.sheet = True
        col = _cols(sheet_names(ws))["rate_midterm"]
        for row in ws.iter_rows(min_col=col, max_col=col):
            row[0].protection = Protection(locked=True)
    wb.save(path)
    data = path.read_bytes()
    with pytest.raises(XlsheetsError, match="保護されていて"):
        achieve_file(path, in_place=True)
    assert path.read_bytes() == data


# ---------------------------------------------------------------- what LibreOffice draws


def _with_mistakes(d: dict) -> dict:
    """The FY2024 sample's first goal with an empty 期間 and a 数値目標 without a digit."""
    d = deepcopy(d)
    d["goals"] = d["goals"][:1]
    subs = d["goals"][0]["items"][0]["subitems"]
    subs[0]["period"] = ""
    subs[1]["target"] = "体制を整備"
    subs[1]["midterm"] = "41件"
    return d


def _without_mistakes(d: dict) -> dict:
    """The same goal with every required cell filled and digits in every target (full-width too)."""
    d = deepcopy(d)
    for item in d["goals"][0]["items"]:
        for sub in item["subitems"]:
            sub.update(period="通年", target="相談件数１００件以上", midterm="60件", final="")
    return d


def _colours(png: Path) -> Counter:
    colours = Image.open(png).convert("RGB").getcolors(1 << 24) or []
    return Counter({bytes(rgb).hex().upper(): n for n, rgb in colours})


def test_libreoffice_draws_the_live_checks(tmp_path):
    bad = _with_mistakes(sample_dict("fy2024"))
    good = _without_mistakes(_with_mistakes(sample_dict("fy2024")))
    books = []
    for name, d in (("bad", bad), ("good", good)):
        p = fill(d, tmp_path / f"{name}.xlsx").path
        wb = load_workbook(p)
        ws = _goal_sheets(wb)[0]
        body, col = sheet_names(ws)[L.N_BODY], _cols(sheet_names(ws))
        ws.cell(body.r1, col["rate_midterm"]).value = 41 if name == "bad" else 60  # no achieve: no grade fills
        wb.save(p)
        books.append(p)
    convert(books, "pdf", tmp_path)
    seen = {}
    for p in books:
        pages = pdf_to_png(tmp_path / f"{p.stem}.pdf", tmp_path / p.stem, dpi=60)
        seen[p.stem] = _colours(pages[1])  # page 1 is the cover
    for fill_rgb in (REQUIRED_FILL, NO_DIGIT_FILL, BELOW_FILL):
        assert seen["bad"][fill_rgb] > 200, fill_rgb
        assert seen["good"][fill_rgb] == 0, fill_rgb
