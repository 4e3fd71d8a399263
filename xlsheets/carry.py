"""Carry-forward: start next year's sheets from this year's."""

from __future__ import annotations

import uuid
from copy import deepcopy

from .errors import XlsheetsError
from .model import Department, wareki


def new_goal_id() -> str:
    return "g-" + uuid.uuid4().hex[:12]


def next_year(dept: Department, to_year: int | None = None) -> int:
    """The year to carry dept forward to: to_year when given, else the year after the sheet's."""
    if to_year is not None:
        return to_year
    if isinstance(dept.fiscal_year, int):
        return dept.fiscal_year + 1
    raise XlsheetsError("年度が読み取れません。シートの表題に「令和6年度」などがあるか確認してください。",
                        "the sheet's fiscal year cannot be read")


def carry_forward(dept: Department, to_year: int) -> Department:
    """Goals, items, methods, periods and targets kept; reports, rates and effects emptied.

    to_year must come after the sheet's year (when the sheet has one).

    Every goal keeps its stable id (one is given to goals that have none), so that the
    roll-up can follow a goal across years even when its title changes.
    """
    if isinstance(dept.fiscal_year, int) and to_year <= dept.fiscal_year:
        raise XlsheetsError(
            f"新年度（{wareki(to_year)}）は元のシートの年度（{wareki(dept.fiscal_year)}）より後にしてください。",
            f"the new year {to_year} must come after the sheet's year {dept.fiscal_year}",
        )
    new = deepcopy(dept)
    new.fiscal_year = to_year
    for goal in new.goals:
        goal.id = goal.id or new_goal_id()
        goal.notes["effects"] = ""
        for _item, sub in goal.subitems():
            sub.midterm = ""
            sub.final = ""
            sub.achievement = None
    return new
