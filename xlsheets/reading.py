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
from .grid import BookGrid, SheetGrid, cell_text
from .model import (
    CIRCLED,
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


@dataclass
class CoverEntry:
    """One line of the cover's goal list: the priority and title as written, and their cells."""

    priority: Any
    title: str
    priority_cell: Cell
    title_cell: Cell


@dataclass
class ReadResult:
    """A read workbook: the department (each goal with its sheet and cells) and its cover."""

    department: Department
    path: str = ""
    cover_sheet: str = ""  # the department's cover (表紙), when the workbook has one
    cover: list[CoverEntry] = field(default_factory=list)


# ---------------------------------------------------------------- entry points


def read(source: Any) -> Department:
    """Read a workbook (path, openpyxl Workbook or BookGrid) into a Department."""
    return read_result(source).department


def load_book(path: str | Path) -> BookGrid:
    """Check a workbook file (.xlsx, .xlsm, .xls, .xlsb, .ods) and read all its sheets as grids (calamine)."""
    from .errors import UnreadableWorkbook
    from .grid import read_book_calamine
    from .inspection import check_spreadsheet

    kind, workbook_xml = check_spreadsheet(path)
    try:
        return read_book_calamine(path, workbook_xml, kind)
    except Exception as e:  # calamine and the XML parser raise their own error types on broken parts
        raise UnreadableWorkbook(f"ブックを読めません: {path}（{e}）", f"cannot read workbook: {e}") from e


def read_result(source: Any) -> ReadResult:
    from .grid import book_from_openpyxl

    if isinstance(source, (str, Path)):
        book = load_book(source)
    elif isinstance(source, BookGrid):
        book = source
    else:
        book = book_from_openpyxl(source)
    return read_book(book)


def read_book(book: BookGrid) -> ReadResult:
    from .settings import SETTINGS_SHEET, load_settings

    if L.N_ROLLUP in book.constants:
        raise RollupWorkbook(
            f"xlsheets の集計ブックです（各部局のシートではないので読みません）: {book.path}",
            f"an xlsheets roll-up, not a department's sheets: {book.path}",
        )
    settings = load_settings(book=book) if any(s.name == SETTINGS_SHEET for s in book.sheets) else None
    goals: list[Goal] = []
    dept_name = ""
    year: Any = None
    cover_year = None
    cover_sheet, cover = "", []
    for sheet in book.sheets:
        if is_goal_sheet(sheet):
            goal, d, y = read_goal_sheet(sheet, settings)
            goals.append(goal)
            dept_name = dept_name or d
            year = year if year is not None else y
        elif L.N_COVER_TITLE in sheet.names or cover_year is None:
            found = _cover_info(sheet)
            if found:
                cover_year = cover_year or found[0]
                dept_name = dept_name or found[1]
                if not cover_sheet:
                    cover_sheet, cover = sheet.name, _cover_entries(sheet)
    if not goals:
        raise NotAGoalSheet(
            f"重点目標管理シートが見つかりません（「重点目標」「数値目標」などの見出しがありません）: {book.path}",
            f"no goal sheet found in {book.path}",
        )
    const_year = parse_fiscal_year(book.constants.get(L.N_FISCAL_YEAR))
    fy = const_year or year or cover_year or ""
    return ReadResult(Department(fiscal_year=fy, department=dept_name, goals=goals), book.path, cover_sheet, cover)


def is_goal_sheet(sheet: SheetGrid) -> bool:
    if sheet.name in L.OWN_SHEETS:  # 検証結果 holds the form's labels (数値目標…) as values
        return False
    if L.N_TITLE in sheet.names and L.N_BODY in sheet.names:
        return True
    keys = set()
    for r, _c, v in sheet.cells():
        if isinstance(v, str):
            k = L.match_label(v) or L.match_column(v)
            if k:
                keys.add(k)
        if r > 400:
            break
    return {"title", "target"} <= keys and ("method" in keys or "midterm" in keys)


def _cover_info(sheet: SheetGrid) -> tuple[int | None, str] | None:
    if L.N_COVER_TITLE in sheet.names:
        ref = sheet.names[L.N_COVER_TITLE]
        dept = sheet.names.get(L.N_COVER_DEPARTMENT)
        return parse_fiscal_year(sheet.text(ref.r1, ref.c1)), sheet.text(dept.r1, dept.c1) if dept else ""
    for _r, _c, v in sheet.cells():
        if isinstance(v, str) and "重点目標" in v and "年度" in v:
            return parse_fiscal_year(v), ""
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
        from .settings import DEFAULT_SETTINGS as settings
    if L.N_TITLE in sheet.names and L.N_BODY in sheet.names:
        goal, dept, year = _read_named(sheet, settings)
    else:
        goal, dept, year = _read_labelled(sheet, settings)
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
    year_cell = _at(sheet, L.N_SHEET_TITLE)
    year = parse_fiscal_year(sheet.text(*year_cell)) if year_cell else None
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
            _read_rates(sheet, src, r, sub, settings)
            cur.subitems.append(sub)
    return items


def _read_rates(sheet: SheetGrid, src: GoalSheet, r: int, sub: SubItem, settings) -> None:
    cols = src.columns
    rates = {}
    for stage in STAGES:
        col = cols.get(f"rate_{stage}")
        v = sheet.value(r, col) if col else None
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            rates[stage] = int(v)
    grade = sheet.text(r, cols["grade"]).strip() if "grade" in cols else ""
    sub.achievement = _achievement_dict(rates, grade, settings, sub)


def _achievement_dict(rates: dict[str, int], grade: str, settings, sub: SubItem) -> dict[str, Any] | None:
    """The computed columns as read (the 判定 cell belongs to the latest rated stage), with their evidence."""
    if not rates:
        return None
    latest = "final" if "final" in rates else "midterm"
    read = {stage: {"rate": rate, "grade": grade if stage == latest and grade else settings.grade(rate)}
            for stage, rate in rates.items()}
    from .rates import add_evidence

    add_evidence(read, sub.target, {stage: getattr(sub, stage) for stage in STAGES}, settings)
    return read


def _or_blank(v):
    return "" if v is None else v


# ---------------------------------------------------------------- hand-made (legacy) sheets


def _right_value(sheet: SheetGrid, r: int, c: int, label_cells: set[Cell]) -> tuple[str, Cell | None]:
    """The first non-label text to the right of a label in its row, else below it."""
    m = sheet.merge_at(r, c)
    c_end = m[3] if m else c
    r_end = m[2] if m else r
    for cc in range(c_end + 1, sheet.max_col + 1):
        if (r, cc) in label_cells:
            break
        t = sheet.text(r, cc)
        if t.strip():
            return t, (r, cc)
    t = sheet.text(r_end + 1, c)
    if t.strip() and (r_end + 1, c) not in label_cells:
        return t, (r_end + 1, c)
    return "", None


_SUBLABEL = re.compile(r"(?:(?<=^)|(?<=[\s、。，,．]))(?:[(（]\s*([0-9０-９]{1,2})\s*[)）]|([⑴-⒇]))")


def split_numbered(text: str) -> tuple[str, list[tuple[int, str]]]:
    """'head (1) a (2) b' → ('head', [(1, 'a'), (2, 'b')]); labels must increase."""
    text = text or ""
    marks = []
    last = 0
    for m in _SUBLABEL.finditer(text):
        n = int(unicodedata.normalize("NFKC", m.group(1))) if m.group(1) else ord(m.group(2)) - 0x2473
        if n > last:
            marks.append((m.start(), m.end(), n))
            last = n
    if not marks:
        return text.strip(), []
    head = text[: marks[0][0]].strip()
    parts = []
    for k, (_s, e, n) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(text)
        parts.append((n, text[e:end].strip()))
    return head, parts


def _split_item_no(text: str) -> tuple[Any, str]:
    t = text.strip()
    if t and t[0] in CIRCLED:
        return CIRCLED.index(t[0]) + 1, t[1:].strip()
    return None, text


def _read_labelled(sheet: SheetGrid, settings) -> tuple[Goal, str, int | None]:
    src = GoalSheet(sheet.name, legacy=True)
    found: dict[str, Cell] = {}
    label_cells: set[Cell] = set()
    header_row = 0
    col_roles: dict[str, tuple[int, int]] = {}
    for r, c, v in sheet.cells():
        if not isinstance(v, str):
            continue
        key = L.match_label(v)
        if key:
            label_cells.add((r, c))
            found.setdefault(key, (r, c))
        role = L.match_column(v)
        if role and role not in col_roles and (not header_row or r == header_row):
            m = sheet.merge_at(r, c)
            col_roles[role] = (c, m[3] if m else c)
            header_row = header_row or r
            label_cells.add((r, c))
    values: dict[str, str] = {}
    for key in ("title", "department", "priority", "current_issues", "purpose", *POSITIONING_KEYS):
        if key in found:
            t, cell = _right_value(sheet, *found[key], label_cells)
            values[key] = t
            if cell:
                fkey = f"positioning.{key}" if key in POSITIONING_KEYS else key
                src.fields[fkey] = cell
    notes_row = found.get("notes", (sheet.max_row + 1, 0))[0]
    notes = _legacy_notes(sheet, src, notes_row)
    goal = Goal(
        priority=parse_priority(values.get("priority")),
        title=values.get("title", ""),
        positioning={k: values.get(k, "") for k in POSITIONING_KEYS},
        current_issues=values.get("current_issues", ""),
        purpose=values.get("purpose", ""),
        notes=notes,
        sheet=src,
    )
    if header_row:
        src.header_row = header_row
        src.columns = {role: span[0] for role, span in col_roles.items()}
        first, last = header_row + 1, min(notes_row - 1, sheet.max_row)
        src.body = (first, last)
        goal.items = _legacy_items(sheet, src, col_roles, first, last, settings)
    year = parse_fiscal_year(sheet.text(*found["sheet_title"])) if "sheet_title" in found else None
    return goal, values.get("department", ""), year


def _legacy_notes(sheet: SheetGrid, src: GoalSheet, notes_row: int) -> dict[str, str]:
    out = {"participation": "", "effects": ""}
    patterns = {"participation": "市民参加", "effects": "取組による効果"}
    for r in range(notes_row, min(notes_row + 3, sheet.max_row) + 1):
        for c in range(1, sheet.max_col + 1):
            t = sheet.text(r, c)
            for key, word in patterns.items():
                if word in t and not out[key]:
                    label = L.NOTE_LABELS[key]
                    rest = t
                    idx = t.find(label.lstrip("○")[:8])
                    if idx >= 0:
                        # drop the label line ("○…点" / "○…課題") and keep what follows
                        end_word = "点" if key == "participation" else "課題"
                        stop = t.find(end_word, idx)
                        rest = t[stop + len(end_word):] if stop >= 0 else ""
                    rest = rest.strip()
                    cell = (r, c)
                    if not rest:
                        below = sheet.text(r + 1, c)
                        if below.strip() and not any(w in below for w in patterns.values()):
                            rest, cell = below.strip(), (r + 1, c)
                    out[key] = rest
                    src.fields[f"notes.{key}"] = cell
    return out


def _legacy_items(sheet: SheetGrid, src: GoalSheet, col_roles: dict[str, tuple[int, int]], first: int,
                  last: int, settings) -> list[Item]:
    """Old sheets: one row per item, its sub-items inside each cell as (1) … (2) …"""
    m_start, m_end = col_roles.get("method", (1, 1))
    # an item-number column just left of the method header, empty in the header row
    if m_start > 1 and not sheet.text(src.header_row, m_start - 1).strip():
        m_start -= 1
    src.columns["item_no"] = m_start
    other = [f for f in ("period", "target", "midterm", "final") if f in col_roles]
    items: list[Item] = []
    for r in range(first, last + 1):
        tokens = [(c, sheet.text(r, c)) for c in range(m_start, m_end + 1) if sheet.text(r, c).strip()]
        texts = {f: sheet.text(r, col_roles[f][0]) for f in other}
        if not tokens and not any(t.strip() for t in texts.values()):
            continue
        no = None
        no_cell = tokens[0][0] if tokens else m_start
        if tokens:
            first_no = parse_item_no(tokens[0][1])
            if isinstance(first_no, int) and (tokens[0][1].strip() in CIRCLED or tokens[0][1].strip().isdigit()):
                no = first_no
                tokens = tokens[1:]
            else:
                no, rest = _split_item_no(tokens[0][1])
                tokens[0] = (tokens[0][0], rest)
        method_text = "\n".join(t for _c, t in tokens)
        method_cell = (r, tokens[0][0] if tokens else m_start)
        head, parts = split_numbered(method_text)
        if no is None and items and not head and not parts and not any(t.strip() for t in texts.values()):
            continue
        # the template's own layout without its names: one row per sub-item, the item's number
        # and title merged down from the row above — these rows continue that item
        cont = no is None and not head and bool(parts) and bool(items) and _merged_from_above(sheet, r, m_start, m_end)
        if cont:
            item = items[-1]
        else:
            item = Item(no="" if no is None else no, title=head, cells=ItemCells((r, no_cell), method_cell))
        subs: dict[int, SubItem] = {}
        order: list[int] = []
        for n, t in parts:
            subs[n] = SubItem(no=n, method=t)
            order.append(n)
        src.label_numbers.append((method_cell, "method", [n for n, _ in parts]))
        for f in other:
            fhead, fparts = split_numbered(texts[f])
            src.label_numbers.append(((r, col_roles[f][0]), f, [n for n, _ in fparts]))
            if not fparts and fhead and not subs and not order:
                subs[1] = SubItem(no=1)
                order.append(1)
                if head:  # a method without (n): it is the sub-item itself, not a title
                    subs[1].method, item.title = head, ""
            for n, t in fparts:
                if n not in subs:
                    subs[n] = SubItem(no=n)
                    order.append(n)
                setattr(subs[n], f, t)
            if fhead and order:
                s = subs[order[0]]
                setattr(s, f, (fhead + " " + getattr(s, f)).strip() if getattr(s, f) else fhead)
        rate_cols = {stage: col_roles[f"rate_{stage}"][0] for stage in STAGES if f"rate_{stage}" in col_roles}
        rates_by_no: dict[int, dict[str, int]] = {}
        for stage, col in rate_cols.items():
            head_, parts_ = split_numbered(sheet.text(r, col))
            if not parts_ and head_.rstrip("%％").strip().isdigit() and len(order) == 1:
                parts_ = [(order[0], head_)]
            for n, t in parts_:
                digits = t.rstrip("%％ ").strip()
                if digits.isdigit():
                    rates_by_no.setdefault(n, {})[stage] = int(digits)
        grades = {}
        if "grade" in col_roles:
            g_head, g_parts = split_numbered(sheet.text(r, col_roles["grade"][0]))
            grades = dict(g_parts) if g_parts else ({order[0]: g_head} if len(order) == 1 and g_head else {})
        cells = SubItemCells(**{f: (r, col_roles[f][0]) for f in other}, method=method_cell, no=method_cell)
        for n in order:
            subs[n].achievement = _achievement_dict(rates_by_no.get(n, {}), grades.get(n, ""), settings, subs[n])
            subs[n].cells = cells
            item.subitems.append(subs[n])
        if not cont:
            items.append(item)
    return items


def _merged_from_above(sheet: SheetGrid, r: int, c1: int, c2: int) -> bool:
    """Whether a filled merged cell that starts above row r covers one of columns c1..c2 in row r."""
    for c in range(c1, c2 + 1):
        m = sheet.merge_at(r, c)
        if m and m[0] < r and sheet.text(m[0], m[1]).strip():
            return True
    return False
