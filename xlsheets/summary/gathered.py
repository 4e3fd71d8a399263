"""The roll-up's records kept compactly as they arrive from the workers.

A workbook's rows and findings go into columns at once (every CHUNK_ROWS rows become Arrow
arrays: the texts as UTF-8 in one buffer, not a dict and a str object per cell); what stays per
workbook is a small summary (path, department, year, goal titles). The writer and the summaries
read the columns back a chunk at a time.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

CHUNK_ROWS = 4096
FINDING_FIELDS = ["sheet", "cell", "severity", "code", "goal", "item", "subitem", "field", "message"]
LOCATION_FIELDS = ("goal", "item", "subitem", "field")


def _compact(values: list[Any]) -> Any:
    """A column of one chunk as an Arrow array; a column mixing numbers and text stays a list (rare)."""
    import pyarrow as pa

    kinds = {type(v) for v in values} - {type(None)}
    kind = {frozenset({str}): pa.string(), frozenset({int}): pa.int64(), frozenset({float}): pa.float64(),
            frozenset(): pa.string()}.get(frozenset(kinds))
    if kind is None:
        return values
    try:  # the system allocator: Arrow's default (mimalloc) keeps ~25 KB a workbook more of these small arrays
        return pa.array(values, kind, memory_pool=pa.system_memory_pool())
    except (OverflowError, UnicodeError, pa.ArrowException):  # a huge int, a lone surrogate in a file name
        return values


def _expand(column: Any) -> list[Any]:
    return column if isinstance(column, list) else column.to_pylist()


def _size(chunk: list[Any]) -> int:
    return len(chunk[0]) if chunk else 0


def _part(column: Any, a: int, n: int) -> list[Any]:
    return column[a:a + n] if isinstance(column, list) else column.slice(a, n).to_pylist()


class Columns:
    """Rows of named fields, stored by column in chunks."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._chunks: list[list[Any]] = []
        self._starts: list[int] = []  # the first row of each chunk
        self._open: list[list[Any]] = [[] for _ in self.names]
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def append(self, values: Sequence[Any]) -> None:
        for column, v in zip(self._open, values, strict=True):
            column.append(v)
        self._len += 1
        if len(self._open[0]) >= CHUNK_ROWS:
            self._freeze()

    def _freeze(self) -> None:
        if self._open[0]:
            self._starts.append(self._len - len(self._open[0]))
            self._chunks.append([_compact(c) for c in self._open])
            self._open = [[] for _ in self.names]

    def spans(self, ranges: Iterable[tuple[int, int]]) -> Iterator[tuple[Any, ...]]:
        """The rows of each [start, stop) range in turn, expanding only the part of a chunk it covers."""
        self._freeze()
        for start, stop in ranges:
            k = max(0, bisect.bisect_right(self._starts, start) - 1)
            while start < stop and k < len(self._chunks):
                first = self._starts[k]
                end = min(stop, first + _size(self._chunks[k]))
                if end > start:
                    a, n = start - first, end - start
                    yield from zip(*(_part(c, a, n) for c in self._chunks[k]), strict=True)
                    start = end
                k += 1

    def rows(self, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """The rows as tuples, in order (the first `limit` of them), one chunk expanded at a time."""
        def all_rows() -> Iterator[tuple[Any, ...]]:
            for chunk in [*self._chunks, self._open]:
                yield from zip(*(_expand(c) for c in chunk), strict=True)
        return itertools.islice(all_rows(), limit)

    def column(self, name: str) -> list[Any]:
        i = self.names.index(name)
        return [v for chunk in [*self._chunks, self._open] for v in _expand(chunk[i])]

    def to_pandas(self, names: Iterable[str]):
        """Some columns as a DataFrame (equal texts of a chunked Arrow column share one str object)."""
        import pandas as pd
        import pyarrow as pa

        self._freeze()
        data = {}
        for name in names:
            parts = [chunk[self.names.index(name)] for chunk in self._chunks]
            if parts and all(not isinstance(p, list) for p in parts) and len({p.type for p in parts}) == 1:
                data[name] = pa.chunked_array(parts).to_pandas()
            else:
                data[name] = pd.Series(self.column(name), dtype=object)
        return pd.DataFrame(data, columns=list(data) or None)


class Gathered:
    """Every record of a roll-up: the workbooks (small dicts), their rows and their findings (columns).

    A workbook's summary keeps "findings": the ones added after reading (mark_duplicates), shown
    after the workbook's own. The workbooks are written in ``sequence`` (set by ``arrange``: the
    order of the years and the city's departments); a superseded one (``--duplicates latest``) has
    its rows and own findings left out everywhere.
    """

    def __init__(self, row_fields: Sequence[str]) -> None:
        self.books: list[dict[str, Any]] = []
        self.rows = Columns(row_fields)
        self.findings = Columns(FINDING_FIELDS)
        self.sequence: list[int] | None = None  # indices of books in writing order (None: as they came)

    def add(self, rec: dict[str, Any]) -> None:
        book = {k: v for k, v in rec.items() if k not in ("rows", "findings")}
        if rec.get("ok"):
            book |= {"row_start": len(self.rows), "finding_start": len(self.findings)}
            for row in rec["rows"]:
                self.rows.append([row.get(c) for c in self.rows.names])
            for f in rec["findings"]:
                loc = f.get("location") or {}
                self.findings.append([f["sheet"], f["cell"], f["severity"], f["code"],
                                      *(loc.get(k) for k in LOCATION_FIELDS), f["message"]])
            book |= {"n_rows": len(rec["rows"]), "n_findings": len(rec["findings"]), "findings": []}
        self.books.append(book)

    def arrange(self, key) -> None:
        """Write the workbooks in the order of key(book) (stable: input order among equals)."""
        self.sequence = sorted(range(len(self.books)), key=lambda k: key(self.books[k]))

    def counted(self) -> list[dict[str, Any]]:
        """The workbooks read and counted (not superseded), in writing order."""
        order = self.sequence if self.sequence is not None else range(len(self.books))
        return [b for b in (self.books[k] for k in order) if b.get("ok") and not b.get("superseded")]

    def row_count(self) -> int:
        return sum(b["n_rows"] for b in self.counted())

    def listing(self, limit: int | None = None) -> Iterator[tuple[Any, ...]]:
        """The 一覧 rows of the counted workbooks, in writing order (the first `limit` of them)."""
        ranges = _merged((b["row_start"], b["row_start"] + b["n_rows"]) for b in self.counted())
        return itertools.islice(self.rows.spans(ranges), limit)

    def frame(self, names: Iterable[str]):
        """Some row columns of the counted workbooks as a DataFrame (for the summaries)."""
        import numpy as np

        df = self.rows.to_pandas(names)
        dropped = [b for b in self.books if b.get("ok") and b.get("superseded")]
        if not dropped:
            return df
        keep = np.ones(len(df), dtype=bool)
        for b in dropped:
            keep[b["row_start"]:b["row_start"] + b["n_rows"]] = False
        return df[keep].reset_index(drop=True)

    def finding_count(self) -> int:
        every = [b for b in self.books if b.get("ok")]
        return sum(len(b["findings"]) + (0 if b.get("superseded") else b["n_findings"]) for b in every)

    def finding_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(workbook path, finding) in writing order: each workbook's own (none of a superseded one),
        then the ones added to it."""
        order = self.sequence if self.sequence is not None else range(len(self.books))
        for book in (self.books[k] for k in order):
            if not book.get("ok"):
                continue
            if not book.get("superseded"):
                start = book["finding_start"]
                for values in self.findings.spans([(start, start + book["n_findings"])]):
                    f = dict(zip(FINDING_FIELDS, values, strict=True))
                    f["location"] = {k: f.pop(k) for k in LOCATION_FIELDS}
                    yield book["path"], f
            for f in book["findings"]:
                yield book["path"], f


def _merged(ranges: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Adjacent [start, stop) ranges joined (books in storage order read as one run)."""
    run: tuple[int, int] | None = None
    for start, stop in ranges:
        if run is not None and run[1] == start:
            run = (run[0], stop)
            continue
        if run is not None:
            yield run
        run = (start, stop)
    if run is not None:
        yield run


def gather(records: Iterable[dict[str, Any]], row_fields: Sequence[str]) -> Gathered:
    g = Gathered(row_fields)
    for rec in records:
        g.add(rec)
    return g
