"""Read filled sheets back into the model: the template's names first, else the labels.

Works on grids (``grid.SheetGrid``), so a file (calamine), a workbook being edited
(openpyxl) and a live workbook (xlwings) read the same way. What a read returns is one
tree: the ``Department``'s goals, items and sub-items, each knowing where it was written —
``Goal.sheet`` (a ``model.GoalSheet``: the sheet's name, the cell of each goal field, the
table's columns), ``Item.cells`` and ``SubItem.cells`` (``model.ItemCells``,
``model.SubItemCells``) — so a finding or a 達成率 lands on the cell of the part it is about.
Reading never raises on odd content: it keeps what is written, checking is the
validator's job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import layout as L
from .errors import NotAGoalSheet, RollupWorkbook
from .handmade import read_labelled, set_typed
from .io.grid import BookGrid, SheetGrid, a1, cell_text
from .io.loading import book_from_openpyxl, load_book
from .model import (
    POSITIONING_KEYS,
    STAGES,
    SUBITEM_FIELDS,
    Cell,
    Department,
    Goal,
    GoalSheet,
    Item,
    ItemCells,
    SubItem,
    SubItemCells,
    parse_fiscal_year,
    parse_item_no,
    parse_priority,
    parse_subitem_no,
)
from .settings import DEFAULT_SETTINGS, load_settings
from .sheetkinds import COVER, GOAL, SKIPPED, SheetKind, classify, looks_like_cover
from .typed import needs_format, typed_rate


@dataclass
class CoverEntry:
    """One line of the cover's goal list: the priority and title as written, and their cells."""

    priority: Any
    title: str
    priority_cell: Cell
    title_cell: Cell


@dataclass
class ReadResult:
    """A read workbook: the department (each goal with its sheet and cells), its cover, the sheets that
    looked like goal sheets but were not read (and why), and what the faces say once (notes)."""

    department: Department
    path: str = ""
    cover_sheet: str = ""  # the department's cover (表紙), when the workbook has one
    cover_year: tuple[int, Cell | None] | None = None  # the 年度 its title writes, and that title's cell
    cover: list[CoverEntry] = field(default_factory=list)
    skipped: list[SheetKind] = field(default_factory=list)  # validation's sheet-skipped
    notes: list[str] = field(default_factory=list)  # columns and labels not read (not fields of the form)
    misnamed: str = ""  # the file's name says another format than its bytes (validation's file-misnamed)

    def said_once(self) -> list[str]:
        """What a face that does not validate says about the read (validation turns misnamed into a finding)."""
        return [self.misnamed, *self.notes] if self.misnamed else list(self.notes)


# ---------------------------------------------------------------- entry points


def read(source: Any) -> Department:
    """Read a workbook (path, openpyxl Workbook or BookGrid) into a Department."""
    return read_result(source).department


def read_result(source: Any) -> ReadResult:
    if isinstance(source, (str, Path)):
        book = load_book(source)
    elif isinstance(source, BookGrid):
        book = source
    else:
        book = book_from_openpyxl(source)
    return read_book(book)


def read_book(book: BookGrid) -> ReadResult:
    """Read every goal sheet of a workbook (recognised by the form's signature, see ``sheetkinds``)."""
    if L.N_ROLLUP in book.constants:
        raise RollupWorkbook(
            f"xlsheets の集計ブックです（各部局のシートではないので読みません）: {book.path}",
            f"an xlsheets roll-up, not a department's sheets: {book.path}",
        )
    settings = load_settings(book=book) if any(s.name == L.SETTINGS_SHEET for s in book.sheets) else None
    goals: list[Goal] = []
    dept_name = ""
    year: Any = None
    cover_year, cover_title = None, None
    cover_sheet, cover = "", []
    kinds = classify(book)
    for sheet, kind in zip(book.sheets, kinds, strict=True):
        if kind.kind == GOAL:
            goal, d, y = read_goal_sheet(sheet, settings)
            goals.append(goal)
            dept_name = dept_name or d
            year = year if year is not None else y
        elif kind.kind == COVER and (L.N_COVER_TITLE in sheet.names or cover_year is None):
            found = _cover_info(sheet)
            if found:
                if not cover_year and found[0]:
                    cover_year, cover_title = found[0], found[2]
                dept_name = dept_name or found[1]
                if not cover_sheet:
                    cover_sheet, cover = sheet.name, _cover_entries(sheet)
    if not goals:
        why = "".join(f"\n・{k.name}: {k.reason}" for k in kinds if k.kind == SKIPPED)
        raise NotAGoalSheet(
            f"重点目標管理シートが見つかりません（「重点目標」「数値目標」などの見出しがありません）: {book.path}{why}",
            f"no goal sheet found in {book.path}",
        )
    const_year = parse_fiscal_year(book.constants.get(L.N_FISCAL_YEAR))
    fy = const_year or year or cover_year or ""
    result = ReadResult(Department(fiscal_year=fy, department=dept_name, goals=goals), book.path, cover_sheet,
                        (cover_year, cover_title) if cover_year else None, cover,
                        [k for k in kinds if k.kind == SKIPPED], misnamed=book.misnamed)
    result.notes = [f"シート「{g.sheet.name}」の「{heading}」（{a1(*cell)}）は様式にない欄のため読みませんでした"
                     f"（not a field of the form: not read）" for g in goals for cell, heading in g.sheet.ignored]
    return result


def _cover_info(sheet: SheetGrid) -> tuple[int | None, str, Cell] | None:
    """The cover's (年度, 部局名, the title's cell)."""
    if L.N_COVER_TITLE in sheet.names:
        ref = sheet.names[L.N_COVER_TITLE]
        dept = sheet.names.get(L.N_COVER_DEPARTMENT)
        return (parse_fiscal_year(sheet.text(ref.r1, ref.c1)), sheet.text(dept.r1, dept.c1) if dept else "",
                (ref.r1, ref.c1))
    if looks_like_cover(sheet):
        for r, c, v in sheet.cells():
            if isinstance(v, str) and "重点目標" in v and "年度" in v:
                return parse_fiscal_year(v), "", (r, c)
    return None


_COVER_LINE = re.compile(r"^[-・]?\s*(\d{1,2})\s*[.．、)）位]?\s+(\S.*)$")  # after NFKC: ① is 1 by then


def _cover_entries(sheet: SheetGrid) -> list[CoverEntry]:
    """The cover's goal list: the named list of the template, or on a hand-made cover the
    lines under its title that start with a number (「1」「社会福祉施設の…」, or 「1 社会福祉…」 in one cell)."""
    out: list[CoverEntry] = []
    if L.N_COVER_LIST in sheet.names:
        ref = sheet.names[L.N_COVER_LIST]
        for r in range(ref.r1, ref.r2 + 1):
            p, t = sheet.value(r, ref.c1), sheet.text(r, ref.c1 + 1).strip()
            if cell_text(p).strip() or t:
                out.append(CoverEntry(parse_priority(p), t, (r, ref.c1), (r, ref.c1 + 1)))
        return out
    for r in range(1, sheet.max_row + 1):
        cells = [(c, t) for c in range(1, sheet.max_col + 1) if (t := sheet.text(r, c).strip())]
        if not cells:
            continue
        (c1, first), rest = cells[0], cells[1:]
        p = parse_priority(first)
        if isinstance(p, int) and rest and not isinstance(parse_priority(rest[0][1]), int):
            out.append(CoverEntry(p, rest[0][1], (r, c1), (r, rest[0][0])))
            continue
        m = _COVER_LINE.match(unicodedata.normalize("NFKC", first)) if len(cells) == 1 else None
        if m:
            out.append(CoverEntry(int(m.group(1)), m.group(2).strip(), (r, c1), (r, c1)))
    return out


# ---------------------------------------------------------------- one goal sheet


def read_goal_sheet(sheet: SheetGrid, settings=None) -> tuple[Goal, str, int | None]:
    """Read one goal sheet; returns the goal (with its ``GoalSheet``), the 部局名 and the year."""
    if settings is None:
        settings = DEFAULT_SETTINGS
    if L.N_TITLE in sheet.names and L.N_BODY in sheet.names:
        goal, dept, year = _read_named(sheet, settings)
    else:
        goal, dept, year = read_labelled(sheet, settings)
    goal.sheet.department = dept
    return goal, dept, year


def _at(sheet: SheetGrid, name: str) -> Cell | None:
    ref = sheet.names.get(name)
    return (ref.r1, ref.c1) if ref else None


def _read_named(sheet: SheetGrid, settings) -> tuple[Goal, str, int | None]:
    src = GoalSheet(sheet.name)
    fields = {
        "title": L.N_TITLE,
        "department": L.N_DEPARTMENT,
        "priority": L.N_PRIORITY,
        "current_issues": L.N_CURRENT,
        "purpose": L.N_PURPOSE,
        "notes.participation": L.N_NOTES["participation"],
        "notes.effects": L.N_NOTES["effects"],
        **{f"positioning.{k}": v for k, v in L.N_POSITIONING.items()},
    }
    for key, name in fields.items():
        cell = _at(sheet, name)
        if cell:
            src.fields[key] = cell

    def text(key: str) -> str:
        cell = src.fields.get(key)
        return sheet.text(*cell) if cell else ""

    goal = Goal(
        priority=parse_priority(sheet.value(*src.fields["priority"])) if "priority" in src.fields else None,
        title=text("title"),
        positioning={k: text(f"positioning.{k}") for k in POSITIONING_KEYS},
        current_issues=text("current_issues"),
        purpose=text("purpose"),
        notes={k: text(f"notes.{k}") for k in ("participation", "effects")},
        id=sheet.constants.get(L.N_GOAL_ID) or None,
        sheet=src,
    )
    body = sheet.names[L.N_BODY]
    src.body = (body.r1, body.r2)
    src.header_row = body.r1 - 1
    src.columns = {role: sheet.names[n].c1 for role, n in L.N_COLS.items() if n in sheet.names}
    if L.N_COLS["method"] in sheet.names:
        src.header_row = sheet.names[L.N_COLS["method"]].r1
    last = _rows_below_body(sheet, src, body.r2)
    src.body = (body.r1, last)
    goal.items = _rows_per_subitem(sheet, src, body.r1, last, settings)
    _table_unplaced(sheet, src)
    year_cell = _at(sheet, L.N_SHEET_TITLE)
    year = parse_fiscal_year(sheet.text(*year_cell)) if year_cell else None
    if year_cell:
        src.fields["sheet_title"], src.year = year_cell, year
    return goal, text("department"), year


def _rows_below_body(sheet: SheetGrid, src: GoalSheet, last: int) -> int:
    """The table's last row, counting rows filled in just below its named range.

    Excel does not grow a name when a row is inserted right under it: a sub-item typed into
    such a row would otherwise be lost. Stops at the 特記事項 section.
    """
    notes = [sheet.names[n].r1 for n in L.N_NOTES.values() if n in sheet.names]
    stop = min(notes) if notes else sheet.max_row + 1
    cols = [src.columns[f] for f in (*SUBITEM_FIELDS, "subitem_no", "item_no") if f in src.columns]
    r = last + 1
    while r < stop and cols:
        texts = [t for t in (sheet.text(r, c).strip() for c in cols) if t]
        if not texts or any("特記" in t and L.match_label(t) == "notes" for t in texts):
            break
        last, r = r, r + 1
    return last


def _rows_per_subitem(sheet: SheetGrid, src: GoalSheet, first: int, last: int, settings) -> list[Item]:
    """The template's table: one row per sub-item, item number and title merged down."""
    cols = src.columns
    items: list[Item] = []
    rate_cols = [c for stage in STAGES if (c := cols.get(f"rate_{stage}"))]
    formats = sheet.number_formats([(r, c) for r in range(first, last + 1) for c in rate_cols
                                    if needs_format(sheet.value(r, c))])
    cur: Item | None = None
    cur_span = 0
    for r in range(first, last + 1):
        no_col = cols.get("item_no")
        raw_no = sheet.value(r, no_col) if no_col else None
        inside = no_col is not None and r <= cur_span
        texts = {f: sheet.text(r, cols[f]) for f in SUBITEM_FIELDS if f in cols}
        sub_raw = sheet.value(r, cols["subitem_no"]) if "subitem_no" in cols else None
        title = sheet.text(r, cols["item_title"]) if "item_title" in cols else ""
        if cell_text(raw_no).strip() or (not inside and title):
            title_col = cols.get("item_title", no_col)
            cur = Item(no=_or_blank(parse_item_no(raw_no)), title=title,
                       cells=ItemCells((r, no_col) if no_col else None, (r, title_col) if title_col else None))
            items.append(cur)
            m = sheet.merge_at(r, no_col) if no_col else None
            cur_span = m[2] if m else r
        if cell_text(sub_raw).strip() or any(texts.values()):
            if cur is None:
                cur = Item(no="", title="", cells=ItemCells((r, no_col or 1), (r, no_col or 1)))
                items.append(cur)
            cells = {f: (r, cols[f]) for f in SUBITEM_FIELDS if f in cols}
            cells["no"] = (r, cols.get("subitem_no", cols.get("method", 1)))
            sub = SubItem(no=_or_blank(parse_subitem_no(sub_raw)), **texts, cells=SubItemCells(**cells))
            _read_rates(sheet, src, r, sub, settings, formats)
            cur.subitems.append(sub)
    return items


def _read_rates(sheet: SheetGrid, src: GoalSheet, r: int, sub: SubItem, settings,
                formats: dict[Cell, str | None]) -> None:
    """The 達成率 and 判定 cells of a sub-item's row, read as shown (``typed``; formats: their number formats)."""
    cols = src.columns
    rates = {}
    for stage in STAGES:
        col = cols.get(f"rate_{stage}")
        v = sheet.value(r, col) if col else None
        rate = typed_rate(v, formats.get((r, col)))
        if rate is not None:
            rates[stage] = rate
    grade = sheet.text(r, cols["grade"]).strip() if "grade" in cols else ""
    set_typed(sub, rates, grade, settings)


def _table_unplaced(sheet: SheetGrid, src: GoalSheet) -> None:
    """Cells of the named table's rows outside its columns: a column the form does not have (a heading:
    ignored, said once) or text with no heading (layout-unplaced)."""
    known = set(src.columns.values())
    headings: dict[int, tuple[Cell, str]] = {}
    for r, c, v in sheet.cells():
        if r < src.header_row or r > src.body[1] or c in known:
            continue
        text = cell_text(v).strip()
        if r == src.header_row:
            m = sheet.merge_at(r, c)
            if not (m and m[1] < c) and text:
                headings[c] = ((r, c), text)
                src.ignored.append(((r, c), text))
        elif text and c not in headings:
            src.unplaced.append(((r, c), text, "見出しのない列"))
    src.right = max((c for _r, c, _v in sheet.cells() if src.header_row <= _r <= src.body[1]), default=0)


def _or_blank(v):
    return "" if v is None else v
