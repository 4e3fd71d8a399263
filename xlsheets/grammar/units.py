"""Units and their dimensions: 分 converts into 時間 and m into km, never 分 into m; ％ is never ポイント."""

from __future__ import annotations

from decimal import Decimal

from .lexicon import DIMENSIONS, UNITS


def normalised(written: str) -> tuple[str, int]:
    """(unit, multiplier) of a unit as written: 千円 → (円, 1000); an unknown counter is its own unit."""
    return UNITS.get(written, (written, 1))


def dimension(unit: str) -> str:
    """The dimension of a unit (時間, 長さ …), or the unit itself: a counter is a dimension of its own."""
    found = DIMENSIONS.get(unit)
    return found[0] if found else unit


def comparable(a: str, b: str) -> bool:
    """Whether amounts in these units measure the same kind of thing (the same unit or dimension)."""
    return a == b or (a in DIMENSIONS and b in DIMENSIONS and DIMENSIONS[a][0] == DIMENSIONS[b][0])


def convert(value: Decimal, unit: str, into: str) -> Decimal | None:
    """An amount in another unit of its dimension (90 分 → 1.5 時間); None across dimensions."""
    if unit == into:
        return value
    if not comparable(unit, into):
        return None
    return value * DIMENSIONS[unit][1] / DIMENSIONS[into][1]
