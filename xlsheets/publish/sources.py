"""The workbooks behind a site, read through the roll-up's own steps: the same input scan (every
file accounted for), the same per-file extraction in memory-capped workers (with each workbook's
interchange document kept, for the goal pages), the same refusal when nothing could be read."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import XlsheetsError
from ..summary import columns
from ..summary.duplicates import mark_duplicates
from ..summary.extraction import extract
from ..summary.gathered import Gathered
from ..summary.inputs import is_url, scan_inputs
from ..summary.pipeline import _refuse_when_nothing_was_read, check_rollup_options
from ..summary.tables import reason
from ..summary.workers import run_extract


@dataclass
class Sources:
    books: list[dict[str, Any]]  # the records read (rows, findings, document), in input order
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, why it could not be read)
    skipped: dict[str, int] = field(default_factory=dict)  # rule → files not read by that rule
    duplicates: list[str] = field(default_factory=list)  # one department-year in several workbooks


def read_sources(inputs: Iterable[str | Path], *, exclude: Iterable[Path] = (), jobs: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Sources:
    """Read every workbook under the inputs (files, folders, fsspec URLs) as `rollup` does."""
    inputs = [p if is_url(p) else Path(p) for p in inputs]
    check_rollup_options(inputs, jobs, None)
    found = scan_inputs(inputs, exclude)
    if not found.workbooks and not found.refused:
        raise XlsheetsError("公開できるブック（.xlsx/.xlsm/.xls/.xlsb/.ods）が見つかりません。指定したフォルダ・ファイルを"
                            "確認してください: " + "、".join(map(str, inputs)), "no workbook found in the inputs")
    records = run_extract(found.workbooks, jobs=jobs, progress=progress, task=functools.partial(extract, document=True))
    skipped = found.skip_counts()
    gathered = Gathered(columns.LISTING.row_fields)  # the roll-up's bookkeeping: what was read, what failed
    books = []
    for rec in [*records, *({"path": str(p), "ok": False, "error": why} for p, why in found.refused)]:
        if rec.get("skip"):
            skipped[rec["skip"]] = skipped.get(rec["skip"], 0) + 1
            continue
        gathered.add(rec)
        if rec.get("ok"):
            books.append(rec)
    _refuse_when_nothing_was_read(gathered, what="公開用のサイト")
    errors = [(str(r["path"]), reason(r["error"], str(r["path"]))) for r in gathered.books if not r.get("ok")]
    return Sources(books, errors, skipped, mark_duplicates(gathered.books))
