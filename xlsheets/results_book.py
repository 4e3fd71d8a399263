"""検証結果一覧: the findings of many workbooks in one workbook to send back, a sheet per department and
year (the columns and links of the 検証結果 sheet, each link opening the source workbook at its cell),
after a first sheet listing every file checked."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from . import layout as L
from .findings import Report
from .io.saving import save_workbook
from .io.sheetops import xml_holds
from .io.writers import OpenpyxlWriter
from .marking import RESULTS_HEADER_ROW, results_table, results_widths
from .model import year_key, year_label
from .settings import Settings, order_departments

LIST_SHEET = "検証結果一覧"
# the first sheet's columns: (heading, width)
LISTING = (("部局名", 16), ("年度", 8), ("エラー", 7), ("警告", 7), ("ファイル", 32), ("検証結果のシート・読めない理由", 60))
_NOT_IN_NAMES = re.compile(r"[\[\]:*?/\\'\x00-\x1f]")  # what a sheet name cannot hold


def report_order(reports: list[Report], settings: Settings | None = None) -> list[Report]:
    """The reports latest year first, then in the city's order of departments, then by file."""
    rank = {d: k for k, d in enumerate(order_departments(sorted({r.department for r in reports}), settings))}
    return sorted(reports, key=lambda r: (year_key(r.fiscal_year), rank[r.department], r.path))


def summary_line(report: Report) -> str:
    """「福祉部 令和6年度（2024）: エラー 3 件・警告 12 件（提出/福祉部_R6.xlsx）」: one file in one line."""
    s = report.summary()
    return (f"{report.department or '（部局名なし）'} {year_label(report.fiscal_year)}: エラー {s['error']} 件・"
            f"警告 {s['warning']} 件（{report.path}）")


def write_results_book(reports: list[Report], failed: list[tuple[Path, str]], out: Path, *,
                       overwrite: bool = False, settings: Settings | None = None) -> Path:
    """The 検証結果一覧 workbook (see the module), saved atomically."""
    from openpyxl import Workbook
    from openpyxl.worksheet.hyperlink import Hyperlink

    wb = Workbook()
    writer = OpenpyxlWriter(wb)
    names: list[str] = [LIST_SHEET]
    listing: list[list[Any]] = [[c for c, _ in LISTING]]
    list_links: dict[tuple[int, int], Any] = {}
    for rep in report_order(reports, settings):
        name = _sheet_name(rep, names)
        names.append(name)
        s = rep.summary()
        rows: list[list[Any]] = [
            [f"{rep.department or '（部局名なし）'} {year_label(rep.fiscal_year)} の検証結果"],
            [f"ファイル: {Path(rep.path).name}"],
            [f"エラー {s['error']} 件・警告 {s['warning']} 件" + ("" if rep.findings else "（問題は見つかりませんでした）")]]
        target = _target(rep.path, out)
        links = results_table([rep], rows, lambda f, target=target: Hyperlink(
            ref="", target=target, location=f"'{f.sheet}'!{f.cell}") if target else None)
        writer.write_sheet(name, rows, links=links, widths=results_widths(rows[RESULTS_HEADER_ROW - 1:]),
                           header_row=RESULTS_HEADER_ROW, landscape=True, mark=L.N_OWN_SHEET)
        listing.append([rep.department, rep.fiscal_year, s["error"], s["warning"], Path(rep.path).name, name])
        list_links[(len(listing), 6)] = Hyperlink(ref="", location=f"'{name}'!A1")
        if target:
            list_links[(len(listing), 5)] = Hyperlink(ref="", target=target)
    for path, why in failed:
        listing.append([None, None, None, None, Path(path).name, f"読めません: {why}"])
    writer.write_sheet(LIST_SHEET, listing, links=list_links, widths=[w for _, w in LISTING], landscape=True,
                       mark=L.N_OWN_SHEET)
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    wb.move_sheet(LIST_SHEET, -(len(wb.sheetnames) - 1))
    return save_workbook(wb, out, overwrite=overwrite, backup=False)


def _sheet_name(rep: Report, taken: list[str]) -> str:
    """「福祉部 令和6年度」, without what a sheet name cannot hold, at most 31 characters, unique."""
    fy = rep.fiscal_year
    year = year_label(fy).split("（")[0] if isinstance(fy, int) else str(fy or "")
    base = _NOT_IN_NAMES.sub("_", f"{rep.department or '部局名なし'} {year}".strip())[:31]
    name, k = base, 2
    while name.lower() in (t.lower() for t in taken):
        tail = f" ({k})"
        name, k = base[:31 - len(tail)] + tail, k + 1
    return name


def _target(path: str, out: Path) -> str:
    """The source workbook as a link from the results workbook: relative, '/' separated ('' when no link can
    hold its name: a control character)."""
    try:
        target = Path(os.path.relpath(path, out.parent)).as_posix()
    except ValueError:  # another drive (Windows)
        target = Path(path).resolve().as_posix()
    return target if xml_holds(target) else ""

