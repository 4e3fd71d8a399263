"""提出状況 (submission status): one row per department and year, and a 未提出 row for each
department expected in the latest year (in the 部局順, or with a workbook in the year before) that
has none. A planning division chases departments with it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..model import STAGES, year_key, year_label
from ..settings import plain_name
from .columns import STATUS_COLUMNS
from .saved import shown

SUBMITTED, MISSING = "提出済", "未提出"


def submission_status(books: list[dict[str, Any]], order: Sequence[str], rank: dict[str, int]):
    """The 提出状況 table (STATUS_COLUMNS, and _path: the first workbook, for the file's link)."""
    import pandas as pd

    groups: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for b in books:
        if b.get("ok"):
            groups.setdefault((b.get("fiscal_year"), b.get("department") or ""), []).append(b)
    rows = [_row(year, dept, group) for (year, dept), group in groups.items()]
    rows += [_missing(year, dept) for year, dept in _expected(groups, order)]
    for row in rows:
        rank.setdefault(row["部局名"], len(rank))
    rows.sort(key=lambda r: (year_key(r["年度"]), rank[r["部局名"]]))
    return pd.DataFrame(rows, columns=[*STATUS_COLUMNS, "_path"])


def _row(year: Any, dept: str, group: list[dict[str, Any]]) -> dict[str, Any]:
    """One department's year: the workbooks counted (a superseded one only in 重複)."""
    counted = [b for b in group if not b.get("superseded")]
    flagged = sum(1 for b in group if b.get("duplicate"))
    subitems = sum(b.get("n_rows", 0) for b in counted)
    row = {"年度": year, "部局名": dept or "（部局名なし）", "状況": SUBMITTED,
           "ファイル": Path(counted[0]["path"]).name + (f" ほか {len(counted) - 1} 冊" if len(counted) > 1 else ""),
           "最終保存": shown(max((b["saved"] for b in counted if b.get("saved")), default=None)),
           "重点目標": sum(len(b.get("goals", ())) for b in counted), "取組": subitems,
           "エラー": sum(b.get("errors", 0) for b in counted), "警告": sum(b.get("warnings", 0) for b in counted),
           "重複": len(group) - len(counted) if len(counted) < len(group) else max(0, flagged - 1),
           "_path": counted[0]["path"]}
    for stage, ja in zip(STAGES, ("中間報告", "期末報告"), strict=True):
        filled = sum(b.get("filled", {}).get(stage, 0) for b in counted)
        row[f"{ja} 記入"] = filled
        row[f"{ja} 記入率"] = filled * 100 // subitems if subitems else None
    return row


def _missing(year: Any, dept: str) -> dict[str, Any]:
    return dict.fromkeys(STATUS_COLUMNS) | {"年度": year, "部局名": dept, "状況": MISSING, "_path": None}


def _expected(groups: dict[tuple[Any, str], list], order: Sequence[str]) -> list[tuple[int, str]]:
    """(latest year, department) for each department in the 部局順, or with a workbook in the year
    before the latest one in the folder, that has no workbook for the latest year."""
    years = sorted({y for y, _d in groups if isinstance(y, int) and not isinstance(y, bool)})
    if not years:
        return []
    latest = years[-1]
    before = years[-2] if len(years) > 1 else None
    have = {plain_name(d) for y, d in groups if y == latest}
    wanted = [*order, *(d for y, d in groups if y == before and d)]
    missing = [d for d in dict.fromkeys(wanted) if plain_name(d) not in have]
    return [(latest, d) for d in dict.fromkeys(missing)]


def missing_departments(status) -> list[str]:
    """「福祉部 令和6年度（2024）」 for each 未提出 row of the 提出状況 table."""
    gone = status[status["状況"] == MISSING]
    return [f"{d} {year_label(y)}" for y, d in zip(gone["年度"], gone["部局名"], strict=True)]
