"""Which amount of a report is the result for a target component: positive matching.

An amount is taken as the result only when
1. its unit measures what the target's does (the same unit, or one of its dimension: 分 for 時間, m for km),
2. it is a result (not a restated target, a plan, a forecast, a capacity, another body's figure …),
3. its qualifiers agree with the target's (1日平均 is not 年間, 平均 is not 最長, 延べ is not 実人数), and
4. the text settles which one it is: a total (計), a label the target names, parts that add up, one amount.
Where the text does not settle it, there is no result: the pick says what was seen and why.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from .amounts import Quantity, Scan
from .lexicon import ROLES, SHARE, WORDS, alternation
from .measure import Target
from .qualifiers import APPLIED, NOT_DONE, RANGE, RESULT, ROLE_JA, basis_said, disagreement, measure_said
from .tokens import normalise
from .units import comparable, convert

# a per-X target answered by an amount that does not say per what: taken only within this factor
_PLAUSIBLE = Decimal(10)


class Pick(NamedTuple):
    """The result for one target component, or why there is none."""

    actual: Quantity | None  # in the target's unit
    candidates: list[Quantity]  # amounts that combine more than one way (no result)
    differs: str = ""  # what the amounts in the target's unit measure instead ('' when nothing differs)
    not_results: tuple[str, ...] = ()  # the roles of the amounts in the target's unit that are no results
    seen: int = 0  # how many amounts the report has in the target's unit
    results: int = 0  # how many of them are results (not plans, forecasts …)
    why: str = ""  # why the one result there is gives no rate (「報告の実績が負の値（▲35人）」)


def _in_unit(q: Quantity, unit: str) -> Quantity | None:
    """An amount in the target's unit (converted within its dimension), or None when it measures another kind."""
    if q.unit == unit or (q.place.per_unit and q.place.per_unit == unit and not q.place.in_parens):
        return q if q.unit == unit else q._replace(unit=unit)  # 「4地区×3回」 counts 12 回 too
    if not unit or not q.unit or not comparable(q.unit, unit):
        return None
    exact = convert(q.exact, q.unit, unit)
    return q._replace(value=float(exact), exact=exact, unit=unit, upper=None)


def _comparable(comp: Quantity, res: Scan) -> list[Quantity]:
    """The report's amounts that measure in the unit of a target component."""
    if comp.label == "達成率":  # the target is itself a 達成率 (「環境基準の達成率 100％」)
        return list(res.rate_quantities)
    same = [c for c in (_in_unit(q, comp.unit) for q in res.quantities) if c is not None]
    if same or comp.unit:
        return same
    if comp.exact == 0:  # 「苦情ゼロを維持」: counted in whatever single unit the report uses
        counted = [q for q in res.quantities if q.unit and q.unit != "％"]
        return counted if len({q.unit for q in counted}) == 1 else []
    return list(res.decimals)  # a level without a unit (満足度4.0): "3.8" is that, not March 8


def _plausible(comp: Quantity, q: Quantity) -> bool:
    """A per-X target (1日当たり, 人口10万人当たり, 月) answered by an amount that does not say per what:
    taken only when it is of the target's size (a yearly total is not a daily figure)."""
    basis = comp.measures.basis
    if not basis or basis == "年" or comp.exact == 0 or q.measures.basis not in ("", basis):
        return True
    return comp.exact / _PLAUSIBLE <= q.exact <= comp.exact * _PLAUSIBLE


def _agreeing(comp: Quantity, results: list[Quantity], target: Target) -> tuple[list[Quantity], str]:
    """The results whose qualifiers agree with the target's, and what differs when none does."""
    agree, differs = [], ""
    for q in results:
        why = disagreement(comp.measures, q.measures, target.cumulative)
        if not why and not _plausible(comp, q):
            why = f"目標は{measure_said(comp.measures)}の値ですが、報告の {q.source or q.text} は何当たりか書かれておらず、目標と桁が違います"
        if not why and comp.place.each and (q.place.total or (q.place.group and not q.place.each)):
            why = f"目標は1つ当たり（各）の値、報告は合計（{q.source or q.text}）"
        if not why:
            why = _per_what(comp, q)
        if not why and comp.measures.accumulation == "新規" and q.place.as_of and not q.measures.accumulation:
            why = f"目標は新規の値、報告は時点の総数（{q.source or q.text}）"
        if why:
            differs = differs or why
        else:
            agree.append(q)
    if target.cumulative:  # 「累計640人（今年度新規70人）」 for 「600人（累計）」
        agree = [q for q in agree if q.measures.accumulation == "累計"] or agree
    for key in ("basis", "accumulation", "count", "statistic"):  # 「毎月1回開催（計12回）」 for 「月1回以上」,
        said = getattr(comp.measures, key)  # 「新たに4か所…計23か所」 for 「新規開設 5か所」: the target's own kind
        if said:
            agree = [q for q in agree if getattr(q.measures, key) == said] or agree
    return agree, differs


def _about_the_target(comp: Quantity, agree: list[Quantity], same: list[Quantity]) -> list[Quantity]:
    """When the report quotes the target's thing with one of its amounts (「団員は前年度（1,480人）」), the
    amounts named as something else (「指導者は 312人」) do not answer it."""
    named = _NAME_AT_END.search(comp.label)  # 「利用した一般就労」 → 「一般就労」
    label = named.group(0) if named else ""
    if len(label) < 2 or not any(label in q.source for q in same):
        return agree
    return [q for q in agree if not _a_name(q.label) or label in q.source or _share_a_word(q.label, label)]


def _a_name(label: str) -> bool:
    """A label that names a thing (「指導者」「ポイント達成者」), not a phrase with a verb (「予定していた」)."""
    return bool(label) and not _HIRAGANA.search(label)


_DONE = re.compile(alternation(WORDS["done"]))


def _said_done(q: Quantity) -> bool:
    """Whether the words of an amount say it was done (「15施設が完了」「3回開催」)."""
    return _DONE.search(q.after) is not None or _DONE.search(q.label) is not None


def _names_alike(a: str, b: str) -> bool:
    """Whether the names that end two labels share a word (「誘致」 and 「企業誘致」; not 「よる賠償」 and 「よる事故」)."""
    na, nb = _NAME_AT_END.search(a), _NAME_AT_END.search(b)
    return bool(na and nb) and _share_a_word(na.group(0), nb.group(0))


def _share_a_word(a: str, b: str) -> bool:
    """Whether two labels share two characters in a row (「新規就農」 and 「就農」; not 「団員」 and 「指導者」)."""
    return any(a[i:i + 2] in b for i in range(len(a) - 1))


_PERIODS_OF_A_YEAR = ("日", "週", "月")


def _per_what(comp: Quantity, q: Quantity) -> str:
    """A target for the whole year answered by a per-month or per-day amount (「月700件前後」 for 「8,000件」),
    or a per-X target (1回当たり, 1協議会当たり) answered by a total: '' when they agree."""
    target, said = comp.measures.basis, q.measures.basis
    if not target and said and said != "年" and comp.unit != "％" and comp.exact:
        whole = "年間（期間全体）" if said in _PERIODS_OF_A_YEAR else "全体"
        return f"目標は{whole}の値、報告は{basis_said(said)}の値"
    if target and target != "年" and q.place.total and not said:
        return f"目標は{measure_said(comp.measures)}の値、報告は合計（{q.source or q.text}）"
    return ""


def _labels_match(a: str, b: str) -> bool:
    return bool(a and b) and (a in b or b in a)


def _sum(parts: list[Quantity], comp: Quantity) -> Quantity:
    total = sum((q.exact for q in parts), Decimal(0))
    return Quantity(value=float(total), unit=comp.unit, exact=total, label=comp.label,
                    text="＋".join(q.text for q in parts), source="＋".join(q.source or q.text for q in parts))


def _settled(comp: Quantity, same: list[Quantity], target: Target, several: bool,
             overlap: bool = False) -> tuple[Quantity | None, list[Quantity]]:
    """The one amount among agreeing results that answers the component, or the candidates when unsettled."""
    if several:
        labelled = [q for q in same if _labels_match(comp.label, q.label)]
        if labelled:
            return labelled[0], []
    labels = [q.label for q in same if q.label]
    if len(same) > 1 and all(q.label or q.place.total for q in same) and not _lists(normalise(target.text), labels):
        exact = [q for q in same if q.label == comp.label]  # 「現年課税分 99.28％、…合計 97.85％」 for 「（現年課税分）」
        if len(exact) == 1:
            return exact[0], []
    totals = [q for q in same if q.place.total and not q.place.in_parens] or [q for q in same if q.place.total]
    if totals:
        return (totals[-1], []) if len({q.exact for q in totals}) == 1 else (None, totals)
    whole = [q for q in same if not q.place.part]
    named = [q for q in same if q.place.part and q.label and q.label in comp.label and
             not any(q.label in w.label for w in whole)]
    if len(named) == 1:  # 「相談320件、うち新規140件」 for 「新規相談150件」: the part the target names
        return named[0], []
    outside = [q for q in whole if not q.place.in_parens] or whole
    if not outside:  # only parts of an amount the text does not state
        return None, []
    if any(q.place.each for q in outside) and not comp.place.each:  # 「5月・11月 各1回」: per member of a list
        return None, outside
    if len(outside) == 1:
        return outside[0], []
    return _combine(comp, outside, target, overlap)


# parts of the year that add up only when all are there: halves, quarters, school terms, monthly tallies
_WHOLE_YEAR = {"H": 2, "Q": 4, "T": 3, "m": 12}


def _months(when: str) -> list[int]:
    """The months of a tally: 「m4」 → [4], 「m10-12」 → [10, 11, 12], 「m1-3」 → [1, 2, 3]."""
    first, _, last = when[1:].partition("-")
    a, b = int(first), int(last or first)
    return [(m - 1) % 12 + 1 for m in range(a, b + 1 if b >= a else b + 13)]


def _add_up(whens: list[str]) -> bool:
    """Amounts of distinct times add up: events on dates or in months (「4月に1か所、10月に2か所」), and
    halves, quarters, terms or monthly tallies that cover the whole year (not 第1〜第3四半期 alone)."""
    if not all(whens) or len(set(whens)) != len(whens):
        return False
    kinds = {w[0] for w in whens}
    if not kinds & set(_WHOLE_YEAR):
        return True
    if kinds == {"m"}:
        months = [m for w in whens for m in _months(w)]
        return len(months) == len(set(months)) == 12
    return len(kinds) == 1 and len(whens) == _WHOLE_YEAR[kinds.pop()]


_LIST_MARKS = re.compile(alternation(WORDS["list_marks"]))


def _lists(text: str, labels: list[str]) -> bool:
    """Whether a target lists these labels as parts (「生活保護受給者、生活困窮者の15名」), not as one name
    (「協働事業提案の採択」)."""
    places = sorted((text.find(w), w) for w in labels)
    if len(places) < 2 or any(at < 0 for at, _w in places):
        return False
    return all(_LIST_MARKS.search(text, a + len(w), b) for (a, w), (b, _w2) in zip(places, places[1:], strict=False))


def _combine(comp: Quantity, parts: list[Quantity], target: Target, overlap: bool = False) -> tuple[Quantity | None, list[Quantity]]:
    """Several amounts in the target's unit: their sum when the text says they are parts, else none."""
    labels = [q.label for q in parts]
    if overlap:  # 「（両方の受講者 9人を含む）」: the parts overlap, their sum counts some twice
        return None, parts
    if all(labels) and len(set(labels)) == len(labels) and _lists(normalise(target.text), labels):
        return _sum(parts, comp), []  # 「受給者2名、困窮者18名」 for 「受給者、困窮者の15名」
    # the amount whose label the target's contains (「交付45件」 for 「交付40件」); not 「一般相談45件」 for 「相談」
    labelled = [q for q in parts if q.label and q.label in comp.label]
    if len(labelled) == 1 and all(labels):  # every amount named, one of them as the target is
        return labelled[0], []  # 「申請50件、交付45件」 for 「交付40件」
    if _add_up([q.place.when for q in parts]) and not any(q.place.as_of for q in parts):
        return _sum(parts, comp), []  # 「4月に1か所、10月に2か所」「上期2件、下期3件」
    groups = {q.place.group for q in parts}
    if len(groups) == 1 and "" not in groups:  # 「4校で各3回、1校で2回」: done in groups of one kind
        return _in_all_groups(comp, parts)
    return None, parts


def _in_all_groups(comp: Quantity, parts: list[Quantity]) -> tuple[Quantity | None, list[Quantity]]:
    """The sum of amounts done in groups. For a target per group (「全12分団で各6回」) 「10分団が 6回」 is 6 in each
    of 10; otherwise, where several groups did an amount without 「各」, whether it is each's or all's is not said."""
    per_group = comp.place.group == parts[0].place.group
    if not per_group and any(q.place.group_size not in (None, 1) for q in parts):
        return None, parts
    total = [q._replace(exact=q.exact * q.place.group_size) if per_group and q.place.group_size else q for q in parts]
    return _sum(total, comp), []


_BASE_LABELS = tuple(SHARE["base_labels"])
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
_NAME_AT_END = re.compile(r"[\u4e00-\u9fff\u30a1-\u30faー・]+$")
_WITHIN = re.compile(rf"([\u3040-\u30ff\u4e00-\u9fffー]+)(?:{'|'.join(SHARE['within'])})")


def _with_named_base(res: Scan, target: Target) -> list[Quantity]:
    """「取得 18人（対象 40人）」, or for 「市有林に占める…」 「認証面積 2,840ha（市有林 5,200ha）」: one amount
    and one labelled as the base, in the same unit."""
    within = _WITHIN.search(normalise(target.text))
    whole = within.group(1)[-4:] if within else ""
    bases = [q for q in res.quantities if q.label.endswith(_BASE_LABELS) or (whole and _labels_match(q.label, whole))
             or q.source.startswith("全")]  # 「7か所（全23か所）」
    others = [q for q in res.quantities if q.role == RESULT and q not in bases]
    if len(bases) != 1 or len(others) != 1 or others[0].unit != bases[0].unit:
        return []
    return [others[0]._replace(place=others[0].place._replace(base=bases[0].exact))]


def _derived_share(res: Scan, target: Target) -> Quantity | None:
    """For a 率/割合 target: 「対象20件中17件」「300件／400件」「取得 18人（対象 40人）」 give 85, 75, 45 ％
    (one such amount only)."""
    based = [q for q in res.quantities if q.role == RESULT and q.place.base] or _with_named_base(res, target)
    if len(based) != 1 or any(q.unit == "％" for q in res.quantities):
        return None
    q = based[0]
    share = q.exact * 100 / q.place.base
    said = f"{q.source}（{_plain(q.place.base)}{q.unit}中）" if q.place.base else q.source
    return Quantity(float(share), "％", exact=share, text=q.text, source=said)


def _plain(d: Decimal) -> str:
    return f"{d:,.2f}".rstrip("0").rstrip(".")


def _not_result_roles(same: list[Quantity]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(q.role for q in same if q.role != RESULT))


_APPLIED_WORDS = re.compile("|".join(ROLES["applied"]))


def _counts_applications(target: Target) -> bool:
    """Whether the target itself counts applications (「参加申込 500人」): then they are results."""
    return _APPLIED_WORDS.search(target.text) is not None


def _all_cancelled(comp: Quantity, same: list[Quantity]) -> Quantity | None:
    """「全6回中止」 for 「6回」: every amount was not done and the text says it was all of them: none was done."""
    cancelled = [q for q in same if q.role == NOT_DONE]
    if not cancelled or len(cancelled) != len(same) or comp.exact <= 0:
        return None
    if not any("全" in q.source for q in cancelled):  # 「全6回中止」: the text says all (not 「1回は中止」)
        return None
    return Quantity(0.0, comp.unit, exact=Decimal(0), label=comp.label, text="0", source=cancelled[0].source)


def _said_none(comp: Quantity, res: Scan) -> Quantity | None:
    """「新規入団者なし（勧誘 延べ45人）」 for 「新規入団 20人」: the text says none of what the target counts."""
    if not comp.label:
        return None
    for label in res.zero_labels:
        shorter = min(label, comp.label, key=len)
        if len(shorter) >= 2 and (label in comp.label or comp.label in label):
            return Quantity(0.0, comp.unit, exact=Decimal(0), label=comp.label, text="なし", source=f"{label}なし")
    return None


def pick(comp: Quantity, target: Target, res: Scan, several: bool) -> Pick:
    """The amount of a report that answers one target component, or why there is none."""
    none = _said_none(comp, res)
    if none is not None:
        return Pick(none, [])
    same = _comparable(comp, res)
    if not same and comp.unit == "％":
        derived = _derived_share(res, target)
        if derived is not None:
            return Pick(derived, [])
    ranges = [q for q in same if q.role == RANGE]
    if ranges:
        ranges = _agreeing(comp, ranges, target)[0]  # not 「1校当たり 80〜120人」
    results = [q for q in same if q.role == RESULT or (q.role == APPLIED and _counts_applications(target))]
    if not results:
        cancelled = _all_cancelled(comp, same)
        return Pick(cancelled, [] if cancelled else ranges, not_results=_not_result_roles(same), seen=len(same))
    agree, differs = _agreeing(comp, results, target)
    agree = _about_the_target(comp, agree, same) if agree else agree
    if agree and any(q.role == NOT_DONE for q in same):  # 「誘致 2社、1社は交渉中」: what was done must be said
        agree = [q for q in agree if _said_done(q) or q.place.group or _names_alike(q.label, comp.label)]
    if not agree:
        return Pick(None, [], differs, seen=len(same), results=len(results))
    if ranges and not any(q.place.total for q in agree):  # 「約60団体（58〜62団体）」: the amount is not known
        return Pick(None, ranges, seen=len(same), results=len(results))
    actual, candidates = _settled(comp, agree, target, several, res.overlap)
    if actual is not None and actual.exact < 0:  # 「▲35人（転出超過）」: a loss, not an amount reached
        return Pick(None, [], seen=len(same), results=len(results),
                    why=f"報告の実績が負の値（{actual.source or actual.text}）で、目標への達成率にならない")
    return Pick(actual, candidates, differs if actual is None and not candidates else "", seen=len(same),
                results=len(results))


def no_result_reason(p: Pick) -> str:
    """Why a pick found no result, in Japanese ('' when it found one or saw nothing in the target's unit)."""
    if p.differs or p.why:
        return p.differs or p.why
    if p.candidates and all(q.role == RANGE for q in p.candidates):
        return f"報告の数値が範囲（{'、'.join(q.source for q in p.candidates)}）で書かれており、1つの実績ではありません"
    if p.not_results:
        said = "・".join(ROLE_JA[r] for r in p.not_results)
        return f"目標の単位の数値は{said}で、実績ではありません"
    return ""

