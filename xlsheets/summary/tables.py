"""The summaries (pandas): by department and year (with the city's row of each year), by goal,
across years, the read errors, 提出状況 and 概要. Rows come latest year first, departments in the
city's order (``settings.order_departments``); no total or mean ever spans two fiscal years."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ..model import year_key, year_label
from ..settings import order_departments
from . import columns
from .columns import CITY, GRADE_ORDER, RATE_CAP, SUMMARY_COLUMNS
from .gathered import Gathered, gather
from .status import submission_status

COUNTS = ["取組数", "数値目標あり", "達成", "未達成", "測定不能"]


def capped(header: str, cap: float | None) -> str:
    """「平均達成率」 → 「平均達成率（上限100%）」: a column of capped rates says so."""
    return header if cap is None else f"{header}（上限{cap:g}%）"


class Tables(NamedTuple):
    """The roll-up's summaries as pandas DataFrames."""

    summary: Any  # by year and department; each year's departments, then its 市全体 row
    by_goal: Any  # by year, department and goal
    years: Any  # a department's goals across fiscal years (経年比較)
    errors: Any  # the files that could not be read (取込エラー)
    status: Any  # 提出状況: one row per department and year, 未提出 ones included
    overview: Any  # 概要: one row per year


def frames(records: Gathered | list[dict[str, Any]], stage: str | None = None, cap: float | None = RATE_CAP,
           order: Sequence[str] = ()) -> Tables:
    """The roll-up's summary tables as pandas DataFrames (一覧 and 要確認 are written from the
    gathered columns). order: the city's 部局順 (departments not in it follow in natural order).

    Means and medians count a rate above cap as cap (None: uncapped); the list keeps every rate.
    """
    import pandas as pd

    if not isinstance(records, Gathered):
        records = gather(records, columns.LISTING.row_fields)
    listing = records.frame(SUMMARY_COLUMNS)
    listing["年度"] = [_year(v) for v in listing["年度"]]
    rate_col = {"midterm": "中間達成率", "final": "期末達成率"}.get(stage or "")
    if rate_col is None:  # the latest stage each sub-item has
        rate = listing["期末達成率"].where(listing["期末達成率"].notna(), listing["中間達成率"])
    else:
        rate = listing[rate_col]
    listing = listing.assign(_rate=pd.to_numeric(rate, errors="coerce"))
    listing["_mean"] = listing["_rate"] if cap is None else listing["_rate"].clip(upper=cap)
    rank = department_ranks([*listing["部局名"], *(b.get("department", "") for b in records.books if b.get("ok"))], order)
    stats = _Stats(listing, cap)
    summary = stats.by_department(rank)
    by_goal = stats.by_goal(rank)
    years = _across_years(listing, cap, rank)
    errors = pd.DataFrame([{"ファイル": r["path"], "理由": reason(r["error"], r["path"])}
                           for r in records.books if not r.get("ok")], columns=["ファイル", "理由"])
    status = submission_status(records.books, order, rank)
    return Tables(summary, by_goal, years, errors, status, _overview(summary, by_goal, cap))


def _year(v: Any) -> Any:
    """A 年度 cell as a whole number when it is one (Arrow gives 2020.0 beside a missing year)."""
    if isinstance(v, float) and v == v and v == int(v):
        return int(v)
    return v if isinstance(v, int) else ("" if v is None or v != v else v)


def department_ranks(names, order: Sequence[str]) -> dict[str, int]:
    """Each department's place in the city's order (order_departments over these names and the 部局順)."""
    return {name: k for k, name in enumerate(order_departments(sorted({*map(str, names), *order}), order))}


class _Stats:
    """Counts, mean and median rate per group of a listing; never across two years."""

    def __init__(self, listing, cap: float | None) -> None:
        import pandas as pd

        self.listing = listing
        self.mean_col, self.median_col = capped("平均達成率", cap), capped("中央値", cap)
        rate = listing["_rate"]
        self.flags = pd.DataFrame({
            "取組数": 1,
            "数値目標あり": listing["目標値"].notna().astype(int),
            "達成": (rate >= 100).astype(int),
            "未達成": (rate < 100).astype(int),
            "測定不能": rate.isna().astype(int),
            **{sym: (listing["判定"] == sym).astype(int) for sym in GRADE_ORDER},
        }, index=listing.index)

    def _grouped(self, by: list[str]):
        """One row per group of by: the counts, then the mean and median (one decimal), then the grades."""
        data = self.listing[by].join(self.flags).assign(_mean=self.listing["_mean"])
        g = data.groupby(by, sort=False, dropna=False)
        out = g[list(self.flags.columns)].sum()
        out.insert(len(COUNTS), self.mean_col, g["_mean"].mean().round(1))
        out.insert(len(COUNTS) + 1, self.median_col, g["_mean"].median().round(1))
        return out.reset_index()

    def by_department(self, rank: dict[str, int]):
        import pandas as pd

        if self.listing.empty:
            return pd.DataFrame(columns=["年度", "部局名", "取組数"])
        depts = self._grouped(["年度", "部局名"])
        city = self._grouped(["年度"]).assign(部局名=CITY)[depts.columns]
        both = pd.concat([depts, city], ignore_index=True)
        keys = [(year_key(y), d == CITY, rank.get(d, 0)) for y, d in zip(both["年度"], both["部局名"], strict=True)]
        return _ordered(both, keys)

    def by_goal(self, rank: dict[str, int]):
        import pandas as pd

        if self.listing.empty:
            return pd.DataFrame(columns=["年度", "部局名", "優先順位", "重点目標"])
        goals = self._grouped(["年度", "部局名", "優先順位", "重点目標"])
        keys = [(year_key(y), rank.get(d, 0), _priority_key(p), str(t))
                for y, d, p, t in zip(goals["年度"], goals["部局名"], goals["優先順位"], goals["重点目標"], strict=True)]
        return _ordered(goals, keys)


def _ordered(df, keys: list[tuple]):
    """The rows of df in the order of their keys."""
    order = sorted(range(len(df)), key=keys.__getitem__)
    return df.iloc[order].reset_index(drop=True)


def _priority_key(p: Any) -> tuple:
    """1位, 2位 … by number; a priority written otherwise (未定) after them."""
    return (0, p, "") if isinstance(p, (int, float)) and p == p else (1, 0, str(p))


def _overview(summary, by_goal, cap: float | None):
    """概要: per year (latest first) the departments, goals, sub-items, those with a rate, the grades
    and the mean rate, all from the year's 市全体 row of 集計."""
    import pandas as pd

    columns = ["年度", "部局", "重点目標", "取組", "達成率あり", *GRADE_ORDER, capped("平均達成率", cap)]
    if summary.empty:
        return pd.DataFrame(columns=columns)
    city = summary[summary["部局名"] == CITY]
    depts = summary[summary["部局名"] != CITY].groupby("年度", sort=False).size()
    goals = by_goal.groupby("年度", sort=False).size()
    mean = capped("平均達成率", cap)
    rows = [[year_label(r["年度"]), int(depts.get(r["年度"], 0)), int(goals.get(r["年度"], 0)), int(r["取組数"]),
             int(r["取組数"] - r["測定不能"]), *(int(r[s]) for s in GRADE_ORDER), r[mean]]
            for _, r in city.iterrows()]
    return pd.DataFrame(rows, columns=columns)


def reason(error: str, path: str) -> str:
    """Why a file could not be read, without its path (取込エラー shows it in its own column)."""
    for tail in (f": {path}", f"：{path}", f" {path}"):
        if error.endswith(tail):
            return error[: -len(tail)].rstrip()
    return error


def _across_years(listing, cap: float | None = RATE_CAP, rank: dict[str, int] | None = None):
    """Goals of one department matched across years (by stable id, else by title), mean rates side by
    side, the years in order left to right."""
    import pandas as pd

    empty = pd.DataFrame(columns=["部局名", "重点目標", "目標ID"])
    if listing.empty or listing["年度"].nunique() < 2:
        return empty
    df = listing.assign(_key=listing["目標ID"].where(listing["目標ID"] != "", "title:" + listing["重点目標"]))
    depts = df.groupby("部局名")["年度"].nunique()
    df = df[df["部局名"].isin(depts[depts > 1].index)]
    if df.empty:
        return empty
    titles = df.assign(_y=[year_key(y) for y in df["年度"]]).sort_values("_y").groupby(["部局名", "_key"])["重点目標"].first()
    # every goal, every year: a goal or a year without a rate yet (carried forward) keeps its row or column
    table = df.groupby(["部局名", "_key", "年度"])["_mean"].mean().unstack("年度")
    table = table.reindex(columns=sorted(set(df["年度"]), key=year_key, reverse=True))
    table.columns = [capped(f"{year_label(c)} 平均達成率", cap) for c in table.columns]
    table = table.round(1).reset_index()
    names = titles.to_dict()
    table.insert(1, "重点目標", [names[(d, k)] for d, k in zip(table["部局名"], table["_key"], strict=True)])
    table.insert(2, "目標ID", [k if not k.startswith("title:") else "" for k in table["_key"]])
    table = _ordered(table, [((rank or {}).get(d, 0), k) for d, k in zip(table["部局名"], table["_key"], strict=True)])
    return table.drop(columns="_key")
