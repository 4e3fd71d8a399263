"""The site's pages rendered from Jinja2 templates (package data, autoescaped: a text from a sheet is
shown as written and never becomes markup), written with the stylesheets and the open data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2

from ..interchange import LONG_COLUMNS
from ..model import NOTE_KEYS, POSITIONING_KEYS, STAGE_JA, STAGES
from ..settings import DEFAULT_SETTINGS, Settings
from ..summary.tables import frames
from .charts import shown
from .figures import (
    YearFigures,
    department_figures,
    goals_table,
    grade_chart,
    rate_chart,
    year_departments_table,
    year_goals_table,
)
from .opendata import csv_bytes, json_bytes
from .site import DepartmentPage, GoalPage, SubItemRow, YearPage

STATIC = ("style.css", "print.css")
LABELS = dict(LONG_COLUMNS)  # interchange key → the form's Japanese label
SOURCES_SHOWN = 50  # workbook names listed on one page; the rest are on the department pages


@dataclass
class Crumb:
    text: str
    href: str | None  # None: this page


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("xlsheets.publish", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["grade"] = grade_text
    env.filters["rates"] = rates_text
    return env


def grade_text(row: dict[str, Any]) -> str:
    """判定 in words beside its symbol, as the roll-up counts it: 達成 = the latest rate ≥ 100%."""
    rate = row["期末達成率"] if row["期末達成率"] is not None else row["中間達成率"]
    word = "測定不能" if rate is None else "達成" if rate >= 100 else "未達成"
    return f"{row['判定']} {word}"


def rates_text(row: dict[str, Any]) -> list[str]:
    """「中間 20%」「期末 40%」: each report's 達成率 as computed (the list keeps rates above 100%)."""
    return [f"{STAGE_JA[s]} {shown(row[f'{STAGE_JA[s]}達成率'], '%')}" for s in STAGES]


def grade_legend(settings: Settings = DEFAULT_SETTINGS) -> str:
    """「◎ 100%以上、○ 80%以上、△ 50%以上、× 50%未満、－ 測定不能」: the bands a sheet grades by unless
    its workbook sets its own."""
    bands = sorted(settings.bands, reverse=True)
    return "、".join([*(f"{symbol} {low}%以上" for low, symbol in bands), f"{settings.below} {bands[-1][0]}%未満",
                      f"{settings.none} 測定不能"])


def header_fields(goal: dict[str, Any]) -> list[tuple[str, str]]:
    """位置付け (the ones the sheet has), 現況・課題 and 目的・効果, as (label, text)."""
    placed = [(LABELS[k], goal["positioning"].get(k, "")) for k in POSITIONING_KEYS if goal["positioning"].get(k)]
    return [*(placed or [("位置付け", "")]), (LABELS["current_issues"], goal["current_issues"]),
            (LABELS["purpose"], goal["purpose"])]


def note_fields(goal: dict[str, Any]) -> list[tuple[str, str]]:
    return [(LABELS[f"notes_{k}"], goal["notes"].get(k, "")) for k in NOTE_KEYS]


class SiteWriter:
    """Renders every page of the years into a folder (a fresh one: the caller swaps it into place)."""

    def __init__(self, folder: Path, years: list[YearPage], *, title: str, updated: dt.date,
                 stage: str | None, cap: float | None) -> None:
        self.folder, self.years, self.stage, self.cap = folder, years, stage, cap
        self.env = environment()
        self.common = {"site_title": title, "updated": updated, "years": years, "generator": _generator(),
                       "stage": STAGE_JA.get(stage or "", ""), "cap": shown(cap, "%") if cap else "",
                       "grade_legend": grade_legend()}
        self.pages = 0

    def write(self) -> int:
        """Write the site; returns the number of pages."""
        for year in self.years:
            fig = YearFigures.of(frames(year.records, self.stage, self.cap))
            self._year(year, fig)
            for dept in year.departments:
                self._department(year, dept, fig)
                for goal in dept.goals:
                    self._goal(year, dept, goal)
            self._file(year.data_path("csv"), csv_bytes(year))
            self._file(year.data_path("json"), json_bytes(year))
        sources = [s for y in self.years for s in y.sources]
        self._page("index.html", "index.html", [Crumb("トップ", None)], sources)
        for name in STATIC:
            self._file(name, resources.files(__package__).joinpath("templates", name).read_bytes())
        return self.pages

    def _year(self, year: YearPage, fig: YearFigures) -> None:
        root = _root(year.path)
        charts = [c for c in (grade_chart(fig, year), rate_chart(fig, year, self.cap)) if c]
        self._page(year.path, "year.html", [Crumb("トップ", root + "index.html"), Crumb(f"{year.label} 集計", None)],
                   year.sources, year=year, charts=charts, departments=year_departments_table(fig, year, root),
                   goals=year_goals_table(fig, year, root))

    def _department(self, year: YearPage, dept: DepartmentPage, fig: YearFigures) -> None:
        root = _root(dept.path)
        self._page(dept.path, "department.html", [*self._year_crumbs(year, root), Crumb(dept.label, None)],
                   dept.sources, year=year, dept=dept, figures=department_figures(fig, dept),
                   goals=goals_table(fig, dept, root))

    def _goal(self, year: YearPage, dept: DepartmentPage, goal: GoalPage) -> None:
        root = _root(goal.path)
        crumbs = [*self._year_crumbs(year, root), Crumb(dept.label, root + dept.path),
                  Crumb(f"重点目標 {goal.number}", None)]
        self._page(goal.path, "goal.html", crumbs, [goal.source], year=year, dept=dept, goal=goal,
                   fields=header_fields(goal.goal), notes=note_fields(goal.goal), rows=goal.rows)

    @staticmethod
    def _year_crumbs(year: YearPage, root: str) -> list[Crumb]:
        return [Crumb("トップ", root + "index.html"), Crumb(f"{year.label} 集計", root + year.path)]

    def _page(self, path: str, template: str, crumbs: list[Crumb], sources: list[str], **context: Any) -> None:
        shown_sources = sorted(set(sources))
        html = self.env.get_template(template).render(
            **self.common, **context, root=_root(path), crumbs=crumbs, sources=shown_sources[:SOURCES_SHOWN],
            more_sources=max(0, len(shown_sources) - SOURCES_SHOWN))
        self._file(path, html.encode("utf-8"))
        self.pages += 1

    def _file(self, path: str, data: bytes) -> None:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _root(path: str) -> str:
    """The way from a page back to the site's top: "" or "../" per folder."""
    return "../" * path.count("/")


def _generator() -> str:
    try:
        return f"xlsheets {version('xlsheets')}"
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "xlsheets"


__all__ = ["SiteWriter", "SubItemRow", "environment", "grade_text"]
