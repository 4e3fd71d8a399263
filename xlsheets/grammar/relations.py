"""How an amount relates to the one before it: a base (「152か所中68か所」「12件/15件」), a range
(「約50~60件」), a new level (「30件→40件」), a product (「5校で各3回」), groups (「1校で2回」), a condition
(「30日以内の回答率」), and a base given from further back (「214件のうち…205件」)."""

from __future__ import annotations

import re

from .amounts import Quantity
from .context import CLAUSE_END
from .lexicon import DIMENSIONS, ROLES, SHARE, STATISTICS, WORDS, alternation
from .qualifiers import BOUND, CONDITION, NONE, RANGE, RESTATED, RESULT
from .units import convert

_OF = tuple(SHARE["of"])
_WORDS_ONLY = re.compile(r"[\u3040-\u30ff\u4e00-\u9fffー]*")
_NEW_LEVEL = re.compile(rf"(?:{alternation(WORDS['to_new'])})\s*(?:目標値?|計画値?|{alternation(STATISTICS)})?\s*[:：]?")
_RANGE_TAIL = re.compile(rf"\s*(?:{alternation(ROLES['range_after'])})")
# 「5校で各3回」「全8地区で年2回ずつ」「3地区×各2回」「6会場 各4回」「12地区の公民館で各2回」「2地区は1回ずつ」:
# so many per group, of so many groups
_EACH_OF = re.compile(r"[\u4e00-\u9fff]{0,2}(?:の[\u4e00-\u9fff\u30a0-\u30ffー]{1,8})?(?:で|に|の|と|は|が|、|,|×|x|X)?\s*"
                      r"(?:各)?\s*(?:年間?|毎年|月|毎月)?\s*(?:それぞれ|各)?")
_IN_GROUPS = ("で", "に", "が")  # 「1校で2回」「2分団が 5回」: done in so many groups
_CONDITION_OF = re.compile(r"の[^、。,;；\n]*")


def _said(q: Quantity) -> str:
    """An amount as the condition it states: 「30日以内」「督促後3か月以内」."""
    return q.source or q.text


def join(qs: list[Quantity], q: Quantity, between: str, tail: str) -> Quantity | None:
    """Relate an amount to the one just before it (qs[-1]); returns the amount to add (None: nothing).
    tail: the words right after the amount."""
    prev = qs[-1]
    same = not prev.unit or prev.unit == q.unit
    if between in _OF and same:  # 「152か所中68か所」「50世帯のうち45世帯」: the first is the base
        qs.pop()
        base = None if prev.role == RESTATED else prev.exact
        return q._replace(place=q.place._replace(part=False, base=base))
    if between.startswith(("/", "／")) and same and _WORDS_ONLY.fullmatch(between[1:]):
        # 「12件/15件」「8/10回」「186人／全委員 480人」: the first counts (in the unit after it), the second is its base
        qs[-1] = prev._replace(unit=prev.unit or q.unit, place=prev.place._replace(base=q.exact))
        return None
    if same and (between == "~" or (between == "から" and _RANGE_TAIL.match(tail))):
        qs.pop()  # 「約50~60件」「1,800人から2,000人程度」: one range, not two amounts
        return q._replace(value=prev.value, exact=prev.exact, upper=q.exact, role=RANGE, label=prev.label,
                          source=f"{prev.source}{between}{q.source}", measures=q.measures._replace(
                              **{k: v for k, v in prev.measures._asdict().items() if v}))
    if _NEW_LEVEL.fullmatch(between):  # 「2,219件→7,552件」「30件から40件に」「平均600秒から平均7分に短縮」
        qs.pop()
        return q
    if between in ("", "と") and prev.role == RESULT and _longer(prev.unit, q.unit):
        qs.pop()  # 「1週間と2日」「1日と3時間」「13日6時間」: one length of time, in the smaller unit
        return q._replace(value=float(convert(prev.exact, prev.unit, q.unit) + q.exact),
                          exact=convert(prev.exact, prev.unit, q.unit) + q.exact, label=prev.label,
                          source=f"{prev.source}{between}{q.source}", measures=prev.measures)
    if between == "" and prev.role not in (RESULT, BOUND) and q.role == RESULT:
        q = q._replace(role=prev.role)  # 「定員 20組40人×4回」: written on, the same kind of amount
    if prev.unit and prev.unit != q.unit:
        return _in_groups(qs, q, between)
    if q.place.in_parens and not prev.place.in_parens and between[:1] in "(（":
        # 「月平均 118件（ベトナム語 41件）」: a part measures the same; 「計 13,260件（つながった件数 5,830件）」:
        # in brackets after a total, a part of it
        if q.measures != NONE:  # 「延べ1,260人（実84人）」: another measure of the same, not a part
            return q
        return q._replace(measures=prev.measures, place=q.place._replace(part=q.place.part or prev.place.total))
    return q


def _longer(a: str, b: str) -> bool:
    """Whether unit a is a longer unit of time than b (週 than 日, 日 than 時間)."""
    return a != b and a in DIMENSIONS and b in DIMENSIONS and DIMENSIONS[a][0] == DIMENSIONS[b][0] == "時間" \
        and DIMENSIONS[a][1] > DIMENSIONS[b][1]


def _in_groups(qs: list[Quantity], q: Quantity, between: str) -> Quantity:
    """An amount after one of another unit: a product (「5校で各3回」 = 15回), an amount done in so many groups
    (「1校で2回」), or one the amount before only qualifies (「30日以内の回答率 90％」)."""
    prev = qs[-1]
    if q.place.each and _EACH_OF.fullmatch(between):
        qs.pop()
        source = prev.source + (q.source if q.source.startswith(between) else between + q.source)
        return q._replace(value=prev.value * q.value, exact=prev.exact * q.exact, source=source,
                          place=q.place._replace(each=False, group=prev.unit))
    if (prev.stated or prev.role == RANGE or q.unit == "％") and prev.role in (RESULT, BOUND, RANGE) and (
            _CONDITION_OF.fullmatch(between) or ((q.unit == "％" or q.exact == 0) and not CLAUSE_END.search(between))):
        qs[-1] = prev._replace(role=CONDITION)  # 「8分以内に到着した割合 92％」 too
        return q._replace(measures=q.measures._replace(condition=_said(prev)))
    if between in _IN_GROUPS:
        return q._replace(place=q.place._replace(group=prev.unit, group_size=prev.exact))
    return q


def with_pending_base(qs: list[Quantity], q: Quantity, pending: tuple[Quantity, int] | None,
                       t: str, start: int) -> tuple[Quantity, tuple[Quantity, int] | None]:
    """The base an earlier 「…のうち」 amount gives a later result of its unit in the same sentence (「修理 214件の
    うち24時間以内に完了 205件」); the earlier one is then no amount of its own. Returns the amount and what
    is still pending."""
    if pending is None:
        return q, None
    base, at = pending
    if "。" in t[at:start] or not any(x is base for x in qs):
        return q, None
    if q.unit != base.unit or q.role != RESULT or q.place.base is not None:
        return q, pending
    qs[:] = [x for x in qs if x is not base]
    return q._replace(place=q.place._replace(base=base.exact, part=False)), None
