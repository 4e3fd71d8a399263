"""Fill the official template from data: one workbook per department-year.

Fill writes exactly what it is given: it never renumbers, fixes or drops anything
(checking is the validator's job). Text is always written as text, never as a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from . import layout as L
from .errors import XlsheetsError
from .interchange import load_department
from .io.grid import Ref, a1
from .io.inspection import check_package
from .io.saving import check_output, save_workbook
from .io.sheetops import (
    MAX_ROW_HEIGHT,
    PrintCut,
    copy_row_format,
    copy_sheet_names,
    copy_sheet_rules,
    fit_rows,
    insert_rows,
    needed_height,
    print_cuts,
    set_sheet_name,
    set_text,
    sheet_names,
)
from .model import STAGES, SUBITEM_FIELDS, Department, Goal, circled, paren, priority_text, wareki
from .template import template_path

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")  # what a sheet name cannot hold (tab and line breaks too)


@dataclass
class FillReport:
    path: Path | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    print_cuts: list[PrintCut] = field(default_factory=list)  # also said in warnings
    changed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # a change → its (sheet, cell)s

    def group_changes(self, shown: int = 5) -> None:
        """One warning per kind of change, its cells as A1 references, the sheet named once:
        「改行コードを統一しました（14 セル）: 1_福祉!F8、F9、F10、F11、F12 ほか 9 セル」."""
        for change, cells in self.changed.items():
            refs, sheet = [], None
            for name, cell in cells[:shown]:
                refs.append(cell if name == sheet else f"{name}!{cell}")
                sheet = name
            more = f" ほか {len(cells) - shown} セル" if len(cells) > shown else ""
            self.warnings.append(f"{change}（{len(cells)} セル）: {'、'.join(refs)}{more}")
        self.changed = {}


def sheet_title_for(goal: Goal, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: '1_title', at most 31 characters, none of []:*?/\\ nor control characters."""
    base = _BAD_SHEET_CHARS.sub("_", f"{priority_text(goal.priority).rstrip('位') or '_'}_{goal.title}").strip("'")
    base = base[:31] or "重点目標"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _find_sheet(wb, name: str, fallback: str):
    for ws in wb.worksheets:
        if name in ws.defined_names:
            return ws
    if fallback in wb.sheetnames:
        return wb[fallback]
    raise XlsheetsError(
        f"テンプレートに {fallback} シート（名前 {name}）がありません。", f"template lacks the {fallback} sheet ({name})"
    )


def _require(names: dict[str, Ref], name: str) -> Ref:
    if name not in names:
        raise XlsheetsError(
            f"テンプレートに名前 {name} が定義されていません。テンプレートの「名前の管理」を確認してください。",
            f"template lacks the defined name {name}",
        )
    return names[name]


def _year_text(text: str, fy: int | str) -> str:
    if not isinstance(fy, int):
        return text
    new, n = re.subn(r"(令和|平成)(元|\d+)年度", wareki(fy), text or "")
    return new if n else f"{wareki(fy)}　{text or ''}".strip()


def fill_workbook(dept: Department, template: str | Path | None = None, report: FillReport | None = None):
    """Build the filled openpyxl workbook for one department-year."""
    report = report if report is not None else FillReport()
    layout = L.layout_for(dept.fiscal_year)
    tpath = Path(template) if template else template_path(dept.fiscal_year)
    check_package(tpath)
    wb = load_workbook(tpath, rich_text=True)
    cover = _find_sheet(wb, L.N_COVER_TITLE, L.COVER_SHEET)
    proto = _find_sheet(wb, L.N_TITLE, L.GOAL_SHEET)
    taken = {ws.title for ws in wb.worksheets if ws is not proto and ws is not cover}
    taken.add(cover.title)
    for goal in dept.goals:
        ws = wb.copy_worksheet(proto)
        ws.title = sheet_title_for(goal, taken)
        copy_sheet_names(proto, ws)
        copy_sheet_rules(proto, ws)
        _copy_print_setup(proto, ws)
        _fill_goal_sheet(ws, goal, dept, layout, report)
        report.sheets.append(ws.title)
    _fill_cover(cover, dept, wb, report)
    report.group_changes()
    wb.remove(proto)
    report.print_cuts = [cut for ws in wb.worksheets for cut in print_cuts(ws)]
    report.warnings += [cut.message() for cut in report.print_cuts]
    if isinstance(dept.fiscal_year, int):
        wb.defined_names[L.N_FISCAL_YEAR] = DefinedName(L.N_FISCAL_YEAR, attr_text=str(dept.fiscal_year))
    wb.active = 0
    return wb


def fill(data, out: str | Path, *, template: str | Path | None = None, overwrite: bool = False,
         backup: bool = True) -> FillReport:
    """Fill the template from data (dict, Department, file path or DataFrame) and save to out."""
    check_output(Path(out), overwrite, (".xlsx",))  # before any work: fill writes an .xlsx
    report = FillReport()
    dept = load_department(data, warn=report.warnings.append)
    check_fillable(dept)
    wb = fill_workbook(dept, template, report)
    report.path = save_workbook(wb, out, overwrite=overwrite, backup=backup)
    return report


def check_fillable(dept: Department) -> None:
    """Refuse data that would make a sheet other than the one asked for, or one that read refuses."""
    if isinstance(dept.fiscal_year, str) and dept.fiscal_year.strip():
        raise XlsheetsError(f"年度（fiscal_year）が読み取れません: {dept.fiscal_year}（2024 や 令和6年度 のように書いてください）",
                            f"fiscal_year is not a year: {dept.fiscal_year!r}")
    if not dept.goals:
        raise XlsheetsError("重点目標（goals）が1件もありません。少なくとも1件の重点目標を書いてください。",
                            "no goals in the data")


def _copy_print_setup(src, dst) -> None:
    dst.print_title_rows = src.print_title_rows
    if src.print_area:
        area = src.print_area
        dst.print_area = area.split("!")[-1].replace("$", "") if isinstance(area, str) else area
    dst.oddFooter.center.text = src.oddFooter.center.text
    dst.oddFooter.center.font = src.oddFooter.center.font
    dst.oddFooter.center.size = src.oddFooter.center.size
    dst.sheet_view.showGridLines = src.sheet_view.showGridLines
    dst.sheet_view.zoomScale = src.sheet_view.zoomScale


def _put(ws, ref: Ref, value, report: FillReport) -> None:
    for change in set_text(ws.cell(ref.r1, ref.c1), value):
        report.changed.setdefault(change, []).append((ws.title, a1(ref.r1, ref.c1)))


def _fill_goal_sheet(ws, goal: Goal, dept: Department, layout: L.Layout, report: FillReport) -> None:
    names = sheet_names(ws)
    if L.N_SHEET_TITLE in names:
        ref = names[L.N_SHEET_TITLE]
        ws.cell(ref.r1, ref.c1).value = _year_text(ws.cell(ref.r1, ref.c1).value or "", dept.fiscal_year)
    _put(ws, _require(names, L.N_TITLE), goal.title, report)
    _put(ws, _require(names, L.N_DEPARTMENT), dept.department, report)
    _put(ws, _require(names, L.N_PRIORITY), priority_text(goal.priority), report)
    for key, name in L.N_POSITIONING.items():
        value = goal.positioning.get(key, "")
        if name in names and key in layout.positioning_labels:
            _put(ws, names[name], value, report)
        elif value:
            report.warnings.append(
                f"{ws.title}: {key} はこの年度の様式にない欄のため書き込みませんでした (field not in the {layout.year} layout)"
            )
    _put(ws, _require(names, L.N_CURRENT), goal.current_issues, report)
    _put(ws, _require(names, L.N_PURPOSE), goal.purpose, report)
    for key, name in L.N_NOTES.items():
        _put(ws, _require(names, name), goal.notes.get(key, ""), report)
    if goal.id:
        ws.defined_names[L.N_GOAL_ID] = DefinedName(L.N_GOAL_ID, attr_text='"' + goal.id.replace('"', '""') + '"')
    header_rows = [r for r in range(1, _require(names, L.N_BODY).r1)]
    _fill_items(ws, goal, report)
    names = sheet_names(ws)
    body = names[L.N_BODY]
    notes_rows = [r for r in range(body.r2 + 1, ws.max_row + 1)]
    fit_rows(ws, header_rows + notes_rows)
    ws.print_area = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"


def _fill_items(ws, goal: Goal, report: FillReport) -> None:
    names = sheet_names(ws)
    body = _require(names, L.N_BODY)
    cols = {role: _require(names, name).c1 for role, name in L.N_COLS.items() if name in names}
    for role in ("item_no", *SUBITEM_FIELDS):
        if role not in cols:
            _require(names, L.N_COLS[role])
    rows: list[tuple] = []  # (item, sub | None)
    for item in goal.items:
        if item.subitems:
            rows.extend((item, s) for s in item.subitems)
        else:
            rows.append((item, None))
    have = body.r2 - body.r1 + 1
    need = max(1, len(rows))
    if need > have:
        insert_rows(ws, body.r2 + 1, need - have)
        for r in range(body.r2 + 1, body.r2 + 1 + need - have):
            copy_row_format(ws, body.r1, r, ws.max_column)
    last = body.r1 + max(need, have) - 1
    set_sheet_name(ws, L.N_BODY, Ref(ws.title, body.r1, body.c1, last, body.c2))
    r = body.r1
    i = 0
    while i < len(rows):
        item = rows[i][0]
        j = i
        while j < len(rows) and rows[j][0] is item:
            j += 1
        first, end = r, r + (j - i) - 1
        _put(ws, Ref(ws.title, first, cols["item_no"], first, cols["item_no"]), circled(item.no), report)
        title_col = cols.get("item_title")
        if title_col:
            _put(ws, Ref(ws.title, first, title_col, first, title_col), item.title, report)
        elif item.title:
            report.warnings.append(f"{ws.title}: 取組項目名の列がないため書き込めませんでした")
        for k in range(i, j):
            sub = rows[k][1]
            row = first + (k - i)
            if sub is None:
                continue
            if "subitem_no" in cols:
                _put(ws, Ref(ws.title, row, cols["subitem_no"], row, cols["subitem_no"]), paren(sub.no), report)
            for f in SUBITEM_FIELDS:
                _put(ws, Ref(ws.title, row, cols[f], row, cols[f]), getattr(sub, f), report)
            ach = sub.achievement or {}
            for stage in STAGES:
                role, rate = f"rate_{stage}", (ach.get(stage) or {}).get("rate")
                if role in cols and rate is not None:
                    ws.cell(row, cols[role]).value = rate
            if "grade" in cols and ach:
                g = (ach.get("final") or {}).get("grade") or (ach.get("midterm") or {}).get("grade")
                if g:
                    ws.cell(row, cols["grade"]).value = g
        fit_rows(ws, range(first, end + 1))
        if end > first:
            for c in {cols["item_no"], title_col} - {None}:
                ws.merge_cells(start_row=first, start_column=c, end_row=end, end_column=c)
        if title_col and item.title:
            need_pt = needed_height(ws, first, title_col, item.title)
            have_pt = sum(ws.row_dimensions[x].height or 15 for x in range(first, end + 1))
            if need_pt > have_pt:
                ws.row_dimensions[end].height = min(MAX_ROW_HEIGHT, (ws.row_dimensions[end].height or 15) + need_pt - have_pt)
        r = end + 1
        i = j


def _fill_cover(ws, dept: Department, wb, report: FillReport) -> None:
    names = sheet_names(ws)
    t = _require(names, L.N_COVER_TITLE)
    ws.cell(t.r1, t.c1).value = _year_text(ws.cell(t.r1, t.c1).value or "", dept.fiscal_year)
    _put(ws, _require(names, L.N_COVER_DEPARTMENT), dept.department, report)
    lst = _require(names, L.N_COVER_LIST)
    goals = sorted(
        zip(dept.goals, report.sheets, strict=False),
        key=lambda gs: (0, gs[0].priority) if isinstance(gs[0].priority, int) else (1, 0),
    )
    have = lst.r2 - lst.r1 + 1
    if len(goals) > have:
        insert_rows(ws, lst.r2 + 1, len(goals) - have)
        for r in range(lst.r2 + 1, lst.r2 + 1 + len(goals) - have):
            copy_row_format(ws, lst.r1, r, ws.max_column)
    for k, (goal, sheet) in enumerate(goals):
        r = lst.r1 + k
        _put(ws, Ref(ws.title, r, lst.c1, r, lst.c1), priority_text(goal.priority).rstrip("位"), report)
        cell = ws.cell(r, lst.c1 + 1)
        _put(ws, Ref(ws.title, r, lst.c1 + 1, r, lst.c1 + 1), goal.title, report)
        cell.hyperlink = f"#'{sheet}'!A1"
    set_sheet_name(ws, L.N_COVER_LIST, Ref(ws.title, lst.r1, lst.c1, lst.r1 + max(len(goals), have) - 1, lst.c2))
    fit_rows(ws, range(1, ws.max_row + 1))
    ws.print_area = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
