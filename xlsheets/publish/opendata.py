"""The open data beside the pages, per year: a CSV of the roll-up's 一覧 (one row per sub-item, with
ids and the row's page) and a JSON of the interchange documents.

CSV: UTF-8 as the 統一ルール asks, with a BOM, by which Excel recognises UTF-8 (without it, Excel on
Japanese Windows reads the file as Shift_JIS and shows mojibake); one value per cell, numbers as
numbers, 年度 as 西暦; a text Excel would run as a formula gets a leading ' (interchange.csv_cell).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..interchange import csv_cell
from ..summary import columns
from .site import YearPage, source_name

ID_COLUMNS = ["部局ID", "取組ID", "ページ"]  # the page: a path from the site's top, with the row's anchor


def csv_columns() -> list[str]:
    """The CSV's columns: the roll-up's tidy 一覧 (as `rollup --format csv`), then the ids and the page."""
    return [*columns.LISTING.tidy, *ID_COLUMNS]


def csv_rows(year: YearPage) -> list[list[Any]]:
    """The year's sub-items in the site's order, as csv_columns()."""
    names = csv_columns()
    rows = []
    for dept in year.departments:
        for goal in dept.goals:
            for r in goal.rows:
                if r.row is None:  # an item without sub-items: no row in the roll-up either
                    continue
                values = {**r.row, "ファイル": source_name(r.row["ファイル"]), "部局ID": dept.slug,
                          "取組ID": f"{year.slug}-{dept.slug}-g{goal.number}-{r.anchor}",
                          "ページ": f"{goal.path}#{r.anchor}"}
                rows.append([_value(values[c]) for c in names])
    return rows


def _value(v: Any) -> Any:
    """A cell of the CSV: a whole float as an integer (10000000, not 10000000.0), no value as empty."""
    if v is None:
        return ""
    if isinstance(v, float):
        return int(v) if v.is_integer() else v
    return csv_cell(v)


def csv_bytes(year: YearPage) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(csv_columns())
    writer.writerows(csv_rows(year))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def json_bytes(year: YearPage) -> bytes:
    """The year's departments as a JSON array, each element a document of the interchange schema
    (schema/xlsheets.schema.json, one per workbook read), in the site's order."""
    documents = [doc for dept in year.departments for doc in dept.documents]
    return (json.dumps(documents, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
