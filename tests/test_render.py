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
    from xlsheets.sheetops import sheet_names

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
