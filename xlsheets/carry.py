"""Carry-forward: start next year's sheets from this year's."""

from __future__ import annotations

import uuid
from copy import deepcopy

from .model import Department


def new_goal_id() -> str:
    return "g-" + uuid.uuid4().hex[:12]


def carry_forward(dept: Department, to_year: int) -> Department:
    """Goals, items, methods, periods and targets kept; reports, rates and effects emptied.

    Every goal keeps its stable id (one is given to goals that have none), so that the
    roll-up can follow a goal across years even when its title changes.
    """
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
