"""The Excel face: one function per button, and worksheet functions, over a live workbook (xlwings).

Each button takes an optional ``book``: without it, the workbook that called RunPython
(``xw.Book.caller()``); with it, any xlwings Book (xlwings Server/Lite, tests). They read
the whole used range of each sheet in one call, run the same core as the CLI, and write
through ``io.live.XlwingsWriter``, which sends whole column blocks rather than single cells.

Each button imports the library inside its function: Excel imports this module on every click, and a
click should load only what its button runs (the roll-up's pandas only for 集計).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import tempfile
import traceback
from pathlib import Path

from . import layout as L
from .errors import EXCEL, XlsheetsError, speaking_to
from .io.grid import BookGrid
from .io.live import XlwingsWriter, book_grid

try:  # worksheet functions need xlwings' decorators; the rest works on any Book-like object
    import xlwings as xw
except ImportError:  # pragma: no cover - xlwings is a dependency
    xw = None

LOG_PATH = Path(os.environ.get("XLSHEETS_LOG", Path(tempfile.gettempdir()) / "xlsheets.log"))


class NotAGoalSheetHere(XlsheetsError):
    pass


# ---------------------------------------------------------------- the buttons


def _caller(book):
    if book is not None:
        return book
    if xw is None:  # pragma: no cover
        raise XlsheetsError("xlwings がインストールされていません。", "xlwings is not installed")
    return xw.Book.caller()


def button(fn):
    """Run a button: user problems become a Japanese message box, bugs go to the log with a pointer."""

    @functools.wraps(fn)
    def wrapper(book=None, *args, **kwargs):
        book = _caller(book)
        try:
            with speaking_to(EXCEL):  # a remedy in a message says what to do in Excel, not an option
                message = fn(book, *args, **kwargs)
        except XlsheetsError as e:
            _alert(book, e.ja, "xlsheets")
            return None
        except Exception as e:  # noqa: BLE001 - turned into a message, and logged in full
            _log_exception()
            where = "サーバーの記録" if str(LOG_PATH) == "-" else str(LOG_PATH)
            _alert(book, f"{excel_problem(e)}\n\n詳しい記録: {where}", "xlsheets エラー")
            return None
        if message:
            _alert(book, message, "xlsheets")
        return message

    return wrapper


def excel_problem(e: Exception) -> str:
    """What went wrong in words a user acts on (COM errors arrive as text on Windows)."""
    text = str(e)
    low = text.lower()
    if "rejected" in low or "0x80010001" in low or "-2147418111" in text:
        return "セルを編集中です。Enter キーで入力を確定してから、もう一度押してください。"
    if "read-only" in low or "読み取り専用" in text or "protected view" in low or "保護ビュー" in text:
        return "ブックが読み取り専用か保護ビューです。「編集を有効にする」を押すか、別名で保存してから実行してください。"
    if "protect" in low or "保護" in text:
        return "シートが保護されています。「校閲」→「シート保護の解除」をしてから、もう一度押してください。"
    return f"予期しないエラーが起きました（{type(e).__name__}: {text[:200]}）。"


def _log_exception() -> None:
    """Append the full traceback to the log file that the message box names ("-": the server's log)."""
    if str(LOG_PATH) == "-":
        import logging

        logging.getLogger("xlsheets").error("%s", traceback.format_exc())
        return
    try:
        with open(LOG_PATH, "a", encoding="utf-8") as fh:
            fh.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')}\n{traceback.format_exc()}\n")
    except OSError:  # pragma: no cover - no writable temp folder
        pass


def _alert(book, message: str, title: str) -> None:
    try:
        book.app.alert(message, title=title)
    except Exception:  # noqa: BLE001 - an engine without message boxes: the status bar, else nothing
        with contextlib.suppress(Exception):
            book.app.status_bar = message[:250]


def _status(book, text: str | None) -> None:
    with contextlib.suppress(Exception):  # the remote engine has no status bar
        book.app.status_bar = text if text else False


def _goal_sheets(book, grid: BookGrid) -> list[str]:
    """The active goal sheet, or every goal sheet when the cover or one of xlsheets' own sheets (検証結果) is
    active. Goal sheets are recognised as the CLI recognises them (``sheetkinds``)."""
    from .sheetkinds import COVER, GOAL, OWN, classify

    kinds = {k.name: k.kind for k in classify(grid)}
    goal = [name for name, kind in kinds.items() if kind == GOAL]
    if not goal:
        raise NotAGoalSheetHere(
            "このブックには重点目標管理シートがありません。重点目標のシートを開いてから押してください。",
            "no goal sheet in this workbook",
        )
    active = book.sheets.active.name
    if active in goal:
        return [active]
    if kinds.get(active) in (COVER, OWN) or active == L.COVER_SHEET:
        return goal
    raise NotAGoalSheetHere(
        f"「{active}」は重点目標管理シートではありません。重点目標のシートか表紙を選んでから押してください。",
        f"{active!r} is not a goal sheet",
    )


def _result(book, sheets: list[str] | None = None):
    """Read the live workbook (only the given sheets' goals)."""
    from .reading import read_book
    from .sheetkinds import goal_sheets

    grid = book_grid(book)
    chosen = _goal_sheets(book, grid) if sheets is None else sheets
    keep = BookGrid([g for g in grid.sheets if g.name in chosen or L.N_COVER_TITLE in g.names
                     or g.name == L.COVER_SHEET], grid.constants, grid.path)
    result = read_book(keep)
    if len(result.department.goals) < len(goal_sheets(grid)):
        result.cover = []  # one sheet of several: the cover's list is checked when all are
    return grid, result


@button
def validate_sheet(book=None, stage: str | None = None) -> str:
    """検証: mark every problem on its cell and list them on 検証結果."""
    from .marking import annotate
    from .settings import load_settings
    from .validation import validate

    grid, result = _result(book)
    report = validate(result, stage, load_settings(book=grid))
    writer = XlwingsWriter(book)
    annotate([report], writer, grid)
    writer.flush()
    s = report.summary()
    return f"検証しました: エラー {s['error']} 件、警告 {s['warning']} 件。「検証結果」シートに一覧があります。"


@button
def clear_findings(book=None) -> str:
    """注記クリア: remove exactly what 検証 added."""
    from .marking import clear

    writer = XlwingsWriter(book)
    n = clear(book_grid(book), writer)
    writer.flush()
    return f"検証の色とメモを取り除きました（{n} セル）。"


@button
def compute_achievement(book=None) -> str:
    """達成率計算: write 達成率（中間）/（期末）/判定 for every sub-item."""
    from .marking import write_achievement
    from .settings import load_settings

    grid, result = _result(book)
    writer = XlwingsWriter(book)
    done = write_achievement(result, writer, load_settings(book=grid))
    writer.flush()
    typed = f"、手入力の値を置き換えたセル {done.replaced} 件（元の値はセルのメモに）" if done.replaced else ""
    return f"達成率を計算しました（計算できた取組 {done.rated} 件{typed}）。"


def _beside(book, name: str) -> Path:
    full = getattr(book, "fullname", "") or ""
    if not full or full.startswith(("http://", "https://")) or not Path(full).parent.exists():
        raise XlsheetsError(
            "このブックの保存場所が分かりません（未保存か OneDrive/SharePoint 上です）。PCのフォルダに保存してから押してください。",
            "the workbook has no local folder",
        )
    return Path(full).parent / name


@button
def fill_sheets(book=None) -> str:
    """作成: make the official workbook from the 入力 sheet (one row per sub-item), beside this one."""
    from .filling import fill
    from .interchange import grid_records, long_table_to_dict

    sheet = next((s for s in book.sheets if s.name == L.INPUT_SHEET), None)
    if sheet is None:
        raise XlsheetsError(f"「{L.INPUT_SHEET}」シートがありません。", f"no {L.INPUT_SHEET} sheet")
    rows = sheet.used_range.options(ndim=2).value
    doc = long_table_to_dict(grid_records(rows))
    out = _beside(book, f"{doc['department'] or '部局'}_{doc['fiscal_year'] or ''}_重点目標管理シート.xlsx")
    report = fill(doc, out, overwrite=True)
    return f"作成しました: {report.path}（重点目標 {len(report.sheets)} 件）{_cut_lines(report)}"


@button
def new_year_book(book=None, to_year: int | None = None) -> str:
    """新年度作成: next year's workbook from this one, beside it."""
    from .carry import carry_forward, next_year
    from .filling import fill

    _grid, result = _result(book, sheets=[g.name for g in book_grid(book).sheets])
    dept = result.department
    year = next_year(dept, to_year)
    out = _beside(book, f"{dept.department}_{year}_重点目標管理シート.xlsx")
    report = fill(carry_forward(dept, year), out, overwrite=False)
    return f"新年度のシートを作成しました: {out}{_cut_lines(report)}"


def _cut_lines(report) -> str:
    """The cells whose text cannot print in full (fill's print_cuts), for a button's message."""
    return "".join(f"\n\n注意: {cut.message()}" for cut in report.print_cuts)


@button
def build_rollup(book=None) -> str:
    """集計: roll up every workbook in this workbook's folder into 集計.xlsx there."""
    from .summary.pipeline import rollup

    out = _beside(book, "集計_" + _dt.date.today().strftime("%Y%m%d") + ".xlsx")

    def progress(done: int, total: int) -> None:
        _status(book, f"xlsheets 集計中… {done}/{total}" if done >= 0 else "xlsheets 集計ブックを書き出し中…")

    try:
        res = rollup([out.parent], out, overwrite=True, progress=progress)
    finally:
        _status(book, None)
    dup = f"。同じ目標を持つ同じ部局・年度のブックがあります（要確認シートを参照）: {len(res.duplicates)} 組" if res.duplicates else ""
    from .summary.inputs import accounting

    cut = "".join(f"。{line}" for line in res.overflow_lines())
    return f"集計しました: {res.path}（取組 {res.rows} 件。{accounting(res.read, len(res.errors), res.skipped)}）{dup}{cut}"


@button
def rollup_sheet(book=None) -> str:
    """集計 (server face): a 集計 sheet in this workbook listing every sub-item with its rates."""
    from .summary.columns import LISTING
    from .summary.extraction import records_from_book

    rec = records_from_book(book_grid(book), book.name)
    columns = [c for c in LISTING.sheet_fields if c != "ファイル"]  # the sheet is in this workbook
    rows = [columns] + [[r[c] for c in columns] for r in rec["rows"]]
    writer = XlwingsWriter(book)
    writer.write_sheet(L.LIVE_ROLLUP_SHEET, rows, mark=L.N_OWN_SHEET)
    return f"「{L.LIVE_ROLLUP_SHEET}」シートを作りました（取組 {len(rec['rows'])} 件、指摘 {len(rec['findings'])} 件）。"


@button
def carry_forward_sheet(book=None, to_year: int | None = None) -> str:
    """新年度作成 (server face): a 新年度入力 sheet (one row per sub-item, reports empty) in this workbook.

    The desktop 作成 button or `xlsheets fill` turns it into the official sheets.
    """
    from .carry import carry_forward, next_year
    from .interchange import department_to_long_records
    from .reading import read_book

    dept = read_book(book_grid(book)).department
    year = next_year(dept, to_year)
    records = department_to_long_records(carry_forward(dept, year))
    rows = [list(records[0])] + [list(r.values()) for r in records] if records else [["（取組がありません）"]]
    XlwingsWriter(book).write_sheet(L.NEW_YEAR_SHEET, rows, mark=L.N_OWN_SHEET)
    return f"「{L.NEW_YEAR_SHEET}」シートを作りました（{year}年度、{len(records)} 行）。作成ボタンで正式なシートにできます。"


# ---------------------------------------------------------------- worksheet functions


def _udf(fn):
    if xw is None:  # pragma: no cover
        return fn
    return xw.func(fn)


@_udf
def XS_TARGET(text):  # noqa: N802 - Excel function names are upper case
    """=XS_TARGET(数値目標) → the level it states ("40 人 以上"), or a short note."""
    from .grammar import parse_target

    t = parse_target(str(text or ""))
    if t is None:
        return "数値目標なし"
    words = {">=": "以上", ">": "超", "<=": "以下", "<": "未満"}
    parts = [f"{_num(c.value)}{c.unit}" for c in t.components]
    return f"{'・'.join(parts)} {words[t.comparator]}"


@_udf
def XS_RATE(target_text, result_text):  # noqa: N802
    """=XS_RATE(数値目標, 報告) → 達成率 (a number), or "" when it cannot be computed."""
    from .rates import achievement

    a = achievement(str(target_text or ""), str(result_text or ""))
    return a.rate if a.rate is not None else ""


@_udf
def XS_GRADE(rate):  # noqa: N802
    """=XS_GRADE(達成率) → ◎ ○ △ × (－ when blank)."""
    from .settings import DEFAULT_SETTINGS

    try:
        value = None if rate in (None, "") else int(float(rate))
    except (TypeError, ValueError):
        return "－"
    return DEFAULT_SETTINGS.grade(value)


def _num(v: float) -> str:
    """8000000.0 → '8,000,000'; 98.5 → '98.5' (as amounts are written on the form)."""
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.10g}"


__all__ = [
    "XS_GRADE", "XS_RATE", "XS_TARGET", "build_rollup", "new_year_book",
    "carry_forward_sheet", "clear_findings", "compute_achievement", "fill_sheets", "rollup_sheet", "validate_sheet",
]
