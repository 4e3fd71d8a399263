"""``rollup(inputs, out)``: find the workbooks, read them in workers, gather their records in
bounded memory, summarise and write the roll-up workbook atomically."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import XlsheetsError, option
from ..io.saving import check_output
from ..model import year_key
from ..settings import DEFAULT_SETTINGS, Settings
from . import columns
from .columns import EXCEL_ROWS, RATE_CAP, SHEET_ROWS
from .duplicates import ALL, LATEST, mark_duplicates
from .extraction import extract
from .gathered import Gathered
from .inputs import is_url, scan_inputs
from .status import missing_departments
from .tables import department_ranks, frames, reason
from .tidy import write_overflow, write_tidy
from .workbook import RollupBook
from .workers import run_extract


@dataclass
class RollupResult:
    path: Path | None
    files: int = 0
    rows: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    findings: int = 0
    read: int = 0  # workbooks read (files minus errors and skipped roll-ups)
    skipped: dict[str, int] = field(default_factory=dict)  # rule → files not read by that rule
    tidy: Path | None = None
    duplicates: list[str] = field(default_factory=list)  # one department and year in several workbooks
    overflow: dict[str, Path] = field(default_factory=dict)  # sheet → the full table beside the workbook
    superseded: list[str] = field(default_factory=list)  # workbooks left out (--duplicates latest)
    missing: list[str] = field(default_factory=list)  # 「福祉部 令和6年度（2024）」: no workbook (提出状況)

    def overflow_lines(self) -> list[str]:
        """What the terminal says of a table too long for its sheet."""
        return [f"{sheet}は長すぎるため最初の部分だけをブックに入れ、全件を {path} に書き出しました"
                for sheet, path in self.overflow.items()]


def rollup(inputs: Iterable[str | Path], out: str | Path, *, stage: str | None = None, jobs: int | None = None,
           scheduler: str | None = None, tidy_format: str | None = None, overwrite: bool = False,
           progress: Callable[[int, int], None] | None = None, cap: float | None = RATE_CAP,
           sheet_rows: int | None = None, duplicates: str = ALL, settings: Settings | None = None) -> RollupResult:
    """Build the roll-up workbook of every sheet found in inputs (folders, files, fsspec URLs).

    cap: averages and charts count a higher 達成率 as this (None: uncapped); 一覧 keeps every rate.
    sheet_rows: 一覧 and 要確認 hold at most this many rows (SHEET_ROWS); a longer table is written
    in full beside the workbook (as tidy_format, else Parquet), and the workbook says so.
    duplicates: ALL counts every workbook of a department and year holding the same goal (each is
    flagged); LATEST only the one saved last (the others are listed as superseded on 要確認).
    settings: its 部局順 orders the departments (else the workbooks' own xlsheets設定 sheets, else
    natural order); its rounding and grade bands, when it sets any, rate every workbook.

    progress(done, total) is called as files are read, then progress(-1, total) when the
    workbook is being written.
    """
    out = Path(out)
    inputs = [p if is_url(p) else Path(p) for p in inputs]
    check_rollup_options(inputs, jobs, scheduler, duplicates)
    check_output(out, overwrite, (".xlsx",))
    if tidy_format:
        check_output(out.with_suffix("." + tidy_format), overwrite)
    found = scan_inputs(inputs, exclude=[out])
    paths = found.workbooks
    if not paths:
        raise XlsheetsError("集計できるブック（.xlsx/.xlsm/.xls/.xlsb/.ods）が見つかりません。指定したフォルダ・ファイルを"
                            "確認してください: " + "、".join(map(str, inputs)), "no workbook found in the inputs")
    gathered = Gathered(columns.LISTING.row_fields)
    skipped = found.skip_counts()

    def keep(rec: dict[str, Any]) -> None:  # each record as it arrives: its rows and findings into columns
        if rec.get("skip"):
            skipped[rec["skip"]] = skipped.get(rec["skip"], 0) + 1
        else:
            gathered.add(rec)

    rates = settings if settings is not None and replace(settings, departments=()) != DEFAULT_SETTINGS else None
    task = functools.partial(extract, settings=rates) if rates is not None else extract
    run_extract(paths, jobs=jobs, scheduler=scheduler, progress=progress, meanwhile=_import_writers, sink=keep,
                task=task)
    if progress:
        progress(-1, len(paths))  # reading is done: the workbook is being written
    for p, why in found.refused:
        gathered.add({"path": str(p), "ok": False, "error": why})
    _refuse_when_nothing_was_read(gathered)
    said = mark_duplicates(gathered.books, duplicates)
    order = settings.departments if settings is not None and settings.departments else workbooks_order(gathered.books)
    arrange(gathered, order)
    limit = min(sheet_rows or SHEET_ROWS, EXCEL_ROWS)
    overflow = write_overflow(gathered, out, limit, tidy_format or "parquet", overwrite)
    tables = frames(gathered, stage, cap, order)
    RollupBook(out).write(gathered, tables, overwrite=overwrite, limit=limit, beside=overflow,
                          counts=(sum(1 for r in gathered.books if r.get("ok")), skipped), cap=cap)
    errors = [(r["path"], r["error"]) for r in gathered.books if not r.get("ok")]
    result = RollupResult(out, len(paths), gathered.row_count(), errors, gathered.finding_count(),
                          duplicates=said, read=sum(1 for r in gathered.books if r.get("ok")), skipped=skipped,
                          overflow=overflow, superseded=[b["path"] for b in gathered.books if b.get("superseded")],
                          missing=missing_departments(tables.status))
    if tidy_format:
        result.tidy = write_tidy(gathered, out.with_suffix("." + tidy_format), tidy_format, overwrite)
    return result


def workbooks_order(books: list[dict[str, Any]]) -> tuple[str, ...]:
    """The 部局順 of the workbooks' own xlsheets設定 sheets: the latest year's that has one."""
    listed = [b for b in books if b.get("ok") and b.get("order")]
    return tuple(min(listed, key=lambda b: year_key(b.get("fiscal_year")))["order"]) if listed else ()


def arrange(gathered: Gathered, order: Iterable[str]) -> None:
    """Write the workbooks latest year first, departments in the city's order, else as found."""
    rank = department_ranks([b.get("department") or "" for b in gathered.books if b.get("ok")], tuple(order))
    gathered.arrange(lambda b: (year_key(b.get("fiscal_year")), rank.get(b.get("department") or "", 0)))


def _refuse_when_nothing_was_read(gathered: Gathered, shown: int = 5, what: str = "集計ブック") -> None:
    """Not one sheet could be read: a roll-up of nothing is no summary, so say why and write nothing
    (what: the output that is not made)."""
    if any(b.get("ok") for b in gathered.books):
        return

    failed = [b for b in gathered.books if not b.get("ok")]
    lines = [f"{b['path']}: {reason(b['error'], b['path'])}" for b in failed[:shown]]
    more = f"\n（ほか {len(failed) - shown} 冊）" if len(failed) > shown else ""
    raise XlsheetsError(
        f"読み込めた重点目標管理シートがないため、{what}は作りませんでした（取込エラー {len(failed)} 冊）:\n"
        + "\n".join(lines) + more,
        f"none of the {len(failed)} workbooks could be read: nothing written",
    )


def check_rollup_options(inputs: list[Path | str], jobs: int | None, scheduler: Any, duplicates: str = ALL) -> None:
    """Said before any reading: a missing input, a number of workers below 1, a scheduler address
    that is not one, an unknown --duplicates."""
    if duplicates not in (ALL, LATEST):
        raise XlsheetsError(f"{option('duplicates')} は {ALL} か {LATEST} です: {duplicates}",
                            f"{option('duplicates')}: {ALL} or {LATEST}, not {duplicates!r}")
    missing = [str(p) for p in inputs if not is_url(p) and not Path(p).exists()]
    if missing:
        raise XlsheetsError(f"入力が見つかりません: {'、'.join(missing)}", f"no such input: {', '.join(missing)}")
    if jobs is not None and jobs < 1:
        raise XlsheetsError(f"{option('jobs')} は 1 以上にしてください: {jobs}", f"{option('jobs')} must be at least 1: {jobs}")
    if isinstance(scheduler, str) and not re.fullmatch(r"(\w+://)?[^\s/:]+:\d+|\w+://\S+", scheduler.strip()):
        raise XlsheetsError(f"{option('scheduler')} の Dask スケジューラーのアドレスが正しくありません: {scheduler}"
                            "（tcp://host:8786 のように）",
                            f"not a scheduler address: {scheduler!r} (tcp://host:8786)")


def _import_writers() -> None:
    """Import pandas and the writer while the workers read (it takes a few tenths of a second),
    and run the summaries once on two made-up rows: pandas loads much of itself on first use."""
    import xlsxwriter  # noqa: F401

    row = dict.fromkeys(columns.LISTING.fields, "") | {"目標値": 1.0, "中間達成率": 50, "判定": "△"}
    frames([{"path": "", "ok": True, "rows": [row | {"年度": 2023}, row | {"年度": 2024}], "findings": [],
             "department": "", "fiscal_year": 2024, "goals": []}])

