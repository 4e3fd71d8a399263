"""A published page read with the standard library's html.parser: what the structural tests check
(title, lang, headings, landmarks, data tables, links, anything that could run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Cell:
    tag: str  # th or td
    attrs: dict[str, str | None]
    text: str = ""


@dataclass
class Table:
    caption: str = ""
    in_thead: bool = False
    in_tbody: bool = False
    head_cells: list[dict[str, str | None]] = field(default_factory=list)  # the attributes of each thead cell
    body_rows: list[list[Cell]] = field(default_factory=list)
    spans: int = 0  # cells with rowspan or colspan
    has_thead: bool = False


class Page(HTMLParser):
    """One page: parse it with Page.read(path)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title = ""
        self.h1: list[str] = []
        self.tags: list[str] = []  # every start tag, in order
        self.attributes: list[tuple[str, str, str | None]] = []  # (tag, name, value)
        self.links: list[str] = []  # every href and src
        self.ids: set[str] = set()
        self.text: list[str] = []  # the text, as a reader sees it (character references resolved)
        self.tables: list[Table] = []
        self._open: list[str] = []
        self._table: list[Table] = []
        self._caption = False

    @classmethod
    def read(cls, path: Path) -> Page:
        page = cls()
        page.feed(path.read_text(encoding="utf-8"))
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        self.attributes += [(tag, k, v) for k, v in attrs]
        self.links += [v or "" for k, v in attrs if k in ("href", "src", "xlink:href", "action", "formaction")]
        if "id" in a:
            self.ids.add(a["id"] or "")
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "h1":
            self.h1.append("")
        self._table_start(tag, a)
        if tag not in VOID:
            self._open.append(tag)

    def _table_start(self, tag: str, a: dict[str, str | None]) -> None:
        if tag == "table":
            self._table.append(Table())
            self.tables.append(self._table[-1])
        if not self._table:
            return
        t = self._table[-1]
        if tag == "caption":
            self._caption = True
        elif tag == "thead":
            t.in_thead = t.has_thead = True
        elif tag == "tbody":
            t.in_tbody = True
        elif tag == "tr" and t.in_tbody:
            t.body_rows.append([])
        elif tag in ("th", "td"):
            t.spans += "rowspan" in a or "colspan" in a
            if t.in_thead:
                t.head_cells.append(a | {"tag": tag})
            elif t.in_tbody and t.body_rows:
                t.body_rows[-1].append(Cell(tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass
        if self._table:
            t = self._table[-1]
            if tag == "caption":
                self._caption = False
            elif tag == "thead":
                t.in_thead = False
            elif tag == "tbody":
                t.in_tbody = False
            elif tag == "table":
                self._table.pop()

    def handle_data(self, data: str) -> None:
        where = self._open[-1] if self._open else ""
        if where == "title":
            self.title += data
        if "h1" in self._open:
            self.h1[-1] += data
        if self._caption and self._table:
            self._table[-1].caption += data
        if self._table and self._table[-1].in_tbody and self._table[-1].body_rows and {"td", "th"} & set(self._open):
            row = self._table[-1].body_rows[-1]
            if row:
                row[-1].text += data
        if where not in ("style", "script"):
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def count(self, tag: str) -> int:
        return self.tags.count(tag)

    def problems(self) -> list[str]:
        """What a page must have and must not have, said as failures (empty: a good page)."""
        said = []
        if self.lang != "ja":
            said.append(f'lang is {self.lang!r}, not "ja"')
        if not self.title.strip():
            said.append("no title")
        if self.count("h1") != 1:
            said.append(f"{self.count('h1')} h1 elements")
        for landmark in ("header", "nav", "main", "footer"):
            if landmark not in self.tags:
                said.append(f"no {landmark}")
        for k, t in enumerate(self.tables, 1):
            said += [f"table {k}: {p}" for p in table_problems(t)]
        return said


def table_problems(t: Table) -> list[str]:
    said = []
    if not t.caption.strip():
        said.append("no caption")
    if not t.has_thead or not t.head_cells:
        said.append("no thead with header cells")
    if any(c["tag"] != "th" or c.get("scope") != "col" for c in t.head_cells):
        said.append('a thead cell is not th scope="col"')
    if not t.body_rows:
        said.append("no body rows")
    for n, row in enumerate(t.body_rows, 1):
        headers = [c.attrs for c in row if c.tag == "th"]
        if not headers:
            said.append(f"row {n} has no row header")
        if any(a.get("scope") != "row" for a in headers):
            said.append(f'row {n}: a th is not scope="row"')
        if len(row) != len(t.head_cells):
            said.append(f"row {n} has {len(row)} cells under {len(t.head_cells)} headers")
    if t.spans:
        said.append(f"{t.spans} cells with rowspan/colspan")
    return said
