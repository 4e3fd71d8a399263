"""Hand-made goal sheets: the header fields found by their labels, the item table by its headings.

Departments type the form themselves: 取組項目 and 方法・手段 in one column or two, sub-items packed
in one cell as 「(1) … (2) …」 or on rows of their own with the item's number and title merged down
or left blank, columns the form does not have (担当課, 備考), header fields elsewhere (部局名 on its
own row, 優先順位 at the right end, 「部局名：福祉部」 in one cell), spacer rows, numbers typed as
numbers. Each column is known by its heading (the words are data in ``layout``); the columns under
one heading (a number column, a title column) by what they hold.

Nothing is dropped in silence: every non-empty cell is read into a field, known as a label or a
heading, ignored as a part the form does not have (``GoalSheet.ignored``, said by ``read``), or listed
in ``GoalSheet.unplaced`` (validation's ``layout-unplaced``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from . import layout as L
from .io.grid import SheetGrid, cell_text
from .model import (
    CIRCLED,
    POSITIONING_KEYS,
    STAGES,
    Cell,
    Goal,
    GoalSheet,
    Item,
    ItemCells,
    SubItem,
    SubItemCells,
    Typed,
    parse_fiscal_year,
    parse_item_no,
    parse_priority,
    parse_subitem_no,
)
from .rates import add_evidence
from .sheetkinds import header_rows, label_key, table_header_row
from .typed import needs_format, rate_number, typed_rate

HEADER_FIELDS = ("title", "department", "priority", "current_issues", "purpose", *POSITIONING_KEYS)
ITEM_ROLES = ("item_method", "item_title", "method", "item_no", "subitem_no")
FIELD_ROLES = ("period", "target", "midterm", "final")
RATE_ROLES = ("rate_midterm", "rate_final", "grade")


# ---------------------------------------------------------------- numbered parts of one cell

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


# ---------------------------------------------------------------- what a column holds

_ITEM_NUMBER = re.compile(r"^(?:第)?\d{1,2}[.．、)）]?$")
_SUB_NUMBER = re.compile(r"^[(（]\d{1,2}[)）]$")


def number_kind(v: Any) -> str:
    """'item' (①, 1, 「1.」), 'sub' ((1), ⑴), 'text', or '' for an empty cell."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "item" if float(v).is_integer() and 0 < v < 100 else "text"
    s = unicodedata.normalize("NFKC", str(v)).strip()
    if str(v).strip() in CIRCLED or _ITEM_NUMBER.match(s):
        return "item"
    if _SUB_NUMBER.match(s) or (len(str(v).strip()) == 1 and 0x2474 <= ord(str(v).strip()) <= 0x2487):
        return "sub"
    return "text"


@dataclass
class Heading:
    c1: int
    c2: int
    role: str | None  # a column role of layout.COLUMN_RULES, or None: a column the form does not have
    text: str
    cell: Cell


@dataclass
class Table:
    """The item table of a hand-made sheet: its header row, body rows and each role's columns."""

    header_row: int
    first: int
    last: int
    cols: dict[str, list[int]] = field(default_factory=dict)  # role → columns (joined when several)
    headings: list[Heading] = field(default_factory=list)

    def col(self, role: str) -> int | None:
        cols = self.cols.get(role)
        return cols[0] if cols else None

    def heading_of(self, c: int) -> Heading | None:
        return next((h for h in self.headings if h.c1 <= c <= h.c2), None)


def _headings(sheet: SheetGrid, r: int) -> list[Heading]:
    out = []
    for c in range(1, sheet.max_col + 1):
        m = sheet.merge_at(r, c)
        if m and m[1] != c:
            continue  # covered by a heading to its left
        t = sheet.text(r, c).strip()
        if not t:
            continue
        out.append(Heading(c, m[3] if m else c, L.match_column(t), t, (r, c)))
    return out


def _anchor(sheet: SheetGrid, r: int, c: int) -> Any:
    """A cell's value, None when a merge from above or the left covers it."""
    m = sheet.merge_at(r, c)
    if m and (m[0], m[1]) != (r, c):
        return None
    return sheet.value(r, c)


def _covered_from_above(sheet: SheetGrid, r: int, c: int | None) -> bool:
    m = sheet.merge_at(r, c) if c else None
    return bool(m and m[0] < r)


def _column_kind(sheet: SheetGrid, c: int, rows: range) -> str:
    values = [v for r in rows if (v := _anchor(sheet, r, c)) is not None and L.match_column(v) is None]  # no heading
    kinds = {number_kind(v) for v in values} - {""}
    if not kinds:
        return ""
    if kinds <= {"item"}:  # item numbers never repeat on a sheet; sub-item numbers 1, 2, 1 do
        texts = [t for v in values if (t := cell_text(v).strip())]
        return "sub-digits" if len(set(texts)) < len(texts) else "item"
    return "sub" if kinds == {"sub"} else "text"


def find_table(sheet: SheetGrid, header: int, last: int) -> Table:
    """The table under a header row: each heading's role, and under the headings of 取組項目 / 方法・手段 the
    number, title and method columns by what they hold."""
    table = Table(header, header + 1, last, headings=_headings(sheet, header))
    rows = range(table.first, last + 1)
    spans = [h for h in table.headings if h.role in ITEM_ROLES]
    has_method = any(h.role in ("method", "item_method") for h in spans)
    if spans:  # an unheaded column just left of them holding item numbers (①②…)
        left = min(h.c1 for h in spans) - 1
        if left >= 1 and table.heading_of(left) is None and _column_kind(sheet, left, rows) == "item":
            spans.insert(0, Heading(left, left, "item_no", "", (header, left)))
    _item_columns(sheet, table, sorted(spans, key=lambda h: h.c1), has_method, rows)
    for h in table.headings:  # two headings of one role (数値目標 and 目標値): their texts joined
        if h.role in FIELD_ROLES or h.role in RATE_ROLES:
            table.cols.setdefault(h.role, []).extend(range(h.c1, h.c2 + 1) if h.role in FIELD_ROLES else [h.c1])
    return table


def _item_columns(sheet: SheetGrid, table: Table, spans: list[Heading], has_method: bool, rows: range) -> None:
    """Columns under the 取組項目 / 方法・手段 headings: item number, sub-item number, title, method."""
    text_cols: list[tuple[str, int]] = []
    for h in spans:
        for c in range(h.c1, h.c2 + 1):
            kind = "item" if h.role == "item_no" else "sub" if h.role == "subitem_no" else _column_kind(sheet, c, rows)
            if kind == "item" and "item_no" not in table.cols:
                table.cols["item_no"] = [c]
            elif kind in ("item", "sub", "sub-digits") and "subitem_no" not in table.cols:
                table.cols["subitem_no"] = [c]
            elif kind == "text" or (kind == "" and h.c1 == h.c2):
                role = h.role if has_method else "item_method"
                text_cols.append((role, c))
    combined = [c for role, c in text_cols if role == "item_method"]
    if len(combined) >= 2:  # 取組項目 and 方法・手段 each in a column under one heading
        table.cols["item_title"] = [combined[0]]
        table.cols["method"] = combined[1:]
    elif combined:
        table.cols["item_method"] = combined
    for role, c in text_cols:
        if role in ("item_title", "method"):
            table.cols.setdefault(role, []).append(c)
    if "method" in table.cols and "item_title" not in table.cols:  # no title column: the title heads the method
        table.cols["item_method"] = table.cols.pop("method")


# ---------------------------------------------------------------- the reader


class _Reader:
    """One hand-made sheet: labels, the table, the notes; and every cell accounted for."""

    def __init__(self, sheet: SheetGrid, settings) -> None:
        self.sheet = sheet
        self.settings = settings
        self.src = GoalSheet(sheet.name, legacy=True)
        self.placed: set[Cell] = set()
        self.ignored: set[Cell] = set()

    def read(self) -> tuple[Goal, str, int | None]:
        sheet, src = self.sheet, self.src
        header = table_header_row(header_rows(sheet))
        notes_row = self._notes_row(header)
        found, values = self._labels(header, notes_row)
        goal = Goal(
            priority=parse_priority(values.get("priority")),
            title=values.get("title", ""),
            positioning={k: values.get(k, "") for k in POSITIONING_KEYS},
            current_issues=values.get("current_issues", ""),
            purpose=values.get("purpose", ""),
            notes=self._notes(notes_row),
            sheet=src,
        )
        if header:
            table = find_table(sheet, header, min(notes_row - 1, sheet.max_row))
            self._table_placement(table)
            goal.items = _Items(self, table).read()
        self._unplaced(header, notes_row)
        year = parse_fiscal_year(sheet.text(*found["sheet_title"])) if "sheet_title" in found else None
        if "sheet_title" in found:
            src.fields["sheet_title"], src.year = found["sheet_title"], year
        return goal, values.get("department", ""), year

    def _notes_row(self, header: int) -> int:
        for r, c, v in self.sheet.cells():
            if r > header and label_key(v) == "notes":
                self.placed.add((r, c))
                return r
        return self.sheet.max_row + 1

    # ------------------------------------------------------------ labels above and below the table
    def _labels(self, header: int, notes_row: int) -> tuple[dict[str, Cell], dict[str, str]]:
        sheet = self.sheet
        found: dict[str, Cell] = {}
        inline: dict[str, str] = {}
        extra: list[Cell] = []
        label_cells: set[Cell] = set()
        for r, c, v in sheet.cells():
            if header and header <= r < notes_row:
                continue
            key = label_key(v)
            if key:
                label_cells.add((r, c))
                if key not in found:
                    found[key] = (r, c)
                    m = None if L.match_label(v) else L.LABEL_VALUE.match(v)
                    if m:
                        inline[key] = m.group(2).strip()
            elif isinstance(v, str) and _is_extra_label(v):
                label_cells.add((r, c))
                extra.append((r, c))
        self.placed |= label_cells
        values: dict[str, str] = {}
        for key in HEADER_FIELDS:
            if key not in found:
                continue
            if key in inline:
                values[key], cell = inline[key], found[key]
            else:
                values[key], cell = self._right_value(*found[key], label_cells)
            if cell:
                self.placed.add(cell)
                self.src.fields[f"positioning.{key}" if key in POSITIONING_KEYS else key] = cell
        for cell in extra:  # 「担当課 | 高齢者支援課」: known, not a field of the form
            self.ignored.add(cell)
            self.src.ignored.append((cell, self.sheet.text(*cell).strip()))
            if not L.LABEL_VALUE.match(self.sheet.text(*cell)):
                _t, value_cell = self._right_value(*cell, label_cells)
                if value_cell:
                    self.ignored.add(value_cell)
        return found, values

    def _right_value(self, r: int, c: int, label_cells: set[Cell]) -> tuple[str, Cell | None]:
        """The first text to the right of a label in its row that no label took, else the one below it."""
        sheet = self.sheet
        m = sheet.merge_at(r, c)
        c_end = m[3] if m else c
        r_end = m[2] if m else r
        for cc in range(c_end + 1, sheet.max_col + 1):
            if (r, cc) in label_cells:
                break
            t = sheet.text(r, cc)
            if t.strip() and (r, cc) not in self.placed:
                return t, (r, cc)
        t = sheet.text(r_end + 1, c)
        if t.strip() and (r_end + 1, c) not in label_cells and (r_end + 1, c) not in self.placed:
            return t, (r_end + 1, c)
        return "", None

    # ------------------------------------------------------------ 特記事項
    def _notes(self, notes_row: int) -> dict[str, str]:
        sheet, src = self.sheet, self.src
        out = {"participation": "", "effects": ""}
        patterns = {"participation": "市民参加", "effects": "取組による効果"}
        for r in range(notes_row, min(notes_row + 3, sheet.max_row) + 1):
            for c in range(1, sheet.max_col + 1):
                t = sheet.text(r, c)
                for key, word in patterns.items():
                    if word in t and not out[key]:
                        rest, cell = _after_note_label(t, key), (r, c)
                        self.placed.add(cell)
                        if not rest:
                            below = sheet.text(r + 1, c)
                            if below.strip() and not any(w in below for w in patterns.values()):
                                rest, cell = below.strip(), (r + 1, c)
                                self.placed.add(cell)
                        out[key] = rest
                        src.fields[f"notes.{key}"] = cell
        return out

    # ------------------------------------------------------------ every cell accounted for
    def _table_placement(self, table: Table) -> None:
        src = self.src
        src.header_row = table.header_row
        src.body = (table.first, table.last)
        src.columns = {role: cols[0] for role, cols in table.cols.items() if role != "item_method"}
        if "item_method" in table.cols:
            src.columns["method"] = table.cols["item_method"][0]
        for h in table.headings:
            if h.role is None:
                src.ignored.append((h.cell, h.text))
                for c in range(h.c1, h.c2 + 1):
                    self.ignored |= {(r, c) for r in range(table.first, table.last + 1)}
                self.ignored.add(h.cell)
            else:
                self.placed.add(h.cell)
        used = [c for r, c, _v in self.sheet.cells() if table.header_row <= r <= table.last]
        src.right = max(used, default=0)

    def _unplaced(self, header: int, notes_row: int) -> None:
        for r, c, v in self.sheet.cells():
            if (r, c) in self.placed or (r, c) in self.ignored:
                continue
            text = cell_text(v).strip()
            if not text:
                continue
            self.src.unplaced.append(((r, c), text, self._where(r, c, header, notes_row)))

    def _where(self, r: int, c: int, header: int, notes_row: int) -> str:
        if header and header < r < notes_row:
            h = next((h for h in _headings(self.sheet, header) if h.c1 <= c <= h.c2), None)
            return f"列「{h.text}」" if h else "見出しのない列"
        if r >= notes_row:
            return "特記事項"
        return "表の上" if header else "シート"


def _is_extra_label(v: str) -> bool:
    m = L.LABEL_VALUE.match(v)
    return bool(L.EXTRA_LABEL.match(L.norm_label(m.group(1) if m else v)))


def _after_note_label(t: str, key: str) -> str:
    """A 特記事項 box's text after its printed label line (「○市民参加…考慮した点」)."""
    label = L.NOTE_LABELS[key]
    idx = t.find(label.lstrip("○")[:8])
    if idx < 0:
        return t.strip()
    end_word = "点" if key == "participation" else "課題"
    stop = t.find(end_word, idx)
    return (t[stop + len(end_word):] if stop >= 0 else "").strip()


# ---------------------------------------------------------------- the table's rows → items


class _Items:
    """The body rows of a table as items and sub-items: one row per item with its sub-items packed in
    the cells as (1) (2), or one row per sub-item (the item's number and title merged down or blank)."""

    def __init__(self, reader: _Reader, table: Table) -> None:
        self.reader, self.sheet, self.table = reader, reader.sheet, table
        self.items: list[Item] = []
        self.formats: dict[Cell, str | None] = {}

    def read(self) -> list[Item]:
        t = self.table
        rate_cells = [(r, c) for r in range(t.first, t.last + 1) for role in ("rate_midterm", "rate_final")
                      if (c := t.col(role)) and needs_format(self.sheet.value(r, c))]
        self.formats = self.sheet.number_formats(rate_cells)
        for r in range(t.first, t.last + 1):
            self.row(r)
        return self.items

    def text(self, r: int, role: str) -> str:
        parts = [cell_text(_anchor(self.sheet, r, c)) for c in self.table.cols.get(role, [])]
        return "\n".join(p for p in parts if p.strip())

    def first_cell(self, r: int, role: str) -> Cell | None:
        cols = self.table.cols.get(role, [])
        return next(((r, c) for c in cols if cell_text(_anchor(self.sheet, r, c)).strip()),
                    (r, cols[0]) if cols else None)

    def row(self, r: int) -> None:
        t, sheet = self.table, self.sheet
        method_role = "item_method" if "item_method" in t.cols else "method"
        fields = {f: self.text(r, f) for f in FIELD_ROLES}
        method = self.text(r, method_role)
        no_raw = _anchor(sheet, r, t.col("item_no")) if t.col("item_no") else None
        sub_raw = _anchor(sheet, r, t.col("subitem_no")) if t.col("subitem_no") else None
        title = self.text(r, "item_title")
        cells = [(r, c) for role in (*ITEM_ROLES, *FIELD_ROLES, *RATE_ROLES) for c in t.cols.get(role, [])
                 if cell_text(_anchor(sheet, r, c)).strip()]
        words = [cell_text(no_raw), cell_text(sub_raw), title, method, *fields.values()]
        if not any(w.strip() for w in words):
            return  # a spacer row (a lone 達成率 or 判定 is left unplaced)
        if self.repeats_header(cells):
            self.reader.placed.update(cells)
            return
        self.reader.placed.update(cells)
        if method_role == "item_method" and no_raw is None and not t.col("item_no"):
            no_raw, method = _split_item_no(method)
        head, parts = split_numbered(method)
        others = any(fields.values()) or cell_text(sub_raw).strip()
        if method_role == "item_method" and not title and (parts or not others):
            title, method, head = head, "", ""  # 「保育所の整備 (1) … (2) …」, or a title on its own row
        item = self.item_for(r, no_raw, title, sub_raw, parts, method_role)
        if cell_text(sub_raw).strip():
            self.single(item, r, parse_subitem_no(sub_raw), method, fields, whole=True)
        elif len(parts) == 1:
            self.single(item, r, parts[0][0], parts[0][1], fields, whole=False)
        elif parts or any(split_numbered(v)[1] for v in fields.values()):
            self.packed(item, r, parts, head, fields)
        elif method or others:
            self.single(item, r, len(item.subitems) + 1, method, fields, whole=True)

    def repeats_header(self, cells: list[Cell]) -> bool:
        """A body row repeating the table's headings (a header printed again on the next page)."""
        hits = [c for c in cells if L.match_column(self.sheet.value(*c)) is not None]
        return len(hits) >= 2

    def item_for(self, r: int, no_raw: Any, title: str, sub_raw: Any, parts: list, method_role: str) -> Item:
        """The item a row belongs to: a new one when the row has an item number or a title (not merged
        down from above), or when its sub-item numbers start again; else the current one."""
        t, cur = self.table, (self.items[-1] if self.items else None)
        no_col, title_col = t.col("item_no"), t.col("item_title") or t.col(method_role)
        first_no = parse_subitem_no(sub_raw) if cell_text(sub_raw).strip() else (parts[0][0] if parts else None)
        merged_down = _covered_from_above(self.sheet, r, no_col) or _covered_from_above(self.sheet, r, t.col("item_title"))
        restart = (isinstance(first_no, int) and cur is not None and not merged_down
                   and any(isinstance(s.no, int) and s.no >= first_no for s in cur.subitems))
        if cell_text(no_raw).strip() or title or cur is None or restart:
            no = parse_item_no(no_raw)
            title_cell = (r, title_col or no_col or 1)
            cur = Item(no="" if no is None else no, title=title,
                       cells=ItemCells((r, no_col) if no_col else title_cell, title_cell))
            self.items.append(cur)
        return cur

    def subitem_cells(self, r: int) -> SubItemCells:
        t = self.table
        method = self.first_cell(r, "item_method" if "item_method" in t.cols else "method")
        cells = {f: self.first_cell(r, f) for f in FIELD_ROLES}
        no = (r, t.col("subitem_no")) if t.col("subitem_no") else method
        return SubItemCells(no=no, method=method, **cells)

    def single(self, item: Item, r: int, no: Any, method: str, fields: dict[str, str], whole: bool) -> None:
        """A row holding one sub-item (its label, when it has one, stripped from each field that repeats it)."""
        texts = {f: v if whole else _without_label(v, no) for f, v in fields.items()}
        sub = SubItem(no="" if no is None else no, method=method, **texts, cells=self.subitem_cells(r))
        self.rates(r, [sub])
        item.subitems.append(sub)

    def packed(self, item: Item, r: int, parts: list[tuple[int, str]], head: str, fields: dict[str, str]) -> None:
        """One row per item: the sub-items inside each cell as (1) … (2) …"""
        subs: dict[int, SubItem] = {}
        order: list[int] = []
        for n, text in parts:
            subs[n] = SubItem(no=n, method=text)
            order.append(n)
        method_cell = self.first_cell(r, "item_method" if "item_method" in self.table.cols else "method")
        self.reader.src.label_numbers.append((method_cell, "method", [n for n, _ in parts]))
        for f, text in fields.items():
            fhead, fparts = self.split_field(r, f, text)
            if self.table.col(f):
                self.reader.src.label_numbers.append((self.first_cell(r, f), f, [n for n, _ in fparts]))
            if not fparts and fhead and not order:
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
        cells = self.subitem_cells(r)
        ordered = [subs[n] for n in order]
        for s in ordered:
            s.cells = cells
        self.rates(r, ordered)
        item.subitems.extend(ordered)

    def split_field(self, r: int, role: str, text: str) -> tuple[str, list[tuple[int, str]]]:
        """A field's (1) (2) parts; a field of two columns (数値目標 and 目標値) split column by column,
        each sub-item's parts joined."""
        cols = self.table.cols.get(role, [])
        if len(cols) < 2:
            return split_numbered(text)
        heads, joined = [], {}
        for c in cols:
            head, parts = split_numbered(cell_text(_anchor(self.sheet, r, c)))
            heads += [head] if head else []
            for n, t in parts:
                joined[n] = f"{joined[n]}\n{t}" if n in joined and t else joined.get(n) or t
        return "\n".join(heads), sorted(joined.items())

    def rates(self, r: int, subs: list[SubItem]) -> None:
        """The 達成率 and 判定 cells of a row, as typed: one value, or one line (1) … per sub-item."""
        t = self.table
        typed: dict[int, dict[str, Any]] = {id(s): {} for s in subs}
        for stage in STAGES:
            c = t.col(f"rate_{stage}")
            v = _anchor(self.sheet, r, c) if c else None
            for sub, value in _per_subitem(v, subs):
                rate = typed_rate(value, self.formats.get((r, c)) if not isinstance(value, str) else None)
                if rate is not None:
                    typed[id(sub)][stage] = rate
        c = t.col("grade")
        grades = _per_subitem(_anchor(self.sheet, r, c) if c else None, subs)
        for sub in subs:
            grade = next((cell_text(g).strip() for s, g in grades if s is sub), "")
            set_typed(sub, typed[id(sub)], grade, self.reader.settings)


def _without_label(text: str, no: Any) -> str:
    """A field of a one-sub-item row without its (n) label, when the label is that sub-item's."""
    head, parts = split_numbered(text)
    if not head and len(parts) == 1 and parts[0][0] == no:
        return parts[0][1]
    return text


def _per_subitem(value: Any, subs: list[SubItem]) -> list[tuple[SubItem, Any]]:
    """A 達成率 or 判定 cell's value per sub-item: the whole value for one, else its (1) … lines."""
    if value is None or cell_text(value).strip() == "":
        return []
    if len(subs) == 1 and not (isinstance(value, str) and split_numbered(value)[1]):
        return [(subs[0], value)]
    head, parts = split_numbered(cell_text(value))
    by_no = {s.no: s for s in subs}
    out = [(by_no[n], t) for n, t in parts if n in by_no]
    if not parts and head and len(subs) == 1:
        out = [(subs[0], head)]
    return out


def set_typed(sub: SubItem, rates: dict[str, tuple[float, str]], grade: str, settings) -> None:
    """Keep what a sub-item's 達成率/判定 cells hold (``sub.typed``) and give it as ``sub.achievement``
    (the 判定 belongs to the latest stage: 期末 when it has a rate or a report, else 中間)."""
    if not rates and grade in ("", settings.none):  # 「－」 alone: nothing rated
        return
    sub.typed = Typed(dict(rates), grade)
    latest = "final" if "final" in rates or (not rates and sub.final.strip()) else "midterm"
    read: dict[str, dict[str, Any]] = {}
    for stage in STAGES:
        if stage in rates:
            rate = rate_number(rates[stage][0])
            read[stage] = {"rate": rate, "grade": grade if stage == latest and grade else settings.grade(rate)}
    if grade and latest not in read:
        read[latest] = {"rate": None, "grade": grade}
    add_evidence(read, sub.target, {stage: getattr(sub, stage) for stage in STAGES}, settings)
    sub.achievement = read


def read_labelled(sheet: SheetGrid, settings) -> tuple[Goal, str, int | None]:
    """Read a hand-made goal sheet by its labels and headings: (goal, 部局名, year)."""
    return _Reader(sheet, settings).read()
