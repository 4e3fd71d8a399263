"""The 数値目標 grammar: what a target measures, and which amount of a report answers it.

- :mod:`.lexicon` — the words (``lexicon.toml``: units and dimensions, qualifiers, roles, comparators, eras)
- :mod:`.numerals`, :mod:`.eras`, :mod:`.units` — numbers as written, Japanese eras, unit conversion
- :mod:`.tokens` — ``scan(text)``: amounts, dates and stated 達成率 of any text (:mod:`.amounts` holds what it finds)
- :mod:`.names` — numbers that name or qualify rather than count (ISO 9001, 第3期, 1日平均 …)
- :mod:`.context` — the words around an amount: its label, clause, comparator and time of year
- :mod:`.relations` — how an amount relates to the one before it (a base, a range, a product …)
- :mod:`.qualifiers` — what an amount measures (平均, 1日当たり, 延べ …) and what it is (a result, a plan …)
- :mod:`.measure` — ``parse_target(text)``: the level of a 数値目標
- :mod:`.picking` — ``pick(component, target, scan)``: the report's result for a target, or why there is none

The arithmetic of 達成率 and 判定 is in :mod:`xlsheets.rates`.
"""

from .amounts import DateToken, Quantity, Scan
from .measure import COMPARATORS, Target, parse_target
from .numerals import rewrite_numbers
from .picking import Pick, no_result_reason, pick
from .qualifiers import Place, Qualifiers
from .tokens import normalise, scan


def clear_caches() -> None:
    """Forget cached scans (the roll-up clears them per file, so that each file is measured alone)."""
    scan.cache_clear()
    parse_target.cache_clear()


__all__ = ["COMPARATORS", "DateToken", "Pick", "Place", "Qualifiers", "Quantity", "Scan", "Target", "clear_caches",
           "no_result_reason", "normalise", "parse_target", "pick", "rewrite_numbers", "scan"]
