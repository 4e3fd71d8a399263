"""The roll-up's records kept compactly as they arrive from the workers.

A workbook's rows and findings go into columns at once (every CHUNK_ROWS rows become Arrow
arrays: the texts as UTF-8 in one buffer, not a dict and a str object per cell); what stays per
workbook is a small summary (path, department, year, goal titles). The writer and the summaries
read the columns back a chunk at a time.
"""

from __future__ import annotations

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


class Columns:
    """Rows of named fields, stored by column in chunks."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._chunks: list[list[Any]] = []
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
            self._chunks.append([_compact(c) for c in self._open])
            self._open = [[] for _ in self.names]

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
    after the workbook's own.
    """

    def __init__(self, row_fields: Sequence[str]) -> None:
        self.books: list[dict[str, Any]] = []
        self.rows = Columns(row_fields)
        self.findings = Columns(FINDING_FIELDS)

    def add(self, rec: dict[str, Any]) -> None:
        book = {k: v for k, v in rec.items() if k not in ("rows", "findings")}
        if rec.get("ok"):
            for row in rec["rows"]:
                self.rows.append([row.get(c) for c in self.rows.names])
            for f in rec["findings"]:
                loc = f.get("location") or {}
                self.findings.append([f["sheet"], f["cell"], f["severity"], f["code"],
                                      *(loc.get(k) for k in LOCATION_FIELDS), f["message"]])
            book |= {"n_rows": len(rec["rows"]), "n_findings": len(rec["findings"]), "findings": []}
        self.books.append(book)

    def finding_count(self) -> int:
        return len(self.findings) + sum(len(b["findings"]) for b in self.books if b.get("ok"))

    def finding_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(workbook path, finding) in the order of the workbooks: each one's own, then the added ones."""
        stored = self.findings.rows()
        for book in self.books:
            if not book.get("ok"):
                continue
            for values in itertools.islice(stored, book["n_findings"]):
                f = dict(zip(FINDING_FIELDS, values, strict=True))
                f["location"] = {k: f.pop(k) for k in LOCATION_FIELDS}
                yield book["path"], f
            for f in book["findings"]:
                yield book["path"], f


def gather(records: Iterable[dict[str, Any]], row_fields: Sequence[str]) -> Gathered:
    g = Gathered(row_fields)
    for rec in records:
        g.add(rec)
    return g
