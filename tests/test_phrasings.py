"""The phrasing corpus: every level read as written, never a wrong 達成率, and most rates given."""

from __future__ import annotations

import pytest

from tests.phrasings import load, read_level, score

PAIRS = load()


def test_the_corpus_is_large_and_spans_departments():
    assert len(PAIRS) >= 150 and len({p.department for p in PAIRS}) >= 8
    assert sum(p.rate is None for p in PAIRS) >= 20  # pairs that must get no rate


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.department}:{p.target[:10]}|{p.report[:10]}" for p in PAIRS])
def test_each_target_gives_its_level(pair):
    assert read_level(pair) == (pair.level, pair.unit, pair.comparator)


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{p.department}:{p.target[:10]}|{p.report[:10]}" for p in PAIRS])
def test_each_rate_is_the_expected_one_or_absent(pair):
    """Precision: a rate the corpus does not expect, or another number, fails."""
    from xlsheets.rates import achievement

    rate = achievement(pair.target, pair.report).rate
    assert rate is None or rate == pair.rate


def test_coverage_of_the_rates_the_corpus_expects():
    s = score(PAIRS)
    assert s["precision"] == 1.0
    assert s["coverage"] >= 0.95, [(p.target, p.report) for p in s["missed"]]
