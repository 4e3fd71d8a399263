"""The data rows of the long tables (一覧, 要確認) written straight out as sheet XML.

XlsxWriter keeps a cell object per value until the workbook is saved, then turns each into XML
(about half of a city roll-up's writing time). Here each row becomes its XML text at once, into a
temporary file that the worksheet copies into its part when XlsxWriter assembles it; XlsxWriter
still writes everything else of the sheet (its header row and notes, the columns, the Table,
filters, conditional formats, links, print setup). Texts go into the workbook's shared strings,
or inline (``t="inlineStr"``, as XlsxWriter's constant_memory mode writes them) for a sheet too long
to keep every text in memory. The cells are those XlsxWriter writes for the same values.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from ..io.grid import col_letter

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_ESCAPED_LOOK = re.compile(r"_x[0-9a-fA-F]{4}_")  # literal text Excel would read as an escape
_TO_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x")  # one search tells whether a text needs any
MAX_LINKS = 65530  # Excel's limit of links on one sheet; beyond it the text stays, without a link
MAX_TEXT = 32767  # characters in one cell
_INF = float("inf")


def escaped(text: str) -> str:
    """Text as XML element content, control characters as Excel's _xHHHH_ escapes."""
    if not _TO_ESCAPE.search(text):
        return text
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "_x" in text:
        text = _ESCAPED_LOOK.sub(lambda m: "_x005F" + m.group(0), text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text


def _styles(formats: Sequence[Any]) -> list[str]:
    """The s="…" attribute of each column's format ('' for none)."""
    return [f' s="{fmt._get_xf_index()}"' if fmt is not None else "" for fmt in formats]


class StreamedSheet(Worksheet):
    """A worksheet whose data rows are streamed (see the module): begin(), row() for each, finish()."""

    def begin(self, first_row: int, formats: Sequence[Any], tmpdir: str | None = None, inline: bool = False) -> None:
        """Rows from first_row on, one format per column (None: no format); inline: texts inline;
        tmpdir: where the rows wait (the workbook's own temporary folder when not given)."""
        self._stream = tempfile.TemporaryFile(  # noqa: SIM115 - closed in _write_rows
            "w+", encoding="utf-8", dir=tmpdir or self.tmpdir)
        self._first = self._next = first_row
        self._styles = _styles(formats)
        self._letters = [col_letter(j + 1) for j in range(len(formats))]
        self._inline = inline
        self._strings = self.str_table
        self._links: list[tuple[str, str, str]] = []  # (cell, relationship target, location) of each link

    def row(self, values: Sequence[Any], height: float | None = None, link: tuple[int, Any, str] | None = None,
            formats: Sequence[Any] | None = None) -> int:
        """The next row: values (text, numbers; None, '' and NaN are blanks), its height in points,
        link: (column, its target, the text shown; the target is (file, cell in it or None) for a link,
        a HYPERLINK formula's text, or None for the text alone), and formats: this row's own, one a
        column (a total row). Returns the row."""
        r = self._next
        n = r + 1
        styles = self._styles if formats is None else _styles(formats)
        at = link[0] if link is not None else -1
        cells = []
        for j, v in enumerate(values):
            t = type(v)
            if j == at:  # the cells of a row in column order: the link in its place
                cells.append(self._link(n, *link))
            elif t is str:
                if v:
                    cells.append(self._text(f"{self._letters[j]}{n}", styles[j], v[:MAX_TEXT]))
            elif (t is int or t is float) and v == v and v not in (_INF, -_INF):
                cells.append(f'<c r="{self._letters[j]}{n}"{styles[j]}><v>{v:.16G}</v></c>')
            elif v is not None and t is not float:  # anything else is shown as its text
                cells.append(self._text(f"{self._letters[j]}{n}", styles[j], str(v)[:MAX_TEXT]))
        if at >= len(values):
            cells.append(self._link(n, *link))
        if height:
            px = int(height * 4.0 / 3.0 + 0.5)  # as XlsxWriter rounds a height: to whole pixels
            self._stream.write(f'<row r="{n}" ht="{px * 0.75:.16g}" customHeight="1">{"".join(cells)}</row>')
        else:
            self._stream.write(f'<row r="{n}">{"".join(cells)}</row>')
        self._next = n
        return r

    def _text(self, ref: str, style: str, v: str) -> str:
        # XlsxWriter writes a shared string 「<r>…</r>」 as rich-text XML, as it is: such a text goes inline
        if not self._inline and not (v.startswith("<r>") and v.endswith("</r>")):
            return f'<c r="{ref}"{style} t="s"><v>{self._strings._get_shared_string_index(v)}</v></c>'
        space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escaped(v)}</t></is></c>'

    def _link(self, n: int, col: int, target: Any, shown: str) -> str:
        """The linked cell: its text (the link kept for <hyperlinks>), or a HYPERLINK formula (a str target)."""
        ref = f"{self._letters[col]}{n}"
        style = self._styles[col]
        if isinstance(target, str):
            return f'<c r="{ref}"{style} t="str"><f>{escaped(target.removeprefix("="))}</f><v>{escaped(shown)}</v></c>'
        if target is not None and len(self._links) < MAX_LINKS:
            self._links.append((ref, *target))
        return self._text(ref, style, shown)

    def finish(self, last_col: int) -> None:
        """After the last row: the sheet's extent covers the streamed rows."""
        if self._next > self._first:
            self._check_dimensions(self._first, 0)
            self._check_dimensions(self._next - 1, last_col)

    def _write_rows(self) -> None:
        """XlsxWriter's own rows above and below the streamed ones, and the streamed ones between."""
        if getattr(self, "_stream", None) is None:
            super()._write_rows()
            return
        low, high = self.dim_rowmin, self.dim_rowmax
        try:
            self.dim_rowmax = min(high, self._first - 1)
            super()._write_rows()
            self._stream.seek(0)
            shutil.copyfileobj(self._stream, self.fh, 1 << 20)
            self.dim_rowmin, self.dim_rowmax = max(low, self._next), high
            super()._write_rows()
        finally:
            self.dim_rowmin, self.dim_rowmax = low, high
            self._stream.close()
            self._stream = None

    def _write_hyperlinks(self) -> None:
        """The streamed rows' links, as XlsxWriter writes an external link (a relationship each)."""
        links = getattr(self, "_links", None)
        if not links:
            super()._write_hyperlinks()
            return
        if self.hyperlinks:  # XlsxWriter's own links beside streamed ones: not on the sheets that stream
            raise ValueError("a streamed sheet holds links of its own rows only")
        self._xml_start_tag("hyperlinks")
        for ref, target, location in links:
            self.rel_count += 1
            place = [("location", location)] if location else []
            self._xml_empty_tag("hyperlink", [("ref", ref), ("r:id", f"rId{self.rel_count}"), *place])
            self.external_hyper_links.append(["/hyperlink", target, "External"])
        self._xml_end_tag("hyperlinks")
