"""The pages of a published site as values: years → departments → goals, each with its path.

Paths are the site's own, made of ASCII only (a department's is a short hash of its name, so that
its address stays when other departments come and go); no text from a sheet ever becomes a path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath
from typing import Any

from ..model import circled, paren, year_label
from ..settings import order_departments


@dataclass
class SubItemRow:
    """One row of a goal's 取組 table: a sub-item with its roll-up row (None: an item without sub-items)."""

    anchor: str  # "r1": the row's id on its page
    label: str  # 「①(1)」
    item: str  # the 取組項目's title
    texts: dict[str, str]  # method, period, target, midterm, final: as written
    row: dict[str, Any] | None  # the roll-up's 一覧 row (rates, 判定, 根拠), None for an item without sub-items


@dataclass
class GoalPage:
    number: int  # its place in its department-year, by priority (g1, g2, …)
    goal: dict[str, Any]  # the goal in the interchange schema
    rows: list[SubItemRow]
    source: str  # the workbook's name
    sheet: str
    path: str = ""

    @property
    def priority(self) -> Any:
        return self.goal.get("priority")


@dataclass
class DepartmentPage:
    name: str  # as the roll-up keys it (may be empty)
    slug: str
    goals: list[GoalPage] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)  # one per workbook, as read
    path: str = ""

    @property
    def label(self) -> str:
        return self.name or "（部局名なし）"


@dataclass
class YearPage:
    fiscal_year: int | str
    slug: str
    departments: list[DepartmentPage] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # the roll-up records of the year
    path: str = ""

    @property
    def label(self) -> str:
        return year_label(self.fiscal_year)

    @property
    def sources(self) -> list[str]:
        return [s for d in self.departments for s in d.sources]

    def data_path(self, suffix: str) -> str:
        return f"data/goals-{self.slug}.{suffix}"


def department_order(names: Iterable[str], order: Sequence[str] = ()) -> list[str]:
    """The departments in the city's order: the 部局順 first, the others as the roll-up orders them."""
    return order_departments(names, order)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def _year_slug(fy: int | str) -> str:
    return str(fy) if isinstance(fy, int) else "y" + _digest(str(fy))


def source_name(path: str) -> str:
    """A workbook's name as the public pages show it: the file name, never the folders it sat in."""
    return PurePosixPath(path.split("://", 1)[-1]).name if "://" in path else PurePath(path).name


def build_site(records: list[dict[str, Any]], order: Sequence[str] = ()) -> list[YearPage]:
    """The years (newest first), their departments (the city's 部局順 ``order``, then natural order) and
    goals (by priority) of the records read (each with its interchange document)."""
    years: dict[str, YearPage] = {}
    departments: dict[tuple[str, str], DepartmentPage] = {}
    for rec in records:
        fy = rec["fiscal_year"]
        year = years.setdefault(str(fy), YearPage(fy, _year_slug(fy)))
        year.records.append(rec)
        name = rec["department"]
        dept = departments.get((str(fy), name))
        if dept is None:
            dept = departments[(str(fy), name)] = DepartmentPage(name, "d" + _digest(name))
            year.departments.append(dept)
        dept.sources.append(source_name(rec["path"]))
        dept.documents.append(rec["document"])
        dept.goals += goal_pages(rec)
    for year in years.values():
        by_name = {d.name: d for d in year.departments}
        year.departments = [by_name[n] for n in department_order(by_name, order)]
        year.path = f"{year.slug}/index.html"
        for dept in year.departments:
            dept.path = f"{year.slug}/{dept.slug}/index.html"
            dept.goals.sort(key=lambda g: (0, g.priority) if isinstance(g.priority, int) else (1, 0))
            for n, goal in enumerate(dept.goals, 1):
                goal.number, goal.path = n, f"{year.slug}/{dept.slug}/g{n}.html"
    return sorted(years.values(), key=lambda y: (isinstance(y.fiscal_year, int), y.fiscal_year if
                                                 isinstance(y.fiscal_year, int) else 0), reverse=True)


def goal_pages(rec: dict[str, Any]) -> list[GoalPage]:
    """The goals of one workbook, each with its 取組 rows: the document's sub-items met in the same
    order as extraction met them, checked by goal title and sub-item number."""
    rows = iter(rec["rows"])
    pages = []
    for goal, meta in zip(rec["document"]["goals"], rec["goals"], strict=True):
        table = []
        for item in goal["items"]:
            subs = item["subitems"] or [None]
            for sub in subs:
                row = None if sub is None else next(rows)
                if row is not None and (row["重点目標"], row["番号"]) != (goal["title"], paren(sub["no"])):
                    raise AssertionError(f"row {row['番号']} of {row['重点目標']!r} met out of order")
                texts = {k: (sub or {}).get(k, "") for k in ("method", "period", "target", "midterm", "final")}
                label = circled(item["no"]) + (paren(sub["no"]) if sub else "")
                table.append(SubItemRow(f"r{len(table) + 1}", label, item["title"], texts, row))
        pages.append(GoalPage(0, goal, table, source_name(rec["path"]), meta["sheet"]))
    return pages
