"""The official template: how it is built, and where the built files live.

``build_template(layout)`` makes the template workbook from code; the committed
``templates/*.xlsx`` are its output (``python scripts/build_templates.py``), and a test
checks that they match. It carries input rules, hints, live checks and cell locks for people
who fill it in plain Excel (``guides.py``). A city may restyle a template in Excel or insert rows above the
table: fill and read find every field through the defined names kept in it.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.properties import PageSetupProperties

from . import layout as L
from .guides import add_cover_guides, add_goal_guides
from .io.grid import Ref
from .io.saving import save_workbook
from .io.sheetops import set_sheet_name

FONT = "ＭＳ 明朝"
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="000000")
MEDIUM = Side(style="medium", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WIDTHS = {"A": 4.5, "B": 15, "C": 4.5, "D": 27, "E": 12, "F": 19, "G": 29, "H": 29, "I": 7.5, "J": 7.5, "K": 6}
LAST_COL = 11  # K
FIXED_TIME = _dt.datetime(2024, 4, 1, 9, 0, 0)


def _font(size: float = 10, bold: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold)


def _wrap(h: str = "left", v: str = "top") -> Alignment:
    return Alignment(horizontal=h, vertical=v, wrap_text=True)


def _block(ws, r1: int, c1: int, r2: int, c2: int, value=None, *, label=False, header=False, size=10, bold=False,
           h=None, v=None, lock: bool | None = None) -> None:
    """A bordered (possibly merged) block; labels are shaded, centred and locked, the rest is input."""
    locked = Protection(locked=(label or header) if lock is None else lock)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            cell = ws.cell(r, c)
            cell.border = BOX
            cell.font = _font(size, bold or label or header)
            cell.protection = locked
            if label:
                cell.fill = LABEL_FILL
            if header:
                cell.fill = HEADER_FILL
            cell.alignment = _wrap(h or ("center" if (label or header) else "left"), v or ("center" if (label or header) else "top"))
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    if value is not None:
        ws.cell(r1, c1).value = value


def _name(ws, name: str, r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> None:
    set_sheet_name(ws, name, Ref(ws.title, r1, c1, r2 or r1, c2 or c1))


def _page(ws, landscape: bool = True) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.font = FONT
    ws.oddFooter.center.size = 9


def build_goal_sheet(ws, layout: L.Layout) -> None:
    """Lay out one goal sheet (with one prototype body row) and name its fields."""
    for col, w in WIDTHS.items():
        ws.column_dimensions[col].width = w
    ws.sheet_view.zoomScale = 90
    ws.sheet_view.showGridLines = False
    # 1: title
    _block(ws, 1, 1, 1, LAST_COL, layout.sheet_title(layout.year), size=14, bold=True, h="center", v="center")
    ws.cell(1, 1).border = Border()
    for c in range(1, LAST_COL + 1):
        ws.cell(1, c).border = Border()
    ws.row_dimensions[1].height = 24
    _name(ws, L.N_SHEET_TITLE, 1, 1)
    # 2: 重点目標 / 部局名 / 優先順位
    _block(ws, 2, 1, 2, 2, "重点目標", label=True)
    _block(ws, 2, 3, 2, 6, size=12, bold=True, v="center")
    _block(ws, 2, 7, 2, 7, "部局名", label=True)
    _block(ws, 2, 8, 2, 8, v="center", h="center", size=11)
    _block(ws, 2, 9, 2, 10, "優先順位", label=True)
    _block(ws, 2, 11, 2, 11, h="center", v="center", size=11, bold=True)
    ws.row_dimensions[2].height = 30
    _name(ws, L.N_TITLE, 2, 3)
    _name(ws, L.N_DEPARTMENT, 2, 8)
    _name(ws, L.N_PRIORITY, 2, 11)
    # 3-4: positioning, two per row
    keys = list(layout.positioning_labels)
    for i, key in enumerate(keys):
        r = 3 + i // 2
        lc, vc1, vc2 = ((1, 3, 5) if i % 2 == 0 else (6, 7, LAST_COL))
        if i % 2 == 0:
            _block(ws, r, 1, r, 2, layout.positioning_labels[key], label=True, size=9)
        else:
            _block(ws, r, lc, r, lc, layout.positioning_labels[key], label=True, size=9)
        _block(ws, r, vc1, r, vc2)
        _name(ws, L.N_POSITIONING[key], r, vc1)
        ws.row_dimensions[r].height = 40
    # 5-6: 現況・課題, 目的・効果
    for r, label, name in ((5, "現況・課題", L.N_CURRENT), (6, "目的・効果", L.N_PURPOSE)):
        _block(ws, r, 1, r, 2, label, label=True)
        _block(ws, r, 3, r, LAST_COL)
        _name(ws, name, r, 3)
        ws.row_dimensions[r].height = 54
    # 7: table header
    h = layout.headers
    _block(ws, 7, 1, 7, 4, h["method"], header=True, size=9)
    for col, role in ((5, "period"), (6, "target"), (7, "midterm"), (8, "final"),
                      (9, "rate_midterm"), (10, "rate_final"), (11, "grade")):
        _block(ws, 7, col, 7, col, h[role], header=True, size=9)
    ws.row_dimensions[7].height = 52
    for role, col in (("item_no", 1), ("item_title", 2), ("subitem_no", 3), ("method", 4), ("period", 5),
                      ("target", 6), ("midterm", 7), ("final", 8), ("rate_midterm", 9), ("rate_final", 10),
                      ("grade", 11)):
        _name(ws, L.N_COLS[role], 7, col)
    # 8: the prototype body row
    for col in range(1, LAST_COL + 1):
        _block(ws, 8, col, 8, col)
    for col in (1, 3, 11):
        ws.cell(8, col).alignment = _wrap("center", "top")
    for col in (9, 10):
        ws.cell(8, col).alignment = _wrap("right", "top")
        ws.cell(8, col).number_format = L.RATE_FORMAT
    ws.row_dimensions[8].height = 30
    _name(ws, L.N_BODY, 8, 1, 8, LAST_COL)
    # 9-10: 特記事項 with its two boxes
    _block(ws, 9, 1, 10, 2, "特記事項", label=True)
    _block(ws, 9, 3, 9, 6, L.NOTE_LABELS["participation"], size=9, v="center", lock=True)
    _block(ws, 9, 7, 9, LAST_COL, L.NOTE_LABELS["effects"], size=9, v="center", lock=True)
    _block(ws, 10, 3, 10, 6)
    _block(ws, 10, 7, 10, LAST_COL)
    ws.row_dimensions[9].height = 18
    ws.row_dimensions[10].height = 54
    _name(ws, L.N_NOTES["participation"], 10, 3)
    _name(ws, L.N_NOTES["effects"], 10, 7)
    # print: A4 landscape, one page wide, the table header repeated
    _page(ws)
    ws.print_title_rows = "7:7"
    ws.print_area = "A1:K10"
    ws.freeze_panes = None
    add_goal_guides(ws)


def build_cover_sheet(ws, layout: L.Layout) -> None:
    """The department cover: 年度 title, 部局名, and the goals in priority order."""
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 90
    ws.sheet_view.showGridLines = False
    _block(ws, 1, 1, 1, 2, layout.cover_title(layout.year), size=18, bold=True, h="center", v="center")
    for c in (1, 2):
        ws.cell(1, c).border = Border()
    ws.row_dimensions[1].height = 40
    _block(ws, 3, 1, 3, 1, "部局名", label=True)
    _block(ws, 3, 2, 3, 2, size=14, bold=True, v="center")
    ws.row_dimensions[3].height = 28
    _block(ws, 5, 1, 5, 1, "優先順位", label=True)
    _block(ws, 5, 2, 5, 2, "重点目標", header=True)
    _block(ws, 6, 1, 6, 1, h="center", v="center", size=12)
    _block(ws, 6, 2, 6, 2, v="center", size=12)
    ws.row_dimensions[6].height = 30
    _name(ws, L.N_COVER_TITLE, 1, 1)
    _name(ws, L.N_COVER_DEPARTMENT, 3, 2)
    _name(ws, L.N_COVER_LIST, 6, 1, 6, 2)
    _page(ws, landscape=True)
    ws.print_area = "A1:B6"
    add_cover_guides(ws)


def build_template(layout: L.Layout) -> Workbook:
    """The template workbook of one layout year: 表紙 and one goal sheet."""
    wb = Workbook()
    cover = wb.active
    cover.title = L.COVER_SHEET
    build_cover_sheet(cover, layout)
    build_goal_sheet(wb.create_sheet(L.GOAL_SHEET), layout)
    # No xs_fiscal_year constant here: a template filled in plain Excel takes its year from the title
    # the person edits (a constant would silently win over it); fill writes the constant with the year.
    wb.properties.creator = "xlsheets"
    wb.properties.title = "重点目標管理シート"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


# ---------------------------------------------------------------- finding the files


def templates_dir() -> Path:
    """Where the template files are: $XLSHEETS_TEMPLATES, the installed package, or the source tree."""
    env = os.environ.get("XLSHEETS_TEMPLATES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here / "templates", here.parent / "templates"):
        if cand.is_dir():
            return cand
    return here.parent / "templates"


def template_path(fiscal_year: int | str | None) -> Path:
    return templates_dir() / L.layout_for(fiscal_year).file_name


def write_templates(out_dir: Path) -> list[Path]:
    """Build every layout's template into out_dir (used by scripts/build_templates.py)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for layout in L.LAYOUTS.values():
        path = out_dir / layout.file_name
        save_workbook(build_template(layout), path, overwrite=True, backup=False)
        paths.append(path)
    return paths
