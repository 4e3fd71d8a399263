"""達成率 and 判定: compare a report with its 数値目標.

``achievement("被保護者30人以上の受診", "被保護者 35名受診")`` → rate 116, grade ◎.
Rate: higher is better ``floor(actual / target × 100)``; lower is better
``floor(target / actual × 100)``. Rounding and grade bands come from :class:`Settings`
(a ``xlsheets設定`` sheet in the workbook or a JSON/YAML file).
``compute_rates(department)`` rates both stages of every sub-item once, looked up by the sub-item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from .model import STAGES, Department, SubItem
from .settings import (  # noqa: F401  (kept importable from here)
    DEFAULT_SETTINGS,
    SETTINGS_SHEET,
    Settings,
    load_settings,
    settings_from_dict,
    settings_from_sheet,
)
from .targets import RESTATED, Quantity, Scan, Target, normalise, parse_target, scan

# Why there is no rate (Achievement.status)
NO_TARGET, EMPTY_REPORT, NO_RESULT, UNIT_MISMATCH, OK = "no-target", "empty-report", "no-result", "unit-mismatch", "ok"
AMBIGUOUS = "ambiguous"
REASONS = {
    NO_TARGET: "数値目標がありません",
    EMPTY_REPORT: "報告が空です",
    NO_RESULT: "目標と比べられる実績が見つかりません",
    UNIT_MISMATCH: "目標と実績の単位が違います",
    AMBIGUOUS: "実績の数値が複数あり、どれを実績とするか決められません",
    OK: "",
}


@dataclass
class ComponentResult:
    target: Quantity
    actual: Quantity | None
    rate: int | None
    percent: Decimal | None = None
    candidates: list[Quantity] = field(default_factory=list)  # amounts that combine more than one way


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
    return {"value": float(q.exact), "unit": q.unit, "text": q.source or q.text}


def amount_text(value: Decimal, unit: str) -> str:
    """「22回」「250,000,000円」「4」"""
    s = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{s}{unit}"


def _said(q: Quantity) -> str:
    return f"{amount_text(q.exact, q.unit)}（{q.source or q.text}）"


def evidence_line(ach: Achievement) -> str:
    """One line per component of what the rate was computed from; for no rate, why."""
    if ach.status == AMBIGUOUS:
        seen = "、".join(_said(q) for q in ach.ambiguous)
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


def _labels_match(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


_PAST = ("累", "前年度", "前年", "昨年度", "昨年")  # 累: 累計 loses its 計 in labels


def _sum(parts: list[Quantity], comp: Quantity) -> Quantity:
    total = sum((q.exact for q in parts), Decimal(0))
    return Quantity(value=float(total), unit=comp.unit, label=comp.label, exact=total,
                    text="＋".join(q.text for q in parts), source="＋".join(q.source or q.text for q in parts))


def _candidates(comp: Quantity, same: list[Quantity], target: Target) -> list[Quantity]:
    """The report's amounts that may answer a target component: no restated target, no plan, no past year."""
    # 「目標15件に対し12件」: an amount labelled as the target (or plan) restates it
    same = [q for q in same if not q.label.endswith(RESTATED)] or same
    same = [q for q in same if not q.not_done]  # 「1回は中止」「2件は次年度」
    if target.cumulative:  # 「累計640人（今年度新規70人）」 for 「600人（累計）」
        same = [q for q in same if "累" in q.label] or [q for q in same if "新規" not in q.label]
    elif not any(w in comp.label for w in _PAST):
        # 「新規30人、累計450人」「前年度1,100件」: past years' amounts, unless the target counts them too
        same = [q for q in same if not any(w in q.label for w in _PAST)]
    if comp.period:  # 「年間240件（月20件）」 for a monthly target: the monthly amount; never another period's
        same = [q for q in same if q.period in ("", comp.period)]
        same = [q for q in same if q.period == comp.period] or same
    return same


def _pick(comp: Quantity, same: list[Quantity], target: Target, several: bool) -> tuple[Quantity | None, list[Quantity]]:
    """The amount of a report that answers one target component, or the candidates when it is not settled."""
    same = _candidates(comp, same, target)
    if not same:
        return None, []
    if several:
        labelled = [q for q in same if _labels_match(comp.label, q.label)]
        if labelled:
            return labelled[0], []
    totals = [q for q in same if q.total and not q.in_parens] or [q for q in same if q.total]
    if totals:
        return (totals[-1], []) if len({q.exact for q in totals}) == 1 else (None, totals)
    whole = [q for q in same if not q.part]
    named = [q for q in same if q.part and q.label and q.label in comp.label and
             not any(q.label in w.label for w in whole)]
    if len(named) == 1:  # 「相談320件、うち新規140件」 for 「新規相談150件」: the part the target names
        return named[0], []
    outside = [q for q in whole if not q.in_parens] or whole
    if not outside:  # only parts of an amount the text does not state
        return None, []
    if any(q.each for q in outside):  # 「5月・11月 各1回」: per member of a list the text does not count
        return None, outside
    if len(outside) == 1:
        return outside[0], []
    return _combine(comp, outside, target)


def _combine(comp: Quantity, parts: list[Quantity], target: Target) -> tuple[Quantity | None, list[Quantity]]:
    """Several amounts in the target's unit: their sum when the text says they are parts, else none."""
    labels = [q.label for q in parts]
    target_text = normalise(target.text)
    if all(labels) and len(set(labels)) == len(labels) and all(w in target_text for w in labels):
        return _sum(parts, comp), []  # 「受給者2名、困窮者18名」 for 「受給者、困窮者の15名」
    # the amount whose label the target's contains (「交付45件」 for 「交付40件」); not 「一般相談45件」 for 「相談」
    labelled = [q for q in parts if q.label and q.label in comp.label]
    if len(labelled) == 1 and all(labels):  # every amount named, one of them as the target is
        return labelled[0], []  # 「申請50件、交付45件」 for 「交付40件」
    whens = [q.when for q in parts]
    if all(whens) and len(set(whens)) == len(whens) and not any(q.as_of for q in parts):
        return _sum(parts, comp), []  # 「4月に1か所、10月に2か所」「上期2件、下期3件」
    return None, parts


def _percent(target: Quantity, actual: Decimal, lower: bool) -> Decimal | None:
    if lower:
        if actual == 0:
            return Decimal(100) if target.exact >= 0 else None
        return target.exact / actual * 100
    if target.exact == 0:
        return None
    return actual / target.exact * 100


_DECIMAL = re.compile(r"\d{1,2}\.\d{1,2}")


def _same_unit(comp: Quantity, res: Scan) -> list[Quantity]:
    """The report's amounts in the unit of a target component."""
    # 「4地区×3回」 counts 12 回 too; in brackets such a product is the breakdown of an amount, not one
    same = [q if q.unit == comp.unit else q._replace(unit=comp.unit) for q in res.quantities
            if comp.unit in (q.unit, q.per_unit) and not (q.in_parens and q.per_unit)]
    if same or comp.unit:
        return same
    if comp.exact == 0:  # 「苦情ゼロを維持」: counted in whatever single unit the report uses
        counted = [q for q in res.quantities if q.unit and q.unit != "％"]
        return counted if len({q.unit for q in counted}) == 1 else []
    # a level without a unit (満足度4.0): "3.8" is that, not March 8
    return [Quantity(float(d.text), "", exact=Decimal(d.text), text=d.text, source=d.text)
            for d in res.dates if _DECIMAL.fullmatch(d.text)]


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
    several = len(target.components) > 1
    comps: list[ComponentResult] = []
    used_units = {q.unit for q in res.quantities}
    for k, comp in enumerate(target.components):
        same = _same_unit(comp, res)
        if several and not any(_labels_match(comp.label, q.label) for q in same):
            # an amount labelled for another component does not answer this one (「通所2か所」 is no 訪問)
            same = [q for q in same if not any(_labels_match(c.label, q.label) for c in target.components)]
            same_unit_comps = [c for c in target.components if c.unit == comp.unit]
            if len(same_unit_comps) > 1:
                idx = same_unit_comps.index(comp)
                same = [same[idx]] if idx < len(same) else []
        actual, candidates = _pick(comp, same, target, several)
        if actual is None and not same and res.zero_words and (not several or k == 0 or comp.unit not in used_units):
            actual = Quantity(0.0, comp.unit, comp.label, exact=Decimal(0), text="なし", source="なし")
        if actual is None:
            comps.append(ComponentResult(comp, None, None, candidates=candidates))
            continue
        pct = _percent(comp, actual.exact, target.lower_is_better)
        comps.append(ComponentResult(comp, actual, settings.round(pct) if pct is not None else None, pct))
    if any(c.candidates for c in comps):  # one unsettled component: its lowest rate is not known either
        return Achievement(None, settings.grade(None), target, None, AMBIGUOUS, REASONS[AMBIGUOUS], comps,
                           res.stated_rates)
    rated = [c for c in comps if c.rate is not None]
    if not rated:
        other = sorted(u for u in used_units if u and u not in {c.unit for c in target.components})
        status = UNIT_MISMATCH if other and not res.zero_words and target.components[0].unit else NO_RESULT
        return Achievement(None, settings.grade(None), target, None, status, REASONS[status], comps,
                           res.stated_rates, other)
    lowest = min(rated, key=lambda c: c.rate)
    reason = "" if len(rated) == len(comps) else "一部の目標に対応する実績が見つかりません"
    return Achievement(lowest.rate, settings.grade(lowest.rate), target, float(lowest.actual.exact), OK, reason,
                       comps, res.stated_rates)


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
