"""達成率 and 判定: compare a report with its 数値目標.

``achievement("被保護者30人以上の受診", "被保護者 35名受診")`` → rate 116, grade ◎.
Rate: higher is better ``floor(actual / target × 100)``; lower is better
``floor(target / actual × 100)``. Rounding and grade bands come from :class:`Settings`
(a ``xlsheets設定`` sheet in the workbook or a JSON/YAML file).
``compute_rates(department)`` rates both stages of every sub-item once, looked up by the sub-item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from .findings import RULES
from .grammar import Quantity, Scan, Target, no_result_reason, parse_target, pick, scan
from .grammar.units import dimension
from .model import STAGES, Department, SubItem
from .settings import DEFAULT_SETTINGS, Settings

# Why there is no rate (Achievement.status)
NO_TARGET, EMPTY_REPORT, NO_RESULT, UNIT_MISMATCH, OK = "no-target", "empty-report", "no-result", "unit-mismatch", "ok"
AMBIGUOUS, MEASURE_MISMATCH = "ambiguous", "measure-mismatch"
# each way of giving no rate is a rule of the findings' catalogue; its reason is that rule's
STATUS_RULES = {NO_TARGET: "target-not-numeric", EMPTY_REPORT: "missing-report", NO_RESULT: "report-not-numeric",
                UNIT_MISMATCH: "unit-mismatch", AMBIGUOUS: "report-ambiguous", MEASURE_MISMATCH: "measure-mismatch"}
REASONS = {status: RULES[code].reason for status, code in STATUS_RULES.items()} | {OK: ""}


@dataclass
class ComponentResult:
    target: Quantity
    actual: Quantity | None
    rate: int | None
    percent: Decimal | None = None
    candidates: list[Quantity] = field(default_factory=list)  # amounts that combine more than one way
    differs: str = ""  # what the report's amounts in the target's unit measure instead of the target


@dataclass
class Achievement:
    """How far a report reaches its target, and what it was computed from."""

    rate: int | None
    grade: str
    target: Target | None
    actual: float | None
    status: str = OK
    reason: str = ""
    components: list[ComponentResult] = field(default_factory=list)
    stated_rates: list[Decimal] = field(default_factory=list)
    found_units: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> str:
        """The Japanese line behind the rate: 「実績 22回（計22回）÷ 目標 20回（20回以上）」 ('' without one)."""
        return evidence_line(self)

    @property
    def ambiguous(self) -> list[Quantity]:
        """The amounts that could be combined more than one way (status AMBIGUOUS)."""
        return [q for c in self.components for q in c.candidates]

    def to_dict(self) -> dict[str, Any]:
        return {"rate": self.rate, "grade": self.grade}

    def evidence_dict(self) -> dict[str, Any]:
        """For JSON: the rate, why there is none, and the amounts it used with the text they came from."""
        comps = [{"target": _quote(c.target), "actual": _quote(c.actual) if c.actual else None, "rate": c.rate}
                 for c in self.components]
        return {"rate": self.rate, "grade": self.grade, "status": self.status, "reason": self.reason,
                "evidence": self.evidence, "components": comps,
                "candidates": [_quote(q) for q in self.ambiguous]}


def _quote(q: Quantity) -> dict[str, Any]:
    return {"value": float(q.exact), "unit": q.unit, "text": q.quote}


def amount_text(value: Decimal, unit: str) -> str:
    """「22回」「250,000,000円」「4」"""
    s = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{s}{unit}"


def _said(q: Quantity) -> str:
    return f"{amount_text(q.exact, q.unit)}（{q.quote}）"


def evidence_line(ach: Achievement) -> str:
    """One line per component of what the rate was computed from; for no rate, why."""
    if ach.status == AMBIGUOUS:
        seen = "、".join(_said(q) for q in ach.ambiguous)
        if ach.reason != REASONS[AMBIGUOUS]:  # 「報告の数値が範囲（…）で書かれており…」
            return f"{ach.reason}。達成率なし"
        return f"実績の候補 {seen}：どれを実績とするか決められないため達成率なし"
    lines = []
    lower = ach.target is not None and ach.target.lower_is_better
    for c in ach.components:
        if c.actual is None:
            continue
        if lower and c.target.exact == 0:
            lines.append(f"実績 {_said(c.actual)}、目標 {_said(c.target)}以下")
        elif lower:
            lines.append(f"目標 {_said(c.target)} ÷ 実績 {_said(c.actual)}")
        else:
            lines.append(f"実績 {_said(c.actual)} ÷ 目標 {_said(c.target)}")
    return "／".join(lines)


def _percent(target: Quantity, actual: Decimal, lower: bool) -> Decimal | None:
    if lower:
        if actual == 0:
            return Decimal(100) if target.exact >= 0 else None
        return target.exact / actual * 100
    if target.exact == 0:
        return None
    return actual / target.exact * 100


def achievement(target_text: str | None, result_text: str | None, settings: Settings = DEFAULT_SETTINGS,
                target: Target | None = None, result_scan: Scan | None = None) -> Achievement:
    """Compare a report with its target; never raises."""
    target = target if target is not None else parse_target(target_text or "")
    res = result_scan if result_scan is not None else scan(result_text or "")
    if target is None:
        return Achievement(None, settings.grade(None), None, None, NO_TARGET, REASONS[NO_TARGET],
                           stated_rates=res.stated_rates)
    if not (result_text or "").strip():
        return Achievement(None, settings.grade(None), target, None, EMPTY_REPORT, REASONS[EMPTY_REPORT])
    comps, why = _components(target, res, settings)
    if any(c.candidates for c in comps):  # one unsettled component: its lowest rate is not known either
        return Achievement(None, settings.grade(None), target, None, AMBIGUOUS, why or REASONS[AMBIGUOUS], comps,
                           res.stated_rates)
    rated = [c for c in comps if c.rate is not None]
    if not rated:
        return _no_rate(target, res, comps, why, settings)
    lowest = min(rated, key=lambda c: c.rate)
    reason = "" if len(rated) == len(comps) else "一部の目標に対応する実績が見つかりません"
    return Achievement(lowest.rate, settings.grade(lowest.rate), target, float(lowest.actual.exact), OK, reason,
                       comps, res.stated_rates)


def _components(target: Target, res: Scan, settings: Settings) -> tuple[list[ComponentResult], str]:
    """Each target component with the report's amount that answers it (and its rate), and the first reason
    a component has none."""
    several = len(target.components) > 1
    used_units = {q.unit for q in res.quantities if q.role == "result"} if several else set()
    comps: list[ComponentResult] = []
    why = ""
    for k, comp in enumerate(target.components):
        found = pick(comp, target, _for_component(comp, target, res) if several else res, several)
        actual = found.actual
        # 「新規開設なし」「未実施（10か所で実施予定）」: none, when no amount of the unit is a result; 「治安悪化により
        # 中止」: none, when the text has no amount of the unit at all
        said_none = ((res.zero_words and not found.results) or (res.cancelled and not found.seen)) and (
            counted(comp.unit) or comp.exact == 0)  # 「苦情ゼロを維持」 for 「苦情なし」
        if (actual is None and not found.candidates and not found.differs and said_none
                and (not several or k == 0 or comp.unit not in used_units)):
            actual = Quantity(0.0, comp.unit, exact=Decimal(0), label=comp.label, text="なし", source="なし")
        why = why or no_result_reason(found)
        if actual is None:
            comps.append(ComponentResult(comp, None, None, candidates=found.candidates, differs=found.differs))
            continue
        pct = _percent(comp, actual.exact, target.lower_is_better)
        comps.append(ComponentResult(comp, actual, settings.round(pct) if pct is not None else None, pct))
    return comps, why


def counted(unit: str) -> bool:
    """Whether nothing done means zero of this unit: a count (件, 人, か所, 円, km …), not a share (満足度 ％ is not
    0 when no survey was made), a level without a unit, or a time (a waiting time of 0 分 is no result)."""
    return bool(unit) and unit not in ("％", "ポイント") and dimension(unit) != "時間"


def _for_component(comp: Quantity, target: Target, res: Scan) -> Scan:
    """For a target of several components: only the report's amounts that may answer this one (an amount
    labelled for another component does not: 「通所2か所」 is no 訪問), by position among same-unit ones."""
    same = [q for q in res.quantities if q.unit == comp.unit]
    if any(_labels_match(comp.label, q.label) for q in same):
        return res
    others = [q for q in res.quantities if not any(_labels_match(c.label, q.label) for c in target.components)]
    same_unit_comps = [c for c in target.components if c.unit == comp.unit]
    if len(same_unit_comps) > 1:
        in_unit = [q for q in others if q.unit == comp.unit]
        idx = same_unit_comps.index(comp)
        others = [q for q in others if q.unit != comp.unit] + ([in_unit[idx]] if idx < len(in_unit) else [])
    return Scan(others, res.dates, res.stated_rates, res.leftover_digits, res.zero_words)


def _labels_match(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


def _no_rate(target: Target, res: Scan, comps: list[ComponentResult], why: str, settings: Settings) -> Achievement:
    """No component rated: a report in another unit, amounts that measure something else, or nothing to compare."""
    used_units = {q.unit for q in res.quantities}
    other = sorted(u for u in used_units if u and u not in {c.unit for c in target.components})
    if any(c.differs for c in comps):
        status = MEASURE_MISMATCH
    elif other and not res.zero_words and target.components[0].unit:
        status, why = UNIT_MISMATCH, ""
    else:
        status = NO_RESULT
    return Achievement(None, settings.grade(None), target, None, status, why or REASONS[status], comps,
                       res.stated_rates, other)


def add_evidence(read: dict[str, dict[str, Any]], target_text: str, reports: dict[str, str],
                 settings: Settings = DEFAULT_SETTINGS) -> None:
    """Add 'evidence' to 達成率 read from a sheet, when the sheet's texts still give that rate."""
    for stage, entry in read.items():
        ach = achievement(target_text, reports.get(stage, ""), settings)
        if ach.rate is not None and ach.rate == entry.get("rate"):
            entry["evidence"] = ach.evidence


def stated_rate_mismatch(ach: Achievement) -> Decimal | None:
    """A 達成率 written in the report that its own numbers do not give (None when consistent).

    Accepted: the exact rate cut down or rounded up at the precision the report writes (so 切り捨て,
    四捨五入 and 切り上げ all pass, whichever the department used): 66.7 % may be written 66, 67, 66.6 or 66.7.
    """
    if not ach.stated_rates or ach.rate is None:
        return None
    pcts = [c.percent for c in ach.components if c.percent is not None]
    if not pcts:
        return None
    exact = min(pcts)
    for stated in ach.stated_rates:
        step = Decimal(1).scaleb(stated.as_tuple().exponent) if stated.as_tuple().exponent < 0 else Decimal(1)
        low = exact.quantize(step, rounding=ROUND_FLOOR)
        high = exact.quantize(step, rounding=ROUND_CEILING)
        if not low <= stated <= high:
            return stated
    return None


# ---------------------------------------------------------------- every sub-item of a read

StageRates = dict[str, Achievement]  # {"midterm": Achievement, "final": Achievement}


def latest(ach: StageRates) -> Achievement:
    """A sub-item's latest rated report: 期末 when it has a rate, else 中間 (graded 判定なし without one)."""
    return ach["final"] if ach["final"].rate is not None else ach["midterm"]


class Rates:
    """The 達成率 of every sub-item of a department, computed once and looked up by the sub-item itself
    (never by position: a rate cannot land on another sub-item's cells)."""

    def __init__(self) -> None:
        self._by_sub: dict[int, tuple[SubItem, StageRates]] = {}  # the sub-item is kept, so its id stays its own

    def __setitem__(self, sub: SubItem, rates: StageRates) -> None:
        self._by_sub[id(sub)] = (sub, rates)

    def get(self, sub: SubItem) -> StageRates | None:
        entry = self._by_sub.get(id(sub))
        return entry[1] if entry and entry[0] is sub else None

    def __getitem__(self, sub: SubItem) -> StageRates:
        rates = self.get(sub)
        if rates is None:
            raise KeyError(f"no rates for sub-item {sub.no!r}")
        return rates

    def __len__(self) -> int:
        return len(self._by_sub)


def compute_rates(department: Department, settings: Settings = DEFAULT_SETTINGS) -> Rates:
    """The 達成率 of both stages for every sub-item of a department."""
    rates = Rates()
    for goal in department.goals:
        for _item, sub in goal.subitems():
            target = parse_target(sub.target)
            rates[sub] = {stage: achievement(sub.target, getattr(sub, stage), settings, target=target)
                          for stage in STAGES}
    return rates
