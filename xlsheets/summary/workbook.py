"""Writing the roll-up workbook: tables, links to the sources, formats, charts.

The workbook is written with XlsxWriter (pure Python, so xlsheets installs anywhere, Pyodide
included). The long sheets (一覧, 要確認) go in a whole row per call, over column formats made
once. No text from a source sheet ever becomes a formula, a link or a number: XlsxWriter's
guessing on strings is off, and only the 参照元 cells are links.

Memory stays bounded: the rows are read back from the gathered columns a chunk at a time, the
data rows of 一覧 and 要確認 are written out as XML as they come (``rowstream``), the sheets' XML goes
to temporary files (not in memory), and a long 表紙 (over TABLE_ROWS rows) is written in XlsxWriter's
constant_memory mode. A 一覧 or 要確認 over TABLE_ROWS rows keeps its texts inline (not in the shared
strings) and gets what a reader uses of an Excel Table instead of one (XlsxWriter's check for
overlapping tables keeps an entry per cell of one): the same header look, the filter buttons,
banded rows. A city's roll-up stays far below TABLE_ROWS and keeps its Table.

The short sheets are written by ``pages``, the charts by ``charts``; the cell helpers they share
are in ``cells``.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import layout as L
from ..findings import FIELD_JA as VALIDATION_FIELDS
from ..findings import SEVERITY_JA
from ..io.saving import save_workbook
from ..io.sheetops import xml_holds
from ..io.textwidth import text_lines
from ..model import circled, paren
from . import charts, columns, pages
from .cells import Formats, add_table, print_setup, rate_colours, text, value
from .columns import HEIGHT, LINK, PLAIN, RATE, WRAPPED, lines_height
from .rowstream import StreamedSheet
from .status import missing_departments

MAX_URL = 2079  # Excel's limit for a link
MAX_LINKS = 65530  # Excel's limit of links on one sheet; beyond it the 参照元 text stays, without a link
TABLE_ROWS = 20_000  # a longer 一覧 / 要確認 gets filters instead of a Table, its texts inline
# no guessing on strings: a source's 「=1+1」, 「http://…」 or 「001」 stays the text it was
BOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
SHEETS = ("概要", "表紙", "一覧", "集計", "重点目標別", "経年比較", "提出状況", "要確認", "取込エラー", "グラフ")
# the 要確認 sheet's columns: (name, width, kind as in columns); a row grows with its wrapped 内容
FINDING_SHEET_COLUMNS = (("重大度", 7, PLAIN), ("コード", 18, PLAIN), ("位置", 22, PLAIN), ("内容", 70, WRAPPED),
                         ("参照元", 40, LINK))
# the 要確認 location of a finding: the validator's field names, and two of the roll-up's own
FIELD_JA = VALIDATION_FIELDS | {"item": "取組項目", "subitem": "番号"}


def location_text(loc: dict[str, Any]) -> str:
    """{'goal': 4, 'item': 2, 'subitem': 3, 'field': 'final'} → '重点目標4 ②(3) 期末報告'."""
    parts = []
    if loc.get("goal") not in (None, ""):
        parts.append(f"重点目標{loc['goal']}")
    item = (circled(loc["item"]) if loc.get("item") not in (None, "") else "") + (
        paren(loc["subitem"]) if loc.get("subitem") not in (None, "") else "")
    if item:
        parts.append(item)
    if loc.get("field"):
        parts.append(FIELD_JA.get(loc["field"], loc["field"]))
    return " ".join(parts)


class RollupBook:
    """The roll-up workbook: write(records, tables) once every file is in."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.out_dir = out.parent
        self._targets: dict[str, tuple[str, str]] = {}  # source path → (link target, file name)
        self._links: dict[str, int] = {}  # links written per sheet
        self._urls: dict[str, Any] = {}  # link to a source file (parsed and escaped once) → its Url
        self._rel_targets: dict[str, str] = {}  # the same → its relationship target

    def link(self, path: str, sheet: str | None, cell: str) -> str | None:
        """A link that opens the source cell (sheet None: the file), relative to the roll-up (it
        survives moving both).

        None when the path holds a '#' (a link cannot carry it: it starts the cell part) or a control character.
        """
        target = self._target(path)
        if "#" in target or "://" in path or not xml_holds(target):  # an fsspec URL (s3://…): no file link opens it
            return None
        url = f"file:///{target}" + (f"#'{sheet.replace(chr(39), chr(39) * 2)}'!{cell or 'A1'}" if sheet else "")
        return url if len(url) <= MAX_URL else None

    def _target(self, path: str) -> str:
        if path not in self._targets:
            try:
                target = Path(os.path.relpath(path, self.out_dir)).as_posix()
            except ValueError:  # another drive (Windows): an absolute link
                target = Path(path).resolve().as_posix()
            self._targets[path] = (text(target), text(Path(path).name))
        return self._targets[path][0]

    def _name(self, path: str) -> str:
        self._target(path)
        return self._targets[path][1]

    def put_link(self, ws, r: int, c: int, path: str, sheet: str | None, cell: str, shown: str,
                 wrap: bool = False) -> None:
        """The text as a link to the source cell; the text alone when no link can hold the path."""
        url = self.link(path, sheet, cell)
        fmt = self.f.link_wrap if wrap else self.f.link
        if url is not None and ws.constant_memory:  # a long sheet: a HYPERLINK formula, written out with its row
            formula = _hyperlink_formula(url.removeprefix("file:///"), shown)
            if formula and _put_formula(ws, r, c, formula, fmt, shown):
                return
        elif url is not None and self._links.get(ws.name, 0) < MAX_LINKS:
            try:
                if ws.write_url(r, c, self._url(url, shown), fmt) == 0:
                    self._links[ws.name] = self._links.get(ws.name, 0) + 1
                    return
            except ValueError:  # a path the link format cannot hold: keep the text, lose the link
                pass
        ws.write_string(r, c, shown, self.f.text if wrap else self.f.plain)

    def _url(self, url: str, shown: str):
        """XlsxWriter's link, with '/' kept in a relative target ("../in/a.xlsx", as Excel writes it).

        XlsxWriter turns a relative file link into Windows separators (..\\in\\a.xlsx), which Excel
        for Mac and LibreOffice do not open. The file part is parsed once per source file (a city's
        roll-up links 11,000 rows to 300 files); each link copies it with its own cell and text.
        """
        import copy

        from xlsxwriter.url import Url

        file_part, _, anchor = url.partition("#")
        base = self._urls.get(file_part)
        if base is None:
            base = self._urls[file_part] = Url(file_part)
            base._relationship_link = base._relationship_link.replace("\\", "/")  # checked by test_rollup
        link = copy.copy(base)
        link._anchor = anchor
        link.text = shown
        return link

    def _source_link(self, ws, path: str, sheet: str, cell: str) -> tuple[Any, str]:
        """The 参照元 of a streamed row: (its link: (file, cell) as a relationship target and a location,
        a HYPERLINK formula on a long sheet, or None; 「file / sheet / cell」)."""
        shown = f"{self._name(path)} / {sheet} / {cell}" if cell else f"{self._name(path)} / {sheet}"
        url = self.link(path, sheet, cell)
        if url is None:
            return None, shown
        if ws.long:
            return _hyperlink_formula(url.removeprefix("file:///"), shown), shown
        file_part, _, anchor = url.partition("#")
        try:
            return (self._file_target(file_part), anchor), shown
        except ValueError:  # a path the link format cannot hold: the text, without a link
            return None, shown

    def file_link(self, path: str) -> tuple[str, None] | None:
        """A streamed cell's link that opens a source file (None: no link can hold its path)."""
        url = self.link(path, None, "")
        try:
            return (self._file_target(url), None) if url is not None else None
        except ValueError:
            return None

    def _file_target(self, file_part: str) -> str:
        """The relationship target XlsxWriter makes of a file link, with '/' kept (see _url); once a file."""
        if file_part not in self._rel_targets:
            self._rel_targets[file_part] = self._url(file_part, "")._target()
        return self._rel_targets[file_part]

    def write(self, gathered, tables, *, overwrite: bool, limit: int = 1_048_575,
              beside: dict[str, Path] | None = None, counts: tuple[int, dict[str, int]] = (0, {}),
              cap: float | None = 100) -> Path:
        """Write every sheet and save the workbook atomically (a temporary file, then a rename).

        gathered: the records (summary.gathered.Gathered); limit: rows at most on 一覧 and 要確認;
        beside: sheet → the file holding its full table, for the tables cut at limit; counts:
        (workbooks read, skipped files by rule) for 概要; cap: the rate cap of the tables (None: none).
        """
        with tempfile.TemporaryDirectory(prefix="xlsheets-") as tmpdir:  # XlsxWriter's parts, gone after
            return save_workbook(
                lambda tmp: self._build(tmp, tmpdir, gathered, tables, limit, beside or {}, counts, cap),
                self.out, overwrite=overwrite, backup=False)

    def _build(self, path: Path, tmpdir: str, gathered, tables, limit: int, beside: dict[str, Path],
               counts: tuple[int, dict[str, int]], cap: float | None) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), BOOK_OPTIONS | {"tmpdir": tmpdir})
        self.f = Formats(self.wb)
        books = gathered.counted()
        sizes = {"一覧": min(gathered.row_count(), limit), "要確認": min(gathered.finding_count(), limit),
                 "表紙": sum(len(b["goals"]) + 3 for b in books)}
        self.ws = {name: self._sheet(name, sizes.get(name, 0) > TABLE_ROWS) for name in SHEETS}
        notes = [cut_text(sheet, where) for sheet, where in beside.items()]
        with warnings.catch_warnings():  # a value XlsxWriter refuses is handled here, not printed
            warnings.simplefilter("ignore")
            self._listing(gathered.rows.names, gathered.listing(limit), sizes["一覧"], beside.get("一覧"))
            self._findings(gathered.finding_rows(), sizes["要確認"], beside.get("要確認"))
            pages.cover(self.ws["表紙"], self.f, books, self.put_link, notes)
            layout = pages.summary(self.ws["集計"], self.f, tables.summary)
            pages.by_goal(self.ws["重点目標別"], self.f, tables.by_goal, layout)
            pages.years(self.ws["経年比較"], self.f, tables.years)
            pages.status(self.ws["提出状況"], self.f, tables.status, self.file_link, len(tables.errors))
            pages.errors(self.ws["取込エラー"], self.f, tables.errors)
            charts.graph_sheet(self.wb, self.ws["グラフ"], self.f, tables.by_goal, layout, cap)
            superseded = sum(1 for b in gathered.books if b.get("superseded"))
            lines = pages.overview_lines(counts[0], len(tables.errors), counts[1], superseded,
                                         missing_departments(tables.status)) + notes
            row = pages.overview_table(self.ws["概要"], self.f, tables.overview, lines)
            charts.overview_charts(self.wb, self.ws["概要"], layout, tables, cap, row + 1)
        self.wb.define_name(L.N_ROLLUP, '="xlsheets"')  # a later roll-up of this folder must not count it
        self.wb.close()

    def _sheet(self, name: str, long: bool):
        """A worksheet: the tables stream their rows; a long 表紙 is in constant_memory mode (XlsxWriter
        takes it per sheet when added), グラフ holds charts only."""
        if name not in ("表紙", "グラフ"):
            ws = self.wb.add_worksheet(name, worksheet_class=StreamedSheet)
            ws.long = long
            return ws
        self.wb.constant_memory = long
        try:
            ws = self.wb.add_worksheet(name)
            ws.long = long
            return ws
        finally:
            self.wb.constant_memory = False

    def _listing(self, fields: list[str], rows: Iterator[tuple], n: int, beside: Path | None) -> None:
        ws, f, listing = self.ws["一覧"], self.f, columns.LISTING
        sheet, link = listing.sheet, listing.link
        # each cell's field in a row; the link's cell shows its parts (the field given there is not read)
        at = [fields.index(c.parts[0] if j == link else c.name) for j, c in enumerate(sheet)]
        source, height = [fields.index(p) for p in sheet[link].parts], fields.index(HEIGHT)
        formats = [f.for_kind(c.kind) for c in sheet]
        for j, c in enumerate(sheet):  # each column's format, for a cell typed in later
            ws.set_column(j, j, c.width, formats[j] if j != link else None)
        last = max(1, n)
        self._header(ws, 0, last, [c.name for c in sheet], "一覧", 27)
        ws.begin(1, formats, inline=ws.long)
        for row in rows:
            target, shown = self._source_link(ws, *(row[k] for k in source))
            ws.row([row[k] for k in at], row[height], (link, target, shown))
        ws.finish(len(sheet) - 1)
        for j, c in enumerate(sheet):
            if c.kind == RATE:
                rate_colours(ws, f, 1, j, last, j)
        self._long_table_look(ws, last, len(sheet))
        _cut_note(ws, f, n + 2, beside)
        ws.freeze_panes(1, 0)
        print_setup(ws)
        # print what a reader needs on A4: the columns marked printed (the source link is for clicking)
        ws.print_area(0, 0, last, listing.printed - 1)

    def _findings(self, findings: Iterator[tuple[str, dict[str, Any]]], n: int, beside: Path | None) -> None:
        ws, f = self.ws["要確認"], self.f
        formats = [f.for_kind(kind) for _, _, kind in FINDING_SHEET_COLUMNS]
        for j, (_, width, kind) in enumerate(FINDING_SHEET_COLUMNS):
            ws.set_column(j, j, width, formats[j] if kind != LINK else None)
        if not n:
            ws.write(0, 0, "検証で指摘された問題はありません。", f.bold)
            return
        names = [name for name, _, _ in FINDING_SHEET_COLUMNS]
        self._header(ws, 0, n, names, "要確認")
        ws.begin(1, formats, inline=ws.long)
        wrap = next(width for _, width, kind in FINDING_SHEET_COLUMNS if kind == WRAPPED)
        link = names.index("参照元")
        for path, x in itertools.islice(findings, n):  # the first n
            message = value(x["message"])
            target, shown = self._source_link(ws, path, x["sheet"], x["cell"])
            # the row grows with its wrapped message: printed lines never overlap
            height = lines_height(text_lines(message, wrap)) if message else None
            ws.row([SEVERITY_JA.get(x["severity"], x["severity"]), value(x["code"]), value(location_text(x["location"])),
                    message], height, (link, target, shown))
        ws.finish(link)
        self._long_table_look(ws, n, len(names))
        _cut_note(ws, f, n + 2, beside)
        ws.freeze_panes(1, 0)
        print_setup(ws)

    def _header(self, ws, first_row: int, last_row: int, headers: list[str], name: str, height: float | None = None):
        """The header row: an Excel Table's (style Medium 2, filters), or on a long sheet the same look
        written cell by cell with filters."""
        if ws.long:
            ws.write_row(first_row, 0, headers, self.f.long_header)
            ws.autofilter(first_row, 0, last_row, len(headers) - 1)
        else:
            add_table(ws, first_row, last_row, headers, name, self.f.header)
        if height:
            ws.set_row(first_row, height)

    def _long_table_look(self, ws, last_row: int, width: int) -> None:
        """A long sheet's banded rows, as Table Style Medium 2 has them (after the rate colours, which win)."""
        if ws.long:
            ws.conditional_format(1, 0, last_row, width - 1, {"type": "formula", "criteria": "=MOD(ROW(),2)=0",
                                                              "format": self.f.band})


def _cut_note(ws, f: Formats, row: int, beside: Path | None) -> None:
    """Under a table cut at the row limit: where its full version is."""
    if beside is not None:
        ws.write_string(row, 0, cut_text(ws.name, beside), f.note)


def cut_text(sheet: str, beside: Path) -> str:
    return (f"{sheet}は長すぎるため最初の部分だけを載せています。全件は {beside.name} にあります"
            f"（this table is cut; the full table is in {beside.name}）。")


def _hyperlink_formula(target: str, text: str) -> str | None:
    """=HYPERLINK("target","text") with both as quoted literals (no text of a source is ever evaluated);
    None when either is longer than a formula's text literal may be (255 characters).

    A long sheet's links: XlsxWriter keeps every link object of a sheet until it is saved (and
    Excel takes at most 65,530 of them a sheet); a formula is written out with its row.
    """
    if len(target) > 255 or len(text) > 255:
        return None
    quote = lambda v: '"' + v.replace('"', '""') + '"'  # noqa: E731
    return f"=HYPERLINK({quote(target)},{quote(text)})"


def _put_formula(ws, r: int, c: int, formula: str, fmt, value: str) -> bool:
    """A formula stored as it is, in the row being written (constant_memory).

    XlsxWriter's write_formula rewrites every word it takes for a newer function (「SORT(」 → _xlfn…)
    and turns a formula naming one (「UNIQUE(」) into an array formula, inside quoted text too: a
    file or sheet name must stay as it is, so the cell is stored without that step.
    """
    from xlsxwriter.worksheet import CellFormulaTuple

    if ws.write_string(r, c, value, fmt) != 0:  # the cell's row begun (the one before it written out)
        return False
    ws.table[r][c] = CellFormulaTuple(formula.removeprefix("="), fmt, value)
    return True
