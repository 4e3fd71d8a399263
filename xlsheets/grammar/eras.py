"""Japanese eras (元号), once: their names, letters, first days and the years they span.

The era table lives in ``lexicon.toml``; the model (fiscal years, 令和N年度), the date-cell
rendering and the tokeniser's dates all read it from here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .lexicon import ERAS_TABLE, alternation

# era → its first day, the latest era first
ERA_FIRST_DAYS: dict[str, tuple[int, int, int]] = {era: tuple(e["first"]) for era, e in ERAS_TABLE.items()}
ERA_LETTERS: dict[str, str] = {e["letter"]: era for era, e in ERAS_TABLE.items()}
# (era, the western year before its 元年): 令和N年 = 2018 + N
ERAS: tuple[tuple[str, int], ...] = tuple((era, first[0] - 1) for era, first in ERA_FIRST_DAYS.items())
ERA_BASE: dict[str, int] = dict(ERAS) | {letter: dict(ERAS)[era] for letter, era in ERA_LETTERS.items()}
# an era name or its letter, as a regex: the eras texts are written in (not 大正, known for date cells)
IN_TEXT = [era for era, e in ERAS_TABLE.items() if e.get("in_text", True)]
ERA_PATTERN = f"(?:{alternation(IN_TEXT)}|[{''.join(ERAS_TABLE[era]['letter'] for era in IN_TEXT)}])"


def _spans() -> dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Era (name or letter) → (first day, last day): each ends the day before the next began."""
    spans, last = {}, (9999, 12, 31)
    for era, first in ERA_FIRST_DAYS.items():
        spans[era] = (first, last)
        last = (date(*first) - timedelta(days=1)).timetuple()[:3]
    return spans | {letter: spans[era] for letter, era in ERA_LETTERS.items()}


ERA_SPANS = _spans()
# the last year number of an ended era (平成31年, 昭和64年)
ERA_LAST: dict[str, int] = {era: last[0] - ERA_BASE[era] for era, (_first, last) in ERA_SPANS.items() if last[0] < 9999}


def era_year(era: str, written: str) -> tuple[int, bool]:
    """(western year, whether that year exists in the era) for 「元」 or a number written after an era."""
    n = 1 if written == "元" else int(written)
    return ERA_BASE[era] + n, 1 <= n <= ERA_LAST.get(era, 99)


def in_era(era: str, y: int, mo: int, d: int | None) -> bool:
    """Whether a date (or, without a day, some day of its month) lies inside the era it is written in."""
    first, last = ERA_SPANS[era]
    return first[:2] <= (y, mo) <= last[:2] and (d is None or first <= (y, mo, d) <= last)


_ERA_YEAR = re.compile(rf"({ERA_PATTERN})\s*(元|\d+)")


def era_year_in(text: str) -> int | None:
    """The western year of the first 「令和6」「R6」「平成元」 in a text (None without one)."""
    m = _ERA_YEAR.search(text)
    if not m:
        return None
    era = ERA_LETTERS.get(m.group(1).upper(), m.group(1))
    return era_year(era, m.group(2))[0]
