"""Rows streamed as sheet XML (一覧, 要確認) hold the same cells as XlsxWriter writes for the same values."""

from __future__ import annotations

import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xlsheets.summary.rowstream import StreamedSheet

ROWS = [
    ["福祉部", 2024, 12.5, None, "=1+1"],
    ["  前後に空白  ", 0, -3, "改行\nあり", "&<>\"'"],
    ["制御\x01文字", 1e-7, 12345678901234, "_x0041_ はそのまま", "@SUM(A1)"],
    ["長" * 5000, None, 0.1 + 0.2, "", "http://example.com"],
]


def _book(path, streamed: bool, inline: bool = False):
    """The rows streamed (texts shared, or inline), or written by XlsxWriter itself (inline: in its
    constant_memory mode, which writes texts inline)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "constant_memory": inline and not streamed})
    fmts = [wb.add_format({"text_wrap": True}), wb.add_format({"num_format": "0"}), None,
            wb.add_format({"bold": True}), wb.add_format({"font_color": "#0563C1"})]
    ws = wb.add_worksheet("s", worksheet_class=StreamedSheet) if streamed else wb.add_worksheet("s")
    ws.write_row(0, 0, ["a", "b", "c", "d", "e"])
    if streamed:
        ws.begin(1, fmts, str(path.parent), inline=inline)
        for row in ROWS:
            ws.row([v if v != "" else None for v in row], 30.0)
        ws.finish(len(fmts) - 1)
    else:
        for i, row in enumerate(ROWS, start=1):
            ws.set_row(i, 30.0)
            for j, v in enumerate(row):
                if v not in (None, ""):
                    ws.write(i, j, v, fmts[j])
    ws.write(len(ROWS) + 2, 0, "表の下の注記")
    wb.close()
    return path


def _cells(path):
    ws = load_workbook(path)["s"]
    return [[(c.value, c.data_type, c.font.b, c.number_format, c.alignment.wrap_text) for c in row]
            for row in ws.iter_rows()], [ws.row_dimensions[r].height for r in range(1, len(ROWS) + 2)]


@pytest.mark.parametrize("inline", [False, True])
def test_streamed_rows_read_back_as_the_writers_own(tmp_path, inline):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    own = _book(tmp_path / "a" / "own.xlsx", streamed=False, inline=inline)
    streamed = _book(tmp_path / "b" / "streamed.xlsx", streamed=True, inline=inline)
    assert _cells(streamed) == _cells(own)
    calamine = [CalamineWorkbook.from_path(str(p)).get_sheet_by_name("s").to_python() for p in (own, streamed)]
    assert calamine[0] == calamine[1]
    assert calamine[1][3][0] == "制御\x01文字"


def test_a_text_that_looks_like_rich_text_markup_keeps_every_character(tmp_path):
    """XlsxWriter writes a shared string 「<r>…</r>」 as raw rich-text XML: the text was lost (read back empty)."""
    wb = xlsxwriter.Workbook(str(tmp_path / "r.xlsx"))
    ws = wb.add_worksheet("s", worksheet_class=StreamedSheet)
    ws.begin(0, [None, None])
    ws.row(["<r>x</r>", "<r><t>y</t></r>"])
    ws.finish(1)
    wb.close()
    assert CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).get_sheet_by_name("s").to_python() == [
        ["<r>x</r>", "<r><t>y</t></r>"]]
    assert [c.value for c in load_workbook(tmp_path / "r.xlsx")["s"][1]] == ["<r>x</r>", "<r><t>y</t></r>"]
