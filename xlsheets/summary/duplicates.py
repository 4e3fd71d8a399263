"""Two workbooks of one department and year holding the same goal (a resubmission left beside the
first): each gets a duplicate-workbook finding, and either all are counted (``all``) or only the one
saved last (``latest``: the others are superseded). Linear in the workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..findings import DEFAULT, RULES
from ..model import year_label
from .saved import shown

ALL, LATEST = "all", "latest"  # --duplicates


def mark_duplicates(records: list[dict[str, Any]], mode: str = ALL) -> list[str]:
    """Two workbooks of one department and year with the same goals (a resubmission left beside the
    first, 「福祉部_R6 (1).xlsx」): say so on 要確認 for each of them; with mode LATEST keep only the
    one saved last (its 更新日時 property, else its file time) and mark the others ``superseded``.
    Returns one line per such group. Linear in the number of workbooks: grouped by goal title,
    names built once."""
    said: list[str] = []
    for (dept, _fy), group in _department_years(records).items():
        recs = _sharing_a_goal(group)
        if len(recs) < 2:
            continue
        year = year_label(recs[0]["fiscal_year"])
        names = [Path(r["path"]).name for r in recs]
        for rec in recs:
            rec["duplicate"] = True
        if mode == LATEST:
            said.append(_keep_latest(recs, names, dept, year))
            continue
        said.append(f"{dept}の{year}のブックが {len(recs)} 冊あります: " + _listed(names, len(names)))
        for k, rec in enumerate(recs):
            rec["findings"].append(_duplicate_finding(rec, DEFAULT, department=dept, year=year,
                                                      others=_others(names, k)))
    return said


def _keep_latest(recs: list[dict[str, Any]], names: list[str], dept: str, year: str) -> str:
    """The workbook saved last stands; the others are superseded (counted nowhere but 要確認)."""
    last = max(range(len(recs)), key=lambda k: (recs[k].get("saved") or 0, k))  # a tie: the later in the folder
    keep = recs[last]
    for k, rec in enumerate(recs):
        if k == last:
            rec["findings"].append(_duplicate_finding(rec, "kept", department=dept, year=year,
                                                      others=_others(names, k), saved=_when(rec)))
        else:
            rec["superseded"] = True
            rec["findings"].append(_duplicate_finding(rec, "superseded", department=dept, year=year,
                                                      saved=_when(rec), kept=names[last], kept_saved=_when(keep)))
    gone = [n for k, n in enumerate(names) if k != last]
    return (f"{dept}の{year}のブックが {len(recs)} 冊あります: 保存日時が最も新しい {names[last]} を集計し、"
            f"差し替え前の {_listed(gone, len(gone))} を外しました")


def _when(rec: dict[str, Any]) -> str:
    return shown(rec.get("saved")) or "保存日時不明"


def _listed(names: list[str], total: int) -> str:
    """The first few names, and how many more (「a、b、c ほか 12 冊」)."""
    more = total - min(len(names), _OTHERS_SHOWN)
    return "、".join(names[:_OTHERS_SHOWN]) + (f" ほか {more} 冊" if more > 0 else "")


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


def _duplicate_finding(rec: dict[str, Any], condition: str, **fields: str) -> dict[str, Any]:
    sheet = rec["goals"][0]["sheet"] if rec.get("goals") else ""
    return RULES["duplicate-workbook"].finding(
        sheet, "A1", {"goal": None, "item": None, "subitem": None, "field": None}, condition, **fields).to_dict()

