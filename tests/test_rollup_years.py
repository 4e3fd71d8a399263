"""A roll-up of several years and departments: totals per fiscal year, years as people read them, the
city's order of departments, charts on one axis, print setup."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.city import ORDER, department, make_city
from xlsheets import rollup
from xlsheets.filling import fill
from xlsheets.settings import load_settings

LABELS = {2025: "令和7年度（2025）", 2024: "令和6年度（2024）", 2020: "令和2年度（2020）"}


@pytest.fixture(scope="module")
def city(sample_books, tmp_path_factory):
    """(the submissions folder, its roll-up with the city's 部局順, one without)."""
    d = tmp_path_factory.mktemp("city")
    src = make_city(d, sample_books)
    ordered = rollup([src], d / "ordered.xlsx", settings=load_settings(d / "設定.json")).path
    natural = rollup([src], d / "natural.xlsx").path
    return src, ordered, natural


def _sheet(path, name, header=0):
    return pd.read_excel(path, sheet_name=name, engine="calamine", header=header)


def test_the_city_row_is_made_once_per_year_and_sums_only_that_year(city):
    _src, out, _ = city
    summary = _sheet(out, "集計", header=1)
    totals = summary[summary["部局名"] == "市全体"]
    assert list(totals["年度"]) == [2025, 2024, 2020]  # the latest year first
    for year in (2025, 2024, 2020):
        depts = summary[(summary["年度"] == year) & (summary["部局名"] != "市全体")]
        total = totals[totals["年度"] == year].iloc[0]
        for col in ("取組数", "数値目標あり", "達成", "未達成", "測定不能", "◎", "○", "△", "×", "－"):
            assert total[col] == depts[col].sum(), (year, col)
    listing = _sheet(out, "一覧")
    assert totals["取組数"].sum() == len(listing)  # every sub-item counted once, in its own year
    # the carried-forward year has no rate at all: its 「－」 are its own, not added to another year's
    assert totals[totals["年度"] == 2025].iloc[0]["－"] == (listing["年度"] == 2025).sum()


def test_each_years_city_row_follows_that_years_departments(city):
    _src, out, _ = city
    summary = _sheet(out, "集計", header=1)
    rows = list(zip(summary["年度"], summary["部局名"], strict=True))
    assert rows == [(2025, "福祉部"), (2025, "市全体"), (2024, "総務部"), (2024, "第10部"), (2024, "福祉部"),
                    (2024, "市全体"), (2020, "福祉部"), (2020, "市全体")]


def test_means_and_medians_have_one_decimal_everywhere(city):
    _src, out, _ = city
    ws = load_workbook(out)["集計"]
    header = [c.value for c in ws[2]]
    cols = [j for j, h in enumerate(header) if h and h.startswith(("平均達成率", "中央値"))]
    cells = [row[j] for row in ws.iter_rows(min_row=3) for j in cols if row[j].value is not None]
    assert len(cols) == 2 and cells
    assert all(c.number_format == "0.0" for c in cells)  # the 市全体 rows too (they showed 「90」 beside 「80.0」)
    assert all(round(c.value, 1) == c.value for c in cells)


def test_years_read_as_people_read_them_in_titles_and_stay_numbers_in_data(city):
    _src, out, _ = city
    wb = load_workbook(out)
    assert all(isinstance(v, int) for v in _sheet(out, "一覧")["年度"])
    assert all(isinstance(v, int) for v in _sheet(out, "集計", header=1)["年度"])
    assert wb["表紙"]["A1"].value == f"{LABELS[2025]}　重点目標"
    assert LABELS[2024] in wb["集計"]["A1"].value and LABELS[2020] in wb["提出状況"]["A1"].value
    years = _sheet(out, "経年比較")
    assert [c for c in years.columns if "平均達成率" in c] == [
        f"{LABELS[y]} 平均達成率（上限100%）" for y in (2020, 2024, 2025)]  # left to right in time
    titles = [c.title.tx.rich.p[0].r[0].t for c in wb["グラフ"]._charts]
    assert titles[0] == "判定の件数（市全体、年度別）" and "総務部 令和6年度（2024） 重点目標別の平均達成率（上限100%）" in titles
    grades = wb["グラフ"]._charts[0]
    assert [s.tx.v for s in grades.series] == [LABELS[2025], LABELS[2024], LABELS[2020]]  # a series per year
    first = [c.value for c in wb["概要"]["A"]]
    at = first.index("年度") + 1
    assert first[at:at + 3] == [LABELS[2025], LABELS[2024], LABELS[2020]]


def test_departments_follow_the_citys_order_on_every_sheet(city):
    _src, out, _ = city
    want = [d for d in ORDER if d != "企画部"]
    in_year = lambda df: [d for d in df[df["年度"] == 2024]["部局名"] if d != "市全体"]  # noqa: E731
    assert list(dict.fromkeys(in_year(_sheet(out, "一覧")))) == want
    assert in_year(_sheet(out, "集計", header=1)) == want
    assert list(dict.fromkeys(in_year(_sheet(out, "重点目標別", header=1)))) == want
    assert [d for d in _sheet(out, "提出状況", header=1)["部局名"]][:4] == ["総務部", "企画部", "第10部", "福祉部"]
    cover = [c.value for c in load_workbook(out)["表紙"]["B"] if c.value in ORDER]
    assert cover == ["福祉部", *want, "福祉部"]  # 2025, then 2024 in the city's order, then 2020
    charts = [c.title.tx.rich.p[0].r[0].t.split(" ")[0] for c in load_workbook(out)["グラフ"]._charts[1:]]
    assert charts == [*want, "福祉部"]


def test_without_a_list_departments_come_in_natural_order(city):
    _src, _ordered, out = city
    summary = _sheet(out, "集計", header=1)
    assert [d for y, d in zip(summary["年度"], summary["部局名"], strict=True) if y == 2024] == [
        "総務部", "第10部", "福祉部", "市全体"]  # 総(そう) 第(だい) 福(ふく)


def test_a_workbooks_own_settings_sheet_gives_the_order_when_no_file_does(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("総務部", "福祉部", "第10部"):
        path = fill(department("fy2024", name, 2024, goals=1), src / f"{name}.xlsx").path
        wb = load_workbook(path)
        ws = wb.create_sheet("xlsheets設定")
        ws.append(["部局順", "福祉部", "第10部", "総務部"])
        wb.save(path)
    summary = _sheet(rollup([src], tmp_path / "r.xlsx").path, "集計", header=1)
    assert list(summary["部局名"]) == ["福祉部", "第10部", "総務部", "市全体"]


def test_every_rate_chart_has_one_axis_from_zero_to_the_cap(city):
    _src, out, _ = city
    wb = load_workbook(out)
    rate_charts = wb["グラフ"]._charts[1:] + wb["概要"]._charts
    axes = [c.y_axis for c in rate_charts]  # the value axis (openpyxl's y_axis, also of a horizontal bar chart)
    assert len(rate_charts) == 6 and all((a.scaling.min, a.scaling.max) == (0, 100) for a in axes)


def test_uncapped_charts_end_at_the_largest_mean_shown(city, tmp_path):
    src, _, _ = city
    out = rollup([src], tmp_path / "u.xlsx", cap=None).path
    goals = _sheet(out, "重点目標別", header=1)
    top = goals["平均達成率"].max()
    axes = [c.y_axis.scaling.max for c in load_workbook(out)["グラフ"]._charts[1:]]
    assert top > 100 and set(axes) == {-(-top // 10) * 10}


def test_a_department_year_without_any_rate_gets_no_chart_and_a_line_says_so(city):
    _src, out, _ = city
    ws = load_workbook(out)["グラフ"]
    titles = [c.title.tx.rich.p[0].r[0].t for c in ws._charts]
    assert not any(LABELS[2025] in t for t in titles)  # 福祉部's carried-forward year has no rate yet
    assert ws["A1"].value == f"達成率が1件もない部局・年度はグラフを省略しました: 福祉部 {LABELS[2025]}"
    overview = load_workbook(out)["概要"]
    assert len(overview._charts) == 2 and f"{LABELS[2025]}（達成率が1件もない）" in " ".join(
        str(c.value) for row in overview.iter_rows() for c in row if c.value)


def test_header_rows_repeat_on_every_printed_page(city):
    _src, out, _ = city
    wb = load_workbook(out)
    assert wb["一覧"].print_title_rows == "$1:$1" and wb["要確認"].print_title_rows == "$1:$1"
    for name in ("集計", "重点目標別", "提出状況"):  # under a title row
        assert wb[name].print_title_rows == "$2:$2", name


def test_the_cover_breaks_pages_between_departments_only(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for k in range(14):
        fill(department("fy2024", f"第{k + 1}部", 2024, goals=4), src / f"d{k}.xlsx")
    ws = load_workbook(rollup([src], tmp_path / "r.xlsx").path)["表紙"]
    starts = [c.row for c in ws["A"] if str(c.value or "").endswith("重点目標")]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks and set(breaks) <= {r - 1 for r in starts}  # each break just before a department's title
    assert ws.page_setup.orientation == "portrait"


def test_a_rollup_settings_file_with_rounding_rates_every_workbook_with_it(city, tmp_path):
    src, _, _ = city
    (tmp_path / "s.json").write_text(json.dumps({"端数処理": "切り上げ", "部局順": ["福祉部"]}, ensure_ascii=False),
                                     encoding="utf-8")
    up = _sheet(rollup([src], tmp_path / "up.xlsx", settings=load_settings(tmp_path / "s.json")).path, "一覧")
    down = _sheet(city[2], "一覧")
    rates = up.set_index("参照元")["期末達成率"].fillna(0), down.set_index("参照元")["期末達成率"].fillna(0)
    assert (rates[0] >= rates[1].reindex(rates[0].index)).all()
    assert (rates[0] > rates[1].reindex(rates[0].index)).any()  # 66.7 % is 67 rounded up, not 66


def test_goals_of_several_departments_are_compared_across_years_each_in_its_own_row(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name, base in (("総務部", "fy2024"), ("福祉部", "fy2020")):
        for year in (2023, 2024):
            fill(department(base, name, year, goals=2), src / f"{name}_{year}.xlsx")
    years = _sheet(rollup([src], tmp_path / "r.xlsx").path, "経年比較")
    assert list(years["部局名"]) == ["総務部", "総務部", "福祉部", "福祉部"]  # a goal without a rate too
