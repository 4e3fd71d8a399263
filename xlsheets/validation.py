"""Validation: every problem of a sheet as a Finding with a stable code, a cell and a Japanese message.

``validate(read_result, stage=...)`` returns a :class:`Report`; it never raises on content.
This module also holds the vocabulary of findings: the severities (and their Japanese), and the
rule catalogue (``RULES``) every Finding is made from — rendered into the README by
``scripts/gen_docs.py``. The checks walk the read tree: each goal, item and sub-item carries
the cells it was read from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .grammar import parse_target, scan
from .grid import a1
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
)
from .rates import (
    AMBIGUOUS,
    DEFAULT_SETTINGS,
    MEASURE_MISMATCH,
    NO_RESULT,
    REASONS,
    UNIT_MISMATCH,
    Rates,
    Settings,
    achievement,
    latest,
    stated_rate_mismatch,
)
from .reading import ReadResult

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_JA = {ERROR: "エラー", WARNING: "警告", INFO: "情報"}
FIELD_JA = {
    "title": "重点目標", "department": "部局名", "priority": "優先順位", "positioning": "位置付け",
    "current_issues": "現況・課題", "purpose": "目的・効果", "item_title": "取組項目名", "method": "方法・手段",
    "period": "期間・期限", "target": "数値目標", "midterm": "中間報告", "final": "期末報告", "notes": "特記事項",
    "cover": "表紙", "rate_midterm": "達成率（中間）", "rate_final": "達成率（期末）", "grade": "判定",
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str  # what it catches, in Japanese
    description: str  # in English, for the catalogue

    def finding(self, sheet: str, cell: str, location: dict[str, Any], message: str) -> Finding:
        """A finding of this rule (its code and severity) at a cell."""
        return Finding(self.code, self.severity, sheet, cell, location, message)


RULES: dict[str, Rule] = {r.code: r for r in [
    Rule("required-empty", ERROR, "必須の欄が空欄",
         "A required field is empty: 重点目標, 部局名, 優先順位, 取組項目名, 方法・手段, 期間・期限, 数値目標."),
    Rule("priority-invalid", ERROR, "優先順位の誤り・重複",
         "優先順位 is not written as 'N位', or two goals of one department share a priority."),
    Rule("numbering", ERROR, "番号の飛び・重複",
         "Item (①②…) or sub-item ((1)(2)…) numbers with gaps or duplicates; in old sheets, sub-item "
         "numbers that differ between the columns of one row."),
    Rule("target-not-numeric", WARNING, "数値目標に水準がない",
         "A 数値目標 states no measurable level (the form asks 'どの水準まで')."),
    Rule("target-unparsed", WARNING, "数値目標の数字を読み取れない",
         "A 数値目標 has digits that the parser could not turn into a level."),
    Rule("unit-mismatch", WARNING, "実績と目標の単位が違う",
         "A report measures something else than its target (件 vs 人, 円 vs ％)."),
    Rule("measure-mismatch", WARNING, "実績の数値が目標と別のものを測っている",
         "The report's amounts are in the target's unit but measure something else: another basis (年間 for a "
         "1日平均 target, a total for a 1回当たり one), statistic (最長 for 平均), count (実人数 for 延べ), year "
         "(累計 or 前年度 for this year's), condition or stage of a process (受付から審査まで for 申請から交付まで). "
         "No 達成率; the message says what differs."),
    Rule("report-not-numeric", WARNING, "報告に実績の数値がない",
         "A report on a numeric target states no amount to compare with it (「概ね達成」), so no 達成率."),
    Rule("report-ambiguous", WARNING, "実績の数値をどう合わせるか決められない",
         "A report gives several amounts in the target's unit that could be combined more than one way "
         "(「申請50件、交付45件」 for 「100件」) and no 計/合計, うち, label or date settles it: no 達成率 "
         "instead of a guess; write one 実績 amount (「計95件」)."),
    Rule("rate-mismatch", ERROR, "記載の達成率が計算と合わない",
         "A 達成率 written in a report differs from the one its own numbers give. Tolerance: the exact rate "
         "cut down or rounded up at the precision written (66.67 % may be written 66, 67, 66.6 or 66.7), so "
         "切り捨て, 四捨五入 and 切り上げ all pass; the rate in the message uses the workbook's 端数処理."),
    Rule("invalid-date", ERROR, "存在しない日付",
         "A date that does not exist (R3.2.31, 2/30, 平成35年)."),
    Rule("date-outside-year", WARNING, "年度外の日付",
         "A report date with an explicit year outside the sheet's fiscal year."),
    Rule("missing-report", ERROR, "報告が未記入",
         "A report left empty at its stage (--stage midterm: 中間報告; --stage final: 期末報告)."),
    Rule("report-copies-target", WARNING, "報告が目標の写し",
         "A report that only repeats the target text."),
    Rule("department-mismatch", WARNING, "部局名がシートごとに違う",
         "The goal sheets of one workbook name different departments (one sheet copied from another's)."),
    Rule("cover-mismatch", WARNING, "表紙と各シートが合わない",
         "The cover's goal list and the goal sheets disagree: a goal missing on either side, or another priority."),
    Rule("truncated-text", WARNING, "文が途中で切れている",
         "Unbalanced brackets, or a text cut off mid-phrase (ends in 以, の, を, 、 …)."),
    Rule("duplicate-workbook", WARNING, "同じ部局・年度のブックが複数ある",
         "Roll-up: two or more workbooks of one department and fiscal year hold the same goal (a replaced "
         "workbook left in the folder); each is flagged, and all are counted (--duplicates all) or only the one "
         "saved last (--duplicates latest: the others are listed as superseded and counted nowhere else)."),
    Rule("typed-rate-mismatch", ERROR, "手入力の達成率・判定が計算と合わない",
         "A 達成率 or 判定 typed into its cell (read as shown: 0.5 formatted as a percentage is 50 %, the text "
         "「146%」 or 「８０％」 is 146 % or 80 %) differs from the one the report's numbers give (the same tolerance "
         "as rate-mismatch); the message gives both values and the evidence."),
    Rule("layout-unplaced", WARNING, "どの欄にも読めない文字がある",
         "A non-empty cell of a goal sheet that no field of the form takes (text in a column without a heading, "
         "outside the table, or a label that is not the form's): read into nothing, so listed with its place."),
    Rule("sheet-skipped", INFO, "重点目標管理シートの形でないシート",
         "A sheet that shows part of the form (a 数値目標 heading, or 重点目標 with 部局名/優先順位) but not its "
         "whole signature (a 重点目標 field, 部局名 or 優先順位, a header row with 数値目標 and a report column, an item "
         "row): not read as a goal, and said why."),
    Rule("file-misnamed", INFO, "拡張子と中身の形式が違う",
         "The file's name says another format than its bytes (an .xlsx saved under an .xls name): it is read by "
         "its bytes, and this says so once."),
]}


@dataclass
class Finding:
    """One problem at one cell; made from its Rule (``RULES[code].finding(...)``)."""

    code: str
    severity: str
    sheet: str
    cell: str
    location: dict[str, Any]
    message: str

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"finding code {self.code!r} is not in RULES: add its Rule to the catalogue")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "location": self.location, "message": self.message}


@dataclass
class Report:
    path: str
    findings: list[Finding] = field(default_factory=list)
    # per report cell on a numeric target: the 達成率 and what it was computed from (for JSON)
    achievements: list[dict[str, Any]] = field(default_factory=list)
    department: str = ""  # of the workbook checked (validate of folders: one line and one sheet per workbook)
    fiscal_year: Any = None

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def summary(self) -> dict[str, Any]:
        by_code: dict[str, int] = {}
        for f in self.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        return {sev: sum(f.severity == sev for f in self.findings) for sev in (ERROR, WARNING, INFO)} | {
            "by_code": by_code}

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        """Rows of chosen keys (code, severity, sheet, cell, goal, item, subitem, field)."""
        rows = []
        for f in self.findings:
            d = f.to_dict() | f.location
            rows.append([d.get(k) for k in keys])
        return rows


class _Checker:
    def __init__(self, result: ReadResult, stage: str | None, settings: Settings, rates: Rates | None = None) -> None:
        self.result = result
        self.stage = stage
        self.settings = settings
        self.rates = rates if rates is not None else Rates()  # computed for the rate columns: not computed twice
        self.findings: list[Finding] = []
        self.achievements: list[dict[str, Any]] = []
        fy = result.department.fiscal_year
        self.fy = fy if isinstance(fy, int) else None

    def add(self, code: str, src: GoalSheet, cell: tuple[int, int] | None, loc: dict[str, Any], message: str) -> None:
        self.findings.append(RULES[code].finding(src.name, a1(*cell) if cell else "", loc, message))

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
        return self.findings

    def workbook(self) -> None:
        """What the read says of the file: its name and bytes disagree; sheets that half-match the form."""
        nowhere = {"goal": None, "item": None, "subitem": None, "field": None}
        if self.result.misnamed:
            self.add("file-misnamed", GoalSheet(""), None, nowhere, self.result.misnamed)
        for kind in self.result.skipped:
            self.add("sheet-skipped", GoalSheet(kind.name), None, nowhere, f"シート「{kind.name}」は{kind.reason}。")

    def unplaced(self, goal: Goal, src: GoalSheet) -> None:
        for cell, text, where in src.unplaced:
            shown = text if len(text) <= 20 else text[:20] + "…"
            self.add("layout-unplaced", src, cell, {**self.loc(goal, ""), "field": None},
                     f"{where}のセル {a1(*cell)}「{shown}」は、重点目標管理シートのどの欄としても読み取れませんでした。"
                     "様式の欄に書くか、不要なら消してください。")

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
                         f"部局名「{name}」がほかのシート（「{usual}」）と違います。別の部局のシートを写していないか確認してください。")

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
                self.add("cover-mismatch", cover_src, entry.title_cell, loc,
                         f"表紙の重点目標「{entry.title}」に対応するシートがありません。題名が変わっていないか確認してください。")
                continue
            matched.add(k)
            goal, src = goals[k], goals[k].sheet
            if isinstance(entry.priority, int) and isinstance(goal.priority, int) and entry.priority != goal.priority:
                self.add("cover-mismatch", cover_src, entry.priority_cell, loc,
                         f"表紙では「{entry.title}」が{entry.priority}位ですが、シート「{src.name}」では{goal.priority}位です。")
        for k, goal in enumerate(goals):
            if k not in matched and goal.title.strip():
                self.add("cover-mismatch", goal.sheet, goal.sheet.fields.get("title"), self.loc(goal, "title"),
                         f"重点目標「{goal.title}」が表紙（{result.cover_sheet}）の一覧にありません。")

    def loc(self, goal: Goal, field_: str, item: Item | None = None, sub: SubItem | None = None) -> dict[str, Any]:
        return {"goal": goal.priority, "item": item.no if item else None, "subitem": sub.no if sub else None,
                "field": field_}

    def goal_fields(self, goal: Goal, src: GoalSheet, seen: dict[int, str]) -> None:
        for key, value in (("title", goal.title), ("department", src.department)):
            if not value.strip():
                self.add("required-empty", src, src.fields.get(key), self.loc(goal, key),
                         f"{FIELD_JA[key]}が空欄です。記入してください。")
        p = goal.priority
        if p is None or p == "":
            self.add("required-empty", src, src.fields.get("priority"), self.loc(goal, "priority"),
                     "優先順位が空欄です。「1位」のように記入してください。")
        elif not isinstance(p, int) or p < 1:
            self.add("priority-invalid", src, src.fields.get("priority"), self.loc(goal, "priority"),
                     f"優先順位「{p}」を読み取れません。「1位」のように記入してください。")
        elif p in seen:
            self.add("priority-invalid", src, src.fields.get("priority"), self.loc(goal, "priority"),
                     f"優先順位 {p}位 がシート「{seen[p]}」と重複しています。部局内で重ならないようにしてください。")
        else:
            seen[p] = src.name
        texts = [("title", goal.title, src.fields.get("title")), ("current_issues", goal.current_issues,
                  src.fields.get("current_issues")), ("purpose", goal.purpose, src.fields.get("purpose"))]
        texts += [("positioning", goal.positioning.get(k, ""), src.fields.get(f"positioning.{k}")) for k in POSITIONING_KEYS]
        texts += [("notes", goal.notes.get(k, ""), src.fields.get(f"notes.{k}")) for k in ("participation", "effects")]
        for key, text, cell in texts:
            self.text_checks(src, cell, self.loc(goal, key), key, text, dates=key == "notes")

    # ------------------------------------------------------------ items
    def items(self, goal: Goal, src: GoalSheet) -> None:
        self.numbering(src, goal, [(it.no, _cells(it).no, it, None) for it in goal.items], "取組項目", circled)
        for item in goal.items:
            if not (item.title.strip() or item.subitems):
                continue
            title_cell = _cells(item).title
            if not item.title.strip() and not src.legacy:
                self.add("required-empty", src, title_cell, self.loc(goal, "item_title", item),
                         f"取組項目{circled(item.no)}の項目名が空欄です。記入してください。")
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
                    self.add("numbering", src, cell, loc, f"{what}「{no}」が番号として読めません。")
                continue
            if no in seen:
                self.add("numbering", src, cell, loc, f"{what} {show(no)} が重複しています。")
            elif no != prev + 1:
                self.add("numbering", src, cell, loc,
                         f"{what}が連続していません（{show(prev) if prev else '先頭'}の次が{show(no)}）。番号を確認してください。")
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
                                                      "field": field_},
                             f"{FIELD_JA[field_]}の番号 {''.join(map(paren, nos))} が方法・手段の番号 "
                             f"{''.join(map(paren, base))} と合いません（{r}行目）。")

    def subitem(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet) -> None:
        cells = _cells(sub)
        for f in ("method", "period", "target"):
            if not getattr(sub, f).strip():
                self.add("required-empty", src, cells.of(f), self.loc(goal, f, item, sub),
                         f"{circled(item.no)}{paren(sub.no)}の{FIELD_JA[f]}が空欄です。記入してください。")
        for f in SUBITEM_FIELDS:
            self.text_checks(src, cells.of(f), self.loc(goal, f, item, sub), f, getattr(sub, f),
                             dates=True, outside=f in STAGES)
        target = parse_target(sub.target) if sub.target.strip() else None
        if target is not None and sub.typed is not None:
            self.typed(goal, item, sub, src, target)
        if sub.target.strip() and target is None:
            sc = scan(sub.target)
            if sc.leftover_digits or any(not q.unit for q in sc.quantities):
                self.add("target-unparsed", src, cells.target, self.loc(goal, "target", item, sub),
                         f"{circled(item.no)}{paren(sub.no)}の数値目標の数字を水準として読み取れません。"
                         "「15件以上」のように数値と単位で記入してください。")
            else:
                self.add("target-not-numeric", src, cells.target, self.loc(goal, "target", item, sub),
                         f"{circled(item.no)}{paren(sub.no)}の数値目標に測定できる水準（件数・人数・割合など）がありません。"
                         "「どの水準まで」を数値で記入してください。")
        for stage in STAGES:
            report = getattr(sub, stage)
            loc = self.loc(goal, stage, item, sub)
            label = f"{circled(item.no)}{paren(sub.no)}の{FIELD_JA[stage]}"
            if not report.strip():
                if self.stage == stage:
                    self.add("missing-report", src, cells.of(stage), loc, f"{label}が未記入です。記入してください。")
                continue
            if _squash(report) == _squash(sub.target):
                self.add("report-copies-target", src, cells.of(stage), loc,
                         f"{label}が数値目標と同じ文です。実績（何をどれだけ行ったか）を記入してください。")
            if target is None:
                continue
            ach = (self.rates.get(sub) or {}).get(stage) or achievement(sub.target, report, self.settings,
                                                                         target=target)
            cell = cells.of(stage)
            self.achievements.append({"sheet": src.name, "cell": a1(*cell) if cell else "", "location": loc,
                                      **ach.evidence_dict()})
            if ach.status == NO_RESULT and not ach.stated_rates:  # (「なし」 is an amount: zero)
                first = target.components[0]
                unit = first.unit
                why = f"（{ach.reason}）" if ach.reason != REASONS[NO_RESULT] else ""
                self.add("report-not-numeric", src, cells.of(stage), loc,
                         f"{label}に、数値目標（{_num(first.exact)}{unit}）と比べられる実績の数値がありません{why}。"
                         f"達成率を出せるよう「○{unit or '（数値）'}」のように実績を記入してください。")
            if ach.status == AMBIGUOUS and ach.reason != REASONS[AMBIGUOUS]:  # 「約50〜60件」
                self.add("report-ambiguous", src, cells.of(stage), loc,
                         f"{label}の{ach.reason}。達成率は出していません。実績を「計○{target.unit or ''}」のように"
                         "1つの数値で記入してください。")
            elif ach.status == AMBIGUOUS:
                seen = "、".join(q.source or q.text for q in ach.ambiguous)
                self.add("report-ambiguous", src, cells.of(stage), loc,
                         f"{label}に目標の単位の数値が複数あり（{seen}）、合計か、どれか1つかが文から決まりません。"
                         f"達成率は出していません。実績を「計○{target.unit or ''}」のように1つ記入してください。")
            if ach.status == MEASURE_MISMATCH:
                self.add("measure-mismatch", src, cells.of(stage), loc,
                         f"{label}の数値は、数値目標と別のものを測っています（{ach.reason}）。達成率は出していません。"
                         f"目標と同じもの（{target.components[0].source or target.text}）の実績を記入してください。")
            if ach.status == UNIT_MISMATCH:
                self.add("unit-mismatch", src, cells.of(stage), loc,
                         f"{label}の実績（{'・'.join(ach.found_units)}）が数値目標の単位（{target.unit or '単位なし'}）と"
                         "違います。目標と同じ単位で実績を記入してください。")
            wrong = stated_rate_mismatch(ach)
            if wrong is not None:
                comp = min((c for c in ach.components if c.percent is not None), key=lambda c: c.percent)
                self.add("rate-mismatch", src, cells.of(stage), loc,
                         f"{label}に書かれた達成率 {wrong}% が、記載の数値から計算した {ach.rate}%"
                         f"（{_num(comp.actual.exact)}{comp.target.unit} ÷ {_num(comp.target.exact)}{comp.target.unit}）"
                         "と合いません。")

    def typed(self, goal: Goal, item: Item, sub: SubItem, src: GoalSheet, target) -> None:
        """A 達成率 or 判定 typed into its cell against the one the report's numbers give."""
        rates = self.rates.get(sub) or {stage: achievement(sub.target, getattr(sub, stage), self.settings,
                                                            target=target) for stage in STAGES}
        row = _cells(sub).method[0] if _cells(sub).method else None
        label = f"{circled(item.no)}{paren(sub.no)}"
        for stage, (value, shown) in sub.typed.rates.items():
            ach = rates[stage]
            if ach.rate is None or row is None or not _typed_differs(value, ach):
                continue
            self.add("typed-rate-mismatch", src, (row, src.columns.get(f"rate_{stage}", 1)),
                     self.loc(goal, f"rate_{stage}", item, sub),
                     f"{label}の達成率（{STAGE_JA[stage]}）に手入力の {shown} が、報告から計算した {ach.rate}%"
                     f"（根拠: {ach.evidence}）と違います。達成率計算で書き直せます。")
        ach = latest(rates)
        grade = sub.typed.grade
        symbols = {s for _m, s in self.settings.bands} | {self.settings.below}
        if grade in symbols and ach.rate is not None and row is not None and grade != ach.grade:
            self.add("typed-rate-mismatch", src, (row, src.columns.get("grade", 1)), self.loc(goal, "grade", item, sub),
                     f"{label}の判定に手入力の {grade} が、計算した達成率 {ach.rate}% の判定 {ach.grade}"
                     f"（根拠: {ach.evidence}）と違います。達成率計算で書き直せます。")

    # ------------------------------------------------------------ text checks
    def text_checks(self, src: GoalSheet, cell, loc: dict[str, Any], key: str, text: str, dates: bool = False,
                    outside: bool = False) -> None:
        if not text or not text.strip():
            return
        problem = truncation(text)
        if problem:
            self.add("truncated-text", src, cell, loc, f"{FIELD_JA[key]}の{problem}セルの文字が欠けていないか確認してください。")
        if not dates or not _DIGITS.search(text):  # no digit, no date (scan() agrees): skip the tokeniser
            return
        for d in scan(text).dates:
            if not d.valid:
                self.add("invalid-date", src, cell, loc, f"{FIELD_JA[key]}に存在しない日付「{d.text}」があります。日付を確認してください。")
            elif outside and self.fy and d.year and d.month:
                when = date(d.year, d.month, d.day or 1)
                if not date(self.fy, 4, 1) <= when <= date(self.fy + 1, 3, 31):
                    self.add("date-outside-year", src, cell, loc,
                             f"{FIELD_JA[key]}の日付「{d.text}」が{wareki(self.fy)}の期間外です。年を確認してください。")


_DIGITS = re.compile(r"[\d\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]")  # NFKC turns these into digits
_PAIRS = (("(", ")"), ("「", "」"), ("『", "』"), ("【", "】"), ("[", "]"))  # after NFKC
_DANGLING = ("以", "、", "・", "を", "の", "(", "「", "及び", "及")
_OPENERS = re.compile(r"[(「『【\[]")


def truncation(text: str) -> str:
    """How a text looks cut off ('' when it does not)."""
    t = unicodedata.normalize("NFKC", text).strip()
    for line in t.split("\n"):
        line = line.strip()
        if line.endswith(_DANGLING) and not line.endswith(("以下", "以上", "以内")):
            return f"文が途中で切れています（「…{line[-8:]}」）。"
    if _OPENERS.search(t) and any(t.count(o) > t.count(c) for o, c in _PAIRS):
        return "括弧が閉じていません。"
    return ""


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

    from .typed import rate_number

    return stated_rate_mismatch(replace(ach, stated_rates=[Decimal(str(rate_number(value)))])) is not None


def _squash(s: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", s or ""))


def _num(d) -> str:
    s = f"{d:,.2f}".rstrip("0").rstrip(".")
    return s


def validate(result: ReadResult, stage: str | None = None, settings: Settings = DEFAULT_SETTINGS,
             rates: Rates | None = None) -> Report:
    """Check a read workbook; returns a Report (never raises on content).

    rates: ``rates.compute_rates()`` of the same department with the same settings, when the caller has them.
    """
    checker = _Checker(result, stage, settings, rates)
    dept = result.department
    return Report(result.path, checker.run(), checker.achievements, dept.department.strip(), dept.fiscal_year)


def validate_path(path, stage: str | None = None, settings: Settings | None = None) -> Report:
    from .rates import load_settings
    from .reading import load_book, read_book

    book = load_book(path)
    result = read_book(book)
    return validate(result, stage, settings or load_settings(book=book))
