"""達成率 and 判定: compare a report with its 数値目標.

``achievement("被保護者30人以上の受診", "被保護者 35名受診")`` → rate 116, grade ◎.
Rate: higher is better ``floor(actual / target × 100)``; lower is better
``floor(target / actual × 100)``. Rounding and grade bands come from :class:`Settings`
(a ``xlsheets設定`` sheet in the workbook or a JSON/YAML file).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .settings import (  # noqa: F401  (kept importable from here)
    DEFAULT_SETTINGS,
    SETTINGS_SHEET,
    Settings,
    load_settings,
    settings_from_dict,
    settings_from_sheet,
)
from .targets import Quantity, Scan, Target, parse_target, scan

# Why there is no rate (Achievement.status)
NO_TARGET, EMPTY_REPORT, NO_RESULT, UNIT_MISMATCH, OK = "no-target", "empty-report", "no-result", "unit-mismatch", "ok"
REASONS = {
    NO_TARGET: "数値目標がありません",
    EMPTY_REPORT: "報告が空です",
    NO_RESULT: "目標と比べられる実績が見つかりません",
    UNIT_MISMATCH: "目標と実績の単位が違います",
    OK: "",
}


@dataclass
class ComponentResult:
    target: Quantity
    actual: Quantity | None
    rate: int | None
    percent: Decimal | None = None


@dataclass
class Achievement:
    """How far a report reaches its target."""

    rate: int | None
    grade: str
    target: Target | None
    actual: float | None
    status: str = OK
    reason: str = ""
    components: list[ComponentResult] = field(default_factory=list)
    stated_rates: list[Decimal] = field(default_factory=list)
    found_units: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"rate": self.rate, "grade": self.grade}


def _labels_match(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


_RESTATED = ("目標", "目標値", "計画", "計画値", "予定")
_PAST = ("累", "前年度", "前年", "昨年度", "昨年", "前期")  # 累: 累計 loses its 計 in labels


def _pick(comp: Quantity, same_unit: list[Quantity], several: bool) -> Quantity | None:
    """The amount of a report that answers one target component."""
    # 「目標15件に対し12件」: an amount labelled as the target (or plan) restates it
    same_unit = [q for q in same_unit if not q.label.endswith(_RESTATED)] or same_unit
    # 「新規30人、累計450人」「前年度1,100件」: past years' amounts, unless the target counts them too
    if not any(w in comp.label for w in _PAST):
        same_unit = [q for q in same_unit if not any(w in q.label for w in _PAST)] or same_unit
    if not same_unit:
        return None
    if several:
        labelled = [q for q in same_unit if _labels_match(comp.label, q.label)]
        if labelled:
            return labelled[0]
    totals = [q for q in same_unit if q.total]
    if totals:
        return totals[-1]
    outside = [q for q in same_unit if not q.in_parens] or same_unit
    if len(outside) == 1:
        return outside[0]
    # several parts of the same amount ("受給者2名、困窮者18名"): their sum
    total = sum((q.exact for q in outside), Decimal(0))
    return Quantity(value=float(total), unit=comp.unit, label=comp.label, exact=total, text="＋".join(q.text for q in outside))


def _percent(target: Quantity, actual: Decimal, lower: bool) -> Decimal | None:
    if lower:
        if actual == 0:
            return Decimal(100) if target.exact >= 0 else None
        return target.exact / actual * 100
    if target.exact == 0:
        return None
    return actual / target.exact * 100


_DECIMAL = re.compile(r"\d{1,2}\.\d{1,2}")


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
        same = [q for q in res.quantities if q.unit == comp.unit]
        if not same and not comp.unit:  # a level without a unit (満足度4.0): "3.8" is that, not March 8
            same = [Quantity(float(d.text), "", exact=Decimal(d.text), text=d.text)
                    for d in res.dates if _DECIMAL.fullmatch(d.text)]
        if several and not any(_labels_match(comp.label, q.label) for q in same):
            same_unit_comps = [c for c in target.components if c.unit == comp.unit]
            if len(same_unit_comps) > 1:
                idx = same_unit_comps.index(comp)
                same = [same[idx]] if idx < len(same) else []
        actual = _pick(comp, same, several)
        if actual is None and not same and res.zero_words and (not several or k == 0 or comp.unit not in used_units):
            actual = Quantity(0.0, comp.unit, comp.label, exact=Decimal(0), text="なし")
        if actual is None:
            comps.append(ComponentResult(comp, None, None))
            continue
        pct = _percent(comp, actual.exact, target.lower_is_better)
        comps.append(ComponentResult(comp, actual, settings.round(pct) if pct is not None else None, pct))
    rated = [c for c in comps if c.rate is not None]
    if not rated:
        other = sorted(u for u in used_units if u and u not in {c.unit for c in target.components})
        status = UNIT_MISMATCH if other and not res.zero_words else NO_RESULT
        return Achievement(None, settings.grade(None), target, None, status, REASONS[status], comps,
                           res.stated_rates, other)
    lowest = min(rated, key=lambda c: c.rate)
    reason = "" if len(rated) == len(comps) else "一部の目標に対応する実績が見つかりません"
    return Achievement(lowest.rate, settings.grade(lowest.rate), target, float(lowest.actual.exact), OK, reason,
                       comps, res.stated_rates)


def stated_rate_mismatch(ach: Achievement) -> Decimal | None:
    """A 達成率 written in the report that its own numbers do not give (None when consistent)."""
    if not ach.stated_rates or ach.rate is None:
        return None
    pcts = [c.percent for c in ach.components if c.percent is not None]
    if not pcts:
        return None
    exact = min(pcts)
    for stated in ach.stated_rates:
        if abs(stated - exact) >= 1 and stated not in (math.floor(exact), math.ceil(exact)):
            return stated
    return None
