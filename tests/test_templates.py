"""The official templates: built by code, committed as files, faithful to the printed form."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xlsheets import layout as L
from xlsheets.template import build_template, templates_dir, write_templates


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}


def test_committed_templates_match_the_generator(tmp_path):
    built = write_templates(tmp_path)
    for p in built:
        committed = templates_dir() / p.name
        assert committed.exists(), f"run scripts/build_templates.py: {p.name} missing"
        assert _members(committed) == _members(p), f"{p.name} differs: run scripts/build_templates.py"


@pytest.mark.parametrize("year", sorted(L.LAYOUTS))
def test_template_has_every_field_name_and_exact_headers(year):
    layout = L.LAYOUTS[year]
    wb = load_workbook(templates_dir() / layout.file_name)
    ws = wb[L.GOAL_SHEET]
    names = set(ws.defined_names)
    required = {L.N_TITLE, L.N_DEPARTMENT, L.N_PRIORITY, L.N_CURRENT, L.N_PURPOSE, L.N_BODY, L.N_SHEET_TITLE,
                *L.N_NOTES.values(), *L.N_COLS.values()}
    required |= {L.N_POSITIONING[k] for k in layout.positioning_labels}
    assert required <= names
    texts = {str(c.value) for row in ws.iter_rows() for c in row if c.value}
    for role in ("method", "period", "target", "midterm", "final"):
        assert layout.headers[role] in texts
    for label in layout.positioning_labels.values():
        assert label in texts
    assert {"重点目標", "部局名", "優先順位", "現況・課題", "目的・効果", "特記事項", *L.NOTE_LABELS.values()} <= texts
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "7:7"
    assert ws.merged_cells.ranges
    assert ws[ws.defined_names[L.N_TITLE].attr_text.split("!")[1].replace("$", "")].font.name == "ＭＳ 明朝"
    cover = wb[L.COVER_SHEET]
    assert {L.N_COVER_TITLE, L.N_COVER_DEPARTMENT, L.N_COVER_LIST} <= set(cover.defined_names)


def test_layouts_differ_as_the_forms_do():
    r2, r6 = L.LAYOUTS[2020], L.LAYOUTS[2024]
    assert "regional_strategy" in r2.positioning_labels and "sdgs" not in r2.positioning_labels
    assert "sdgs" in r6.positioning_labels and "regional_strategy" not in r6.positioning_labels
    assert "第三次" in r2.positioning_labels["admin_reform"] and "第四次" in r6.positioning_labels["admin_reform"]
    assert "もっと、前へ" in r6.positioning_labels["reconstruction_plan"]
    assert len(r6.headers["midterm"]) > len(r2.headers["midterm"])


@pytest.mark.parametrize(("year", "layout_year"), [(2018, 2020), (2020, 2020), (2023, 2020), (2024, 2024), (2031, 2024)])
def test_a_fiscal_year_picks_its_layout(year, layout_year):
    assert L.layout_for(year).year == layout_year


def test_build_template_is_deterministic():
    a, b = build_template(L.LAYOUTS[2024]), build_template(L.LAYOUTS[2024])
    assert [ws.title for ws in a.worksheets] == [ws.title for ws in b.worksheets] == [L.COVER_SHEET, L.GOAL_SHEET]
