"""File operations shared by the CLI (and by anyone scripting xlsheets): one function per command.

Each reads through calamine, decides in the core, writes through the openpyxl writer and
saves through saving.save_workbook (atomic; in place only when asked, and only losslessly).
The calamine read comes first on purpose: it is the cheap gate (package checks, used-range
cap) that refuses a hostile file before openpyxl would spend minutes or gigabytes on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import XlsheetsError
from .marking import annotate, clear, write_achievement
from .rates import Settings, load_settings
from .reading import load_book, read_book
from .saving import check_output, check_package, open_for_edit, refuse_lossy, save_workbook
from .validation import Report, validate
from .writers import OpenpyxlWriter


@dataclass
class WriteResult:
    path: Path
    count: int = 0
    notes: list[str] = field(default_factory=list)


def _target(path: Path, out: Path | None, in_place: bool, overwrite: bool) -> Path:
    """Where the edited workbook goes, checked before any work: an output of the input's kind
    (.xlsx stays .xlsx, .xlsm keeps its macros in an .xlsm); in place only when nothing is lost
    and the workbook is not read-only."""
    if in_place and out:
        raise XlsheetsError("-o と --in-place は同時に指定できません。", "use either -o or --in-place")
    if not in_place and not out:
        raise XlsheetsError("出力先を -o で指定するか、--in-place で上書きしてください。", "give -o OUT or --in-place")
    path = Path(path)
    check_package(path)
    target = path if in_place else Path(out)
    check_output(target, overwrite or in_place, (path.suffix.lower(),))
    if in_place:
        refuse_lossy(path)
    return target


def achieve_file(path: Path, out: Path | None = None, *, in_place: bool = False, settings: Settings | None = None,
                 overwrite: bool = False, backup: bool = True) -> WriteResult:
    """Write 達成率（中間）/（期末）/判定 for every sub-item of a workbook."""
    target = _target(path, out, in_place, overwrite)
    book = load_book(path)
    result = read_book(book)
    wb = open_for_edit(path)
    n = write_achievement(result, OpenpyxlWriter(wb), settings or load_settings(book=book))
    return WriteResult(save_workbook(wb, target, overwrite=overwrite or in_place, backup=backup), n)


def validate_files(paths: list[Path], stage: str | None = None, settings: Settings | None = None,
                   progress=None) -> tuple[list[Report], list[tuple[Path, str]]]:
    """Validate many workbooks: (reports, [(path, why it could not be read)]).

    progress(done, total) is called after each file.
    """
    reports, failed = [], []
    for k, p in enumerate(paths, start=1):
        if progress:
            progress(k - 1, len(paths))
        try:
            book = load_book(p)
            result = read_book(book)
        except XlsheetsError as e:
            failed.append((p, e.ja))
            continue
        result.path = str(p)
        reports.append(validate(result, stage, settings or load_settings(book=book)))
    return reports, failed


def annotate_file(path: Path, out: Path | None = None, *, in_place: bool = False, stage: str | None = None,
                  overwrite: bool = False, backup: bool = True) -> tuple[WriteResult, Report]:
    """Mark findings on their cells and add the 検証結果 sheet."""
    target = _target(path, out, in_place, overwrite)
    book = load_book(path)
    result = read_book(book)
    result.path = str(path)
    report = validate(result, stage, load_settings(book=book))
    wb = open_for_edit(path)
    n = annotate([report], OpenpyxlWriter(wb), book)
    return WriteResult(save_workbook(wb, target, overwrite=overwrite or in_place, backup=backup), n), report


def clear_file(path: Path, out: Path | None = None, *, in_place: bool = False, overwrite: bool = False,
               backup: bool = True) -> WriteResult:
    """Remove what annotate added, nothing else."""
    target = _target(path, out, in_place, overwrite)
    book = load_book(path)
    wb = open_for_edit(path)
    n = clear(book, OpenpyxlWriter(wb))
    return WriteResult(save_workbook(wb, target, overwrite=overwrite or in_place, backup=backup), n)
