"""File operations shared by the CLI (and by anyone scripting xlsheets): one function per command.

Each reads through calamine, decides in the core, writes through the openpyxl writer and
saves through saving.save_workbook (atomic; in place only when asked, and only losslessly).
The calamine read comes first on purpose: it is the cheap gate (package checks, used-range
cap) that refuses a hostile file before openpyxl would spend minutes or gigabytes on it.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RollupWorkbook, XlsheetsError, remedy
from .filling import fill_workbook
from .findings import Report
from .io import phonetics
from .io.grid import BookGrid
from .io.inspection import check_spreadsheet, misnamed
from .io.loading import book_from_openpyxl, load_book
from .io.locking import edit_lock
from .io.saving import check_output, open_for_edit, refuse_lossy, save_workbook
from .io.sheetops import print_cuts
from .io.writers import OpenpyxlWriter
from .layout import RESULTS_SHEET
from .marking import annotate, clear, write_achievement
from .reading import read_book
from .settings import Settings, load_settings
from .summary.inputs import SKIP_ROLLUP
from .validation import validate


@dataclass
class WriteResult:
    path: Path
    count: int = 0
    notes: list[str] = field(default_factory=list)
    replaced: int = 0  # achieve: typed 達成率/判定 values replaced by the computed ones


def _target(path: Path, out: Path | None, in_place: bool, overwrite: bool) -> Path:
    """Where the edited workbook goes, checked before any work: an output of the input's kind
    (.xlsx stays .xlsx, .xlsm keeps its macros in an .xlsm); in place only when nothing is lost
    and the workbook is not read-only."""
    if in_place and out:
        raise XlsheetsError(*_sentence(remedy("not_both")))
    if not in_place and not out:
        raise XlsheetsError(*_sentence(remedy("out_or_in_place")))
    path = Path(path)
    kind = check_spreadsheet(path)[0]
    if in_place and kind != "xlsx":
        ja, en = remedy("convert_output")
        raise XlsheetsError(f"{path.name} は .{kind} 形式のため、上書きできません（書き込みは .xlsx だけです）。{ja}。",
                            f"cannot write into a .{kind} file: {en}")
    if in_place and misnamed(path, kind):
        ja, en = remedy("other_output")
        raise XlsheetsError(f"{path.name} の中身は .xlsx 形式で、名前（{path.suffix}）と違うため上書きしません。{ja}。",
                            f"{path.name} holds an .xlsx under another name: not overwritten; {en}")
    target = path if in_place else Path(out)
    # an .xlsx/.xlsm stays what it is (by its bytes, whatever its name says); an .xls/.xlsb/.ods becomes an .xlsx
    check_output(target, overwrite or in_place, (_xlsx_suffix(path),) if kind == "xlsx" else (".xlsx",))
    if in_place:
        refuse_lossy(path)
    return target


def _reading(path: Path, in_place: bool):
    """In place: hold the file's locks from reading it to replacing it, and yield what it was when read
    (save_workbook replaces it only if it still is). Else nothing to hold."""
    return edit_lock(path) if in_place else nullcontext(None)


def _sentence(words: tuple[str, str]) -> tuple[str, str]:
    return words[0] + "。", words[1]


def _xlsx_suffix(path: Path) -> str:
    """.xlsm for a workbook holding macros, else .xlsx (its name may say neither)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return path.suffix.lower()
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return ".xlsm" if "xl/vbaProject.bin" in zf.namelist() else ".xlsx"


def _for_edit(path: Path, notes: list[str]) -> tuple[BookGrid, object, object]:
    """(grids, openpyxl workbook, what save_workbook saves) to write into: the file itself (its ふりがな put
    back after openpyxl saves), or, for an .xls/.xlsb/.ods, the official template of its year filled with
    what was read (said in notes)."""
    book = load_book(path)
    if book.kind == "xlsx":
        wb = open_for_edit(path)
        return book, wb, _keeping_phonetics(wb, path)

    wb = fill_workbook(read_book(book).department)
    notes.append(converted_note(path, book.kind))
    return book_from_openpyxl(wb), wb, wb


def _keeping_phonetics(wb, src: Path):
    """wb, or a writer that saves wb and puts the ふりがな of src back (openpyxl drops them)."""
    if not phonetics.has_phonetics(src):
        return wb

    def write(tmp: Path) -> None:
        wb.save(tmp)
        phonetics.restore(src, tmp)

    return write


def print_cut_notes(wb) -> list[str]:
    """A note for each cell of a printed sheet whose text cannot print in full (xlsheets' own sheets aside)."""
    return [cut.message() for ws in wb.worksheets if ws.sheet_state == "visible" and ws.title != RESULTS_SHEET
            for cut in print_cuts(ws)]


def converted_note(path: Path, kind: str) -> str:
    return (f"{path.name}（.{kind}）を読み取り、公式様式の .xlsx に変換しました（元のファイルはそのままです。"
            f"converted into the official template）")


def achieve_file(path: Path, out: Path | None = None, *, in_place: bool = False, settings: Settings | None = None,
                 overwrite: bool = False, backup: bool = True) -> WriteResult:
    """Write 達成率（中間）/（期末）/判定 for every sub-item of a workbook."""
    target = _target(path, out, in_place, overwrite)
    with _reading(path, in_place) as before:
        notes: list[str] = []
        book, wb, save = _for_edit(path, notes)
        result = read_book(book)
        notes += result.said_once()
        done = write_achievement(result, OpenpyxlWriter(wb), settings or load_settings(book=book))
        notes += print_cut_notes(wb)
        saved = save_workbook(save, target, overwrite=overwrite or in_place, backup=backup, expect=before)
    return WriteResult(saved, done.rated, notes, done.replaced)


def validate_files(paths: list[Path], stage: str | None = None, settings: Settings | None = None,
                   progress=None, skipped: dict[str, int] | None = None) -> tuple[list[Report], list[tuple[Path, str]]]:
    """Validate many workbooks: (reports, [(path, why it could not be read)]).

    progress(done, total) is called after each file. An xlsheets roll-up among them is counted in
    skipped (rule → files), when given, instead of failing.
    """
    reports, failed = [], []
    for k, p in enumerate(paths, start=1):
        if progress:
            progress(k - 1, len(paths))
        try:
            book = load_book(p)
            result = read_book(book)
        except RollupWorkbook as e:
            if skipped is None:
                failed.append((p, f"{e.ja} ({e.en})"))
            else:
                skipped[SKIP_ROLLUP] = skipped.get(SKIP_ROLLUP, 0) + 1
            continue
        except XlsheetsError as e:
            failed.append((p, f"{e.ja} ({e.en})" if e.en else e.ja))
            continue
        result.path = str(p)
        reports.append(validate(result, stage, settings or load_settings(book=book)))
    return reports, failed


def annotate_file(path: Path, out: Path | None = None, *, in_place: bool = False, stage: str | None = None,
                  overwrite: bool = False, backup: bool = True) -> tuple[WriteResult, Report]:
    """Mark findings on their cells and add the 検証結果 sheet."""
    target = _target(path, out, in_place, overwrite)
    with _reading(path, in_place) as before:
        notes: list[str] = []
        book, wb, save = _for_edit(path, notes)
        result = read_book(book)
        result.path = str(path)
        notes += result.notes  # (a misnamed file is said by the report: file-misnamed)
        report = validate(result, stage, load_settings(book=book))
        n = annotate([report], OpenpyxlWriter(wb), book)
        notes += print_cut_notes(wb)
        saved = save_workbook(save, target, overwrite=overwrite or in_place, backup=backup, expect=before)
    return WriteResult(saved, n, notes), report


def clear_file(path: Path, out: Path | None = None, *, in_place: bool = False, overwrite: bool = False,
               backup: bool = True) -> WriteResult:
    """Remove what annotate added, nothing else."""
    target = _target(path, out, in_place, overwrite)
    with _reading(path, in_place) as before:
        notes: list[str] = []
        book, wb, save = _for_edit(path, notes)
        n = clear(book, OpenpyxlWriter(wb))
        return WriteResult(save_workbook(save, target, overwrite=overwrite or in_place, backup=backup, expect=before),
                           n, notes)


def convert_file(path: Path, out: Path, *, overwrite: bool = False) -> WriteResult:
    """Any readable workbook (.xls/.xlsb/.ods, or an old hand-made layout) into the official template
    of its year, as .xlsx."""
    _target(path, out, False, overwrite)
    book = load_book(path)
    result = read_book(book)
    dept = result.department
    wb = fill_workbook(dept)
    notes = [*result.said_once(), converted_note(path, book.kind), *print_cut_notes(wb)]
    return WriteResult(save_workbook(wb, out, overwrite=overwrite), len(dept.goals), notes)
