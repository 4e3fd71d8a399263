"""Printing: the FY2020 sample renders on A4 landscape with every target and report visible."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from xlsheets.model import department_from_dict
from xlsheets.render import pdf_to_png, render_pdf
from xlsheets.samples import sample_dict

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _only_column(src, dst, keep: str) -> None:
    """A copy of the workbook whose table keeps the text of one column (row heights unchanged)."""
    from openpyxl import load_workbook

    from xlsheets import layout as L
    from xlsheets.io.sheetops import sheet_names

    wb = load_workbook(src)
    for ws in wb.worksheets[1:]:
        names = sheet_names(ws)
        body = names[L.N_BODY]
        for role in ("method", "period", "target", "midterm", "final"):
            if role != keep:
                col = names[L.N_COLS[role]].c1
                for r in range(body.r1, body.r2 + 1):
                    ws.cell(r, col).value = None
    wb.save(dst)


def test_fy2020_sample_prints_on_a4_landscape_with_nothing_clipped(sample_books, tmp_path):
    pdf = render_pdf(sample_books["fy2020"], tmp_path / "fy2020.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 5  # the cover and at least one page per goal
    pngs = pdf_to_png(pdf, tmp_path / "page", dpi=30)
    assert len(pngs) == pages
    dept = department_from_dict(sample_dict("fy2020"))
    missing = []
    for field in ("target", "midterm", "final"):
        # one text column at a time, so that the lines of a wrapped cell stay together in the text
        _only_column(sample_books["fy2020"], tmp_path / f"{field}.xlsx", field)
        one = render_pdf(tmp_path / f"{field}.xlsx", tmp_path / f"{field}.pdf")
        text = _squash(subprocess.run(["pdftotext", str(one), "-"], capture_output=True, text=True,
                                      check=True).stdout)
        for goal in dept.goals:
            for _item, sub in goal.subitems():
                value = _squash(getattr(sub, field))
                if value and value not in text:
                    missing.append((goal.priority, sub.no, field, value[:20]))
    assert not missing, missing[:5]


def test_render_refuses_an_existing_output(sample_books, tmp_path):
    from xlsheets.errors import XlsheetsError

    out = tmp_path / "x.pdf"
    out.write_bytes(b"keep")
    with pytest.raises(XlsheetsError, match="既に存在します"):
        render_pdf(sample_books["fy2020"], out)
    assert out.read_bytes() == b"keep"


# ---------------------------------------------------------------- 検証結果 as a printed report


def test_the_results_sheet_speaks_japanese_and_prints_every_sheet_name_whole(sample_books, tmp_path):
    """Fields as the form names them, items as ①(1), every column wrapped and sized: no text cut off."""
    from openpyxl import load_workbook

    from xlsheets.findings import FIELD_JA
    from xlsheets.marking import RESULTS_HEADER_ROW, RESULTS_PAGE_WIDTH
    from xlsheets.ops import annotate_file

    marked, report = annotate_file(sample_books["fy2020"], tmp_path / "m.xlsx", stage="final")
    wb = load_workbook(marked.path)
    ws = wb["検証結果"]
    table = [[c.value for c in row] for row in ws.iter_rows(min_row=RESULTS_HEADER_ROW)]
    assert table[0] == ["重大度", "コード", "シート", "セル", "重点目標", "取組項目", "番号", "欄", "内容"]
    fields = {row[7] for row in table[1:]}
    assert fields <= set(FIELD_JA.values()) and {"数値目標", "中間報告", "期末報告"} <= fields
    assert {row[5] for row in table[1:] if row[5]} <= set("①②③④⑤⑥⑦⑧⑨⑩")
    assert all(ws.cell(r, c).alignment.wrap_text for r in range(RESULTS_HEADER_ROW, ws.max_row + 1) for c in range(1, 10))
    widths = [ws.column_dimensions[chr(64 + c)].width for c in range(1, 10)]
    assert sum(widths) == RESULTS_PAGE_WIDTH
    for other in [n for n in wb.sheetnames if n != "検証結果"]:
        del wb[other]
    for row in ws.iter_rows(min_row=RESULTS_HEADER_ROW + 1):  # only the シート column keeps its text
        for c in row:
            if c.column != 3:
                c.value = None
    wb.save(tmp_path / "sheets_only.xlsx")
    text = _squash(subprocess.run(["pdftotext", str(render_pdf(tmp_path / "sheets_only.xlsx", tmp_path / "s.pdf")),
                                   "-"], capture_output=True, text=True, check=True).stdout)
    for f in report.findings:
        assert _squash(f.sheet) in text, f.sheet


def test_render_prints_only_the_chosen_sheets_at_the_chosen_dpi(sample_books, tmp_path):
    from click.testing import CliRunner
    from PIL import Image

    from xlsheets.cli import main

    src = sample_books["fy2020"]
    res = CliRunner().invoke(main, ["render", str(src), "-o", str(tmp_path / "two.pdf"), "--png", "--dpi", "100",
                                    "--sheets", "表紙,4_生活困窮者の自立に向けた支援の推進"])
    assert res.exit_code == 0, res.output
    pages = sorted(tmp_path.glob("two-*.png"))
    assert f"PNG {len(pages)} 枚（100 dpi）: {tmp_path.resolve()}" in res.output and str(pages[1]) not in res.output
    text = _squash(subprocess.run(["pdftotext", str(tmp_path / "two.pdf"), "-"], capture_output=True, text=True).stdout)
    goals = department_from_dict(sample_dict("fy2020")).goals
    purposes = [_squash(g.purpose)[:12] for g in goals]  # on each goal's own sheet only
    assert [p in text for p in purposes] == [False, False, False, True]
    assert goals[0].title in text  # the cover lists every goal
    assert Image.open(pages[0]).size == (1170, 827)  # A4 landscape (841.9 x 595.3 pt) at 100 dpi


def test_render_png_is_readable_by_default(sample_books, tmp_path):
    from xlsheets.render import DPI

    pdf = render_pdf(sample_books["fy2024"], tmp_path / "a.pdf", sheets=["表紙"])
    from PIL import Image

    (page,) = pdf_to_png(pdf, tmp_path / "a")
    assert DPI == 150 and Image.open(page).size[0] >= 1700  # 819 px at 70 dpi could not be read


# ---------------------------------------------------------------- text too long for a printed cell


def test_a_text_too_long_to_print_is_reported_by_fill_achieve_and_carry_forward(tmp_path):
    """A 方法・手段 of 1,700 characters needs more lines than a row holds at Excel's 409 pt: each command
    names the cell and both line counts; the file keeps every character; the print is cut, as said."""
    import json

    from click.testing import CliRunner

    from xlsheets.cli import main
    from xlsheets.reading import read

    d = sample_dict("fy2020")
    long = "地域の関係機関と連携し、支援が必要な方の状況を把握する。" * 60 + "この一文は印刷に入りません。"
    d["goals"][0]["items"][0]["subitems"][0]["method"] = long
    (tmp_path / "d.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    runs = {"fill": ["fill", "d.json", "-o", "f.xlsx"], "achieve": ["achieve", "f.xlsx", "-o", "a.xlsx"],
            "carry-forward": ["carry-forward", "f.xlsx", "--to-year", "2021", "-o", "c.xlsx"]}
    for command, args in runs.items():
        res = CliRunner().invoke(main, [str(tmp_path / a) if a.endswith((".json", ".xlsx")) else a for a in args])
        assert res.exit_code == 0, res.output
        m = re.search(r"注意: 1_社会福祉施設の今後の方向性の検討!D8: .*必要 (\d+) 行.*入るのは (\d+) 行", res.output)
        assert m and int(m.group(1)) > int(m.group(2)) > 0, (command, res.output)
    assert read(tmp_path / "a.xlsx").goals[0].items[0].subitems[0].method == long
    _only_column(tmp_path / "a.xlsx", tmp_path / "method.xlsx", "method")
    text = _squash(subprocess.run(["pdftotext", str(render_pdf(tmp_path / "method.xlsx", tmp_path / "m.pdf")), "-"],
                                  capture_output=True, text=True, check=True).stdout)
    assert _squash(long[:40]) in text and "この一文は印刷に入りません" not in text


def test_the_samples_print_without_a_cut():
    from xlsheets.filling import fill_workbook
    from xlsheets.io.sheetops import print_cuts

    for name in ("fy2020", "fy2024"):
        wb = fill_workbook(department_from_dict(sample_dict(name)))
        assert [cut for ws in wb.worksheets for cut in print_cuts(ws)] == [], name
