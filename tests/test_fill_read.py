"""Fill the template and read it back without losing a character."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xlsheets import layout as L
from xlsheets.filling import fill, fill_workbook, sheet_title_for
from xlsheets.io.saving import save_workbook
from xlsheets.io.sheetops import insert_rows
from xlsheets.model import Goal, department_from_dict
from xlsheets.reading import read
from xlsheets.samples import DATA, sample_dict
from xlsheets.template import template_path


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_read_of_filled_sample_equals_the_sample(sample_books, name):
    expected = department_from_dict(sample_dict(name)).to_dict()
    assert read(sample_books[name]).to_dict() == expected


def _seed_texts(doc):
    for g in doc["goals"]:
        yield g["title"]
        yield from (v for v in g["positioning"].values())
        yield g["current_issues"]
        yield g["purpose"]
        yield from g["notes"].values()
        for it in g["items"]:
            yield it["title"]
            for s in it["subitems"]:
                yield from (s[f] for f in ("method", "period", "target", "midterm", "final"))


def test_every_fy2020_text_comes_back_unchanged(sample_books):
    doc = json.loads((DATA / "fy2020.json").read_text(encoding="utf-8"))
    back = read(sample_books["fy2020"]).to_dict()
    assert sorted(t for t in _seed_texts(back) if t) == sorted(t for t in _seed_texts(doc) if t)


def test_goal_sheets_and_cover_are_written(sample_books):
    wb = load_workbook(sample_books["fy2020"])
    assert wb.sheetnames[0] == L.COVER_SHEET
    assert len(wb.sheetnames) == 5
    cover = wb[L.COVER_SHEET]
    values = [c.value for row in cover.iter_rows() for c in row if c.value]
    assert "令和2年度　重点目標" in values and "福祉部" in values
    assert "生活困窮者の自立に向けた支援の推進" in values
    ws = wb.worksheets[4]
    assert ws["A1"].value == "令和2年度　重点目標管理シート"
    assert ws.print_title_rows.replace("$", "") == "7:7"


def test_table_grows_with_merges_names_and_print_area(sample_books):
    wb = load_workbook(sample_books["fy2020"])
    ws = wb.worksheets[3]  # goal 3: items ①..⑦
    body = ws.defined_names[L.N_BODY].attr_text
    assert body.endswith("$K$26"), body  # 19 sub-items from row 8
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A8:A10" in merged and "B8:B10" in merged  # ① over its three sub-items
    assert ws["A8"].value == "①" and ws["C8"].value == "(1)"
    notes = ws.defined_names[L.N_NOTES["participation"]].attr_text
    assert notes.endswith("$C$28")
    assert ws.print_area.endswith("$K$28")
    # every body cell keeps the prototype's border
    assert all(ws.cell(r, 6).border.left.style == "thin" for r in range(8, 27))


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    d = sample_dict("fy2024")
    evil = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1:A2)"]
    d["goals"][0]["title"] = evil[0]
    d["goals"][0]["items"][0]["subitems"][0]["method"] = evil[1]
    d["goals"][0]["items"][0]["subitems"][0]["target"] = evil[2]
    d["goals"][0]["items"][0]["subitems"][0]["midterm"] = evil[3]
    out = fill(d, tmp_path / "x.xlsx").path
    wb = load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in evil]
    assert len(cells) == 5  # the title also stands on the cover
    assert all(c.data_type == "s" for c in cells)
    back = read(out).goals[0]
    assert back.title == evil[0] and back.items[0].subitems[0].target == "-1+1"


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    names = [sheet_title_for(Goal(priority=1, title="a/b:c*d?[e]\\\t\n\x01" + "長" * 40), taken) for _ in range(3)]
    assert len(set(names)) == 3
    for n in names:
        assert len(n) <= 31 and not any(ch in n for ch in "[]:*?/\\\t\n\x01")


def test_fill_writes_what_it_is_given_without_renumbering(tmp_path):
    d = sample_dict("fy2024")
    d["goals"][0]["priority"] = 3
    d["goals"][1]["priority"] = 3
    d["goals"][0]["items"][0]["no"] = 5
    d["goals"][0]["items"][0]["subitems"][0]["no"] = 9
    back = read(fill(d, tmp_path / "x.xlsx").path).to_dict()
    assert back["goals"][0]["priority"] == 3 and back["goals"][1]["priority"] == 3
    assert back["goals"][0]["items"][0]["no"] == 5
    assert back["goals"][0]["items"][0]["subitems"][0]["no"] == 9


def test_unused_keys_are_ignored_with_a_warning(tmp_path):
    d = sample_dict("fy2024")
    d["goals"][0]["positioning"]["regional_strategy"] = "2024 layout has no such field"
    d["goals"][0]["colour"] = "red"
    report = fill(d, tmp_path / "x.xlsx")
    text = "\n".join(report.warnings)
    assert "regional_strategy" in text and "colour" in text


def test_restyled_template_with_rows_inserted_above_still_works(tmp_path):
    """A city inserts two rows above the table in Excel: names move, xlsheets follows them."""
    wb = load_workbook(template_path(2024))
    ws = wb[L.GOAL_SHEET]
    insert_rows(ws, 3, 2)
    ws["A3"] = "（市独自の注記欄）"
    ws.column_dimensions["D"].width = 40
    custom = save_workbook(wb, tmp_path / "custom.xlsx")
    d = sample_dict("fy2024")
    out = fill(d, tmp_path / "out.xlsx", template=custom).path
    assert read(out).to_dict() == department_from_dict(d).to_dict()
    filled = load_workbook(out).worksheets[1]
    assert filled["A3"].value == "（市独自の注記欄）"
    assert filled.defined_names[L.N_BODY].attr_text.startswith(f"'{filled.title}'!$A$10")


# ---------------------------------------------------------------- property test

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r") | st.sampled_from("\n\t　"),
    max_size=40,
)


@st.composite
def departments(draw):
    year = draw(st.sampled_from([2020, 2024]))
    keys = list(L.layout_for(year).positioning_labels)
    goals = []
    for p in range(1, draw(st.integers(1, 3)) + 1):
        items = []
        for i in range(1, draw(st.integers(0, 4)) + 1):
            subs = [
                {"no": s, **{f: draw(_text) for f in ("method", "period", "target", "midterm", "final")}}
                for s in range(1, draw(st.integers(0, 4)) + 1)
            ]
            items.append({"no": i, "title": draw(_text), "subitems": subs})
        goals.append({
            "priority": p, "title": draw(_text),
            "positioning": {k: (draw(_text) if k in keys else "") for k in
                            ("comprehensive_plan", "regional_strategy", "sdgs", "admin_reform", "reconstruction_plan")},
            "current_issues": draw(_text), "purpose": draw(_text), "items": items,
            "notes": {"participation": draw(_text), "effects": draw(_text)},
        })
    return {"fiscal_year": year, "department": draw(_text), "goals": goals}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=departments())
def test_read_fill_roundtrip_for_random_data(tmp_path, doc):
    from xlsheets.io.loading import book_from_openpyxl
    from xlsheets.reading import read_book

    wb = fill_workbook(department_from_dict(doc))
    expected = department_from_dict(doc).to_dict()
    assert read_book(book_from_openpyxl(wb)).department.to_dict() == expected


def test_a_row_typed_just_below_the_table_is_read(sample_books, tmp_path):
    """Excel does not grow a name when a row is inserted right under it: that row still belongs to the table."""
    from openpyxl import load_workbook

    from xlsheets.io.sheetops import sheet_names

    wb = load_workbook(sample_books["fy2024"])
    ws = wb.worksheets[1]
    names = sheet_names(ws)
    body, cols = names[L.N_BODY], {role: names[n].c1 for role, n in L.N_COLS.items() if n in names}
    new = body.r2 + 1
    insert_rows(ws, new, 1)  # as Excel does: the table's name stays, the notes move down
    for role, value in {"subitem_no": "(4)", "method": "追加した取組", "period": "通年", "target": "3件",
                        "midterm": "1件"}.items():
        ws.cell(new, cols[role]).value = value
    save_workbook(wb, tmp_path / "inserted.xlsx")
    before, after = read(sample_books["fy2024"]), read(tmp_path / "inserted.xlsx")
    last = after.goals[0].items[-1]
    assert [s.method for s in last.subitems] == [s.method for s in before.goals[0].items[-1].subitems] + ["追加した取組"]
    assert after.goals[0].notes == before.goals[0].notes


@pytest.mark.parametrize("written", ["1位", "第1位", "１位", "1番", "優先順位1", "一位", "1位（最重要）", "①", 1, 1.0])
def test_priority_as_departments_write_it(written):
    from xlsheets.model import parse_priority

    assert parse_priority(written) == 1


@pytest.mark.parametrize("written", ["①", "1", "１", "1.", "1)", "(1)", "第1"])
def test_item_numbers_as_departments_write_them(written):
    from xlsheets.model import parse_item_no

    assert parse_item_no(written) == 1
