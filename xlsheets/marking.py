"""What xlsheets writes into a workbook: achievement columns, finding marks, and their removal.

Each function takes what was read (a ReadResult) and a writer (``grid.CellWriter``:
openpyxl for files, xlwings for a live workbook), so every face writes the same thing.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import layout as L
from .errors import XlsheetsError
from .findings import ERROR, FIELD_JA, INFO, SEVERITY_JA, WARNING, Report
from .io.grid import UNKNOWN_NOTE, BookGrid, col_index
from .io.textwidth import display_width
from .layout import MARKS_SHEET, RATE_FORMAT, RESULTS_SHEET
from .model import STAGES, Goal, SubItem, Typed, circled, paren
from .rates import (
    AMBIGUOUS,
    MEASURE_MISMATCH,
    NO_RESULT,
    UNIT_MISMATCH,
    Achievement,
    Rates,
    StageRates,
    compute_rates,
    latest,
)
from .reading import ReadResult, read_book
from .settings import DEFAULT_SETTINGS, Settings

# finding marks (red, orange, lavender) are distinct from the grade fills (green, blue, yellow, pink),
# and the 検証結果 sheet says which is which
SEVERITY_FILL = {ERROR: "FF8B8B", WARNING: "F8CBAD", INFO: "E4DFEC"}
GRADE_FILLS = ("C6EFCE", "DDEBF7", "FFEB9C")  # the bands from the highest down
BELOW_FILL = "FFC7CE"
RESULTS_HEADER_ROW = 4  # below the colour legend
# 検証結果's columns: (heading, narrowest, widest) in Excel width units; wider text wraps
RESULTS_COLUMNS = (("重大度", 6, 8), ("コード", 10, 20), ("シート", 10, 20), ("セル", 5, 6), ("重点目標", 9, 9),
                   ("取組項目", 9, 9), ("番号", 5, 6), ("欄", 6, 12), ("内容", 50, 50))
# the page the columns share, in width units: A4 landscape with the default margins holds about 130 at
# 100 %; fitted to its width, 150 prints at about 87 % (11 pt text at about 9.5 pt)
RESULTS_PAGE_WIDTH = 150
NOTE_PREFIX = "[xlsheets] "


def grade_fill(grade: str, settings: Settings) -> str | None:
    symbols = [s for _m, s in sorted(settings.bands, reverse=True)]
    if grade in symbols:
        return GRADE_FILLS[min(symbols.index(grade), len(GRADE_FILLS) - 1)]
    if grade == settings.below:
        return BELOW_FILL
    return None


# ---------------------------------------------------------------- achievement columns


class Written(NamedTuple):
    """What write_achievement did: sub-items rated, and typed 達成率/判定 values it replaced."""

    rated: int
    replaced: int


def write_achievement(result: ReadResult, writer, settings: Settings = DEFAULT_SETTINGS) -> Written:
    """Fill 達成率（中間）, 達成率（期末） and 判定 for every sub-item.

    Sheets made from the template have the columns; older sheets get them appended to the
    right of the table. A value typed into one of those cells that differs from the computed one
    is replaced, counted, and kept in the cell's evidence note (「手入力の 50% を 106% に置き換え」).
    """
    rates = compute_rates(result.department, settings)
    done = [_write_goal_rates(goal, rates, writer, settings) for goal in result.department.goals]
    return Written(sum(d.rated for d in done), sum(d.replaced for d in done))


def _write_goal_rates(goal: Goal, rates: Rates, writer, settings: Settings) -> Written:
    """The 達成率 columns of one goal sheet."""
    src = goal.sheet
    cols = dict(src.columns)
    if not all(k in cols for k in ("rate_midterm", "rate_final", "grade")):
        right = max([*cols.values(), src.right]) if cols else 1  # after every column the table's rows use
        for k, role in enumerate(("rate_midterm", "rate_final", "grade")):
            cols.setdefault(role, right + 1 + k)
            writer.set_value(src.name, src.header_row, cols[role], L.HEADER_TAIL[role])
    per_row: dict[int, list[tuple[SubItem, StageRates]]] = {}
    rated = replaced = 0
    for _item, sub in goal.subitems():
        ach = rates[sub]
        per_row.setdefault(sub.cells.method[0], []).append((sub, ach))
        rated += any(a.rate is not None for a in ach.values())
    for r, entries in per_row.items():
        if len(entries) == 1 or not src.legacy:
            replaced += _write_row(src.name, r, cols, entries[0], writer, settings)
        else:  # an old sheet: several sub-items in one row, one line each
            replaced += _write_shared_row(src.name, r, cols, entries, writer)
    return Written(rated, replaced)


def _replacing(old: tuple[float, str] | None, new: int | None) -> str:
    """The note line for a typed 達成率 the computed one replaces ('' when they agree or none was typed)."""
    if old is None or old[0] == new:
        return ""
    return f"手入力の {old[1]} を {new}% に置き換え" if new is not None else f"手入力の {old[1]} を消去（達成率なし）"


def _replacing_grade(old: str, new: str) -> str:
    return f"手入力の判定 {old} を {new} に置き換え" if old and old != new else ""


def _changes(sub: SubItem, ach: StageRates, stage: str) -> list[str]:
    """What writing a stage's 達成率 (and, on the latest stage, the 判定) replaces of what was typed."""
    typed = sub.typed or Typed()
    said = [_replacing(typed.rates.get(stage), ach[stage].rate)]
    if latest(ach) is ach[stage]:
        said.append(_replacing_grade(typed.grade, latest(ach).grade))
    return [x for x in said if x]


def _write_row(sheet: str, r: int, cols: dict[str, int], entry: tuple[SubItem, StageRates], writer,
               settings: Settings) -> int:
    """One sub-item's row; returns how many typed values it replaced."""
    sub, ach = entry
    replaced = 0
    for stage in STAGES:
        changes = _changes(sub, ach, stage)
        replaced += len(changes)
        writer.set_value(sheet, r, cols[f"rate_{stage}"], ach[stage].rate, RATE_FORMAT)
        _evidence_note(writer, sheet, r, cols[f"rate_{stage}"], [_note_line(ach[stage]), *changes])
    grade = latest(ach).grade
    writer.set_value(sheet, r, cols["grade"], grade)
    writer.set_fill(sheet, r, cols["grade"], grade_fill(grade, settings))
    return replaced


def _write_shared_row(sheet: str, r: int, cols: dict[str, int], entries: list[tuple[SubItem, StageRates]],
                      writer) -> int:
    """Several sub-items in one row (an old sheet): one line each; returns how many typed values it replaced."""
    replaced = 0
    for stage in STAGES:
        lines = [f"{paren(s.no)} {a[stage].rate}%" for s, a in entries if a[stage].rate is not None]
        writer.set_value(sheet, r, cols[f"rate_{stage}"], "\n".join(lines) or None)
        notes = []
        for s, a in entries:
            changes = _changes(s, a, stage)
            replaced += len(changes)
            said = "。".join(x for x in (_note_line(a[stage]), *changes) if x)
            notes.append(f"{paren(s.no)} {said}" if said else "")
        _evidence_note(writer, sheet, r, cols[f"rate_{stage}"], notes)
    grades = [f"{paren(s.no)} {latest(a).grade}" for s, a in entries]
    writer.set_value(sheet, r, cols["grade"], "\n".join(grades))
    return replaced


def _note_line(ach: Achievement) -> str:
    """The evidence behind a 達成率, or why there is none ('' when there is nothing to compare)."""
    if ach.rate is not None:
        return f"根拠: {ach.evidence}"
    if ach.status == AMBIGUOUS:
        return f"達成率なし: {ach.evidence}。実績を1つの数値（「計○件」など）で記入してください"
    if ach.status in (NO_RESULT, UNIT_MISMATCH, MEASURE_MISMATCH):
        return f"達成率なし: {ach.reason}"
    return ""


def _evidence_note(writer, sheet: str, r: int, c: int, lines: list[str]) -> None:
    """Put xlsheets' evidence lines on a 達成率 cell, keeping a user's own note."""
    current = writer.get_note(sheet, r, c)
    if current == UNKNOWN_NOTE:  # a note this engine cannot read: left alone
        return
    ours = "\n".join(f"{NOTE_PREFIX}{line}" for line in lines if line)
    text = "\n\n".join(t for t in (_strip_ours(current), ours) if t)
    if text != (current or ""):
        writer.set_note(sheet, r, c, text or None)


def _rate_cells(book: BookGrid) -> list[tuple[str, int, int]]:
    """The 達成率 cells of every goal sheet (none when the workbook is not a 重点目標管理シート)."""
    try:
        result = read_book(book)
    except XlsheetsError:
        return []
    cells = []
    for goal in result.department.goals:
        src = goal.sheet
        cols = [src.columns[k] for k in ("rate_midterm", "rate_final") if k in src.columns]
        rows = sorted({sub.cells.method[0] for _item, sub in goal.subitems() if sub.cells and sub.cells.method})
        cells += [(src.name, r, c) for r in rows for c in cols]
    return cells


# ---------------------------------------------------------------- finding marks


def _parse_a1(cell: str) -> tuple[int, int]:
    letters = "".join(ch for ch in cell if ch.isalpha())
    return int(cell[len(letters):]), col_index(letters)


def annotate(reports: list[Report], writer, book: BookGrid | None = None) -> int:
    """Mark every finding on its cell (fill by severity + a note) and list them on 検証結果.

    Marks from an earlier run are removed first, so annotating twice gives the same file.
    Returns the number of cells marked.
    """
    if book is not None:
        _clear_marks(book, writer)
    per_cell: dict[tuple[str, str], list] = {}
    for rep in reports:
        for f in rep.findings:
            if f.cell:
                per_cell.setdefault((f.sheet, f.cell), []).append(f)
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    marks = [["sheet", "cell", "fill", "note", "mark"]]
    colours: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for (sheet, cell), findings in per_cell.items():
        r, c = _parse_a1(cell)
        colour = SEVERITY_FILL[min(findings, key=lambda f: order[f.severity]).severity]
        original_note = writer.get_note(sheet, r, c)
        marks.append([sheet, cell, writer.get_fill(sheet, r, c), original_note, colour])
        writer.set_fill(sheet, r, c, colour)  # the cell's own fill too: what a viewer without conditional formats shows
        colours.setdefault((sheet, colour), []).append((r, c))
        text = "\n".join(f"{NOTE_PREFIX}{f.message}" for f in findings)
        if original_note != UNKNOWN_NOTE:  # a user's note this engine cannot read is left alone
            writer.set_note(sheet, r, c, (original_note + "\n\n" + text) if original_note else text)
    for (sheet, colour), cells in colours.items():  # before the template's live checks, which would hide it
        for rows, col in column_runs(cells):
            writer.mark(sheet, rows, col, colour)
    rows, legend_fills = _legend()
    links = results_table(reports, rows, lambda f: f"#'{f.sheet}'!{f.cell}")
    writer.write_sheet(RESULTS_SHEET, rows, links=links, widths=results_widths(rows[RESULTS_HEADER_ROW - 1:]),
                       header_row=RESULTS_HEADER_ROW, landscape=True, mark=L.N_OWN_SHEET)
    for (r, c), colour in legend_fills.items():
        writer.set_fill(RESULTS_SHEET, r, c, colour)
    writer.write_sheet(MARKS_SHEET, marks, hidden=True, mark=L.N_OWN_SHEET)
    return len(per_cell)


def column_runs(cells: list[tuple[int, int]]) -> list[tuple[tuple[int, int], int]]:
    """((first row, last row), column) for each run of consecutive rows in a column: one mark each,
    the same on every face, so that any face removes what another added."""
    runs: list[tuple[tuple[int, int], int]] = []
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][1] == c and runs[-1][0][1] == r - 1:
            runs[-1] = ((runs[-1][0][0], r), c)
        else:
            runs.append(((r, r), c))
    return runs


def results_table(reports: list[Report], rows: list[list[Any]], link) -> dict[tuple[int, int], Any]:
    """The 検証結果 table appended to rows (its header, then a finding a row); returns the links of
    its セル column, (row, column) → link(finding), 1-based, for the findings that name a cell."""
    rows.append([title for title, _lo, _hi in RESULTS_COLUMNS])
    links = {}
    for rep in reports:
        for f in rep.findings:
            rows.append(_result_row(f))
            if f.cell:
                links[(len(rows), 4)] = link(f)
    return links


def _result_row(f) -> list[Any]:
    """One line of 検証結果: the finding where a person looks for it (① (1) 数値目標), not its keys."""
    loc = f.location
    item, sub, fld = loc.get("item"), loc.get("subitem"), loc.get("field")
    return [SEVERITY_JA[f.severity], f.code, f.sheet, f.cell, loc.get("goal"), None if item is None else circled(item),
            None if sub is None else paren(sub), FIELD_JA.get(fld, fld) if fld else None, f.message]


def results_widths(table: list[list[Any]]) -> list[float]:
    """Each column as wide as its longest text (within its bounds; longer text wraps), and 内容 (the last)
    what is left of the page, so that fitting the page to its width shrinks the print little."""
    widths = []
    for k, (_title, lo, hi) in enumerate(RESULTS_COLUMNS):
        need = max(display_width(str(row[k])) for row in table if len(row) > k and row[k] is not None) + 2
        widths.append(float(min(hi, max(lo, need))))
    widths[-1] = max(widths[-1], RESULTS_PAGE_WIDTH - sum(widths[:-1]))
    return widths


def _legend() -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    """The rows above the 検証結果 table that say which colour is which, and their fills."""
    grades = [s for _m, s in DEFAULT_SETTINGS.bands] + [DEFAULT_SETTINGS.below]
    grade_fills = [*GRADE_FILLS, BELOW_FILL]
    rows: list[list[Any]] = [
        ["指摘の色", *SEVERITY_JA.values(), None, None, None, None, "検証で指摘したセルの色（内容はセルのメモとこの表）"],
        ["判定の色", *grades, None, None, None, "達成率計算で付く判定（◎○△×）の色。指摘の色とは別です"],
        [None] * 9,
    ]
    fills = {(1, 2 + k): SEVERITY_FILL[s] for k, s in enumerate(SEVERITY_JA)}
    fills |= {(2, 2 + k): colour for k, colour in enumerate(grade_fills)}
    return rows, fills


def clear(book: BookGrid, writer) -> int:
    """Remove exactly what xlsheets added: the finding marks and sheets, and the evidence notes on 達成率."""
    return _clear_marks(book, writer) + _clear_rate_notes(book, writer)


def _clear_rate_notes(book: BookGrid, writer) -> int:
    """Take xlsheets' lines out of the notes on 達成率 cells; a user's own note stays."""
    cleared = 0
    for sheet, r, c in _rate_cells(book):
        current = writer.get_note(sheet, r, c)
        if current and current != UNKNOWN_NOTE and _strip_ours(current) != current:
            writer.set_note(sheet, r, c, _strip_ours(current) or None)
            cleared += 1
    return cleared


def _clear_marks(book: BookGrid, writer) -> int:
    """Remove exactly what annotate added: restore fills and notes, drop its two sheets."""
    marks = next((s for s in book.sheets if s.name == MARKS_SHEET), None)
    restored = 0
    colours: dict[tuple[str, str], list[tuple[int, int]]] = {}
    if marks is not None:
        for row in marks.rows[1:]:
            if len(row) < 2 or not row[0]:
                continue
            sheet, cell = str(row[0]), str(row[1])
            fill = str(row[2]) if len(row) > 2 and row[2] else ""
            note = str(row[3]) if len(row) > 3 and row[3] else ""
            if not any(s.name == sheet for s in book.sheets):
                continue
            r, c = _parse_a1(cell)
            if len(row) > 4 and row[4]:  # marks written before conditional formats have no colour here
                colours.setdefault((sheet, str(row[4])), []).append((r, c))
            writer.set_fill(sheet, r, c, fill or None)
            if note == UNKNOWN_NOTE:
                continue  # annotate did not touch that note
            current = writer.get_note(sheet, r, c)
            if current == UNKNOWN_NOTE:  # ours, unreadable here: it held only our text unless a note was there
                writer.set_note(sheet, r, c, note or None)
            else:
                writer.set_note(sheet, r, c, note if note else (_strip_ours(current) or None))
            restored += 1
    for (sheet, colour), cells in colours.items():
        for rows, col in column_runs(cells):
            writer.unmark(sheet, rows, col, colour)
    writer.delete_sheet(MARKS_SHEET)
    writer.delete_sheet(RESULTS_SHEET)
    return restored


def _strip_ours(text: str) -> str:
    return "\n".join(line for line in (text or "").split("\n") if not line.startswith(NOTE_PREFIX)).strip()


__all__ = ["annotate", "clear", "write_achievement"]
