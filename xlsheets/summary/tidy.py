"""The 一覧 and 要確認 as analysis data beside the workbook (Parquet or CSV), streamed in batches."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import XlsheetsError
from ..interchange import csv_cell
from ..io.saving import check_output, write_stream_atomic
from . import columns
from .columns import FINDING_DATA_COLUMNS
from .gathered import Gathered


def write_overflow(gathered: Gathered, out: Path, limit: int, fmt: str, overwrite: bool) -> dict[str, Path]:
    """The tables too long for their sheet, written in full beside the workbook: sheet → file.

    Every file is checked before any is written (an existing one without overwrite: nothing written).
    """
    sizes = {"一覧": gathered.row_count(), "要確認": gathered.finding_count()}
    files = {sheet: out.with_name(f"{out.stem}_{sheet}.{fmt}") for sheet, n in sizes.items() if n > limit}
    for path in files.values():
        check_output(path, overwrite)
    for sheet, path in files.items():
        if sheet == "一覧":
            write_tidy(gathered, path, fmt, overwrite)
        else:
            rows = ((p, f["sheet"], f["cell"], f["severity"], f["code"], *f["location"].values(), f["message"])
                    for p, f in gathered.finding_rows())
            _write_table(rows, FINDING_DATA_COLUMNS, path, fmt, overwrite)
    return files


def write_tidy(gathered: Gathered, path: Path, fmt: str, overwrite: bool) -> Path:
    """The 一覧 table as tidy data for analysts (parquet or csv), written a chunk at a time: its columns
    in the tidy data, numbers as floats in Parquet."""
    listing = columns.LISTING
    take = operator.itemgetter(*(gathered.rows.names.index(c) for c in listing.tidy))
    return _write_table(map(take, gathered.listing()), listing.tidy, path, fmt, overwrite, listing.numbers)


def _write_table(rows: Iterable[tuple], names: list[str], path: Path, fmt: str, overwrite: bool,
                 numbers: frozenset[str] = frozenset()) -> Path:
    """Rows as a Parquet or CSV file (no formulas when Excel opens the CSV), atomically, in bounded memory;
    numbers: the columns of floats in Parquet (the others text)."""
    import itertools

    if fmt not in ("csv", "parquet"):
        raise XlsheetsError(f"形式が不明です: {fmt}（parquet / csv）", f"unknown format {fmt}")
    rows = iter(rows)
    batches = iter(lambda: list(itertools.islice(rows, 8192)), [])
    if fmt == "csv":
        return write_stream_atomic(lambda fh: _csv_batches(fh, batches, names), path, overwrite=overwrite)
    return write_stream_atomic(lambda fh: _parquet_batches(fh, batches, names, numbers), path, overwrite=overwrite)


def _csv_batches(fh, batches, columns: list[str]) -> None:
    import pandas as pd

    fh.write("\ufeff".encode())  # utf-8-sig: Excel reads the Japanese
    fh.write(pd.DataFrame(columns=columns).to_csv(index=False).encode("utf-8"))
    for batch in batches:
        df = pd.DataFrame(batch, columns=columns, dtype=object)
        fh.write(df.map(csv_cell).to_csv(index=False, header=False).encode("utf-8"))


def _parquet_batches(fh, batches, columns: list[str], numbers: frozenset[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.float64() if c in numbers else pa.string()) for c in columns])

    def cell(v: Any, number: bool) -> Any:
        if v is None or v == "" and number:
            return None
        return (float(v) if isinstance(v, (int, float)) else None) if number else str(v)

    with pq.ParquetWriter(fh, schema) as writer:
        for batch in batches:
            cols = list(zip(*batch, strict=True))
            writer.write_batch(pa.record_batch(
                [pa.array([cell(v, c in numbers) for v in col], t) for c, col, t in
                 zip(columns, cols, schema.types, strict=True)], schema=schema))

