"""The interchange formats: JSON/YAML documents and the long table (one row per sub-item).

The long table (CSV, .xlsx or a pandas DataFrame) repeats the goal fields on every row;
its headers may be the Japanese ones below or the English keys.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from . import layout as L
from .errors import XlsheetsError
from .io.grid import cell_text
from .io.inspection import check_package
from .io.loading import read_book_calamine, read_text
from .model import (
    NOTE_KEYS,
    POSITIONING_KEYS,
    SUBITEM_FIELDS,
    Department,
    department_from_dict,
    parse_fiscal_year,
)

LONG_COLUMNS: list[tuple[str, str]] = [
    ("fiscal_year", "年度"),
    ("department", "部局名"),
    ("goal_id", "目標ID"),
    ("priority", "優先順位"),
    ("title", "重点目標"),
    ("comprehensive_plan", "総合計画における位置付け"),
    ("regional_strategy", "まち・ひと・しごと創生総合戦略における位置付け"),
    ("sdgs", "該当するSDGsの目標"),
    ("admin_reform", "行財政改革大綱・アクションプログラムにおける位置付け"),
    ("reconstruction_plan", "上田再構築プランにおける位置付け"),
    ("current_issues", "現況・課題"),
    ("purpose", "目的・効果"),
    ("item_no", "取組項目番号"),
    ("item_title", "取組項目"),
    ("subitem_no", "番号"),
    ("method", "方法・手段"),
    ("period", "期間・期限"),
    ("target", "数値目標"),
    ("midterm", "中間報告"),
    ("final", "期末報告"),
    ("notes_participation", "市民参加・協働の推進、市民満足度の向上を考慮した点"),
    ("notes_effects", "取組による効果・残された課題"),
]
_BY_HEADER = {ja: key for key, ja in LONG_COLUMNS} | {key: key for key, _ in LONG_COLUMNS}


def load_department(data: Any, warn=None) -> Department:
    """Accept a Department, an interchange dict, a DataFrame, or a path to JSON/YAML/CSV/.xlsx."""
    if isinstance(data, Department):
        return data
    if isinstance(data, dict):
        return department_from_dict(data, warn)
    if isinstance(data, (str, Path)):
        return department_from_dict(load_document(Path(data)), warn)
    if type(data).__name__ == "DataFrame":
        return department_from_dict(long_table_to_dict(data.to_dict("records")), warn)
    raise XlsheetsError("入力データの形式が不明です。", f"unsupported data: {type(data).__name__}")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def _runs_as_formula(v: str) -> bool:
    body = v.lstrip("'")
    return body.startswith(_FORMULA_START) and not _NUMBER.fullmatch(body)


def csv_cell(v: Any) -> Any:
    """Text that Excel would run as a formula when it opens a CSV (「=HYPERLINK(…)」) gets a
    leading ' ; load_document takes it off again, so xlsheets reads its own CSV unchanged."""
    return "'" + v if isinstance(v, str) and _runs_as_formula(v) else v


def _uncsv_cell(v: Any) -> Any:
    return v[1:] if isinstance(v, str) and v.startswith("'") and _runs_as_formula(v[1:]) else v


def load_document(path: Path) -> dict[str, Any]:
    """Read an interchange document from JSON, YAML, CSV or .xlsx (long table)."""
    if not path.exists():
        raise XlsheetsError(f"ファイルが見つかりません: {path}", f"file not found: {path}")
    if path.is_dir():
        raise XlsheetsError(f"フォルダです（データのファイルを指定してください）: {path}", f"is a folder, not a data file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            return json.loads(read_text(path))
        if suffix in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(read_text(path))
        if suffix in (".csv", ".txt", ".tsv"):  # .txt: Excel's 「Unicode テキスト」 (UTF-16, tab-separated)
            import pandas as pd

            text = read_text(path)
            sep = "\t" if suffix != ".csv" else ","
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
            return long_table_to_dict([{k: _uncsv_cell(v) for k, v in r.items()} for r in df.to_dict("records")])
        if suffix in (".xlsx", ".xlsm"):
            return long_table_to_dict(_xlsx_records(path))
    except (ValueError, UnicodeDecodeError) as e:
        raise XlsheetsError(f"データを読めません: {path}（{e}）", f"cannot parse {path}: {e}") from e
    except Exception as e:
        if type(e).__name__ in ("YAMLError", "ScannerError", "ParserError"):
            raise XlsheetsError(f"YAMLを読めません: {path}（{e}）", f"bad YAML: {path}") from e
        raise
    raise XlsheetsError(
        f"データの形式が不明です（.json / .yaml / .csv / .txt（タブ区切り）/ .xlsx）: {path}", f"unknown data format: {path}"
    )


def _xlsx_records(path: Path) -> list[dict[str, Any]]:
    check_package(path)
    book = read_book_calamine(path)
    sheet = next((s for s in book.sheets if s.name == L.INPUT_SHEET), book.sheets[0] if book.sheets else None)
    if sheet is None:
        return []
    return grid_records(sheet.rows)


def grid_records(rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Rows of a sheet (first row = headers) → records keyed by header."""
    if not rows:
        return []
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [dict(zip(headers, r, strict=False)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def _cell(v: Any) -> str:
    return cell_text(v).strip() if v is not None else ""


def long_table_to_dict(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per sub-item → the interchange dict of one department-year."""
    rows = []
    for rec in records:
        row = {}
        for k, v in rec.items():
            key = _BY_HEADER.get(str(k).strip())
            if key:
                row[key] = v if isinstance(v, str) else _cell(v)
        rows.append(row)
    if rows and not any("title" in r or "method" in r for r in rows):
        raise XlsheetsError(
            "表の見出しが読み取れません（重点目標・方法・手段などの列が必要です）。", "long table lacks the expected headers"
        )
    years = {r.get("fiscal_year", "") for r in rows} - {""}
    depts = {r.get("department", "") for r in rows} - {""}
    if len({parse_fiscal_year(y) for y in years}) > 1 or len(depts) > 1:
        raise XlsheetsError(
            "1つの表に複数の部局または年度があります。部局・年度ごとに分けてください。",
            "the table holds several departments or years",
        )
    doc: dict[str, Any] = {
        "fiscal_year": next(iter(years), ""),
        "department": next(iter(depts), ""),
        "goals": [],
    }
    goal = item = None
    for r in rows:
        gkey = (r.get("goal_id", ""), r.get("priority", ""), r.get("title", ""))
        if goal is None or gkey != goal["_key"]:
            goal = {
                "_key": gkey,
                "priority": r.get("priority", ""),
                "title": r.get("title", ""),
                "positioning": {k: r.get(k, "") for k in POSITIONING_KEYS},
                "current_issues": r.get("current_issues", ""),
                "purpose": r.get("purpose", ""),
                "items": [],
                "notes": {k: r.get(f"notes_{k}", "") for k in NOTE_KEYS},
            }
            if r.get("goal_id"):
                goal["id"] = r["goal_id"]
            doc["goals"].append(goal)
            item = None
        ino = r.get("item_no", "")
        if item is None or ino != item["no"] or (r.get("item_title", "") not in ("", item["title"])):
            item = {"no": ino, "title": r.get("item_title", ""), "subitems": []}
            goal["items"].append(item)
        if r.get("subitem_no", "") or any(r.get(f, "") for f in SUBITEM_FIELDS):
            item["subitems"].append({"no": r.get("subitem_no", ""), **{f: r.get(f, "") for f in SUBITEM_FIELDS}})
    for g in doc["goals"]:
        g.pop("_key")
    return doc


def department_to_long_records(dept: Department, japanese: bool = True) -> list[dict[str, Any]]:
    """The long table of a department: one row per sub-item (an item without sub-items: one row)."""
    out = []
    for g in dept.goals:
        base = {
            "fiscal_year": dept.fiscal_year,
            "department": dept.department,
            "goal_id": g.id or "",
            "priority": g.priority if g.priority is not None else "",
            "title": g.title,
            **{k: g.positioning.get(k, "") for k in POSITIONING_KEYS},
            "current_issues": g.current_issues,
            "purpose": g.purpose,
            **{f"notes_{k}": g.notes.get(k, "") for k in NOTE_KEYS},
        }
        for item in g.items:
            subs = item.subitems or [None]
            for s in subs:
                row = dict(base, item_no=item.no, item_title=item.title, subitem_no="")
                row.update(dict.fromkeys(SUBITEM_FIELDS, ""))
                if s is not None:
                    row["subitem_no"] = s.no
                    row.update({f: getattr(s, f) for f in SUBITEM_FIELDS})
                out.append(row)
    header = dict(LONG_COLUMNS) if japanese else {k: k for k, _ in LONG_COLUMNS}
    return [{header[k]: r.get(k, "") for k, _ in LONG_COLUMNS} for r in out]


def dump_bytes(dept: Department, fmt: str) -> bytes:
    """A file's bytes: UTF-8, and for CSV with the BOM by which Excel recognises UTF-8."""
    return dump(dept, fmt).encode("utf-8-sig" if fmt == "csv" else "utf-8")


def dump(dept: Department, fmt: str) -> str:
    """Serialise a department as json, yaml or csv."""
    if fmt == "json":
        return json.dumps(dept.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(dept.to_dict(), allow_unicode=True, sort_keys=False)
    if fmt == "csv":
        import csv

        rows = [{k: csv_cell(v) for k, v in r.items()} for r in department_to_long_records(dept)]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=[ja for _, ja in LONG_COLUMNS], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue()
    raise XlsheetsError(f"出力形式が不明です: {fmt}", f"unknown format: {fmt}")
