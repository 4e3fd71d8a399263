"""Two workbooks of one department and year holding the same goal (a resubmission left beside the
first): both are summed, and each gets a duplicate-workbook finding. Linear in the workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def mark_duplicates(records: list[dict[str, Any]]) -> list[str]:
    """Two workbooks of one department and year with the same goals (a resubmission left beside the
    first, 「福祉部_R6 (1).xlsx」) are both summed: say so on 要確認 for each of them. Returns one line
    per such group. Linear in the number of workbooks: grouped by goal title, names built once."""
    from ..model import wareki

    said: list[str] = []
    for (dept, _fy), group in _department_years(records).items():
        recs = _sharing_a_goal(group)
        if len(recs) < 2:
            continue
        fy = recs[0]["fiscal_year"]
        year = wareki(fy) if isinstance(fy, int) else str(fy)
        said.append(f"{dept}の{year}のブックが {len(recs)} 冊あります: " + "、".join(str(r["path"]) for r in recs))
        names = [Path(r["path"]).name for r in recs]
        for k, rec in enumerate(recs):
            rec["findings"].append(_duplicate_finding(rec, dept, year, _others(names, k)))
    return said


_OTHERS_SHOWN = 5


def _department_years(records: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The workbooks read, grouped by department and fiscal year."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in records:
        if rec.get("ok") and rec.get("department") and rec.get("fiscal_year") not in (None, ""):
            groups.setdefault((rec["department"], str(rec["fiscal_year"])), []).append(rec)
    return groups


def _sharing_a_goal(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workbooks of one department and year that hold a goal another of them holds too (one file
    per goal is no duplicate), in input order."""
    holders: dict[str, set[int]] = {}
    for k, rec in enumerate(group):
        for title in {"".join(g["title"].split()) for g in rec["goals"]} - {""}:
            holders.setdefault(title, set()).add(k)
    shared = set().union(*(ks for ks in holders.values() if len(ks) > 1))
    return [rec for k, rec in enumerate(group) if k in shared]


def _others(names: list[str], k: int) -> str:
    """The names of the other workbooks of a group, the first few of them when there are many."""
    others = names[:k][:_OTHERS_SHOWN] + names[k + 1:][:max(0, _OTHERS_SHOWN - k)]
    more = len(names) - 1 - len(others)
    return "、".join(others) + (f" ほか {more} 冊" if more else "")


def _duplicate_finding(rec: dict[str, Any], dept: str, year: str, others: str) -> dict[str, Any]:
    from ..findings import RULES

    sheet = rec["goals"][0]["sheet"] if rec.get("goals") else ""
    return RULES["duplicate-workbook"].finding(
        sheet, "A1", {"goal": None, "item": None, "subitem": None, "field": None},
        department=dept, year=year, others=others).to_dict()

