"""Benchmark: how well and how fast the target grammar reads the phrasing corpus (tests/data/phrasings.csv).

    python benchmarks/grammar.py [--list] [--against CHECKOUT [--instructions]]

Prints, per kind of phrasing (分類) and in all, precision (rates given that are the expected ones;
must be 100 %) and coverage (rates given among the pairs that expect one), then pairs per second
(target and report read from scratch, caches cleared each round; CPU time, so that other work on the machine weighs little). With --list, the pairs it got
wrong or left without a rate. With --against, the same pairs are timed in the same run with the
xlsheets of another checkout (e.g. `git worktree add /tmp/old <commit>`), and the ratio is printed;
with --instructions also the ratio of the instructions both execute (valgrind's callgrind: the same
figure on a busy machine as on a quiet one). Exit code 1 when precision is below 100 %.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.phrasings import CORPUS, by_category, load, score  # noqa: E402

# times achievement() over the pairs in a JSON file; run with the checkout to measure on sys.path[0]
_TIMER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from xlsheets.rates import achievement
try:
    from xlsheets.grammar import clear_caches
except ImportError:
    from xlsheets.targets import clear_caches
pairs = json.load(open(sys.argv[2], encoding="utf-8"))
rounds, best = int(sys.argv[3]), float("inf")
if rounds == 0:  # imports only: what an instruction count subtracts
    sys.exit()
for _ in range(rounds):
    start = time.process_time()
    clear_caches()
    for target, report in pairs:
        achievement(target, report)
    best = min(best, time.process_time() - start)
print(len(pairs) / best)
"""


def _pairs_per_second(checkout: Path, pairs_file: Path) -> float:
    out = subprocess.run([sys.executable, "-c", _TIMER, str(checkout), str(pairs_file), "2"],
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def _speeds(checkouts: list[Path], pairs_file: Path, rounds: int) -> list[float]:
    """Pairs per second of each checkout, the best of rounds taken in turn (so that the machine's load
    weighs on all alike)."""
    best = [0.0] * len(checkouts)
    for _ in range(rounds):
        for i, checkout in enumerate(checkouts):
            best[i] = max(best[i], _pairs_per_second(checkout, pairs_file))
    return best


def _instructions(checkout: Path, pairs_file: Path) -> int:
    """Instructions one pass over the pairs executes (callgrind, hash seed fixed), imports subtracted."""
    def count(rounds: int) -> int:
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
                              _TIMER, str(checkout), str(pairs_file), str(rounds)],
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True)
        return int(re.search(r"Collected : (\d+)", out.stderr).group(1))
    return count(1) - count(0)


def _line(name: str, s: dict) -> str:
    return (f"{name:<11} {s['pairs']:>4} pairs  precision {s['precision']:6.1%} ({s['right']}/{s['given']})"
            f"  coverage {s['coverage']:6.1%} ({s['covered']}/{s['expected']})  no rate expected {s['pairs'] - s['expected']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the wrong and the missed pairs")
    ap.add_argument("--against", type=Path, help="another checkout to time on the same pairs in this run")
    ap.add_argument("--rounds", type=int, default=5, help="timing rounds, taken in turn (the best is kept)")
    ap.add_argument("--instructions", action="store_true", help="with --against: compare instruction counts (valgrind)")
    args = ap.parse_args()
    pairs = load()
    print(f"corpus: {CORPUS.name}, {len(pairs)} pairs, {len({p.department for p in pairs})} departments")
    for name, group in by_category(pairs).items():
        print(_line(name, score(group)))
    s = score(pairs)
    print(_line("all", s))
    with tempfile.TemporaryDirectory() as tmp:
        pairs_file = Path(tmp) / "pairs.json"
        pairs_file.write_text(json.dumps([[p.target, p.report] for p in pairs], ensure_ascii=False), encoding="utf-8")
        checkouts = [ROOT] + ([args.against.resolve()] if args.against else [])
        speeds = _speeds(checkouts, pairs_file, args.rounds)
        print(f"speed: {speeds[0]:,.0f} pairs/s (this checkout)")
        if args.against:
            print(f"speed: {speeds[1]:,.0f} pairs/s ({args.against}); this checkout is {speeds[0] / speeds[1]:.2f}× that")
        if args.against and args.instructions:
            mine, other = _instructions(ROOT, pairs_file), _instructions(args.against.resolve(), pairs_file)
            print(f"instructions: {mine:,} (this checkout), {other:,} ({args.against}): "
                  f"this checkout is {other / mine:.2f}× as fast")
    if args.list:
        for p, rate in s["wrong"]:
            print(f"  wrong  [{p.category}] {p.target} | {p.report}: {rate} (expected {p.rate})")
        for p in s["missed"]:
            print(f"  missed [{p.category}] {p.target} | {p.report}: expected {p.rate}")
    return 0 if s["precision"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
