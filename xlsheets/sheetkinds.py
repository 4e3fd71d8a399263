"""What each sheet of a workbook is: a goal sheet, the cover, one of xlsheets' own, or something else.

A sheet is read as a goal only when it carries the form's signature: the template's names
(``xs_title`` and ``xs_items``), or by its labels a 重点目標 field together with 部局名 or 優先順位
above a table whose header row holds 数値目標 and a report column (中間報告 / 期末報告), with at
least one item row under it. xlsheets' own sheets (検証結果, 新年度入力, 入力, 操作, xlsheets設定,
集計 …, see ``layout.OWN_SHEETS``, and any sheet carrying ``layout.N_OWN_SHEET``) are never goals.
A sheet that half-matches is skipped with the reason (validation's ``sheet-skipped``), never read
as a phantom goal.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import layout as L
from .io.grid import BookGrid, SheetGrid
from .model import STAGES

GOAL, COVER, OWN, SKIPPED, OTHER = "goal", "cover", "own", "skipped", "other"
REPORT_ROLES = STAGES  # a report column: 中間報告 or 期末報告
_SCAN_ROWS = 400  # the form's labels and its table header are near the top


@dataclass(frozen=True)
class SheetKind:
    name: str
    kind: str  # GOAL, COVER, OWN, SKIPPED or OTHER
    reason: str = ""  # SKIPPED: what the sheet lacks of the form, in Japanese


@dataclass(frozen=True)
class Signature:
    """What of the form a sheet shows by its labels."""

    title: tuple[int, int] | None  # the 重点目標 label above the table
    heading: tuple[int, int] | None  # the 部局名 or 優先順位 label above the table
    header_row: int  # the table's header row (数値目標 and a report column), 0: none
    target_row: int  # a row holding a 数値目標 heading, 0: none
    item_rows: int  # rows with text under the table's headings

    @property
    def complete(self) -> bool:
        return bool(self.title and self.heading and self.header_row and self.item_rows)

    @property
    def partial(self) -> bool:
        return bool(self.target_row or (self.title and self.heading))

    def missing(self) -> str:
        """What the form needs and this sheet lacks, in Japanese."""
        lacks = [what for ok, what in ((self.title, "「重点目標」の欄"), (self.heading, "「部局名」か「優先順位」の欄"),
                                        (self.header_row, "「数値目標」と報告（中間報告・期末報告）の見出しの行"))
                 if not ok]
        if self.header_row and not self.item_rows:
            lacks.append("取組の行")
        return "、".join(lacks)


def is_own_sheet(sheet: SheetGrid) -> bool:
    """One of the sheets xlsheets writes (by its mark, or by name wherever the workbook came from)."""
    return L.N_OWN_SHEET in sheet.constants or sheet.name in L.OWN_SHEETS


def is_named_goal(sheet: SheetGrid) -> bool:
    return L.N_TITLE in sheet.names and L.N_BODY in sheet.names


def header_rows(sheet: SheetGrid) -> dict[int, dict[str, int]]:
    """Rows holding table headings: row → {role: first column} (the first heading of each role)."""
    rows: dict[int, dict[str, int]] = {}
    for r, c, v in sheet.cells():
        if r > _SCAN_ROWS:
            break
        role = L.match_column(v) if isinstance(v, str) else None
        if role:
            rows.setdefault(r, {}).setdefault(role, c)
    return rows


def table_header_row(rows: dict[int, dict[str, int]]) -> int:
    """The first row with a 数値目標 heading and a report heading (0: none)."""
    return next((r for r in sorted(rows) if "target" in rows[r] and any(k in rows[r] for k in REPORT_ROLES)), 0)


def signature(sheet: SheetGrid) -> Signature:
    heads = header_rows(sheet)
    header = table_header_row(heads)
    target_row = next((r for r in sorted(heads) if "target" in heads[r]), 0)
    above = header or _SCAN_ROWS + 1
    title = heading = None
    for r, c, v in sheet.cells():
        if r >= above:
            break
        key = label_key(v)
        if key == "title" and title is None:
            title = (r, c)
        elif key in ("department", "priority") and heading is None:
            heading = (r, c)
    return Signature(title, heading, header, target_row, _item_rows(sheet, header, heads.get(header, {})))


def label_key(v: object) -> str | None:
    """The field a label cell names: 「重点目標」, or 「部局名：福祉部」 with its value in the same cell."""
    if not isinstance(v, str):
        return None
    key = L.match_label(v)
    if key is None:
        m = L.LABEL_VALUE.match(v)
        key = L.match_label(m.group(1)) if m else None
    return key


def _item_rows(sheet: SheetGrid, header: int, roles: dict[str, int]) -> int:
    """How many rows under the header row hold text in the table's report, target or method columns."""
    if not header:
        return 0
    cols = [c for role, c in roles.items() if role in ("target", "midterm", "final", "method", "item_method", "period")]
    n = 0
    for r in range(header + 1, min(sheet.max_row, header + _SCAN_ROWS) + 1):
        if any(sheet.text(r, c).strip() for c in cols):
            if any(label_key(sheet.value(r, c)) == "notes" for c in range(1, sheet.max_col + 1)):
                break
            n += 1
    return n


def classify(book: BookGrid) -> list[SheetKind]:
    """The kind of every sheet of a workbook, in its order."""
    out = []
    for sheet in book.sheets:
        if is_own_sheet(sheet):
            out.append(SheetKind(sheet.name, OWN))
        elif is_named_goal(sheet):
            out.append(SheetKind(sheet.name, GOAL))
        elif L.N_COVER_TITLE in sheet.names:
            out.append(SheetKind(sheet.name, COVER))
        else:
            out.append(_by_labels(sheet))
    return out


def _by_labels(sheet: SheetGrid) -> SheetKind:
    sig = signature(sheet)
    if sig.complete:
        return SheetKind(sheet.name, GOAL)
    if looks_like_cover(sheet):
        return SheetKind(sheet.name, COVER)
    if sig.partial:
        return SheetKind(sheet.name, SKIPPED, f"重点目標管理シートの形ではないため読みませんでした（{sig.missing()}がありません）")
    return SheetKind(sheet.name, OTHER)


def looks_like_cover(sheet: SheetGrid) -> bool:
    """A hand-made cover: a title naming 重点目標 and a 年度 (「令和6年度 重点目標」)."""
    for r, _c, v in sheet.cells():
        if r > _SCAN_ROWS:
            break
        if isinstance(v, str) and "重点目標" in v and "年度" in v and L.match_label(v) != "sheet_title":
            return True
    return False


def goal_sheets(book: BookGrid) -> list[str]:
    """The names of the goal sheets of a workbook."""
    return [k.name for k in classify(book) if k.kind == GOAL]
