"""Never lose a user's workbook: safe saves, hostile files, lossless-or-refuse, bad text, concurrency."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.hostile import corpus
from xlsheets.cli import main
from xlsheets.errors import XlsheetsError
from xlsheets.filling import fill, fill_workbook
from xlsheets.io import saving
from xlsheets.model import department_from_dict
from xlsheets.reading import read
from xlsheets.samples import sample_dict

# ---------------------------------------------------------------- safe save


@pytest.mark.parametrize("step", ["_write", "_fsync", "_verify", "_backup", "_replace"])
def test_a_failure_at_any_step_leaves_the_original_intact(fy2020, monkeypatch, step):
    before = fy2020.read_bytes()

    def boom(*_a, **_k):
        raise OSError(f"injected failure in {step}")

    monkeypatch.setattr(saving, step, boom)
    wb = load_workbook(fy2020)
    wb.worksheets[1]["C2"] = "変更"
    with pytest.raises(XlsheetsError, match="injected"):  # said in Japanese, not a traceback
        saving.save_workbook(wb, fy2020, overwrite=True)
    assert fy2020.read_bytes() == before
    assert not list(fy2020.parent.glob(".xlsheets-*"))


def test_a_save_that_writes_garbage_is_caught_before_replacing(fy2020, monkeypatch):
    before = fy2020.read_bytes()
    monkeypatch.setattr(saving, "_write", lambda wb, tmp: Path(tmp).write_bytes(b"PK\x03\x04 half a file"))
    with pytest.raises(Exception):  # noqa: B017 - any error, as long as the original survives
        saving.save_workbook(load_workbook(fy2020), fy2020, overwrite=True)
    assert fy2020.read_bytes() == before
    assert not list(fy2020.parent.glob(".xlsheets-*"))


def test_save_keeps_a_backup_and_refuses_open_files(fy2020):
    before = fy2020.read_bytes()
    saving.save_workbook(load_workbook(fy2020), fy2020, overwrite=True)
    assert (fy2020.parent / "fy2020.bak.xlsx").read_bytes() == before
    for lock in ("~$fy2020.xlsx", ".~lock.fy2020.xlsx#"):
        (fy2020.parent / lock).write_text("x")
        with pytest.raises(XlsheetsError, match="開かれています"):
            saving.save_workbook(load_workbook(fy2020), fy2020, overwrite=True)
        (fy2020.parent / lock).unlink()


def test_permission_error_becomes_a_clear_message(fy2020, monkeypatch):
    def denied(*_a):
        raise PermissionError("denied")

    monkeypatch.setattr(saving, "_replace", denied)
    res = CliRunner().invoke(main, ["achieve", str(fy2020), "--in-place"])
    assert res.exit_code == 2 and "書き込めません" in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------- hostile and broken files


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("hostile")
    buf = io.BytesIO()
    fill_workbook(department_from_dict(sample_dict("fy2024"))).save(buf)
    out = {}
    for name, data in corpus(buf.getvalue()).items():
        (d / name).write_bytes(data)
        out[name] = d / name
    return out


EXPECTED = {
    "zip_bomb.xlsx": "展開後のサイズが大きすぎます",
    "billion_laughs.xlsx": "DOCTYPE",
    "external_entity.xlsx": "DOCTYPE",
    "truncated.xlsx": "壊れています",
    "not_a_zip.xlsx": "テキスト（CSV など）のファイルです",
    "password_protected.xlsx": "パスワードで保護されたブックは読めません",
    "old_format.xls.xlsx": "ブックを読めません",  # an .xls whose streams are cut off
    "csv_renamed.xlsx": "テキスト（CSV など）のファイルです",
    "million_rows.xlsx": "使用範囲が大きすぎます",
    "huge_string.xlsx": "展開後のサイズが大きすぎます",
    "empty.xlsx": "空のファイルです",
    "twin_sheets.xlsx": "同じ名前のシート",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_gets_a_clear_message_and_exit_2(hostile, name, tmp_path):
    out = tmp_path / "out.xlsx"
    for args in (["read", str(hostile[name])], ["validate", str(hostile[name])],
                 ["achieve", str(hostile[name]), "-o", str(out)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
        assert EXPECTED[name] in res.output, res.output
        assert "Traceback" not in res.output
    assert not out.exists()


def test_rollup_lists_every_hostile_file_as_an_import_error(hostile, sample_books, tmp_path):
    import pandas as pd

    from xlsheets import rollup

    res = rollup([*hostile.values(), sample_books["fy2024"]], tmp_path / "r.xlsx")
    assert len(res.errors) == len(hostile)
    errors = pd.read_excel(res.path, sheet_name="取込エラー", engine="calamine")
    assert sorted(Path(p).name for p in errors["ファイル"]) == sorted(hostile)


def test_limits_can_be_raised(hostile, monkeypatch):
    monkeypatch.setenv("XLSHEETS_MAX_CELLS", str(10**9))
    from xlsheets.errors import NotAGoalSheet

    with pytest.raises(NotAGoalSheet):  # now it is read, and found not to be a goal sheet
        read(hostile["million_rows.xlsx"])


# ---------------------------------------------------------------- lossless or refuse


def _xlsxwriter_book(path: Path, build) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("重点目標")
    ws.write("A1", "重点目標")
    build(wb, ws)
    wb.close()
    return path


@pytest.mark.parametrize(
    ("name", "build", "what"),
    [
        ("textbox", lambda wb, ws: ws.insert_textbox("C3", "メモ"), "図形・テキストボックス"),
        ("sparkline", lambda wb, ws: (ws.write_row("A2", [1, 2, 3]),
                                      ws.add_sparkline("E2", {"range": "重点目標!A2:C2"})), "スパークライン"),
        ("button", lambda wb, ws: ws.insert_button("C5", {"caption": "検証"}), "フォームのボタン"),
        ("footer", lambda wb, ws: ws.set_footer("担当: 福祉課"), "ヘッダー・フッター"),
    ],
)
def test_lossy_content_is_named_and_in_place_writes_are_refused(tmp_path, name, build, what):
    path = _xlsxwriter_book(tmp_path / f"{name}.xlsx", build)
    assert any(what in x for x in saving.lossy_parts(path))
    before = path.read_bytes()
    with pytest.raises(XlsheetsError, match=what):
        saving.refuse_lossy(path)
    assert path.read_bytes() == before


def test_the_button_workbook_is_never_rewritten_in_place(tmp_path):
    """openpyxl drops form controls even with keep_vba: xlsheets.xlsm is refused, and says why."""
    src = Path(__file__).resolve().parent.parent / "macros" / "xlsheets.xlsm"
    copy = tmp_path / "xlsheets.xlsm"
    copy.write_bytes(src.read_bytes())
    assert saving.lossy_parts(copy) == ["フォームのボタン (form controls)"]
    res = CliRunner().invoke(main, ["achieve", str(copy), "--in-place"])
    assert res.exit_code == 2 and "フォームのボタン" in res.output
    assert copy.read_bytes() == src.read_bytes()


def test_plain_content_is_not_reported_lossy(sample_books, tmp_path):
    path = _xlsxwriter_book(tmp_path / "plain.xlsx", lambda wb, ws: (
        ws.write_rich_string("B2", "普通の", wb.add_format({"bold": True}), "太字"),
        ws.write_formula("B3", "=1+1", None, 2)))
    assert saving.lossy_parts(path) == []
    assert saving.lossy_parts(sample_books["fy2020"]) == []


def test_rich_text_survives_and_formulas_recalculate_after_an_edit(fy2020, tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = load_workbook(fy2020)
    ws = wb.worksheets[1]
    ws["B30"] = CellRichText(["通常", TextBlock(InlineFont(b=True), "太字")])
    ws["C30"] = "=1+1"
    saving.save_workbook(wb, fy2020, overwrite=True, backup=False)
    from xlsheets.ops import achieve_file

    out = achieve_file(fy2020, tmp_path / "a.xlsx").path
    wb = load_workbook(out, rich_text=True)
    assert isinstance(wb.worksheets[1]["B30"].value, CellRichText)
    assert wb.calculation.fullCalcOnLoad


# ---------------------------------------------------------------- bad text in good files


def test_fill_cleans_what_a_cell_cannot_hold_and_says_so(tmp_path):
    d = sample_dict("fy2024")
    sub = d["goals"][0]["items"][0]["subitems"][0]
    sub["method"] = "制御\x01文字\x0bあり"
    sub["target"] = "改行\r\n混在\rあり"
    sub["midterm"] = "長" * 40000
    sub["final"] = "サロゲート\ud800あり"
    report = fill(d, tmp_path / "x.xlsx")
    text = "\n".join(report.warnings)
    assert "制御文字" in text and "改行" in text and "32767" in text and "サロゲート" in text
    back = read(report.path).goals[0].items[0].subitems[0]
    assert back.method == "制御文字あり" and back.target == "改行\n混在\nあり"
    assert len(back.midterm) == 32767 and back.final == "サロゲート\ufffdあり"  # marked, not silently dropped


def test_read_never_raises_on_odd_cells(tmp_path):
    wb = fill_workbook(department_from_dict(sample_dict("fy2024")))
    ws = wb.worksheets[1]
    ws["K2"] = 3.5  # a priority that is a float
    ws["A8"] = True  # a boolean item number
    ws["F8"] = 12345  # a number as a target
    ws["C8"] = "（一）"  # a sub-item number in kanji
    saving.save_workbook(wb, tmp_path / "odd.xlsx")
    dept = read(tmp_path / "odd.xlsx")
    g = dept.goals[0]
    assert g.priority == "3.5" and g.items[0].subitems[0].target == "12345"
    assert g.items[0].subitems[0].no == "（一）"


# ---------------------------------------------------------------- concurrency


def test_two_rollups_writing_the_same_output_end_with_a_complete_file(sample_books, tmp_path):
    from xlsheets import rollup

    out = tmp_path / "r.xlsx"
    errors: list[Exception] = []

    def run() -> None:
        try:
            rollup([sample_books["fy2020"], sample_books["fy2024"]], out, overwrite=True, jobs=1)
        except Exception as e:  # a clear error is acceptable, a corrupt file is not
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(e, XlsheetsError) for e in errors)
    assert load_workbook(out).sheetnames[0] == "概要"
    assert not list(tmp_path.glob(".xlsheets-*"))


def test_rollup_while_a_source_is_being_rewritten(sample_books, tmp_path):
    from xlsheets import rollup

    src = tmp_path / "src.xlsx"
    src.write_bytes(sample_books["fy2020"].read_bytes())
    stop = threading.Event()

    def rewrite() -> None:
        wb = load_workbook(sample_books["fy2020"])
        while not stop.is_set():
            saving.save_workbook(wb, src, overwrite=True, backup=False)

    t = threading.Thread(target=rewrite)
    t.start()
    try:
        for k in range(3):
            res = rollup([src], tmp_path / f"r{k}.xlsx", jobs=1)
            assert res.rows in (45, 0)  # every sub-item, or a clear import error
            assert res.rows == 45 or res.errors
    finally:
        stop.set()
        t.join()


def test_images_survive_a_write(fy2020, tmp_path):
    import zipfile

    from openpyxl.drawing.image import Image as XLImage
    from PIL import Image

    Image.new("RGB", (40, 20), "red").save(tmp_path / "logo.png")
    wb = load_workbook(fy2020)
    wb.worksheets[0].add_image(XLImage(tmp_path / "logo.png"), "D2")
    saving.save_workbook(wb, fy2020, overwrite=True, backup=False)
    assert saving.lossy_parts(fy2020) == []
    from xlsheets.ops import achieve_file

    out = achieve_file(fy2020, in_place=True).path
    with zipfile.ZipFile(out) as zf:
        assert any(n.startswith("xl/media/") for n in zf.namelist())


# ---------------------------------------------------------------- no lost update


def _lock_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(("~$", ".~lock.", ".xlsheets-")))


def test_two_in_place_writes_at_once_never_lose_one(sample_books, tmp_path):
    """achieve --in-place and validate --annotate --in-place, two processes started together on one file:
    every one that says it wrote has its change in the file; the other is refused (exit 2) and wrote nothing."""
    import subprocess
    import sys

    book = tmp_path / "w.xlsx"
    commands = {"rates": ["achieve", str(book), "--in-place", "--no-backup"],
                "marks": ["validate", str(book), "--annotate", "--in-place", "--no-backup"]}
    outcomes = []
    for _trial in range(4):
        book.write_bytes(sample_books["fy2020"].read_bytes())
        procs = {what: subprocess.Popen([sys.executable, "-m", "xlsheets.cli", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True) for what, args in commands.items()}
        done = {what: (p.wait(timeout=300), p.stderr.read()) for what, p in procs.items()}
        wrote = {what for what, (code, _err) in done.items() if code in (0, 1)}  # validate exits 1: errors found
        for what, (code, err) in done.items():
            if what not in wrote:
                assert code == 2 and err.startswith("エラー: ほかの人（または別の処理）"), err
        has = {"rates": read(book).goals[3].items[1].subitems[1].achievement is not None,
               "marks": "検証結果" in load_workbook(book).sheetnames}
        assert {what for what, yes in has.items() if yes} == wrote, (done, has)
        assert _lock_files(tmp_path) == []
        outcomes.append(tuple(sorted(wrote)))
    assert all(outcomes)  # at least one of each pair wrote


def _hold_lock(path: Path):
    """Another process that holds path's lock files until it is killed."""
    import subprocess
    import sys

    code = ("import sys, time\nfrom xlsheets.io.locking import edit_lock\n"
            f"with edit_lock({str(path)!r}):\n    print('held', flush=True)\n    time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_lock_held_by_another_process_is_respected_and_a_stale_one_ignored(fy2020):
    before = fy2020.read_bytes()
    holder = _hold_lock(fy2020)
    try:
        assert sorted(_lock_files(fy2020.parent)) == [".~lock.fy2020.xlsx#", "~$fy2020.xlsx"]
        assert b"xlsheets" in (fy2020.parent / ".~lock.fy2020.xlsx#").read_bytes()[:9]  # who LibreOffice names
        res = CliRunner().invoke(main, ["achieve", str(fy2020), "--in-place"])
        assert res.exit_code == 2 and "ほかの人（または別の処理）" in res.output and fy2020.read_bytes() == before
    finally:
        holder.kill()  # as a crash would: its lock files stay behind
        holder.wait(timeout=30)
    assert len(_lock_files(fy2020.parent)) == 2
    res = CliRunner().invoke(main, ["achieve", str(fy2020), "--in-place"])
    assert res.exit_code == 0, res.output  # the stale lock (its process is gone) is taken over
    assert read(fy2020).goals[3].items[1].subitems[1].achievement is not None
    assert _lock_files(fy2020.parent) == []


def test_excel_and_libreoffice_locks_are_never_taken_as_stale(fy2020):
    import os
    import time

    lock = fy2020.parent / "~$fy2020.xlsx"
    lock.write_bytes(b"\x06Tanaka" + b" " * 150)  # Excel's owner file
    old = time.time() - 30 * 86400
    os.utime(lock, (old, old))
    res = CliRunner().invoke(main, ["validate", str(fy2020), "--annotate", "--in-place"])
    assert res.exit_code == 2 and "Excel か LibreOffice で開かれています" in res.output and "~$fy2020.xlsx" in res.output


def test_a_file_changed_after_it_was_read_is_not_replaced(fy2020):
    """A writer that ignores the locks changes the file between xlsheets' read and its save: nothing is written."""
    from xlsheets.errors import ChangedMeanwhile
    from xlsheets.io.locking import edit_lock

    with edit_lock(fy2020) as before:
        ours = load_workbook(fy2020)
        ours.worksheets[1]["C2"] = "xlsheets の変更"
        theirs = load_workbook(fy2020)
        theirs.worksheets[1]["C3"] = "ほかの人の変更"
        theirs.save(fy2020)
        changed = fy2020.read_bytes()
        with pytest.raises(ChangedMeanwhile, match="ほかの人（または別の処理）がこのファイルを変更しました。もう一度実行してください"):
            saving.save_workbook(ours, fy2020, overwrite=True, expect=before)
    assert fy2020.read_bytes() == changed and not (fy2020.parent / "fy2020.bak.xlsx").exists()
    assert _lock_files(fy2020.parent) == []
    assert ChangedMeanwhile("x").exit_code == 2


def _far_cell(fy2020, tmp_path, value: bool) -> Path:
    from openpyxl.styles import PatternFill

    wb = load_workbook(fy2020)
    cell = wb.worksheets[0]["XFD1048576"]  # the sheet's last cell: the used range spans the whole sheet
    if value:
        cell.value = "x"
    else:
        cell.fill = PatternFill("solid", fgColor="FFFF0000")
    path = tmp_path / ("far_value.xlsx" if value else "far_style.xlsx")
    wb.save(path)
    return path


def test_a_value_in_the_sheets_last_cell_is_refused_before_the_reader_builds_the_range(fy2020, tmp_path):
    import subprocess
    import sys

    path = _far_cell(fy2020, tmp_path, value=True)
    # in a process of its own: the reader used to ask for 512 GB and abort the process
    code = "import sys; from xlsheets.cli import main; sys.argv = ['xlsheets', 'read', sys.argv[1]]; main()"
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert "シート「表紙」の使用範囲が大きすぎます（1,048,576行 × 16384列" in proc.stderr


def test_a_formatted_empty_last_cell_is_read_as_usual(fy2020, tmp_path):
    path = _far_cell(fy2020, tmp_path, value=False)
    assert [g.title for g in read(path).goals] == [g.title for g in read(fy2020).goals]
