"""The measure of a 数値目標: its level, unit, comparator and what it measures (``parse_target``).

``parse_target("被保護者40人以上の受診")`` → Target(value=40.0, unit="人", comparator=">=").
A target may have several components (「訪問3か所・通所5か所」); each is a :class:`~.tokens.Quantity`
with its qualifiers (「1日平均」, 「延べ」, 「30日以内の」 …), which a report's amount must agree with.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from .amounts import Quantity
from .lexicon import REDUCE, WORDS, alternation
from .qualifiers import APPLIED, BOUND, CURRENT, FORECAST, NONE, NOT_DONE, RANGE, RESTATED, RESULT, Qualifiers
from .tokens import normalise, scan

COMPARATORS = {">=", ">", "<=", "<"}
# what a target's amount may be: 「目標40件」「年3回開催予定」 are levels; a condition (「30日以内の」), the
# starting point (「現状30件」), a capacity (「定員30人」) or another body's figure (「全国平均」) are not
LEVEL_ROLES = (RESULT, BOUND, RESTATED, NOT_DONE, FORECAST, APPLIED)


@dataclass(frozen=True)
class Target:
    """A measurable level: value (in its unit), unit, comparator, and its components."""

    value: float
    unit: str
    comparator: str
    components: tuple[Quantity, ...]
    text: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.comparator in ("<=", "<")

    @property
    def measures(self) -> Qualifiers:
        """What the (first) level measures: 1日平均, 延べ, 累計 …"""
        return self.components[0].measures if self.components else NONE

    @property
    def cumulative(self) -> bool:
        """「600人（累計）」: the report's 累計 is the result, its 新規 is not."""
        return self.measures.accumulation == "累計"


def _target_text(text: str) -> str:
    """Drop reference notes after ※ (「※国目標80%」 is not the target)."""
    return normalise(text).split("※")[0]


_AT_MOST = re.compile(r"以下|未満|以内")
_REDUCE = re.compile(alternation(REDUCE))
_CUMULATIVE = re.compile(alternation(WORDS["cumulative"]))
_ZERO_LEVEL = re.compile(alternation(WORDS["zero_level"]))


def _levels(found: list[Quantity]) -> list[Quantity]:
    """The amounts that may be the level: with a unit (or, without one, a written limit: 「満足度4.0以上」),
    not a condition, not the starting point (「現状30件→目標40件」); a range as its lower end."""
    current = [q for q in found if q.role == CURRENT and q.unit]
    qs = [_range_as_level(q) for q in found if q.role in LEVEL_ROLES or q.role == RANGE]
    qs = [q for q in qs if q.unit] or [q for q in qs if q.stated]
    return qs or current  # 「現状値20％」 alone is still the level written


def _range_as_level(q: Quantity) -> Quantity:
    """「50~60件」 as a target: at least 50 (at most 60 when a 以下/以内 follows)."""
    if q.role != RANGE:
        return q
    if q.comparator in ("<=", "<") and q.upper is not None:
        return q._replace(value=float(q.upper), exact=q.upper, role=RESULT)
    return q._replace(role=RESULT, comparator=">=")


def _components(qs: list[Quantity]) -> list[Quantity]:
    """The components of a target: outside brackets, the total when one is written, one per label and unit."""
    outside = [q for q in qs if not q.place.in_parens]
    chosen = outside or qs
    totals = [q for q in chosen if q.place.total]
    if not totals and all(q.place.each for q in chosen):  # 「各課1名以上（計20名）」: the total is the level
        totals = [q for q in qs if q.place.total]
    if totals:
        chosen = totals[:1]
    comps: list[Quantity] = []
    seen = set()
    for q in chosen:
        if (q.label, q.unit) not in seen:
            seen.add((q.label, q.unit))
            comps.append(q)
    if len(comps) > 1 and len({q.unit for q in comps}) == 1 and len({q.label for q in comps}) == 1:
        comps = comps[:1]
    return comps


@functools.lru_cache(maxsize=4096)
def parse_target(text: str) -> Target | None:
    """The measurable level a 数値目標 states, or None when it states none. Never raises."""
    try:
        body = _target_text(text or "")
        if not body.strip():
            return None
        # scan() normalises the same way: without a ※ note, scanning the cell's own text gives
        # the same tokens and shares the cache with the validator's scan of that cell
        scanned = scan(body if "※" in text else text)
        found = scanned.quantities
        qs = _levels(found) or scanned.rate_quantities[:1]  # 「環境基準の達成率 100％」
    except Exception:  # pragma: no cover - a tokeniser bug must not stop a check
        return None
    if not qs:
        return _zero_target(body, text)
    comps = _components(qs)
    first = comps[0]
    comp = first.comparator
    lower = _AT_MOST.search(body) is not None and _REDUCE.search(body) is not None
    if (lower and comp in (">=", ">")) or (first.value == 0 and comp == ">="):
        comp = "<="  # 「…以下に削減」, and 「待機児童0人」: nothing above zero
    first = _with_accumulation(first, body, found)
    comps[0] = first
    return Target(value=first.value, unit=first.unit, comparator=comp, components=tuple(comps), text=text)


def _with_accumulation(first: Quantity, body: str, found: list[Quantity]) -> Quantity:
    """「累計」 anywhere in a target makes its level cumulative, unless another amount is the 累計 one
    (「新規登録者 100人（累計 640人）」)."""
    if first.measures.accumulation or not _CUMULATIVE.search(body):
        return first
    if "新規" in first.label or any(q.measures.accumulation == "累計" for q in found if q is not first):
        return first
    return first._replace(measures=first.measures._replace(accumulation="累計"))


def _zero_target(body: str, text: str) -> Target | None:
    """「苦情ゼロを維持」「事故ゼロ」: a level of zero (less is better), counted in the report's unit."""
    m = _ZERO_LEVEL.search(body)
    if not m:
        return None
    zero = Quantity(0.0, "", exact=Decimal(0), comparator="<=", source=body[max(0, m.start() - 8): m.end() + 4].strip())
    return Target(0.0, "", "<=", (zero,), text)

