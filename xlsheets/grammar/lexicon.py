"""The grammar's words, read once from ``lexicon.toml``: a maintainer adds a word there, not in code.

Each constant here is one list or table of that file, in the shape the grammar uses it
(a word → meaning dict, or a regex alternation with the longest words first).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def _load() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("lexicon.toml").read_text(encoding="utf-8"))


LEXICON = _load()


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of the words, escaped, longest first (so 「を超えない」 wins over 「を超え」)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def words(section: str, key: str) -> tuple[str, ...]:
    """One word list of the lexicon."""
    return tuple(LEXICON[section][key])


def meanings(section: str) -> dict[str, str]:
    """word → meaning for a section whose keys are meanings and values word lists (statistic, count …)."""
    return {w: meaning for meaning, ws in LEXICON[section].items() if isinstance(ws, list) for w in ws}


# written unit → (unit, multiplier): 千円 → (円, 1000); counters are their own unit
UNITS: dict[str, tuple[str, int]] = {c: (c, 1) for c in LEXICON["units"]["counters"]} | {
    w: (u, int(m)) for w, (u, m) in LEXICON["units"]["written"].items()}
UNIT_WORDS = alternation(UNITS)
# unit → (dimension, size in the dimension's first unit)
DIMENSIONS: dict[str, tuple[str, Decimal]] = {
    unit: (dim, Decimal(size)) for dim, table in LEXICON["dimensions"].items() for unit, size in table.items()}

COMPARATOR_SIGNS: dict[str, str] = {w: sign for sign, ws in LEXICON["comparators"].items()
                                    if sign != "reduce" for w in ws}
REDUCE = words("comparators", "reduce")

STATISTICS = meanings("statistic")
COUNT_KINDS = meanings("count")
ACCUMULATIONS = meanings("accumulation")

BASIS = LEXICON["basis"]
PERIODS: dict[str, str] = dict(BASIS["periods"])
PER_AFTER: dict[str, str] = dict(BASIS["per_after"])
BASIS_SAID: dict[str, str] = dict(BASIS["said"])

ROLES = LEXICON["roles"]
SHARE = LEXICON["share"]
NAMES = LEXICON["names"]
WORDS = LEXICON["words"]
HALVES: dict[str, int] = dict(WORDS["halves"])

ERAS_TABLE: dict[str, dict[str, Any]] = dict(LEXICON["eras"])
