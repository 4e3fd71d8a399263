"""Numbers that name or qualify rather than count: 「1日平均」「1人当たり」「人口10万対」 (a per-unit),
「CO2」「PM2.5」「ISO 9001」 (glued to Latin letters), 「第3期」「2期計画」「119番」「震度6弱」「7対1」, scales and
sample sizes (「（10点満点）」「（N=300）」), and numbers inside a plan's name. The words are in ``lexicon.toml``."""

from __future__ import annotations

import re

from .lexicon import BASIS, NAMES, ROLES, UNIT_WORDS, alternation
from .units import normalised

_SCALE = re.compile(rf"\d+(?:\.\d+)?\s*(?:{alternation(ROLES['scale'])})")
_SAMPLE = re.compile(rf"(?:[Nn]\s*=|{alternation(ROLES['sample'])})\s*[:：=]?\s*(?:約\s*)?$")


def is_scale(text: str, start: int, in_parens: bool) -> bool:
    """（10点満点）（5段階評価） and, in brackets, sample sizes （N=300）（回答数250人）: not levels."""
    if _SCALE.match(text, start):
        return True
    return in_parens and _SAMPLE.search(text, max(0, start - 8), start) is not None


# after a number: it is a per-unit (「1日平均」「1人当たり」「1件につき」), not an amount
_PER_NUMBER = re.compile(rf"(?:\s*\d+\s*[日人月年件回週])?\s*(?:{alternation(BASIS['per'])})")
_POPULATION_AFTER = re.compile(rf"\s*[千万]?\s*人?\s*(?:{alternation(BASIS['population_per'])})")
_NAME_SUFFIX = tuple(NAMES["suffixes"])
_PLAN_BEFORE = re.compile(rf"(?:{alternation(NAMES['plan_words'])})\s*$")
_PLAN_AFTER = re.compile(rf"[\u3040-\u30ff\u4e00-\u9fffー]{{0,6}}?(?:{alternation(NAMES['plan_words'])})")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD_BEFORE = re.compile(r"[A-Za-z]{2,}[ \-]?$")


_PER_THE_NEXT = re.compile(r"\s*\d")  # 「1日30分以上」: per day, 30 minutes
# 「1会議当たり」「1協議会あたり」: one of something, as the basis of the next amount
_PER_ONE_OF = re.compile(rf"[\u4e00-\u9fff\u30a0-\u30ffー]{{0,6}}?\s*(?:{alternation(BASIS['per'])})")
_KATAKANA_BEFORE = re.compile(r"[\u30a0-\u30ffー]$")
# right after a number: a per-unit (「1日平均」「1人当たり」), an ordinal (「2回目」), a ratio (「7対1」)
_NAME_AFTER = re.compile(rf"{_PER_NUMBER.pattern}|目|\s*対\s*\d")
# right before a number: a grade (「震度」), a ratio (「7対」), a population basis (「人口」)
_NAME_BEFORE = re.compile(rf"(?:{alternation(NAMES['prefixes'])})\s*$|\d\s*対\s*$|(?:{alternation(BASIS['population'])})\s*$")
_POPULATION_ENDS = tuple(BASIS["population"])
_NAME_BEFORE_CHARS = frozenset(w[-1] for w in NAMES["prefixes"] + BASIS["population"]) | {"対"}


def is_name_or_per(t: str, m: re.Match) -> bool:
    """Numbers that name or qualify rather than count: 「1日平均30件」「1人当たり」「人口10万対」「1日30分」
    (a per-unit), 「CO2」「A4」「PM2.5」「ISO 9001」「4K」 (glued to Latin letters), 「2期計画」「第5次」「3号」
    「119番」, and numbers inside a name (「いきいきプラン21」「ゼロカーボンシティ2050推進」)."""
    g, start, end, n_end = m.group, m.start(), m.end(), m.end("n")
    one = g("n") == "1"
    unit = g("unit1")
    if _NAME_AFTER.match(t, end) and not g("approx"):  # 「1日平均」「2回目」「7対1」
        return True
    if one and (_PER_ONE_OF.match(t, n_end) or (unit and _PER_THE_NEXT.match(t, end))):  # 「1会議当たり」「1日30分」
        return True
    if (not unit and t.startswith(_NAME_SUFFIX, n_end)) or (g("gunit") and t.startswith(_NAME_SUFFIX, m.start("gunit"))):
        return True
    before = t[max(0, start - 6): start]
    if before and not _NAME_BEFORE_CHARS.isdisjoint(before) and _NAME_BEFORE.search(before):  # 「震度6弱」「人口10万対」「7対1」
        return not before.rstrip().endswith(_POPULATION_ENDS) or _POPULATION_AFTER.match(t, n_end) is not None
    latin_after = _LATIN.match(t, m.end()) is not None
    if unit and unit.isascii():
        return latin_after  # 「5ml」: a unit we do not know, not 5 m
    if unit:
        return False
    before = t[start - 1: start] if start else ""
    if (before.isascii() and before.isalpha()) or latin_after:
        return True
    if _LATIN_WORD_BEFORE.search(t, max(0, start - 6), start) and not t.startswith("~", m.end()):
        return True  # 「ISO 9001」, not 「BOD 0.6~1.8mg/L」
    if g("gunit") and _KATAKANA_BEFORE.search(before):  # a number glued into a name, then an unknown word
        return True
    return bool(_PLAN_BEFORE.search(t, max(0, start - 6), start) or _PLAN_AFTER.match(t, m.end()))


def unit_in_label(label: str) -> str:
    """A bare number after its counter (「情報更新自治会　60」): the counter ending the label, else ''."""
    m = _UNIT_ENDING.search(label) if label else None
    return normalised(m.group(0))[0] if m and len(m.group(0)) > 1 else ""


_UNIT_ENDING = re.compile(rf"(?:{UNIT_WORDS})$")
