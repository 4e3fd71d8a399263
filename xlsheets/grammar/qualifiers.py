"""What an amount measures and what it is, read from the words around it.

Each amount found in a text carries
- its **qualifiers** (:class:`Qualifiers`): statistic (平均, 最長 …), basis (1日当たり, 年間, 人口10万人当たり),
  count kind (延べ/実), accumulation (累計/新規/前年度), a condition (「30日以内の」) and the stage of a
  process it times (「申請から交付まで」);
- its **role**: a result, or something that is not one (a restated target, a plan not done, a forecast,
  the starting point, a capacity, another body's figure, the distance to the target, a condition, a range).

A report's amount answers a target only when it is a result and its qualifiers agree with the
target's (:func:`disagreement`). The words come from ``lexicon.toml``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from .eras import ERA_PATTERN
from .lexicon import (
    ACCUMULATIONS,
    BASIS,
    BASIS_SAID,
    COUNT_KINDS,
    PER_AFTER,
    PERIODS,
    ROLES,
    STATISTICS,
    UNIT_WORDS,
    alternation,
)
from .units import normalised

# roles: what an amount is
RESULT, RESTATED, NOT_DONE, FORECAST, CURRENT = "result", "restated", "not-done", "forecast", "current"
CAPACITY, COMPARISON, SHORTFALL, EXCESS = "capacity", "comparison", "shortfall", "excess"
CONDITION, RANGE, BOUND, APPLIED, CHANGE = "condition", "range", "bound", "applied", "change"
ROLE_JA = {
    RESTATED: "目標・計画の値", NOT_DONE: "実施していない分", FORECAST: "見込み・推計の値", CURRENT: "現状の値",
    CAPACITY: "定員・上限", COMPARISON: "他の団体・全国の値", SHORTFALL: "目標までの残り", EXCESS: "目標との差",
    CONDITION: "数える条件", RANGE: "範囲・概数", BOUND: "上限・下限（「以上」「超」）", APPLIED: "申込み・応募の数",
    CHANGE: "増減・換算の値",
}


class Qualifiers(NamedTuple):
    """What an amount measures besides its unit ('' where the text says nothing)."""

    statistic: str = ""  # 平均 / 最大 / 最小 / 中央値
    basis: str = ""  # per what: 日 / 週 / 月 / 年 / 人 / 件 … / 人・日 / 人口100000
    count: str = ""  # 延べ / 実
    accumulation: str = ""  # 累計 / 新規 / 前年
    condition: str = ""  # 「30日以内」: what is counted must meet it
    span: str = ""  # 「申請→交付」: the stage of a process it times


NONE = Qualifiers()


class Place(NamedTuple):
    """How an amount sits among the others of its text."""

    in_parens: bool = False
    total: bool = False  # 「計22回」「延べ300人」
    part: bool = False  # 「120件、うち訪問30件」: a part of the amount before it
    each: bool = False  # 「各2回」: per member of a group the text may not count
    approx: bool = False  # 「約50人」
    when: str = ""  # the time of year of its clause: M4 (4月), H1 (上期), Q2 (第2四半期), or as written
    as_of: bool = False  # 「9月末時点で700人」: a running count
    per_unit: str = ""  # 「4地区×3回」: the other factor's unit
    base: Decimal | None = None  # 「対象20件中17件」「300件／400件」: what it is a part of
    group: str = ""  # 「1校で2回」「5校で各3回」: the unit of the groups it was done in
    group_size: Decimal | None = None  # 「10分団が 6回」: how many groups (None once multiplied: 「5校で各3回」)


def _words_rx(words) -> re.Pattern:
    return re.compile(alternation(words))


_STATISTIC = _words_rx(STATISTICS)
_COUNT = _words_rx(COUNT_KINDS)
_ACCUMULATION = _words_rx(ACCUMULATIONS)
_ANY_QUALIFIER = _words_rx([*STATISTICS, *COUNT_KINDS, *ACCUMULATIONS])
_PER = alternation(BASIS["per"])
# 「1日当たり」「1人1日当たり」「1件につき」「月平均」 (a period word needs no 1)
_PER_RUN = re.compile(rf"((?:\d+\s*(?:{UNIT_WORDS}|世帯|人|日|月|年|週)\s*)+|[日月年週](?=平均|当たり|あたり|毎))(?:{_PER})")
_PER_UNIT = re.compile(rf"{UNIT_WORDS}|世帯|人|日|月|年|週")
_POPULATION = re.compile(
    rf"(?:{alternation(BASIS['population'])})\s*(\d+(?:\.\d+)?)\s*([千万]?)\s*人?\s*(?:{alternation(BASIS['population_per'])})")
_PERIOD_END = re.compile(rf"(?<![\d.])({alternation(PERIODS)})\s*(?:平均)?\s*$")
_PER_AFTER = re.compile(rf"\s*({alternation(PER_AFTER)})")
_PER_WORD = re.compile(f"{_PER}|{alternation(BASIS['population_per'])}")
_POPULATION_WORDS = tuple(BASIS["population"])
_PER_MANY = re.compile(rf"(\d+(?:\.\d+)?)?\s*([千万])\s*人\s*(?:{alternation(BASIS['population_per'])})")
_ONE_THEN = re.compile(rf"(?<![\d.])1\s*({UNIT_WORDS})\s*$")  # 「1回 20~30人」: per one, then the amount
_PER_ONE = re.compile(rf"1\s*([\u4e00-\u9fff\u30a0-\u30ffー]{{1,6}}?)\s*(?:{alternation(BASIS['population_per'])})")
_PERIOD_ENDINGS = frozenset(w[-1] for w in PERIODS)
_MEASURED_BY = re.compile(r"([\u4e00-\u9fff\u30a0-\u30ffー]{1,5})ベース")  # 「品目数ベース」「重量ベース」
_CALENDAR_YEAR = re.compile(r"(?<!\d)1\s*~\s*12\s*月")  # 「1〜12月は」: the calendar year, not the 年度
_NEW = _words_rx([w for w, meaning in ACCUMULATIONS.items() if meaning == "新規"])
_NEW_OR_COUNTED = _words_rx([*COUNT_KINDS, *(w for w, meaning in ACCUMULATIONS.items() if meaning == "新規")])
# 「申請から交付まで」「現場到着まで」: the stage of a process an amount times
_SPAN = re.compile(r"(?:([^\s、。,()（）「」]{1,10}?)から)?([^\s、。,()（）「」]{1,10}?)まで(?:の|に|で)?")
_PAREN_AFTER = re.compile(r"\s*[(（]([^()（）]{1,30})[)）]")
_MULT = {"千": 1_000, "万": 10_000}
# dates in a bracket do not make it a bracket of other amounts (「（令和6年度末見込み）」)
_DATELIKE = re.compile(rf"{ERA_PATTERN}\s*\d+\s*(?:年度|年)?|\d{{4}}\s*(?:年度|年)|\d{{1,2}}\s*月(?:\d{{1,2}}\s*日)?")
_DIGIT = re.compile(r"\d")


def qualifiers(word: str, clause: str, after: str, tail: str) -> Qualifiers:
    """The qualifiers of an amount from the words just before it (``word``: 「延べ参加者」「最長で」),
    its clause before it (「申請から交付まで」「1日平均」), the characters right after it (「/日」) and the
    bracket that may follow it (「24,000人（年間）」)."""
    near = word + " " + tail
    said = _ANY_QUALIFIER.search(near) is not None or word.rstrip().endswith("実")  # most amounts: none of these
    stat = said and _STATISTIC.search(near)
    count = said and _COUNT.search(near)
    acc = said and _ACCUMULATION.search(near)
    if not (count or acc) and _NEW_OR_COUNTED.search(clause):  # 「新規相談は9月末で 162件」: said earlier in the clause
        count, acc = _COUNT.search(clause), _NEW.search(clause)
        said = said or bool(count or acc)
    span = "まで" in clause and _SPAN.search(clause)
    per = basis(clause, after, tail) or _period(word.rstrip(" \u3000）)"), "")
    if not (said or span or per):
        return NONE  # most amounts: nothing said about what they measure
    return Qualifiers(
        statistic=STATISTICS[stat.group(0)] if stat else "",
        basis=per,
        count=COUNT_KINDS[count.group(0)] if count else ("実" if word.rstrip().endswith("実") else ""),
        accumulation=ACCUMULATIONS[acc.group(0)] if acc else "",
        span=f"{span.group(1) or ''}→{span.group(2)}" if span else "",
    )


def basis(before: str, after: str, tail: str) -> str:
    """Per what an amount counts: 「1日平均」「1人1日当たり」 → 日 / 人・日, 「人口10万人当たり」 → 人口100000,
    「年間」「月」 → 年 / 月, 「85人/日」 → 日, 「重量ベース」 → 重量, 「1〜12月は」 → 暦年 ('' when not said).
    Cheap tests first: most amounts say none."""
    around = before + " " + tail
    if "ベース" in around:
        base = _MEASURED_BY.search(around)
        if base:
            return base.group(1)
    if "12" in before and _CALENDAR_YEAR.search(before):
        return "暦年"
    if _PER_WORD.search(around):
        per = _per_words(before, around)
        if per:
            return per
    if "1" in before[-6:]:
        one = _ONE_THEN.search(before, max(0, len(before) - 6))
        if one:  # 「1回20~30人」
            return normalised(one.group(1))[0]
    m = after.startswith("/") and _PER_AFTER.match(after)
    if m:
        return PER_AFTER[m.group(1)]
    return _period(before, tail)


def _period(before: str, tail: str) -> str:
    """「年間240件」「月20件」「24,000人（年間）」: the period an amount counts in ('' without one)."""
    m = before.rstrip(" \u3000平均")[-1:] in _PERIOD_ENDINGS and _PERIOD_END.search(before)
    if m:
        return PERIODS[m.group(1)]
    m = tail and _PERIOD_END.search(tail)
    return PERIODS[m.group(1)] if m else ""


def _per_words(before: str, around: str) -> str:
    """The basis said with 当たり/あたり/につき/対/平均/毎: per population, per units, per one of something."""
    pop = ((any(w in before for w in _POPULATION_WORDS) and _POPULATION.search(before))
           or (("千" in around or "万" in around) and _PER_MANY.search(around)))
    if pop:  # 「人口10万人当たり」「千人当たり」
        return f"人口{int(Decimal(pop.group(1) or 1) * _MULT.get(pop.group(2), 1))}"
    per = sorted({_unit_basis(u) for m in _PER_RUN.finditer(around) for u in _PER_UNIT.findall(m.group(1))})
    if per:
        return "・".join(per)
    one = "1" in before and _PER_ONE.search(before)
    return normalised(one.group(1))[0] if one else ""  # 「1会議当たり」「1協議会あたり」


def _unit_basis(word: str) -> str:
    return normalised(word)[0]


def bracket_after(text: str, end: int) -> str:
    """The words of a short bracket right after an amount (「（見込み）」 → 見込み), '' without one."""
    m = _PAREN_AFTER.match(text, end)
    return m.group(1) if m else ""


def paren_after(text: str, end: int) -> str:
    """The words of a bracket right after an amount that says what it measures (「（年間）」「（1日平均）」
    → 年間, 1日平均); '' without one, or when the bracket holds amounts of its own (「（前年度 80件）」)."""
    return qualifying(bracket_after(text, end))


def qualifying(inner: str) -> str:
    """A bracket's words when they say what an amount measures or is ('' when they hold amounts of their own)."""
    if not inner or not _DIGIT.search(inner):
        return inner
    return "" if _DIGIT.search(_DATELIKE.sub("", _PER_RUN.sub("", inner))) else inner


# ---------------------------------------------------------------- roles


def _rx(key: str) -> re.Pattern:
    return _words_rx(ROLES[key])


_NOT_DONE = _rx("not_done")
_NOT_DONE_UNLESS = _rx("not_done_unless")
_FORECAST = _rx("forecast")
_RESTATED = tuple(ROLES["restated"])
_CURRENT = _rx("current")
_CAPACITY_WORDS = tuple(ROLES["capacity"])
_COMPARISON = _rx("comparison")
_SHORTFALL_BEFORE = re.compile(rf"(?:{alternation(ROLES['shortfall'])})\s*$|目標(?:値)?まで\s*(?:あと)?\s*$")
_SHORTFALL_AFTER = re.compile(rf"\s*(?:{alternation(ROLES['shortfall_after'])})")
_EXCESS_AFTER = re.compile(rf"\s*(?:{alternation(ROLES['excess'])})")
_RESTATED_AFTER = re.compile(rf"\s*(?:の|を)\s*(?:{alternation(ROLES['restated'])})(?!どおり|通り)")
# 「目標15件に対し12件」「募集 20人に対し、採用内定 17人」 (not 「7名に対し実施」)
_COMPARED_TO = re.compile(rf"\s*(?:{alternation(ROLES['compared_to'])})\s*(?:[、,]|約?\s*\d)")
_COMPARISON_LABELS = frozenset(ROLES["comparison_labels"])
_APPLIED_WORDS = tuple(ROLES["applied"])


def role(label: str, before: str, after: str, bracket: str = "", ahead: str = "") -> str:
    """What an amount is, from its label (the words just before it), the clause before it, the words
    after it up to the end of its clause, a short bracket right after it, and the characters ahead of it."""
    if not _ANY_ROLE_WORD.search(f"{label}|{before}|{after}|{bracket}"):  # most amounts: a plain result
        return RESTATED if _COMPARED_TO.match(ahead) else RESULT
    if _SHORTFALL_BEFORE.search(before) or _SHORTFALL_AFTER.match(after):  # 「目標まであと3件」
        return SHORTFALL
    if "目標" in before and _EXCESS_AFTER.match(after):  # 「目標を5件上回る」
        return EXCESS
    if label.endswith(_RESTATED) or _RESTATED_AFTER.match(after) or _COMPARED_TO.match(ahead):  # 「15回の目標に対し」
        return RESTATED
    if _CURRENT.search(label):  # 「現状30件→目標40件」
        return CURRENT
    if label.endswith(_CAPACITY_WORDS):  # 「定員30人」 (not 「定数充足率」)
        return CAPACITY
    if _COMPARISON_NEAR.search(before) or label in _COMPARISON_LABELS:  # 「全国平均 40％」「（県 10.2）」
        return COMPARISON
    if label.endswith(_APPLIED_WORDS):  # 「参加申込 420人」
        return APPLIED
    if _FORECAST.search(before) or _FORECAST.search(after) or _FORECAST.search(bracket):  # 「55件（見込み）」
        return FORECAST
    if _not_done(label, after):  # 「1回は中止」「中止1回」
        return NOT_DONE
    return RESULT


_NOT_DONE_BEFORE = re.compile(rf"(?:{alternation(ROLES['not_done'])})\s*$")
# 「（全国 52.5％」「全国平均 40％」: another body's figure, said just before the amount (not 「全国学力調査の…」)
_COMPARISON_NEAR = re.compile(rf"(?:{alternation(ROLES['comparison'])})[^\d、。,]{{0,3}}$")
_ROLE_WORDS = [w for key in ("not_done", "forecast", "restated", "current", "capacity", "comparison",
                             "comparison_labels", "shortfall", "excess", "applied") for w in ROLES[key]]
_ANY_ROLE_WORD = _words_rx([*_ROLE_WORDS, *ROLES["shortfall_after"]])


def _not_done(label: str, after: str) -> bool:
    m = _NOT_DONE.search(after)
    if m and not _NOT_DONE_UNLESS.search(after):
        return True
    return _NOT_DONE_BEFORE.search(label) is not None


# ---------------------------------------------------------------- agreement

_STAT_JA = {"": "（記載なし）"}
_ACC_JA = {"累計": "累計", "新規": "今年度の新規", "前年": "前年度", "": "今年度"}
_COUNT_JA = {"延べ": "延べ", "実": "実人数・実数"}


def basis_said(b: str) -> str:
    """「1日当たり」「年間」「人口10万人当たり」 for a basis."""
    if b.startswith("人口"):
        n = int(b[2:])
        return f"人口{n // 10000}万人当たり" if n % 10000 == 0 else f"人口{n:,}人当たり"
    return "・".join(BASIS_SAID.get(p, f"1{p}当たり") for p in b.split("・"))


def measure_said(q: Qualifiers) -> str:
    """「1日平均」「年間」「人口10万人当たり」: the basis of an amount as a reader says it."""
    said = basis_said(q.basis)
    return said.replace("当たり", "平均") if q.statistic == "平均" and q.basis in BASIS_SAID else said


def _span_said(span: str) -> str:
    start, _, end = span.partition("→")
    return f"{start}から{end}まで" if start else f"{end}まで"


def _same(key: str, t: str, a: str) -> bool:
    """Whether two qualifiers say the same: a condition or a stage written shorter on one side
    (「督促後3か月以内」 and 「3か月以内」, 「旅券の申請から交付まで」 and 「申請から交付まで」) is the same."""
    if key == "condition":
        return t == a or t in a or a in t
    if key == "span":
        (ts, _, te), (as_, _, ae) = t.partition("→"), a.partition("→")
        ends = te == ae or te.endswith(ae) or ae.endswith(te)
        starts = not ts or not as_ or ts == as_ or ts.endswith(as_) or as_.endswith(ts)
        return ends and starts
    return t == a


def disagreement(target: Qualifiers, amount: Qualifiers, cumulative: bool) -> str:
    """'' when an amount measures what the target measures, else what differs, in Japanese
    (「目標は1日当たり、報告は年間の値」). A qualifier said on one side only is agreement, except the
    year an amount counts: a target of this year is not answered by a 累計 or last year's amount."""
    if amount == NONE:  # most amounts say nothing of what they measure: nothing can differ
        return ""
    for key, said in (("statistic", lambda v: v), ("basis", basis_said), ("count", _COUNT_JA.get),
                      ("condition", lambda v: v), ("span", _span_said)):
        t, a = getattr(target, key), getattr(amount, key)
        if t and a and not _same(key, t, a):
            if key == "basis":
                return f"目標は{measure_said(target)}、報告は{measure_said(amount)}の値"
            return f"目標は{said(t)}、報告は{said(a)}の値"
    return _accumulation_differs(target.accumulation, amount.accumulation, cumulative)


def _accumulation_differs(target: str, amount: str, cumulative: bool) -> str:
    if cumulative:
        ok = amount in ("累計", "")
    elif target == "前年":
        ok = True
    else:
        ok = amount in ("", "新規") or (target == amount)
    return "" if ok else f"目標は{_ACC_JA['累計' if cumulative else target]}、報告は{_ACC_JA[amount]}の値"

