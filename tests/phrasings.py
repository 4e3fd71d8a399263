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
KNOWN_WRONG = Path(__file__).parent / "data" / "phrasings_known_wrong.csv"  # pairs it still gets wrong
# the kinds of phrasing the corpus covers, with what the grammar does with them (the README's table)
CATEGORY_JA = {
    "plain": ("ふつうの書き方", "量・漢数字・計/合計・うち・日付の混じった文・記載の達成率"),
    "seed": ("見本（福祉部 令和2・6年度）", "実物のシートの文（一つずつ目で確かめた値）"),
    "basis": ("何当たりか", "1日平均・1人当たり・人口10万人当たり・月/年間: 目標と違えば達成率なし"),
    "time": ("時間", "6分40秒・1時間30分、分と時間・日と週を換算（時刻の 23時45分 は長さでない）"),
    "dimension": ("単位の次元", "m/km・㎡/ha・g/kg/t・mL/L/㎥・円/千円/万円/億円を換算、％とポイントは別"),
    "statistic": ("統計量", "平均・最長/最大・最短/最小・中央値: 違えば達成率なし"),
    "count": ("数え方", "延べ/実人数、累計/新規/前年度: 違えば達成率なし"),
    "stage": ("手続きの区間", "「申請から交付まで」と「受付から審査まで」は別のもの"),
    "range": ("範囲・概数", "「約50〜60件」「3千人台」「300人弱」は1つの実績ではない"),
    "forecast": ("見込み", "見込み・見通し・予測・推計は実績ではない（実績に足さない）"),
    "quoted": ("目標の引用・差・他の値", "「目標30件のうち27件」「あと3件」「定員」「全国平均」は実績ではない"),
    "comparator": ("比較の語", "以上・超・以下・以内・未満・を下回る・を上回る・を超えない・より減らす"),
    "multiplier": ("各・×", "「5校で各3回」= 15回、「4校で各3回、1校で2回」= 14回"),
    "condition": ("条件", "「30日以内の回答率 90％」の 30日 は水準ではなく条件"),
    "share": ("割合", "4分の1・半数・過半数・5人に1人、「20件中17件」「300件／400件」から率を出す"),
    "names": ("名前の数字", "ISO 9001・PM2.5・第3期・2期計画・119番・震度6弱・7対1 は量ではない"),
    "breakdown": ("内訳", "上期・下期・四半期・学期・月ごとの量は年度を覆うときだけ合計"),
    "notdone": ("実施しなかった", "未実施・中止・見送り・予定: 予定の量は実績でなく、何もしていなければ 0"),
}
CATEGORIES = tuple(CATEGORY_JA)


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


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.reader(f) if r and not r[0].startswith("#")][1:]


def load(path: Path = CORPUS) -> list[Pair]:
    return [Pair(c, d, t, r, float(v) if v else None, u, cmp, int(rate) if rate else None, memo)
            for c, d, t, r, v, u, cmp, rate, memo in _rows(path)]


def load_known_wrong(path: Path = KNOWN_WRONG) -> list[tuple[Pair, int]]:
    """The pairs written to test the grammar that it still gets wrong, with the rate it gives today."""
    return [(Pair(c, d, t, r, float(v) if v else None, u, cmp, int(rate) if rate else None, memo), int(now))
            for c, d, t, r, v, u, cmp, rate, memo, now in _rows(path)]


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
