"""Roll-ups: every sheet of many workbooks in one summary workbook; one broken file never stops it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlsheets import rollup
from xlsheets.cli import main
from xlsheets.filling import fill
from xlsheets.model import department_from_dict
from xlsheets.samples import sample_dict
from xlsheets.summary.inputs import collect_inputs, scan_inputs

SHEETS = ["概要", "表紙", "一覧", "集計", "重点目標別", "経年比較", "提出状況", "要確認", "取込エラー", "グラフ"]


def _subitems(name):
    return sum(len(i.subitems) for g in department_from_dict(sample_dict(name)).goals for i in g.items)


@pytest.fixture
def folder(sample_books, tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(sample_books["fy2020"], d / "福祉部_R2.xlsx")
    shutil.copy(sample_books["fy2024"], d / "sub" / "福祉部_R6.xlsx")
    (d / "壊れた.xlsx").write_bytes(b"PK\x03\x04 this is not a zip")
    (d / "~$福祉部_R2.xlsx").write_bytes(b"lock")
    (d / ".~lock.福祉部_R2.xlsx#").write_text("lock")
    (d / "メモ.txt").write_text("not a workbook")
    return d


def test_rollup_of_the_samples_a_broken_file_and_a_lock_file(folder, tmp_path):
    out = tmp_path / "集計.xlsx"
    res = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == SHEETS
    listing = pd.read_excel(out, sheet_name="一覧", engine="calamine")
    assert len(listing) == _subitems("fy2020") + _subitems("fy2024")
    errors = pd.read_excel(out, sheet_name="取込エラー", engine="calamine")
    assert list(errors["ファイル"]) == [str(folder / "壊れた.xlsx")]
    assert errors["理由"][0].startswith("ブックが壊れています") and "壊れた.xlsx" not in errors["理由"][0]
    assert "~$" not in " ".join(listing["参照元"]) and "lock" not in " ".join(listing["参照元"])
    assert "壊れた.xlsx" in res.output


def test_rollup_workbook_has_tables_links_charts_and_formats(folder, tmp_path):
    (tmp_path / "out").mkdir()
    out = rollup([folder], tmp_path / "out" / "r.xlsx").path
    wb = load_workbook(out)
    ws = wb["一覧"]
    assert "一覧" in ws.tables and ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    rate = headers.index("期末達成率") + 1
    rated = [ws.cell(r, rate) for r in range(2, ws.max_row + 1) if ws.cell(r, rate).value is not None]
    assert rated and all(c.number_format == '0"%"' for c in rated)
    src = next(row[headers.index("参照元")] for row in ws.iter_rows(min_row=2)
               if str(row[headers.index("参照元")].value).startswith("福祉部_R2.xlsx / 1_"))
    link = src.hyperlink
    assert link is not None and link.location == f"'{src.value.split(' / ')[1]}'!D8"
    assert link.target == "../in/福祉部_R2.xlsx"  # relative: moving both folders keeps the links working
    assert ws.conditional_formatting
    charts = wb["グラフ"]
    assert len(charts._charts) == 3  # the grades, and one per department and year
    assert [b.id for b in charts.row_breaks.brk] == [32]  # two charts a page: none is cut in print
    summary = pd.read_excel(out, sheet_name="集計", engine="calamine", header=1)
    assert "市全体" in set(summary["部局名"])
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows


def test_goals_are_compared_across_years(folder, tmp_path):
    out = rollup([folder], tmp_path / "r.xlsx").path
    years = pd.read_excel(out, sheet_name="経年比較", engine="calamine")
    both = years.dropna(subset=["令和2年度（2020） 平均達成率（上限100%）", "令和6年度（2024） 平均達成率（上限100%）"])
    assert "地域包括ケアシステムの深化と地域福祉の推進に向けた取組" in set(both["重点目標"])


def test_carried_forward_goals_match_by_id_even_when_renamed(sample_books, tmp_path):
    from xlsheets.carry import carry_forward
    from xlsheets.reading import read

    old = read(sample_books["fy2020"])
    new = carry_forward(old, 2021)
    new.goals[0].title = "社会福祉施設の方向性（改題）"
    new.goals[0].items[0].subitems[0].target = "2件"
    new.goals[0].items[0].subitems[0].final = "2件"
    again = carry_forward(old, 2021)
    again.fiscal_year = 2020  # same ids, year 2020
    old_path = fill(again, tmp_path / "r2.xlsx").path
    for g_old, g_new in zip(read(old_path).goals, new.goals, strict=True):
        g_new.id = g_old.id
    fill(new, tmp_path / "r3.xlsx")
    out = rollup([old_path, tmp_path / "r3.xlsx"], tmp_path / "out.xlsx").path
    years = pd.read_excel(out, sheet_name="経年比較", engine="calamine")
    row = years[years["目標ID"] == new.goals[0].id]
    assert list(row["重点目標"]) == ["社会福祉施設の方向性（改題）"]
    assert row["令和3年度（2021） 平均達成率（上限100%）"].iloc[0] == 100


def test_text_from_a_source_never_becomes_a_formula(tmp_path):
    d = sample_dict("fy2024")
    d["goals"][0]["title"] = '=HYPERLINK("http://evil","click")'
    d["goals"][0]["items"][0]["subitems"][0]["method"] = "@SUM(1,2)"
    src = fill(d, tmp_path / "evil.xlsx").path
    res = rollup([src], tmp_path / "r.xlsx", tidy_format="csv")
    ws = load_workbook(res.path)["一覧"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=@"]
    assert cells and all(c.data_type == "s" for c in cells)
    import csv

    with open(res.tidy, encoding="utf-8-sig", newline="") as fh:
        texts = [c for row in csv.reader(fh) for c in row]
    assert "'=HYPERLINK(\"http://evil\",\"click\")" in texts  # Excel opens it as text, not as a formula
    assert not [c for c in texts if c[:1] in ("=", "+", "@")]


def test_existing_output_is_not_overwritten_without_force(folder, tmp_path):
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"old")
    res = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out)])
    assert res.exit_code == 2 and out.read_bytes() == b"old"
    assert CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out), "--force"]).exit_code == 0


def test_tidy_outputs_hold_the_listing(folder, tmp_path):
    res = rollup([folder], tmp_path / "r.xlsx", tidy_format="parquet")
    assert len(pd.read_parquet(res.tidy)) == res.rows
    res = rollup([folder], tmp_path / "r2.xlsx", tidy_format="csv")
    assert len(pd.read_csv(res.tidy)) == res.rows


def test_worker_processes_and_dask_give_the_same_listing(sample_books, tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    for k in range(18):
        shutil.copy(sample_books["fy2020" if k % 2 else "fy2024"], d / f"dept{k:02}.xlsx")
    seq = rollup([d], tmp_path / "seq.xlsx", jobs=1)
    par = rollup([d], tmp_path / "par.xlsx", jobs=2)
    a = pd.read_excel(seq.path, sheet_name="一覧", engine="calamine")
    b = pd.read_excel(par.path, sheet_name="一覧", engine="calamine")
    pd.testing.assert_frame_equal(a, b)

    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        dsk = rollup([d], tmp_path / "dask.xlsx", scheduler=cluster.scheduler_address)
    c = pd.read_excel(dsk.path, sheet_name="一覧", engine="calamine")
    pd.testing.assert_frame_equal(a, c)


def test_collect_inputs_skips_locks_backups_and_reports_named_non_workbooks(folder, tmp_path):
    (folder / "福祉部_R2.bak.xlsx").write_bytes(b"x")
    (tmp_path / "メモ2.txt").write_text("named, not a workbook")
    found, refused = collect_inputs([folder, tmp_path / "メモ2.txt", folder / "ない.xlsx"])
    assert sorted(p.name for p in found) == ["壊れた.xlsx", "福祉部_R2.xlsx", "福祉部_R6.xlsx"]
    assert [p.name for p, _ in refused] == ["メモ2.txt", "ない.xlsx"]
    skipped = scan_inputs([folder]).skipped
    assert {rule: sorted(p.name for p in files) for rule, files in skipped.items()} == {
        "ロックファイル": [".~lock.福祉部_R2.xlsx#", "~$福祉部_R2.xlsx"], "バックアップ": ["福祉部_R2.bak.xlsx"],
        "表計算以外": ["メモ.txt"]}


def test_a_column_mixing_numbers_and_text_keeps_each_value(tmp_path):
    from xlsheets.summary.columns import LISTING
    from xlsheets.summary.gathered import gather
    from xlsheets.summary.tables import frames
    from xlsheets.summary.workbook import RollupBook

    base = dict.fromkeys(LISTING.fields, "") | {"年度": 2024, "ファイル": str(tmp_path / "a.xlsx"), "シート": "1_a",
                                              "セル": "D8"}
    rows = [base | {"優先順位": p, "重点目標": t} for p, t in [(1, "a"), ("未定", ""), (None, "=1+1"), (2.5, "x" * 40000)]]
    records = [{"path": base["ファイル"], "ok": True, "department": "", "fiscal_year": 2024, "goals": [], "rows": rows,
                "findings": []}]
    out = RollupBook(tmp_path / "r.xlsx").write(gather(records, LISTING.row_fields), frames([]), overwrite=False)
    got = [[c.value for c in row[2:4]] for row in load_workbook(out)["一覧"].iter_rows(min_row=2)]
    assert got[0] == [1, "a"] and got[1] == ["未定", None] and got[2] == [None, "=1+1"]
    assert got[3][0] == 2.5 and len(got[3][1]) == 32767


def test_a_source_whose_name_holds_a_hash_is_named_without_a_broken_link(sample_books, tmp_path):
    src = tmp_path / "第1#回.xlsx"
    shutil.copy(sample_books["fy2024"], src)
    out = rollup([src], tmp_path / "r.xlsx").path
    ws = load_workbook(out)["一覧"]
    col = [c.value for c in ws[1]].index("参照元") + 1
    cell = ws.cell(2, col)
    assert cell.value.startswith("第1#回.xlsx / ") and cell.hyperlink is None
    cover = load_workbook(out)["表紙"]
    assert any(c.value for c in cover["B"]) and all(c.hyperlink is None for c in cover["B"])


def test_a_source_whose_name_holds_a_control_character_is_named_without_a_link_and_the_book_opens(sample_books,
                                                                                                  tmp_path):
    src = tmp_path / "第1\x01回.xlsx"  # a name another program gave the file: no XML can hold it in a link
    shutil.copy(sample_books["fy2024"], src)
    out = rollup([src], tmp_path / "r.xlsx").path
    wb = load_workbook(out)  # a link holding it made the workbook unreadable
    ws = wb["一覧"]
    col = [c.value for c in ws[1]].index("参照元") + 1
    assert "回.xlsx / " in ws.cell(2, col).value and ws.cell(2, col).hyperlink is None
    assert all(c.hyperlink is None for c in wb["表紙"]["B"])


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_stops_a_rollup_at_once_and_writes_nothing(sample_books, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "in"
    src.mkdir()
    for k in range(200):
        for name, path in sample_books.items():
            shutil.copy(path, src / f"{name}_{k:03}.xlsx")
    out = tmp_path / "r.xlsx"
    proc = subprocess.Popen([sys.executable, "-m", "xlsheets.cli", "rollup", str(src), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None and not children.read_text().split():
        time.sleep(0.05)  # until the worker processes are reading (Linux: the process's children)
    time.sleep(0.2)
    assert proc.poll() is None, "the roll-up ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "中断しました" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".xlsheets-*"))


def test_two_workbooks_of_one_department_and_year_are_pointed_out(sample_books, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(sample_books["fy2024"], d / "福祉部_R6.xlsx")
    shutil.copy(sample_books["fy2024"], d / "福祉部_R6 (1).xlsx")  # a resubmission left beside the first
    shutil.copy(sample_books["fy2020"], d / "福祉部_R2.xlsx")
    res = rollup([d], tmp_path / "r.xlsx")
    assert len(res.duplicates) == 1 and "令和6年度" in res.duplicates[0]
    found = pd.read_excel(res.path, sheet_name="要確認", engine="calamine")
    dup = found[found["コード"] == "duplicate-workbook"]
    assert len(dup) == 2 and all("福祉部_R6" in s for s in dup["参照元"])


def test_a_department_name_with_a_trailing_space_is_the_same_department(sample_books, tmp_path):
    from openpyxl import load_workbook

    from xlsheets.io.saving import save_workbook

    wb = load_workbook(sample_books["fy2024"])
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == "福祉部":
                    c.value = "福祉部\u3000"
    spaced = save_workbook(wb, tmp_path / "spaced.xlsx")
    res = rollup([sample_books["fy2020"], spaced], tmp_path / "r.xlsx")
    listing = pd.read_excel(res.path, sheet_name="一覧", engine="calamine")
    assert set(listing["部局名"]) == {"福祉部"}
    summary = pd.read_excel(res.path, sheet_name="集計", engine="calamine", header=None)
    assert "福祉部\u3000" not in set(summary.stack().astype(str))


def test_one_department_year_split_into_one_file_per_goal_is_no_duplicate(tmp_path):
    d = sample_dict("fy2024")
    paths = []
    for k, goal in enumerate(d["goals"]):
        part = dict(d, goals=[goal])
        paths.append(fill(part, tmp_path / f"goal{k}.xlsx").path)
    res = rollup(paths, tmp_path / "r.xlsx")
    assert res.duplicates == []


def test_last_months_rollup_in_the_folder_is_not_counted_again(folder, tmp_path):
    first = rollup([folder], folder / "集計_先月.xlsx")  # left in the submissions folder
    again = rollup([folder], tmp_path / "r.xlsx")
    assert again.rows == first.rows
    assert again.skipped.get("集計ブック") == 1  # counted under its rule, not read, not an error
    assert not [path for path, _why in again.errors if path.endswith("集計_先月.xlsx")]


def _records(n: int, same: bool) -> list[dict]:
    """n workbooks read: all of 福祉部 令和6年度 holding one goal (same), or of n departments."""
    return [{"ok": True, "department": "福祉部" if same else f"部{k}", "fiscal_year": 2024,
             "path": f"in/福祉部_R6 ({k}).xlsx", "findings": [],
             "goals": [{"title": "生活困窮者の自立支援", "sheet": "1_生活困窮者"}]} for k in range(n)]


def test_many_copies_of_one_department_year_are_marked_in_linear_time():
    import time

    from xlsheets.summary.duplicates import mark_duplicates

    def seconds(same: bool) -> float:  # the best of three: this machine's load only adds time
        times = []
        for _ in range(3):
            records = _records(4000, same)
            start = time.perf_counter()
            mark_duplicates(records)
            times.append(time.perf_counter() - start)
        return min(times)

    ratio = seconds(True) / max(seconds(False), 1e-3)
    dups, distinct = _records(4000, same=True), _records(4000, same=False)
    mark_duplicates(dups)
    mark_duplicates(distinct)
    assert all(len(r["findings"]) == 1 for r in dups) and not any(r["findings"] for r in distinct)
    # each finding names at most a few others, so the messages do not grow with the group
    assert max(len(r["findings"][0]["message"]) for r in dups) < 300
    assert "ほか 3994 冊" in dups[0]["findings"][0]["message"]
    assert ratio < 20, f"4000 copies took {ratio:.1f}× the time of 4000 distinct workbooks"


def _table_cells(ws, name):
    """The header row and data rows of an Excel Table on ws, as openpyxl cells."""
    rows = list(ws[ws.tables[name].ref])
    return rows[0], rows[1:]


def _width(ws, col: int) -> float:
    """A column's width, also when the file gives it for a span of columns (<col min max>)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min and d.min <= col <= d.max)


def test_each_summary_table_has_its_own_header_row_aligned_with_its_numbers(folder, tmp_path):
    """集計 (issue #14, item 15): a count sat under the next header (部局別 read 「達成 21」). Each table
    is on its own sheet, so that its header row repeats on every printed page."""
    wb = load_workbook(rollup([folder], tmp_path / "r.xlsx").path)
    for sheet, name in (("集計", "部局別集計"), ("重点目標別", "重点目標別集計")):
        ws = wb[sheet]
        header, data = _table_cells(ws, name)
        for j, h in enumerate(header):
            values = [row[j].value for row in data if row[j].value not in (None, "")]
            if values and all(isinstance(v, (int, float)) for v in values):
                assert h.alignment.horizontal == "right", (name, h.value)  # over its right-aligned numbers
                width = _width(ws, h.column)
                assert width <= 12, (name, h.value, width)  # not a number at the far end of a wide column
        assert ws.print_title_rows == "$2:$2"  # the header row on every printed page


def test_findings_rows_grow_with_their_wrapped_messages(folder, tmp_path):
    """要確認 (issue #14, item 16): rows kept the default height and printed lines overlapped."""
    from xlsheets.io.textwidth import text_lines

    ws = load_workbook(rollup([folder], tmp_path / "r.xlsx").path)["要確認"]
    header, data = _table_cells(ws, "要確認")
    col = [h.value for h in header].index("内容")
    width = ws.column_dimensions["D"].width
    wrapped = [(row[col].row, text_lines(row[col].value, width)) for row in data if text_lines(row[col].value, width) > 1]
    assert wrapped
    for r, lines in wrapped:
        assert (ws.row_dimensions[r].height or 0) >= lines * 12.5, (r, lines)


def _goal_rates(out):
    ws = load_workbook(out)["重点目標別"]
    header, data = _table_cells(ws, "重点目標別集計")
    names = [h.value for h in header]
    rate = next(n for n in names if n.startswith("平均達成率"))
    return ws, rate, [row[names.index(rate)].value for row in data], header[names.index(rate)].column_letter


def test_averages_and_charts_cap_rates_at_100_by_default(folder, tmp_path):
    """集計, 経年比較, グラフ (issue #14, item 17): one 154 % average hid the goal's unmet sub-items."""
    out = rollup([folder], tmp_path / "r.xlsx").path
    listing = pd.read_excel(out, sheet_name="一覧", engine="calamine")
    assert listing["期末達成率"].max() > 100  # 一覧 keeps the rate as computed
    ws, rate, values, letter = _goal_rates(out)
    assert rate == "平均達成率（上限100%）" and max(v for v in values if v is not None) <= 100
    years = pd.read_excel(out, sheet_name="経年比較", engine="calamine")
    assert all(c.endswith("（上限100%）") for c in years.columns if "平均達成率" in c)
    charts = load_workbook(out)["グラフ"]._charts[1:]
    assert charts and all(f"${letter}$" in c.series[0].val.numRef.f for c in charts)  # the bars are the capped means
    uncapped = rollup([folder], tmp_path / "u.xlsx", cap=None).path
    _ws, rate, values, _letter = _goal_rates(uncapped)
    assert rate == "平均達成率" and max(v for v in values if v is not None) > 100


def test_rollup_cap_option_takes_a_number_or_none_and_refuses_others(folder, tmp_path):
    res = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(tmp_path / "r.xlsx"), "--cap", "120"])
    assert res.exit_code == 0, res.output
    assert _goal_rates(tmp_path / "r.xlsx")[1] == "平均達成率（上限120%）"
    res = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(tmp_path / "x.xlsx"), "--cap", "abc"])
    assert res.exit_code == 2 and "正の数か none" in res.output and not (tmp_path / "x.xlsx").exists()


def test_every_rate_in_the_listing_shows_its_evidence(folder, tmp_path):
    out = tmp_path / "集計.xlsx"
    rollup([folder], out)
    listing = pd.read_excel(out, sheet_name="一覧", engine="calamine")
    rated = listing[listing["期末達成率"].notna() | listing["中間達成率"].notna()]
    assert len(rated) > 0 and rated["根拠"].str.contains(" ÷ ").all()
    row = listing[listing["数値目標"].str.startswith("使用割合85%以上") & (listing["期末達成率"] == 106)].iloc[0]
    assert row["根拠"] == "期末 実績 90.7％（使用割合 90.7%） ÷ 目標 85％（使用割合85%以上）"
    assert listing[listing["中間達成率"].isna() & listing["期末達成率"].isna()]["根拠"].fillna("").eq("").all()


def test_a_rollup_where_no_file_can_be_read_says_why_and_writes_nothing(tmp_path):
    src = tmp_path / "提出"
    src.mkdir()
    (src / "空.xlsx").write_bytes(b"")
    (src / "メモ.xlsx").write_text("これはメモです", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(main, ["rollup", str(src), "-o", str(out)])
    assert res.exit_code == 2 and "集計ブックは作りませんでした（取込エラー 2 冊）" in res.output
    assert "空のファイルです" in res.output and "Traceback" not in res.output
    assert not out.exists() and not list(tmp_path.glob(".xlsheets-*"))
