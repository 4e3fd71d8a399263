"""What a planning division chases departments with: 提出状況, the one-page 概要, which duplicate stands
(--duplicates latest), and a terminal that stays readable."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.city import make_city
from xlsheets import rollup
from xlsheets.cli import main
from xlsheets.settings import load_settings


@pytest.fixture(scope="module")
def city(sample_books, tmp_path_factory):
    d = tmp_path_factory.mktemp("city")
    src = make_city(d, sample_books)
    return src, rollup([src], d / "r.xlsx", settings=load_settings(d / "設定.json"))


def _sheet(path, name, header=0):
    return pd.read_excel(path, sheet_name=name, engine="calamine", header=header)


def saved_at(path: Path, stamp: str) -> Path:
    """The workbook with its 更新日時 property (docProps/core.xml) set to stamp, as Excel would save it."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(info, data)
    tmp.replace(path)
    return path


def test_submission_status_has_a_row_per_department_and_year_and_the_missing_ones(city):
    _src, res = city
    status = _sheet(res.path, "提出状況", header=1)
    rows = list(zip(status["年度"], status["部局名"], status["状況"], strict=True))
    assert rows == [(2025, "総務部", "未提出"), (2025, "企画部", "未提出"), (2025, "第10部", "未提出"),
                    (2025, "福祉部", "提出済"), (2024, "総務部", "提出済"), (2024, "第10部", "提出済"),
                    (2024, "福祉部", "提出済"), (2020, "福祉部", "提出済")]
    assert res.missing == ["総務部 令和7年度（2025）", "企画部 令和7年度（2025）", "第10部 令和7年度（2025）"]
    listing = _sheet(res.path, "一覧")
    for year, dept in ((2024, "福祉部"), (2025, "福祉部"), (2020, "福祉部")):
        row = status[(status["年度"] == year) & (status["部局名"] == dept)].iloc[0]
        mine = listing[(listing["年度"] == year) & (listing["部局名"] == dept)]
        assert row["取組"] == len(mine)
        assert row["重点目標"] == mine["重点目標"].nunique()
    carried = status[(status["年度"] == 2025) & (status["部局名"] == "福祉部")].iloc[0]
    assert carried["中間報告 記入"] == 0 and carried["中間報告 記入率"] == 0  # nothing reported yet
    r2 = status[(status["年度"] == 2020)].iloc[0]
    assert r2["期末報告 記入"] == r2["取組"] and r2["期末報告 記入率"] == 100 and r2["エラー"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r2["最終保存"])


def test_each_submitted_file_on_the_status_sheet_opens_the_workbook(city):
    _src, res = city
    ws = load_workbook(res.path)["提出状況"]
    header = [c.value for c in ws[2]]
    col = header.index("ファイル")
    files = [(row[col].value, row[col].hyperlink) for row in ws.iter_rows(min_row=3) if row[col].value]
    assert len(files) == 5 and all(link is not None and link.target == f"提出/{name}" for name, link in files)


def test_a_department_of_the_year_before_without_a_book_this_year_is_missing_without_a_list(sample_books, tmp_path):
    from tests.city import department
    from xlsheets.filling import fill

    src = tmp_path / "in"
    src.mkdir()
    fill(department("fy2024", "総務部", 2023, goals=1), src / "総務部_R5.xlsx")
    fill(department("fy2024", "福祉部", 2023, goals=1), src / "福祉部_R5.xlsx")
    fill(department("fy2024", "福祉部", 2024, goals=1), src / "福祉部_R6.xlsx")
    res = rollup([src], tmp_path / "r.xlsx")
    assert res.missing == ["総務部 令和6年度（2024）"]


def test_the_overview_is_the_first_sheet_and_fits_one_a4_landscape_page(city):
    _src, res = city
    wb = load_workbook(res.path)
    ws = wb["概要"]
    assert wb.sheetnames[0] == "概要"
    setup = ws.page_setup
    assert setup.orientation == "landscape" and setup.paperSize == 9
    # fit to one page wide and one tall (1 is the file format's default: XlsxWriter leaves it out)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth or 1, setup.fitToHeight or 1) == (1, 1)
    lines = [c.value for c in ws["A"][:4]]
    assert lines[0] == "重点目標 集計の概要" and re.match(r"作成日 \d{4}年\d+月\d+日", lines[1])
    assert lines[2] == "読込 5 冊・取込エラー 0 冊・対象外 0 件" and lines[3].startswith("未提出 3 部局: 総務部 令和7年度（2025）")


def test_the_overview_counts_are_each_years_city_row(city):
    _src, res = city
    ws = load_workbook(res.path)["概要"]
    table = ws.tables["概要"]
    rows = [[c.value for c in row] for row in ws[table.ref]]
    overview = pd.DataFrame(rows[1:], columns=rows[0])
    summary = _sheet(res.path, "集計", header=1)
    city_rows = summary[summary["部局名"] == "市全体"].reset_index(drop=True)
    assert list(overview["取組"]) == list(city_rows["取組数"])
    assert list(overview["達成率あり"]) == list(city_rows["取組数"] - city_rows["測定不能"])
    assert list(overview["◎"]) == list(city_rows["◎"])
    assert list(overview["部局"]) == [1, 3, 1] and list(overview["重点目標"]) == [4, 10, 4]
    means = overview["平均達成率（上限100%）"]
    assert means.isna().tolist() == city_rows["平均達成率（上限100%）"].isna().tolist()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_the_overview_prints_on_one_page_and_each_department_keeps_its_goals_on_one_cover_page(city, tmp_path):
    import subprocess

    from xlsheets.render import render_pdf

    _src, res = city
    pdf = render_pdf(res.path, tmp_path / "r.pdf")
    pages = [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), str(pdf), "-"], capture_output=True,
                            text=True).stdout for k in range(1, 4)]
    assert "重点目標 集計の概要" in pages[0] and "部局名" not in pages[0]  # 概要 alone on page 1
    assert "令和7年度（2025）" in pages[1]  # the 表紙 begins on page 2


def test_latest_keeps_the_workbook_saved_last_and_lists_the_other_as_superseded(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    old = saved_at(shutil.copy(sample_books["fy2024"], src / "福祉部_R6 (1).xlsx"), "2024-10-01T01:00:00Z")
    new = saved_at(shutil.copy(sample_books["fy2024"], src / "福祉部_R6.xlsx"), "2024-10-15T01:00:00Z")
    shutil.copy(sample_books["fy2020"], src / "福祉部_R2.xlsx")
    both = rollup([src], tmp_path / "all.xlsx")
    one = rollup([src], tmp_path / "latest.xlsx", duplicates="latest")
    assert one.superseded == [str(old)] and both.superseded == []
    listing = _sheet(one.path, "一覧")
    assert not listing["参照元"].str.startswith(old.name).any() and listing["参照元"].str.startswith(new.name).any()
    assert one.rows == both.rows - (_sheet(both.path, "一覧")["参照元"].str.startswith(old.name)).sum()
    found = _sheet(one.path, "要確認")
    from_old = found[found["参照元"].str.startswith(old.name)]
    assert list(from_old["コード"]) == ["duplicate-workbook"]  # its own findings are not counted either
    assert "差し替え前のブックとして集計から外しました" in from_old["内容"].iloc[0] and new.name in from_old["内容"].iloc[0]
    summary = _sheet(one.path, "集計", header=1)
    assert summary[(summary["年度"] == 2024) & (summary["部局名"] == "福祉部")]["取組数"].iloc[0] == (
        listing["年度"] == 2024).sum()
    status = _sheet(one.path, "提出状況", header=1)
    row = status[status["年度"] == 2024].iloc[0]
    assert row["ファイル"] == new.name and row["重複"] == 1
    cover = [c.value for c in load_workbook(one.path)["表紙"]["B"] if c.value == "福祉部"]
    assert len(cover) == 2  # one block per year: the superseded workbook has none


def test_without_a_saved_property_the_files_time_decides(sample_books, tmp_path):
    import os

    from xlsheets.summary.saved import FILE_TIME, saved_time

    src = tmp_path / "in"
    src.mkdir()
    a = saved_at(shutil.copy(sample_books["fy2024"], src / "a.xlsx"), "")
    b = saved_at(shutil.copy(sample_books["fy2024"], src / "b.xlsx"), "")
    os.utime(a, (2_000_000_000, 2_000_000_000))  # a was saved after b
    os.utime(b, (1_900_000_000, 1_900_000_000))
    assert saved_time(str(a)) == (2_000_000_000, FILE_TIME)
    assert rollup([src], tmp_path / "r.xlsx", duplicates="latest").superseded == [str(b)]


def test_the_terminal_caps_each_list_at_five_and_ends_with_the_summary_line(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(sample_books["fy2024"], src / "福祉部.xlsx")
    for k in range(8):
        (src / f"壊れた{k}.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    res = CliRunner().invoke(main, ["rollup", str(src), "-o", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert sum(line.startswith("取込エラー: ") for line in lines) == 5
    assert "ほか 3 冊（取込エラーシートを参照）" in lines
    assert lines[-1] == "読込 1 冊・取込エラー 8 冊・対象外 0 件"


def test_many_duplicates_are_said_in_a_short_line(sample_books, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for k in range(12):
        shutil.copy(sample_books["fy2024"], src / f"福祉部_R6 ({k:02}).xlsx")
    res = CliRunner().invoke(main, ["rollup", str(src), "-o", str(tmp_path / "r.xlsx"), "--duplicates", "latest"])
    assert res.exit_code == 0, res.output
    said = [line for line in res.output.splitlines() if line.startswith("注意: 福祉部")]
    assert len(said) == 1 and len(said[0]) < 300 and "ほか 6 冊" in said[0]
    assert res.output.strip().splitlines()[-1].endswith("・差し替え前として外したブック 11 冊")
