"""The phrasing corpus (tests/data/phrasings.csv): targets and reports as departments write them.

Each row: 分類 (the kind of phrasing), 部署, 数値目標, 報告, and what they should give — the level
(水準, 単位, 比較; blank 水準: no level) and the 達成率 (blank: no rate, the report does not settle
one) — and a メモ saying why where it helps. Shared by tests/test_phrasings.py and benchmarks/grammar.py.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from xlsheets.grammar import parse_target
from xlsheets.rates import achievement

CORPUS = Path(__file__).parent / "data" / "phrasings.csv"
# the kinds of phrasing the corpus covers, as in the README's table
CATEGORIES = ("plain", "seed", "basis", "time", "dimension", "statistic", "count", "stage", "range", "forecast",
              "quoted", "comparator", "multiplier", "condition", "share", "names", "breakdown", "notdone")


@dataclass(frozen=True)
class Pair:
    category: str
    department: str
    target: str
    report: str
    level: float | None
    unit: str
    comparator: str
    rate: int | None
    memo: str = ""


def load(path: Path = CORPUS) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]
    return [Pair(c, d, t, r, float(v) if v else None, u, cmp, int(rate) if rate else None, memo)
            for c, d, t, r, v, u, cmp, rate, memo in rows]


def read_level(p: Pair) -> tuple[float | None, str, str]:
    t = parse_target(p.target)
    return (t.value, t.unit, t.comparator) if t else (None, "", "")


def score(pairs: list[Pair]) -> dict[str, float | int | list]:
    """Precision (rates given that are right), coverage (rates given among those expected), and misses."""
    given = right = expected = covered = 0
    wrong, missed = [], []
    for p in pairs:
        rate = achievement(p.target, p.report).rate
        expected += p.rate is not None
        if rate is None:
            if p.rate is not None:
                missed.append(p)
            continue
        given += 1
        if rate == p.rate:
            right += 1
            covered += 1
        else:
            wrong.append((p, rate))
    return {"pairs": len(pairs), "given": given, "right": right, "expected": expected, "covered": covered,
            "precision": right / given if given else 1.0, "coverage": covered / expected if expected else 1.0,
            "wrong": wrong, "missed": missed}


def by_category(pairs: list[Pair]) -> dict[str, list[Pair]]:
    groups: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        groups[p.category].append(p)
    return {c: groups[c] for c in CATEGORIES if c in groups}
