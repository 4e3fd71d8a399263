"""One tree for what was read: every goal, item and sub-item carries the cells it came from,
and validation, the 達成率 columns and the roll-up find their cells through it, never by position."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.legacy import legacy_workbook
from xlsheets.io.grid import a1
from xlsheets.io.loading import book_from_openpyxl
from xlsheets.io.writers import OpenpyxlWriter
from xlsheets.marking import write_achievement
from xlsheets.model import STAGES, SUBITEM_FIELDS, department_from_dict
from xlsheets.rates import compute_rates
from xlsheets.reading import read_book, read_result
from xlsheets.validation import validate


def test_every_subitem_of_a_sample_knows_the_cells_its_texts_are_in(sample_books):
    res = read_result(sample_books["fy2024"])
    wb = load_workbook(sample_books["fy2024"])
    subs = 0
    for goal in res.department.goals:
        ws = wb[goal.sheet.name]
        assert ws.cell(*goal.sheet.fields["title"]).value == goal.title
        for item, sub in goal.subitems():
            assert ws.cell(*item.cells.title).value == item.title
            for f in SUBITEM_FIELDS:
                assert (ws.cell(*sub.cells.of(f)).value or "") == getattr(sub, f), (goal.sheet.name, f)
            subs += 1
    assert subs > 20


def test_on_an_old_sheet_the_subitems_of_one_row_share_its_cells(sample_books):
    dept = read_result(sample_books["fy2024"]).department
    res = read_book(book_from_openpyxl(legacy_workbook(dept)))
    goal = res.department.goals[0]
    item = goal.items[0]
    assert goal.sheet.legacy and len(item.subitems) > 1
    assert len({id(s.cells) for s in item.subitems}) == 1
    ws = legacy_workbook(dept).worksheets[0]
    for sub in item.subitems:
        assert f"({sub.no}) {sub.target}" in ws.cell(*sub.cells.target).value


def test_cells_are_not_data_they_stay_out_of_the_interchange_dict_and_equality(sample_books):
    dept = read_result(sample_books["fy2024"]).department
    d = dept.to_dict()
    text = repr(d)
    assert "cells" not in text and "'sheet'" not in text
    rebuilt = department_from_dict(d)
    assert rebuilt.goals[0].sheet is None and rebuilt.goals[0].items[0].cells is None
    assert rebuilt == dept


def test_a_dropped_subitem_moves_no_finding_onto_another_subitems_cell(sample_books):
    """Paired by position, removing a sub-item shifted every later finding onto its neighbour's cell."""
    res = read_result(sample_books["fy2020"])
    before = {(f.sheet, f.cell, f.code, f.location["item"], f.location["subitem"])
              for f in validate(res, "final").findings}
    item = next(it for g in res.department.goals for it in g.items if len(it.subitems) > 2)
    dropped = item.subitems.pop(0)
    after = {(f.sheet, f.cell, f.code, f.location["item"], f.location["subitem"])
             for f in validate(res, "final").findings}
    new = after - before
    assert {f[2] for f in new} == {"numbering"}  # (1) is missing now: said on (2)'s own cell
    assert {f[1] for f in new} == {a1(*item.subitems[0].cells.no)}
    gone = before - after
    assert gone and all(f[3] == item.no and f[4] == dropped.no for f in gone)


def test_rates_are_looked_up_by_the_subitem_itself(sample_books):
    res = read_result(sample_books["fy2020"])
    rates = compute_rates(res.department)
    subs = [sub for g in res.department.goals for _i, sub in g.subitems()]
    assert len(rates) == len(subs)
    for sub in subs:
        assert set(rates[sub]) == set(STAGES)
    other = read_result(sample_books["fy2020"]).department.goals[0].items[0].subitems[0]
    assert other == subs[0] and rates.get(other) is None  # an equal sub-item of another read is not this one
    with pytest.raises(KeyError):
        rates[other]


def test_a_dropped_subitem_leaves_the_other_rates_on_their_own_rows(sample_books, tmp_path):
    res = read_result(sample_books["fy2020"])
    goal = next(g for g in res.department.goals if any(len(it.subitems) > 2 for it in g.items))
    item = next(it for it in goal.items if len(it.subitems) > 2)
    dropped = item.subitems.pop(0)
    wb = load_workbook(sample_books["fy2020"])
    write_achievement(res, OpenpyxlWriter(wb))
    ws = wb[goal.sheet.name]
    rate_col = goal.sheet.columns["rate_final"]
    rates = compute_rates(res.department)
    assert ws.cell(dropped.cells.method[0], rate_col).value is None  # its row is not written
    for sub in item.subitems:
        cell = ws.cell(sub.cells.method[0], rate_col)
        assert cell.value == rates[sub]["final"].rate, a1(sub.cells.method[0], rate_col)
