"""Roll-ups at prefecture scale: records kept as columns, long sheets written row by row, tables past
the sheet limit written beside the workbook, inputs read through fsspec URLs."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xlsheets import rollup
from xlsheets.cli import main
from xlsheets.summary.gathered import CHUNK_ROWS, Columns


@pytest.fixture
def folder(sample_books, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(sample_books["fy2020"], d / "福祉部_R2.xlsx")
    shutil.copy(sample_books["fy2024"], d / "福祉部_R6.xlsx")
    return d


def _listing(path) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name="一覧", engine="calamine")


def test_columns_give_back_every_value_as_it_was_across_chunks():
    rows = [(k, f"取組{k}", k / 4 if k % 3 else None, ["未定", 2, 2.5, None][k % 4], "\ud800名" if k == 7 else "名")
            for k in range(CHUNK_ROWS * 2 + 5)]
    cols = Columns(["n", "text", "rate", "mixed", "odd"])
    for row in rows:
        cols.append(row)
    assert list(cols.rows()) == rows and len(cols) == len(rows)
    assert list(cols.rows(3)) == rows[:3]
    first = cols._chunks[0]
    # texts and numbers as Arrow arrays; numbers mixed with text kept as they are
    assert [type(c).__name__ for c in first] == ["Int64Array", "StringArray", "DoubleArray", "list", "list"]
    assert cols.to_pandas(["text"])["text"].tolist() == [r[1] for r in rows]


def test_rows_kept_as_columns_cost_about_their_text_and_not_an_object_per_cell():
    text = "社会福祉施設の今後の方向性の検討" * 10
    n = CHUNK_ROWS * 3
    cols = Columns(["method", "department", "rate"])
    for k in range(n):
        cols.append((f"{text}{k}", "福祉部", k))
    stored = sum(c.nbytes for chunk in cols._chunks for c in chunk)
    utf8 = sum(len(f"{text}{k}".encode()) + len("福祉部".encode()) for k in range(n))
    # the texts' own bytes, plus offsets and the numbers: no str object (~80 bytes) or dict per cell
    assert stored < utf8 + 20 * n


def test_a_listing_past_the_sheet_limit_is_cut_with_a_note_and_written_in_full_beside(folder, tmp_path):
    full = rollup([folder], tmp_path / "full.xlsx")
    out = tmp_path / "r.xlsx"
    cut = rollup([folder], out, sheet_rows=10)
    assert cut.rows == full.rows > 10 and cut.findings == full.findings > 10
    assert set(cut.overflow) == {"一覧", "要確認"}
    beside = pd.read_parquet(cut.overflow["一覧"])
    assert len(beside) == full.rows
    assert beside["方法・手段"].tolist() == _listing(full.path)["方法・手段"].tolist()
    assert len(pd.read_parquet(cut.overflow["要確認"])) == full.findings
    listing = pd.read_excel(out, sheet_name="一覧", engine="calamine", header=None)
    first = listing.iloc[1:11, 6].tolist()
    assert first == _listing(full.path)["方法・手段"].head(10).tolist()
    assert "全件は r_一覧.parquet にあります" in str(listing.iloc[12, 0])
    cover = load_workbook(out)["表紙"]
    assert "r_一覧.parquet" in cover["A1"].value and "r_要確認.parquet" in cover["A2"].value
    # the summaries count every row, not only those on the sheet
    totals = pd.read_excel(out, sheet_name="集計", engine="calamine", header=None)
    full_totals = pd.read_excel(full.path, sheet_name="集計", engine="calamine", header=None)
    pd.testing.assert_frame_equal(totals, full_totals)


def test_the_terminal_says_which_table_was_cut_and_where_the_full_one_is(folder, tmp_path, monkeypatch):
    import xlsheets.summary.pipeline as summary

    monkeypatch.setattr(summary, "SHEET_ROWS", 10)
    out = tmp_path / "r.xlsx"
    res = CliRunner().invoke(main, ["rollup", str(folder), "-o", str(out), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "一覧は長すぎるため" in res.output and str(tmp_path / "r_一覧.csv") in res.output
    beside = pd.read_csv(tmp_path / "r_一覧.csv", encoding="utf-8-sig")
    assert len(beside) == len(pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")) > 10


def test_a_cut_table_never_overwrites_a_file_beside_the_workbook(folder, tmp_path):
    from xlsheets.errors import XlsheetsError

    (tmp_path / "s_一覧.parquet").write_bytes(b"an analyst's file")
    with pytest.raises(XlsheetsError):
        rollup([folder], tmp_path / "s.xlsx", sheet_rows=10)
    assert (tmp_path / "s_一覧.parquet").read_bytes() == b"an analyst's file"
    assert not (tmp_path / "s.xlsx").exists() and not (tmp_path / "s_要確認.parquet").exists()


def test_a_long_listing_is_written_row_by_row_with_the_same_values_filters_and_links(folder, tmp_path, monkeypatch):
    import xlsheets.summary.workbook as book

    (folder / "福祉部_R6.xlsx").rename(folder / "UNIQUE(SORT(1)).xlsx")  # no word of a name is a function
    table = rollup([folder], tmp_path / "table.xlsx")
    monkeypatch.setattr(book, "TABLE_ROWS", 5)
    long = rollup([folder], tmp_path / "long.xlsx")
    pd.testing.assert_frame_equal(_listing(long.path), _listing(table.path))
    for sheet in ("要確認", "集計", "経年比較", "表紙"):
        pd.testing.assert_frame_equal(pd.read_excel(long.path, sheet_name=sheet, engine="calamine"),
                                      pd.read_excel(table.path, sheet_name=sheet, engine="calamine"))
    from openpyxl.utils import get_column_letter

    ws = load_workbook(long.path)["一覧"]
    from xlsheets.summary.columns import LISTING

    headers = [c.name for c in LISTING.sheet]
    source = headers.index("参照元") + 1  # the last column
    assert source == len(headers)
    last = get_column_letter(source)
    assert not ws.tables and ws.auto_filter.ref == f"A1:{last}{long.rows + 1}" and ws.freeze_panes == "A2"
    assert ws["A1"].fill.fgColor.rgb.endswith("4472C4") and ws["A1"].font.b
    # each source a link (a formula written with its row, no link object kept until the end)
    assert ws.cell(2, source).value.startswith('=HYPERLINK("in/UNIQUE(SORT(1)).xlsx#\'1_')
    assert load_workbook(table.path)["一覧"].tables  # a city's roll-up keeps its Excel Table
    cover = load_workbook(long.path)["表紙"]
    assert cover["B3"].value.startswith('=HYPERLINK("in/UNIQUE(SORT(1)).xlsx#')


def test_inputs_given_as_fsspec_urls_are_read_like_files(folder, tmp_path):
    fsspec = pytest.importorskip("fsspec")

    mem = fsspec.filesystem("memory")
    for p in folder.iterdir():
        mem.pipe(f"/提出/{p.name}", p.read_bytes())
    mem.pipe("/提出/メモ.txt", b"not a workbook")
    try:
        local = rollup([folder], tmp_path / "local.xlsx", jobs=1)
        remote = rollup(["memory://提出"], tmp_path / "remote.xlsx", jobs=1)
    finally:
        mem.rm("/提出", recursive=True)
    assert remote.rows == local.rows and remote.errors == [] and remote.skipped == {"表計算以外": 1}
    a, b = _listing(local.path), _listing(remote.path)
    pd.testing.assert_frame_equal(a.drop(columns="参照元"), b.drop(columns="参照元"))
    assert b["参照元"].iloc[0].startswith("福祉部_R6.xlsx / ")  # the latest year first
    ws = load_workbook(remote.path)["一覧"]
    source = [c.value for c in ws[1]].index("参照元") + 1
    assert ws.cell(2, source).value and ws.cell(2, source).hyperlink is None  # no file link opens memory://


def test_dask_workers_in_other_processes_read_the_inputs_by_url(folder, tmp_path):
    pytest.importorskip("fsspec")
    from dask.distributed import LocalCluster

    local = rollup([folder], tmp_path / "local.xlsx", jobs=1)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        res = rollup([folder.as_uri()], tmp_path / "dask.xlsx", scheduler=cluster.scheduler_address)
    assert res.errors == [] and res.rows == local.rows
    pd.testing.assert_frame_equal(_listing(local.path).drop(columns="参照元"),
                                  _listing(res.path).drop(columns="参照元"))


def test_a_missing_url_is_an_error_of_that_input_not_a_crash(folder, tmp_path):
    pytest.importorskip("fsspec")
    res = rollup([folder, "memory://ない"], tmp_path / "r.xlsx", jobs=1)
    assert res.errors == [("memory://ない", "ファイルが見つかりません")] and res.read == 2
