"""Validation: every problem of a sheet as a Finding with a stable code, a cell and a Japanese message.

``validate(read_result, stage=...)`` returns a :class:`Report`; it never raises on content.
Every finding is made from its rule in :mod:`xlsheets.findings` (the catalogue, with each
condition's message): a check names the rule, the condition and the fields. The checks walk the
read tree: each goal, item and sub-item carries the cells it was read from.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from .findings import FIELD_JA, RULES, Finding, Report
from .grammar import Target, parse_target, scan
from .io.grid import a1
from .io.loading import load_book
from .model import (
    POSITIONING_KEYS,
    STAGE_JA,
    STAGES,
    SUBITEM_FIELDS,
    Goal,
    GoalSheet,
    Item,
    ItemCells,
    SubItem,
    SubItemCells,
    circled,
    paren,
    wareki,
    year_label,
)
from .rates import (
    AMBIGUOUS,
    MEASURE_MISMATCH,
    NO_RESULT,
    REASONS,
    UNIT_MISMATCH,
    Achievement,
    Rates,
    achievement,
    latest,
    stated_rate_mismatch,
)
from .reading import ReadResult, read_book
from .settings import DEFAULT_SETTINGS, Settings, load_settings
from .typed import rate_number


class _Checker:
    def __init__(self, result: ReadResult, stage: str | None, settings: Settings, rates: Rates | None = None,
                 evidence: bool = True) -> None:
        self.result = result
        self.stage = stage
        self.settings = settings
        self.rates = rates if rates is not None else Rates()  # computed for the rate columns: not computed twice
        self.findings: list[Finding] = []
        self.achievements: list[dict[str, Any]] = []
        self.evidence = evidence
        fy = result.department.fiscal_year
        self.fy = fy if isinstance(fy, int) else None

    def add(self, code: str, src: GoalSheet, cell: tuple[int, int] | None, loc: dict[str, Any], condition: str = "",
            /, **fields: Any) -> None:
        """A finding of a rule, its message for the condition made from the fields."""
        self.findings.append(RULES[code].finding(src.name, a1(*cell) if cell else "", loc, condition, **fields))

    # ------------------------------------------------------------ goal level
    def run(self) -> list[Finding]:
        seen_priority: dict[int, str] = {}
        self.workbook()
        for goal in self.result.department.goals:
            self.goal_fields(goal, goal.sheet, seen_priority)
            self.items(goal, goal.sheet)
            self.unplaced(goal, goal.sheet)
        self.cover()
        self.departments()
        self.years()
        return self.findings

    def workbook(self) -> None:
        """What the read says of the file: its name and bytes disagree; sheets that half-match the form."""
        nowhere = {"goal": None, "item": None, "subitem": None, "field": None}
        if self.result.misnamed:
            self.add("file-misnamed", GoalSheet(""), None, nowhere, said=self.result.misnamed)
        for kind in self.result.skipped:
            self.add("sheet-skipped", GoalSheet(kind.name), None, nowhere, sheet=kind.name, why=kind.reason)

    def unplaced(self, goal: Goal, src: GoalSheet) -> None:
        for cell, text, where in src.unplaced:
            shown = text if len(text) <= 20 else text[:20] + "…"
            self.add("layout-unplaced", src, cell, {**self.loc(goal, ""), "field": None}, where=where, cell=a1(*cell),
                     text=shown)

    def departments(self) -> None:
        """One workbook, one department: a sheet naming another was likely copied from elsewhere."""
        goals = self.result.department.goals
        written = [n for n in (g.sheet.department.strip() for g in goals) if n]
        if len(set(written)) < 2:
            return
        usual = max(set(written), key=written.count)
        for goal in goals:
            src, name = goal.sheet, goal.sheet.department.strip()
            if name and name != usual:
                self.add("department-mismatch", src, src.fields.get("department"), self.loc(goal, "department"),
                         name=name, usual=usual)

    def years(self) -> None:
        """The 年度 each title writes against the workbook's: a title of another year was copied or not updated."""
        result, year = self.result, self.result.department.fiscal_year
        if not isinstance(year, int):
            return
        titles = [(g.sheet, g.sheet.year, g.sheet.fields.get("sheet_title"), self.loc(g, "sheet_title"))
                  for g in result.department.goals]
        if result.cover_year:
            titles.append((GoalSheet(result.cover_sheet), *result.cover_year, {"goal": None, "item": None,
                                                                                  "subitem": None, "field": "cover"}))
        for src, written, cell, loc in titles:
            if isinstance(written, int) and written != year:
                self.add("year-mismatch", src, cell, loc, where="表紙" if loc["field"] == "cover" else "シート",
                         shown=year_label(written), year=year_label(year))

    def cover(self) -> None:
        """The cover's list against the goal sheets: same goals, same priorities."""
        result = self.result
        if not result.cover_sheet or not result.cover:
            return
        cover_src = GoalSheet(result.cover_sheet)
        goals = result.department.goals
        matched: set[int] = set()
        for entry in result.cover:
            k = _same_goal(entry.title, [g.title for g in goals], matched)
            loc = {"goal": entry.priority, "item": None, "subitem": None, "field": "cover"}
            if k is None:
                self.add("cover-mismatch", cover_src, entry.title_cell, loc, "no_sheet", title=entry.title)
                continue
            matched.add(k)
            goal, src = goals[k], goals[k].sheet
            if isinstance(entry.priority, int) and isinstance(goal.priority, int) and entry.priority != goal.priority:
                self.add("cover-mismatch", cover_src, entry.priority_cell, loc, "priority", title=entry.title,
                         cover=entry.priority, sheet=src.name, priority=goal.priority)
        for k, goal in enumerate(goals):
            if k not in matched and goal.title.strip():
                self.add("cover-mismatch", goal.sheet, goal.sheet.fields.get("title"), self.loc(goal, "title"),
                         "not_on_cover", title=goal.title, cover=result.cover_sheet)

    def loc(self, goal: Goal, field_: str, item: Item | None = None, sub: SubItem | None = None) -> dict[str, Any]:
        return {"goal": goal.priority, "item": item.no if item else None, "subitem": sub.no if sub else None,
                "field": field_}

    def goal_fields(self, goal: Goal, src: GoalSheet, seen: dict[int, str]) -> None:
        for key, value in (("title", goal.title), ("department", src.department)):
            if not value.strip():
                self.add("required-empty", src, src.fields.get(key), self.loc(goal, key), field=FIELD_JA[key])
        self.priority(goal, src, seen)
        texts = [("title", goal.title, src.fields.get("title")), ("current_issues", goal.current_issues,
                  src.fields.get("current_issues")), ("purpose", goal.purpose, src.fields.get("purpose"))]
        texts += [("positioning", goal.positioning.get(k, ""), src.fields.get(f"positioning.{k}")) for k in POSITIONING_KEYS]
        texts += [("notes", goal.notes.get(k, ""), src.fields.get(f"notes.{k}")) for k in ("participation", "effects")]
        for key, text, cell in texts:
            self.text_checks(src, cell, self.loc(goal, key), key, text, dates=key == "notes")

    def priority(self, goal: Goal, src: GoalSheet, seen: dict[int, str]) -> None:
        """A 優先順位 written, readable and not another sheet's."""
        p, cell, loc = goal.priority, src.fields.get("priority"), self.loc(goal, "priority")
        if p is None or p == "":
            self.add("required-empty", src, cell, loc, "priority")
        elif not isinstance(p, int) or p < 1:
            self.add("priority-invalid", src, cell, loc, "unreadable", priority=p)
        elif p in seen:
            self.add("priority-invalid", src, cell, loc, "duplicate", priority=p, sheet=seen[p])
        else:
            seen[p] = src.name

    # ------------------------------------------------------------ items
    def items(self, goal: Goal, src: GoalSheet) -> None:
        self.numbering(src, goal, [(it.no, _cells(it).no, it, None) for it in goal.items], "取組項目", circled)
        for item in goal.items:
            if not (item.title.strip() or item.subitems):
                continue
            title_cell = _cells(item).title
            if not item.title.strip() and not src.legacy:
                self.add("required-empty", src, title_cell, self.loc(goal, "item_title", item), "item_title",
                         item=circled(item.no))
            self.text_checks(src, title_cell, self.loc(goal, "item_title", item), "item_title", item.title)
            self.numbering(src, goal, [(s.no, _cells(s).no, item, s) for s in item.subitems],
                           f"取組項目{circled(item.no)}の番号", paren)
            for sub in item.subitems:
                self.subitem(goal, item, sub, src)
        self.legacy_labels(goal, src)

    def numbering(self, src: GoalSheet, goal: Goal, entries: list, what: str, show) -> None:
        prev = 0
        seen = set()
        for no, cell, item, sub in entries:
            loc = self.loc(goal, "subitem" if sub else "item", item, sub)
            loc["field"] = "method" if sub else "item_title"
            if not isinstance(no, int):
                if no != "":
                    self.add("numbering", src, cell, loc, "unreadable", what=what, no=no)
                continue
            if no in seen:
                self.add("numbering", src, cell, loc, "duplicate", what=what, no=show(no))
            elif no != prev + 1:
                self.add("numbering", src, cell, loc, "gap", what=what, no=show(no), before=show(prev) if prev else "先頭")
            seen.add(no)
            prev = max(prev, no)

    def legacy_labels(self, goal: Goal, src: GoalSheet) -> None:
        rows: dict[int, dict[str, list]] = {}
        for cell, field_, nos in src.label_numbers:
            rows.setdefault(cell[0], {})[field_] = [cell, nos]
        for r, fields in rows.items():
            base = fields.get("method", [None, []])[1]
            for field_, (cell, nos) in fields.items():
                if field_ != "method" and base and nos and nos != base:
                    self.add("numbering", src, cell, {"goal": goal.priority, "item": None, "subitem": None,
                                                      "field": field_}, "columns", field=FIELD_JA[field_],
                             nos="".join(map(paren, nos)), base="".join(map(paren, base)), row=r)

    def subitem(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet) -> None:
        cells = _cells(sub)
        for f in ("method", "period", "target"):
            if not getattr(sub, f).strip():
                self.add("required-empty", src, cells.of(f), self.loc(goal, f, item, sub), "subitem",
                         label=_label(item, sub), field=FIELD_JA[f])
        for f in SUBITEM_FIELDS:
            self.text_checks(src, cells.of(f), self.loc(goal, f, item, sub), f, getattr(sub, f),
                             dates=True, outside=f in STAGES)
        target = parse_target(sub.target) if sub.target.strip() else None
        if target is not None and sub.typed is not None:
            self.typed(goal, item, sub, src, target)
        if sub.target.strip() and target is None:
            self.level(goal, item, sub, src)
        for stage in STAGES:
            self.report(goal, item, sub, src, stage, target)

    def level(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet) -> None:
        """A 数値目標 with no level: digits that could not be read, or no amount at all."""
        sc = scan(sub.target)
        code = "target-unparsed" if sc.leftover_digits or any(not q.unit for q in sc.quantities) else "target-not-numeric"
        self.add(code, src, _cells(sub).target, self.loc(goal, "target", item, sub), label=_label(item, sub))

    def report(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet, stage: str, target: Target | None) -> None:
        """A report at its stage: written, not the target copied, and (on a numeric target) what its rate says."""
        report, cell, loc = getattr(sub, stage), _cells(sub).of(stage), self.loc(goal, stage, item, sub)
        label = f"{_label(item, sub)}の{FIELD_JA[stage]}"
        if not report.strip():
            if self.stage == stage:
                self.add("missing-report", src, cell, loc, label=label)
            return
        if _squash(report) == _squash(sub.target):
            self.add("report-copies-target", src, cell, loc, label=label)
        if target is None:
            return
        ach = (self.rates.get(sub) or {}).get(stage) or achievement(sub.target, report, self.settings, target=target)
        if self.evidence:
            self.achievements.append({"sheet": src.name, "cell": a1(*cell) if cell else "", "location": loc,
                                      **ach.evidence_dict()})
        self.no_rate(src, cell, loc, label, target, ach)
        wrong = stated_rate_mismatch(ach)
        if wrong is not None:
            comp = min((c for c in ach.components if c.percent is not None), key=lambda c: c.percent)
            self.add("rate-mismatch", src, cell, loc, label=label, stated=wrong, rate=ach.rate,
                     actual=f"{_num(comp.actual.exact)}{comp.target.unit}", target=f"{_num(comp.target.exact)}{comp.target.unit}")

    def no_rate(self, src: GoalSheet, cell, loc: dict[str, Any], label: str, target: Target, ach: Achievement) -> None:
        """Why a report on a numeric target gives no 達成率: no amount, several, another measure, another unit."""
        unit = target.unit or ""
        if ach.status == NO_RESULT and not ach.stated_rates:  # (「なし」 is an amount: zero)
            first = target.components[0]
            why = f"（{ach.reason}）" if ach.reason != REASONS[NO_RESULT] else ""
            self.add("report-not-numeric", src, cell, loc, label=label, target=f"{_num(first.exact)}{first.unit}",
                     why=why, unit=first.unit or "（数値）")
        elif ach.status == AMBIGUOUS and ach.reason != REASONS[AMBIGUOUS]:  # 「約50〜60件」
            self.add("report-ambiguous", src, cell, loc, "said", label=label, why=ach.reason, unit=unit)
        elif ach.status == AMBIGUOUS:
            self.add("report-ambiguous", src, cell, loc, label=label, unit=unit,
                     seen="、".join(q.quote for q in ach.ambiguous))
        elif ach.status == MEASURE_MISMATCH:
            self.add("measure-mismatch", src, cell, loc, label=label, why=ach.reason,
                     target=target.components[0].quote if target.components else target.text)
        elif ach.status == UNIT_MISMATCH:
            self.add("unit-mismatch", src, cell, loc, label=label, units="・".join(ach.found_units),
                     unit=target.unit or "単位なし")

    def typed(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet, target) -> None:
        """A 達成率 or 判定 typed into its cell against the one the report's numbers give."""
        rates = self.rates.get(sub) or {stage: achievement(sub.target, getattr(sub, stage), self.settings,
                                                            target=target) for stage in STAGES}
        row = _cells(sub).method[0] if _cells(sub).method else None
        label = _label(item, sub)
        for stage, (value, shown) in sub.typed.rates.items():
            ach = rates[stage]
            if ach.rate is None or row is None or not _typed_differs(value, ach):
                continue
            self.add("typed-rate-mismatch", src, (row, src.columns.get(f"rate_{stage}", 1)),
                     self.loc(goal, f"rate_{stage}", item, sub), "rate", label=label, stage=STAGE_JA[stage],
                     shown=shown, rate=ach.rate, evidence=ach.evidence)
        ach = latest(rates)
        grade = sub.typed.grade
        symbols = {s for _m, s in self.settings.bands} | {self.settings.below}
        if grade in symbols and ach.rate is not None and row is not None and grade != ach.grade:
            self.add("typed-rate-mismatch", src, (row, src.columns.get("grade", 1)), self.loc(goal, "grade", item, sub),
                     "grade", label=label, shown=grade, rate=ach.rate, grade=ach.grade, evidence=ach.evidence)

    # ------------------------------------------------------------ text checks
    def text_checks(self, src: GoalSheet, cell, loc: dict[str, Any], key: str, text: str, dates: bool = False,
                    outside: bool = False) -> None:
        if not text or not text.strip():
            return
        cut, tail = _cut(text)
        if cut:
            self.add("truncated-text", src, cell, loc, cut, field=FIELD_JA[key], tail=tail)
        if not dates or not _DIGITS.search(text):  # no digit, no date (scan() agrees): skip the tokeniser
            return
        for d in scan(text).dates:
            if not d.valid:
                self.add("invalid-date", src, cell, loc, field=FIELD_JA[key], date=d.text)
            elif outside and self.fy and d.year and d.month:
                when = date(d.year, d.month, d.day or 1)
                if not date(self.fy, 4, 1) <= when <= date(self.fy + 1, 3, 31):
                    self.add("date-outside-year", src, cell, loc, field=FIELD_JA[key], date=d.text, year=wareki(self.fy))


_DIGITS = re.compile(r"[\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]")  # NFKC turns these into digits
_PAIRS = (("(", ")"), ("「", "」"), ("『", "』"), ("【", "】"), ("[", "]"))  # after NFKC
_DANGLING = ("以", "、", "・", "を", "の", "(", "「", "及び", "及")
_OPENERS = re.compile(r"[(「『【\[]")


def _cut(text: str) -> tuple[str, str]:
    """How a text looks cut off: ("cut", its last words), ("brackets", ""), or ("", "") when it does not."""
    t = unicodedata.normalize("NFKC", text).strip()
    for line in t.split("\n"):
        line = line.strip()
        if line.endswith(_DANGLING) and not line.endswith(("以下", "以上", "以内")):
            return "cut", line[-8:]
    if _OPENERS.search(t) and any(t.count(o) > t.count(c) for o, c in _PAIRS):
        return "brackets", ""
    return "", ""


def _label(item: Item, sub: SubItem) -> str:
    """「①(1)」: a sub-item as the form numbers it."""
    return f"{circled(item.no)}{paren(sub.no)}"


_NOWHERE_ITEM, _NOWHERE_SUB = ItemCells(), SubItemCells()


def _cells(part: Item | SubItem) -> ItemCells | SubItemCells:
    """Where an item or sub-item was read (no cells when it was built, not read)."""
    if part.cells is not None:
        return part.cells
    return _NOWHERE_ITEM if isinstance(part, Item) else _NOWHERE_SUB


_PUNCT = re.compile(r"[\s。、．，・]")


def _same_goal(title: str, titles: list[str], taken: set[int]) -> int | None:
    """The goal sheet a cover line names: the same title, else one that contains the other (abbreviated)."""
    t = _squash(title)
    if not t:
        return None
    free = {k: _squash(titles[k]) for k in range(len(titles)) if k not in taken}
    exact = [k for k, s in free.items() if s == t]
    if exact:
        return exact[0]
    near = [k for k, s in free.items() if s and (t in s or s in t)]
    return near[0] if len(near) == 1 else None


def _typed_differs(value: float, ach) -> bool:
    """Whether a typed 達成率 is off the computed one (the same tolerance as a rate written in a report)."""
    from dataclasses import replace
    from decimal import Decimal

    return stated_rate_mismatch(replace(ach, stated_rates=[Decimal(str(rate_number(value)))])) is not None


def _squash(s: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s or ""))


def _num(d) -> str:
    s = f"{d:,.2f}".rstrip("0").rstrip(".")
    return s


def validate(result: ReadResult, stage: str | None = None, settings: Settings = DEFAULT_SETTINGS,
             rates: Rates | None = None, evidence: bool = True) -> Report:
    """Check a read workbook; returns a Report (never raises on content).

    rates: ``rates.compute_rates()`` of the same department with the same settings, when the caller has them.
    evidence: list every rate with what it was computed from (Report.achievements; the roll-up needs none).
    """
    checker = _Checker(result, stage, settings, rates, evidence)
    dept = result.department
    return Report(result.path, checker.run(), checker.achievements, dept.department.strip(), dept.fiscal_year)


def validate_path(path, stage: str | None = None, settings: Settings | None = None) -> Report:
    book = load_book(path)
    result = read_book(book)
    return validate(result, stage, settings or load_settings(book=book))
