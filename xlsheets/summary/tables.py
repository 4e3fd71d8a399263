"""The summaries (pandas): by department, by goal, across years, and the read errors."""

from __future__ import annotations

from typing import Any, NamedTuple

from .columns import GRADE_ORDER, RATE_CAP, ROW_FIELDS, SUMMARY_COLUMNS
from .gathered import Gathered, gather


def capped(header: str, cap: float | None) -> str:
    """「平均達成率」 → 「平均達成率（上限100%）」: a column of capped rates says so."""
    return header if cap is None else f"{header}（上限{cap:g}%）"


class Tables(NamedTuple):
    """The roll-up's summaries as pandas DataFrames."""

    summary: Any  # by department, with the city's total row
    by_goal: Any  # by department and goal
    years: Any  # a department's goals across fiscal years (経年比較)
    errors: Any  # the files that could not be read (取込エラー)


def frames(records: Gathered | list[dict[str, Any]], stage: str | None = None, cap: float | None = RATE_CAP) -> Tables:
    """The roll-up's summary tables as pandas DataFrames: summary, by goal, years, errors (一覧 and
    要確認 are written from the gathered columns).

    Means and medians count a rate above cap as cap (None: uncapped); the list keeps every rate.
    """
    import pandas as pd

    if not isinstance(records, Gathered):
        records = gather(records, ROW_FIELDS)
    listing = records.rows.to_pandas(SUMMARY_COLUMNS)
    rate_col = {"midterm": "中間達成率", "final": "期末達成率"}.get(stage or "")
    if rate_col is None:  # the latest stage each sub-item has
        rate = listing["期末達成率"].where(listing["期末達成率"].notna(), listing["中間達成率"])
    else:
        rate = listing[rate_col]
    listing = listing.assign(_rate=pd.to_numeric(rate, errors="coerce"))
    mean_rate = listing["_rate"] if cap is None else listing["_rate"].clip(upper=cap)
    mean_col, median_col = capped("平均達成率", cap), capped("中央値", cap)

    keys = ["年度", "部局名"]
    flags = pd.DataFrame({
        "取組数": 1,
        "数値目標あり": listing["目標値"].notna().astype(int),
        "達成": (listing["_rate"] >= 100).astype(int),
        "未達成": (listing["_rate"] < 100).astype(int),
        "測定不能": listing["_rate"].isna().astype(int),
        **{sym: (listing["判定"] == sym).astype(int) for sym in GRADE_ORDER},
    })
    counts = list(flags.columns)

    def summarise(by: list[str] | None):
        """Counts, mean and median rate per group (None: the whole city)."""
        data = pd.concat([listing[by or []], flags, mean_rate], axis=1)
        if by:
            g = data.groupby(by, sort=True, dropna=False)
            out = g[counts].sum()
            out.insert(5, mean_col, g["_rate"].mean().round(1))
            out.insert(6, median_col, g["_rate"].median())
            return out.reset_index()
        row = {c: int(flags[c].sum()) for c in counts}
        rate = mean_rate.dropna()
        row[mean_col] = round(float(rate.mean()), 1) if len(rate) else None
        row[median_col] = float(rate.median()) if len(rate) else None
        return pd.DataFrame([row])[[*counts[:5], mean_col, median_col, *counts[5:]]]

    if listing.empty:
        summary = pd.DataFrame(columns=[*keys, "取組数"])
        by_goal = pd.DataFrame(columns=[*keys, "優先順位", "重点目標"])
    else:
        total = summarise(None).assign(年度="", 部局名="市全体")
        summary = pd.concat([summarise(keys), total[[*keys, *total.columns[:-2]]]], ignore_index=True)
        by_goal = summarise([*keys, "優先順位", "重点目標"])
    years = _across_years(listing, cap)
    errors = pd.DataFrame([{"ファイル": r["path"], "理由": reason(r["error"], r["path"])}
                           for r in records.books if not r.get("ok")], columns=["ファイル", "理由"])
    return Tables(summary, by_goal, years, errors)


def reason(error: str, path: str) -> str:
    """Why a file could not be read, without its path (取込エラー shows it in its own column)."""
    for tail in (f": {path}", f"：{path}", f" {path}"):
        if error.endswith(tail):
            return error[: -len(tail)].rstrip()
    return error


def _across_years(listing, cap: float | None = RATE_CAP):
    """Goals of one department matched across years (by stable id, else by title), mean rates side by side."""
    import pandas as pd

    if listing.empty or listing["年度"].nunique() < 2:
        return pd.DataFrame(columns=["部局名", "重点目標", "目標ID"])
    df = listing.assign(_key=listing["目標ID"].where(listing["目標ID"] != "", "title:" + listing["重点目標"]),
                        _r=pd.to_numeric(listing["期末達成率"].where(listing["期末達成率"].notna(),
                                                                    listing["中間達成率"]), errors="coerce").clip(upper=cap))
    depts = df.groupby("部局名")["年度"].nunique()
    df = df[df["部局名"].isin(depts[depts > 1].index)]
    if df.empty:
        return pd.DataFrame(columns=["部局名", "重点目標", "目標ID"])
    titles = df.sort_values("年度").groupby(["部局名", "_key"])["重点目標"].last()
    table = df.pivot_table(index=["部局名", "_key"], columns="年度", values="_r", aggfunc="mean")
    table.columns = [capped(f"{c}年度 平均達成率", cap) for c in table.columns]
    table = table.round(1).reset_index()
    names = titles.to_dict()
    table.insert(1, "重点目標", [names[(d, k)] for d, k in zip(table["部局名"], table["_key"], strict=False)])
    table.insert(2, "目標ID", [k if not k.startswith("title:") else "" for k in table["_key"]])
    return table.drop(columns="_key")

