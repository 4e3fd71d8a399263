"""Benchmark: how well the target grammar reads the phrasing corpus (tests/data/phrasings.csv).

    python benchmarks/grammar.py [--list]

Prints precision (rates given that are the expected ones; must be 100 %) and coverage (rates
given among the pairs that expect one), and with --list the pairs it got wrong or left without
a rate. Exit code 1 when precision is below 100 %.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.phrasings import CORPUS, load, score  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the wrong and the missed pairs")
    args = ap.parse_args()
    pairs = load()
    s = score(pairs)
    print(f"corpus: {CORPUS.name}, {s['pairs']} pairs ({len({p.department for p in pairs})} departments), "
          f"{s['expected']} expect a rate, {s['pairs'] - s['expected']} expect none")
    print(f"precision: {s['precision']:.1%} ({s['right']}/{s['given']} rates given are right)")
    print(f"coverage:  {s['coverage']:.1%} ({s['covered']}/{s['expected']} expected rates given)")
    if args.list:
        for p, rate in s["wrong"]:
            print(f"  wrong  {p.target} | {p.report}: {rate} (expected {p.rate})")
        for p in s["missed"]:
            print(f"  missed {p.target} | {p.report}: expected {p.rate}")
    return 0 if s["precision"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
