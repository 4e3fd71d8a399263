"""The data model of a department's 重点目標管理シート and its interchange dict form.

The interchange format (see ``schema/xlsheets.schema.json``) is plain JSON::

    {"fiscal_year": 2024, "department": "福祉部",
     "goals": [{"priority": 1, "title": ..., "positioning": {...}, "current_issues": ...,
                "purpose": ..., "items": [{"no": 1, "title": ..., "subitems": [...]}],
                "notes": {"participation": ..., "effects": ...}}]}

Texts are kept verbatim; an empty field is ``""``. Numbers that a sheet writes in a
form the model cannot parse (``優先順位: 未定``) are kept as the original string, so that
reading never loses what a person wrote: checking them is the validator's job.

What was read from a workbook also knows where it was written: ``Goal.sheet`` (a
:class:`GoalSheet`), ``Item.cells`` (:class:`ItemCells`) and ``SubItem.cells``
(:class:`SubItemCells`). These are not data: ``to_dict()`` and equality leave them out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .errors import XlsheetsError
from .grammar.eras import ERA_FIRST_DAYS, ERA_LETTERS, ERAS, era_year_in  # noqa: F401  (ERA_* kept importable here)
from .grammar.numerals import numeral_value

POSITIONING_KEYS = ("comprehensive_plan", "regional_strategy", "sdgs", "admin_reform", "reconstruction_plan")
SUBITEM_FIELDS = ("method", "period", "target", "midterm", "final")
NOTE_KEYS = ("participation", "effects")
STAGES = ("midterm", "final")  # the two reports of a sub-item, in order
STAGE_JA = {"midterm": "中間", "final": "期末"}

Number = int | str  # an int when the sheet's text parses, else the text as written
Cell = tuple[int, int]  # (row, column), 1-based


# ---------------------------------------------------------------- where a read found each part


@dataclass(frozen=True)
class SubItemCells:
    """The cells a sub-item was read from (None: the sheet has no such column).

    On an old hand-made sheet several sub-items share one row's cells, and ``no`` is the
    方法・手段 cell that holds their (1) (2) labels.
    """

    no: Cell | None = None
    method: Cell | None = None
    period: Cell | None = None
    target: Cell | None = None
    midterm: Cell | None = None
    final: Cell | None = None

    def of(self, field_: str) -> Cell | None:
        """The cell of a field named as in SUBITEM_FIELDS (or ``no``)."""
        return getattr(self, field_)


@dataclass(frozen=True)
class ItemCells:
    """The cells an item's number and title were read from."""

    no: Cell | None = None
    title: Cell | None = None


@dataclass
class GoalSheet:
    """The sheet a goal was read from: its name, the cell of each goal field, and the table's layout."""

    name: str
    fields: dict[str, Cell] = field(default_factory=dict)  # title, department, priority, positioning.*, notes.*
    columns: dict[str, int] = field(default_factory=dict)  # table column role → column
    body: tuple[int, int] = (0, 0)  # first and last body row
    header_row: int = 0
    legacy: bool = False  # a hand-made sheet read by its labels
    label_numbers: list[tuple[Cell, str, list[Any]]] = field(default_factory=list)  # legacy: (cell, field, nos)
    department: str = ""  # the 部局名 as this sheet writes it
    year: int | None = None  # the 年度 as this sheet's title writes it (its cell: fields["sheet_title"])
    # cells that no field took: (cell, its text, the heading of its column or where it is) → layout-unplaced
    unplaced: list[tuple[Cell, str, str]] = field(default_factory=list)
    # columns and labels the form does not have (担当課, 備考): (heading cell, heading), not read
    ignored: list[tuple[Cell, str]] = field(default_factory=list)
    right: int = 0  # the rightmost column the table's rows use (hand-made sheets: new columns go after it)


@dataclass(frozen=True)
class Typed:
    """What a sub-item's 達成率 and 判定 cells hold, read as shown: each stage's rate (the percent a
    person sees: 0.5 formatted as a percentage is 50) with its text, and the 判定 as written."""

    rates: dict[str, tuple[float, str]] = field(default_factory=dict)  # stage → (percent, as shown)
    grade: str = ""


def _where() -> Any:
    """A field for where a part was read: not data, so neither compared nor shown nor in to_dict()."""
    return field(default=None, compare=False, repr=False)


@dataclass
class SubItem:
    no: Number
    method: str = ""
    period: str = ""
    target: str = ""
    midterm: str = ""
    final: str = ""
    achievement: dict[str, Any] | None = None  # {"midterm": {"rate", "grade"}, "final": {...}}
    cells: SubItemCells | None = _where()
    typed: Typed | None = _where()  # the 達成率/判定 cells as read (None: empty, or not read from a sheet)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"no": self.no}
        d.update({k: getattr(self, k) for k in SUBITEM_FIELDS})
        if self.achievement:
            d["achievement"] = self.achievement
        return d


@dataclass
class Item:
    no: Number
    title: str = ""
    subitems: list[SubItem] = field(default_factory=list)
    cells: ItemCells | None = _where()

    def to_dict(self) -> dict[str, Any]:
        return {"no": self.no, "title": self.title, "subitems": [s.to_dict() for s in self.subitems]}


@dataclass
class Goal:
    priority: Number | None
    title: str = ""
    positioning: dict[str, str] = field(default_factory=lambda: dict.fromkeys(POSITIONING_KEYS, ""))
    current_issues: str = ""
    purpose: str = ""
    items: list[Item] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=lambda: dict.fromkeys(NOTE_KEYS, ""))
    id: str | None = None  # stable id across years (set by carry-forward)
    sheet: GoalSheet | None = _where()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.id:
            d["id"] = self.id
        d.update(
            priority=self.priority,
            title=self.title,
            positioning={k: self.positioning.get(k, "") for k in POSITIONING_KEYS},
            current_issues=self.current_issues,
            purpose=self.purpose,
            items=[i.to_dict() for i in self.items],
            notes={k: self.notes.get(k, "") for k in NOTE_KEYS},
        )
        return d

    def subitems(self):
        """Yield ``(item, subitem)`` pairs in sheet order."""
        for item in self.items:
            for sub in item.subitems:
                yield item, sub


@dataclass
class Department:
    fiscal_year: int | str
    department: str = ""
    goals: list[Goal] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "department": self.department,
            "goals": [g.to_dict() for g in self.goals],
        }


# ---------------------------------------------------------------- numbers and years

CIRCLED = (
    [chr(c) for c in range(0x2460, 0x2474)]  # ①..⑳
    + [chr(c) for c in range(0x3251, 0x3260)]  # ㉑..㉟
    + [chr(c) for c in range(0x32B1, 0x32C0)]  # ㊱..㊿
)


def circled(n: Number) -> str:
    """Item number as printed on the form: 1 → ①. Text or out-of-range numbers as written."""
    if isinstance(n, int) and 1 <= n <= len(CIRCLED):
        return CIRCLED[n - 1]
    return str(n)


def paren(n: Number) -> str:
    """Sub-item number as printed on the form: 1 → (1)."""
    return f"({n})" if isinstance(n, int) else str(n)


def _as_number(text: Any, parse: Any) -> Number | None:
    """None/blank → None; a whole number → int; text → parse(stripped text)."""
    if text is None or isinstance(text, bool):
        return None if text is None else str(text).upper()
    if isinstance(text, (int, float)) and float(text).is_integer():
        return int(text)
    s = str(text).strip()
    return parse(s) if s else None


def _digits_or_text(s: str) -> Number:
    n = unicodedata.normalize("NFKC", s)
    return int(n) if n.isdigit() else s


_ITEM_NO = re.compile(r"^(?:第\s*)?[(]?\s*(\d+)\s*[).、]?$")


def _item_no(s: str) -> Number:
    if s in CIRCLED:
        return CIRCLED.index(s) + 1
    m = _ITEM_NO.match(unicodedata.normalize("NFKC", s))
    return int(m.group(1)) if m else s


def parse_item_no(text: Any) -> Number | None:
    """①, 1, '１', '1.', '1)', '(1)', '第1' → 1; empty → None; anything else → the text as written."""
    return _as_number(text, _item_no)


_PAREN_NO = re.compile(r"^[(（]\s*(\d+)\s*[)）]$")


def _subitem(s: str) -> Number:
    if len(s) == 1 and 0x2474 <= ord(s) <= 0x2487:  # ⑴..⒇
        return ord(s) - 0x2473
    m = _PAREN_NO.match(unicodedata.normalize("NFKC", s))
    return int(m.group(1)) if m else _digits_or_text(s)


def parse_subitem_no(text: Any) -> Number | None:
    """(1), （１）, ⑴, 1 → 1; empty → None; anything else → the text as written."""
    return _as_number(text, _subitem)


_PRIORITY = re.compile(r"^(?:第|優先順位|優先|No\.?)?\s*[:]?\s*(\d+|[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:\.0+)?\s*"
                       r"(?:位|番目|番)?\s*(?:\(.*\))?$")
def parse_priority(text: Any) -> Number | None:
    """'1位', '１位', '第1位', '1番', '優先順位1', '一位', '1位（最重要）', ①, 1 → 1; empty → None;
    else the text as written."""

    def parse(s: str) -> Number:
        if s in CIRCLED:
            return CIRCLED.index(s) + 1
        m = _PRIORITY.match(unicodedata.normalize("NFKC", s))
        if not m:
            return s
        n = m.group(1)
        value = numeral_value(n)
        return int(value) if value is not None and value == int(value) and value > 0 else s  # not 「十十」

    return _as_number(text, parse)


def priority_text(p: Number | None) -> str:
    if p is None:
        return ""
    return f"{p}位" if isinstance(p, int) else str(p)


_WESTERN = re.compile(r"((?:19|20)\d\d)")


def parse_fiscal_year(value: Any) -> int | None:
    """2024, '2024', '2024年度', '令和6年度', 'R6' → 2024; None when no year is found."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if 1900 <= value <= 2200 else None
    s = unicodedata.normalize("NFKC", str(value)).strip()
    year = era_year_in(s)
    if year is not None:
        return year
    m = _WESTERN.search(s)
    return int(m.group(1)) if m else None


def wareki(year: int) -> str:
    """2020 → '令和2年度'; 2019 → '令和元年度'."""
    for era, base in ERAS:
        if year > base:
            n = year - base
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{year}年度"


def year_key(year) -> tuple:
    """Latest fiscal year first; a year that is not a number after all of them."""
    return (0, -year, "") if isinstance(year, int) and not isinstance(year, bool) else (1, 0, str(year))


def year_label(year: Any) -> str:
    """2020 → '令和2年度（2020）', as headings and titles show a fiscal year (data columns keep 2020).
    A whole number of any kind (numpy's from a table, 2020.0) counts; other values are shown as they are."""
    if isinstance(year, (int, float)) or hasattr(year, "is_integer"):
        try:
            if float(year).is_integer() and not isinstance(year, bool):
                return f"{wareki(int(year))}（{int(year)}）"
        except (TypeError, ValueError, OverflowError):
            pass
    return str(year) if year not in (None, "") and year == year else "年度不明"


# ---------------------------------------------------------------- dict → model


def _text(v: Any, where: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        _shape(f"{where} は文字か数で書いてください", f"{where} must be text or a number")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _shape(ja: str, en: str):
    raise XlsheetsError(f"データの形式が正しくありません: {ja}。", f"bad data: {en}")


def _mapping(v: Any, where: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        _shape(f"{where} は {{…}}（キーと値の組）にしてください", f"{where} must be an object")
    return v


def _sequence(v: Any, where: str) -> list[Any]:
    if v is None or v == "":
        return []
    if not isinstance(v, list):
        _shape(f"{where} は […]（一覧）にしてください", f"{where} must be a list")
    return v


def _no(v: Any, parse) -> Number:
    p = parse(v)
    return "" if p is None else p


def department_from_dict(data: dict[str, Any], warn=None) -> Department:
    """Build a Department from the interchange dict; unknown keys go to ``warn(msg)``."""
    warn = warn or (lambda msg: None)
    if not isinstance(data, dict):
        raise XlsheetsError("データの形式が正しくありません（オブジェクトが必要です）。", "data must be an object")
    fy_raw = data.get("fiscal_year")
    fy = parse_fiscal_year(fy_raw)
    _unknown(data, {"fiscal_year", "department", "goals"}, "", warn)
    goals = []
    for gi, g in enumerate(_sequence(data.get("goals"), "goals")):
        where = f"goals[{gi}]"
        g = _mapping(g, where)
        _unknown(g, {"id", "priority", "title", "positioning", "current_issues", "purpose", "items", "notes"}, where, warn)
        pos = _mapping(g.get("positioning"), where + ".positioning")
        _unknown(pos, set(POSITIONING_KEYS), where + ".positioning", warn)
        notes = _mapping(g.get("notes"), where + ".notes")
        _unknown(notes, set(NOTE_KEYS), where + ".notes", warn)
        items = []
        for ii, it in enumerate(_sequence(g.get("items"), where + ".items")):
            iw = f"{where}.items[{ii}]"
            it = _mapping(it, iw)
            _unknown(it, {"no", "title", "subitems"}, iw, warn)
            subs = []
            for si, s in enumerate(_sequence(it.get("subitems"), iw + ".subitems")):
                sw = f"{iw}.subitems[{si}]"
                s = _mapping(s, sw)
                _unknown(s, {"no", "achievement", *SUBITEM_FIELDS}, sw, warn)
                subs.append(
                    SubItem(
                        no=_no(s.get("no", si + 1), parse_subitem_no),
                        **{k: _text(s.get(k), f"{sw}.{k}") for k in SUBITEM_FIELDS},
                        achievement=s.get("achievement") if isinstance(s.get("achievement"), dict) else None,
                    )
                )
            items.append(Item(no=_no(it.get("no", ii + 1), parse_item_no), title=_text(it.get("title"), iw + ".title"),
                              subitems=subs))
        priority = g.get("priority")
        goals.append(
            Goal(
                priority=parse_priority(_text(priority, where + ".priority") if isinstance(priority, (dict, list))
                                        else priority),
                title=_text(g.get("title"), where + ".title"),
                positioning={k: _text(pos.get(k), f"{where}.positioning.{k}") for k in POSITIONING_KEYS},
                current_issues=_text(g.get("current_issues"), where + ".current_issues"),
                purpose=_text(g.get("purpose"), where + ".purpose"),
                items=items,
                notes={k: _text(notes.get(k), f"{where}.notes.{k}") for k in NOTE_KEYS},
                id=_text(g.get("id"), where + ".id") or None,
            )
        )
    return Department(fiscal_year=fy if fy is not None else _text(fy_raw), department=_text(data.get("department")), goals=goals)


def _unknown(d: Any, known: set[str], where: str, warn) -> None:
    if isinstance(d, dict):
        for k in d:
            if k not in known:
                warn(f"不明なキー {where + '.' if where else ''}{k} は無視しました (unknown key ignored)")
