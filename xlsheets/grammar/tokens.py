"""The tokeniser: any text → its amounts, dates and stated 達成率 (``scan``), never raising.

Normalisation: NFKC (full-width digits, signs, ％), thousands commas, decimals; written-out numbers
become digits first (:mod:`.numerals`); units are normalised by the lexicon (千円 → 円, 名 → 人).
Each amount (:class:`Quantity`) keeps the words it was read from (``source``), its role and its
qualifiers (:mod:`.qualifiers`), and how it sits among the other amounts (:class:`~.qualifiers.Place`).
Numbers that name rather than count (ISO 9001, PM2.5, 第3期, 2期計画) are no amounts.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .eras import ERA_FIRST_DAYS, ERA_LETTERS, ERA_PATTERN, era_year, in_era
from .lexicon import (
    BASIS,
    COMPARATOR_SIGNS,
    HALVES,
    NAMES,
    ROLES,
    SHARE,
    STATISTICS,
    UNIT_WORDS,
    WORDS,
    alternation,
)
from .numerals import KANJI_MULTIPLIERS, Spans, original, rewrite_numbers, to_decimal
from .qualifiers import (
    BOUND,
    CHANGE,
    CONDITION,
    NONE,
    RANGE,
    RESTATED,
    RESULT,
    Place,
    Qualifiers,
    paren_after,
    qualifiers,
    role,
)
from .units import normalised


class Quantity(NamedTuple):
    """An amount found in a text: its value in the unit, what it is and what it measures."""

    value: float
    unit: str
    exact: Decimal = Decimal(0)
    label: str = ""  # the words just before it (「交付」 of 「交付45件」)
    comparator: str = ">="
    stated: bool = False  # the comparator is written after it (以上, 以下, 未満, 超 …)
    text: str = ""
    source: str = ""  # the words it was read from, as written (「計22回」「二十人以上」)
    role: str = RESULT
    measures: Qualifiers = NONE
    place: Place = Place()
    upper: Decimal | None = None  # a range's upper end (「50~60件」: 50 … 60)


class DateToken(NamedTuple):
    text: str
    year: int | None  # western year when the text states one
    month: int | None
    day: int | None
    valid: bool


@dataclass
class Scan:
    """Everything ``scan`` found in one text."""

    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateToken] = field(default_factory=list)
    stated_rates: list[Decimal] = field(default_factory=list)
    leftover_digits: bool = False
    zero_words: bool = False
    # 「達成率 100％」 as amounts: the level of a target that is itself a 達成率 (「環境基準の達成率 100％」)
    rate_quantities: list[Quantity] = field(default_factory=list)
    zero_labels: list[str] = field(default_factory=list)  # 「新規入団者なし」: what the text says is none
    overlap: bool = False  # 「両方の受講者 9人を含む」: the amounts overlap, so they do not add up
    cancelled: bool = False  # 「中止」「延期」: none done, if no amount says otherwise
    # 「3.8」「9.6」 read as dates (March 8th) are amounts for a level without a unit (満足度4.0)
    decimals: list[Quantity] = field(default_factory=list)


_CIRCLED = re.compile(r"[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u3251-\u325f\u32b1-\u32bf\u24ea]")


def normalise(text: str) -> str:
    """NFKC, but circled item numbers (①, ⑴) stay labels rather than becoming digits; 〜 → ~."""
    text = _CIRCLED.sub("\ue000", text or "")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("〜", "~").replace("～", "~")


# ---------------------------------------------------------------- the token grammar

_UNIT_RX = UNIT_WORDS
# a counter we do not know: one kanji that is not a particle or a date/comparison word
_GENERIC_UNIT = r"[\u4e00-\u9fff](?<![以未超年月日第中等計約各毎度間的目前後内外上下全新旧対])"
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_ERA = ERA_PATTERN
_COUNTERS_OF_ONE = r"(?:人|名|件|世帯|校|社|か所|施設|団体)"

_TOKEN_BODY = rf"""
    (?P<stated>(?:{alternation(ROLES['stated_rate'])})\s*[:：]?\s*(?:約\s*)?(?P<stated_n>{_NUM})\s*[%％])
  | (?P<ratio>(?:{alternation(ROLES['change'])})\s*[:：]?\s*[+\-]?{_NUM}\s*[%％倍]?)
  | (?P<eradate>(?P<ed_era>{_ERA})\s*(?P<ed_y>元|\d{{1,2}})\s*[.．/年]\s*(?P<ed_m>\d{{1,2}})\s*[.．/月]\s*(?P<ed_d>\d{{1,2}})\s*日?)
  | (?P<erayear>(?P<ey_era>{_ERA})\s*(?P<ey_y>元|\d{{1,2}})\s*(?:年度|年(?:間)?)(?:\s*(?P<ey_m>\d{{1,2}})\s*月(?:\s*(?P<ey_d>\d{{1,2}})\s*日)?)?)
  | (?P<eramonth>(?P<em_era>{_ERA})\s*(?P<em_y>元|\d{{1,2}})\s*[.．/]\s*(?P<em_m>\d{{1,2}})(?![\d.．/]))
  | (?P<wdate>(?P<wd_y>(?:19|20)\d\d)\s*[年/.\-]\s*(?P<wd_m>\d{{1,2}})\s*(?:[月/.\-]\s*(?P<wd_d>\d{{1,2}})\s*日?|月))
  | (?P<year>(?:19|20)\d\d\s*年度?|\d{{1,2}}\s*年(?:度|間)|\d{{1,2}}\s*年(?![生]))
  | (?P<mdate>(?P<md_m>\d{{1,2}})\s*月\s*(?P<md_d>\d{{1,2}})\s*日)
  | (?P<slash>(?P<sl_m>\d{{1,2}})\s*/\s*(?P<sl_d>\d{{1,2}})(?![\d/])(?!\s*(?:[千万億]?(?:{_UNIT_RX}))))
  | (?P<month>\d{{1,2}}\s*月(?!額|平均|当たり|間))
  | (?P<ordinal>第\s*\d+|No\.?\s*\d+|[(（]\s*\d{{1,2}}\s*[)）]|\uE000|(?:小学?|中学?|高校?)\s*\d{{1,2}}\s*(?:年生?)?(?![\d,.]*\s*(?:{_UNIT_RX})))
  | (?P<dotdate>(?<![\d.])(?P<dd_m>1[0-2]|0?[1-9])\.(?P<dd_d>[1-9]\d?)(?![\d.])(?!\s*(?:[千万億]?(?:{_UNIT_RX})|以上|以下|未満|超|以内)))
  | (?P<timeofday>\d{{1,2}}\s*時\s*\d{{1,2}}\s*分(?!間))
  | (?P<clock>(?P<ck_h>\d+)\s*時間\s*(?P<ck_m>\d+)\s*分(?:\s*(?P<ck_s>\d+)\s*秒)?|(?P<ck_m2>\d+)\s*分\s*(?P<ck_s2>\d+)\s*秒)
  | (?P<fraction>(?P<fr_d>\d+)\s*分\s*の\s*(?P<fr_n>\d+)(?!\s*(?:{_UNIT_RX})))
  | (?P<onein>(?P<oi_n>\d+)\s*{_COUNTERS_OF_ONE}\s*に\s*(?P<oi_m>\d+)\s*{_COUNTERS_OF_ONE})
  | (?P<half>{alternation(SHARE['majority'] + SHARE['half'])})
  | (?P<qty>(?P<approx>約\s*)?(?P<n>{_NUM})
        (?:(?P<kmult>[千万億])(?=\s*(?:{_UNIT_RX}|~)))?
        (?:\s*(?P<unit1>{_UNIT_RX}))?
        (?:\s*[×xX✕＊*]\s*(?P<n2>{_NUM})\s*(?P<unit2>{_UNIT_RX}|{_GENERIC_UNIT})?)?
        (?(unit1)|(?:\s*(?P<gunit>{_GENERIC_UNIT}))?))
    """


def _first_characters() -> str:
    """Every alternative above starts with a digit or one of these: checking it first lets the engine
    skip most positions of a long text at once (3× faster; a test keeps the two in step)."""
    words = ROLES["stated_rate"] + ROLES["change"] + SHARE["majority"] + SHARE["half"] + list(ERA_FIRST_DAYS)
    return "".join(sorted({w[0] for w in words} | set(ERA_LETTERS) | set("第N(（\uE000小中高約")))


_TOKEN_FIRST = rf"(?=[\d{re.escape(_first_characters())}])"
_TOKEN = re.compile(f"{_TOKEN_FIRST}(?:{_TOKEN_BODY})", re.VERBOSE)

_NONE_WORDS = re.compile(alternation(WORDS["zero"]))
_ZERO_WORDS = re.compile(rf"{alternation(WORDS['zero'] + WORDS['zero_not_done'])}|(?<![\d.,])0件")
_ZERO_ANY = alternation(WORDS["zero"] + WORDS["zero_not_done"] + WORDS["zero_alone"])
_CANCELLED = re.compile(alternation(WORDS["zero_alone"]))
_ZERO_PARTIAL = re.compile(rf"(?:{alternation(WORDS['zero_partial_before'])})[^、。]{{0,8}}(?:{_ZERO_ANY})"
                           rf"|(?:{_ZERO_ANY})の[^、。]{{0,8}}(?:{alternation(WORDS['zero_partial_after'])})")
_TOTAL_WORDS = tuple(w for w in ROLES["total"])
_TOTALS_LONGEST = tuple(sorted(_TOTAL_WORDS, key=len, reverse=True))
_LABEL_CHARS_REV = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff・ー々Ａ-Ｚａ-ｚA-Za-z]+")  # matched on the reversed text
_PARTICLES = "のをはがでにと各約全計"
_LABEL_TAIL = re.compile(r"^.*[のをはがでにと]")
_LABEL_UNIT_HEAD = re.compile(rf"^(?:{_UNIT_RX})[・、]")


def _valid_date(y: int | None, m: int, d: int) -> bool:
    if not 1 <= m <= 12 or d < 1:
        return False
    year = y if y is not None else 2000  # a leap year: 2/29 is possible without a year
    return d <= calendar.monthrange(year, m)[1]


def _era_date(text: str, era: str, y_text: str, mo: int | None, d: int | None) -> DateToken:
    """A date written with an era year (a year, a month or a day): valid when it exists in that era."""
    y, ok = era_year(era, y_text)
    valid = (ok and (mo is None or 1 <= mo <= 12) and (d is None or _valid_date(y, mo or 1, d))
             and (mo is None or in_era(era, y, mo, d)))
    return DateToken(text, y, mo, d, valid)



# ---------------------------------------------------------------- one amount and its clause

_COMPARATOR = re.compile(rf"[ \u3000]*[)）]?[ \u3000]*({alternation(COMPARATOR_SIGNS)}|以\s*$)")


def _comparator_after(text: str, pos: int) -> tuple[str | None, int]:
    """The comparator written after an amount (None without one), and where it ends."""
    m = _COMPARATOR.match(text, pos, pos + 12)
    if not m:
        return None, pos
    # cut off mid-word ("年2回以"): read as 以上; the validator reports the truncation
    return COMPARATOR_SIGNS.get(m.group(1), ">="), m.end()


def _label_before(text: str, start: int) -> tuple[str, bool, int]:
    """The words just before a number (its label), whether they mark a total, and where they start."""
    before = text[max(0, start - 16): start].rstrip(" \u3000:：")
    m = _LABEL_CHARS_REV.match(before[::-1])  # the run of word characters that ends the text
    if not m:
        return "", False, start
    word = m.group(0)[::-1]
    word_start = max(0, start - 16) + len(before) - len(word)
    total = word.endswith(_TOTAL_WORDS) and not word.endswith("累計")
    stripped = word
    for w in _TOTALS_LONGEST:
        if stripped.endswith(w):
            stripped = stripped[: -len(w)]
            break
    stripped = stripped.rstrip(_PARTICLES)
    stripped = _LABEL_TAIL.sub("", stripped) or stripped
    stripped = stripped.lstrip("年毎").rstrip("年毎各")
    if "・" in stripped or "、" in stripped:
        stripped = _LABEL_UNIT_HEAD.sub("", stripped)
    return stripped, total, word_start


def _in_parens(text: str, pos: int) -> bool:
    """Whether pos lies inside (…), （…）, 「…」 or 【…】 (an unclosed opener counts)."""
    depth = 0
    for ch in text[:pos]:
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
    return depth > 0


_CLAUSE_END = re.compile(r"[、。,;；\n()（）]")
_CLAUSE_TAIL = re.compile(r"[^、。,;；\n]*$")
_LEADING_UNIT = re.compile(rf"(?:{_UNIT_RX})?[・、,\s]*")


def _clause_after(text: str, end: int) -> str:
    """The words after an amount up to the end of its clause (「は中止」「開催予定」)."""
    m = _CLAUSE_END.search(text, end, end + 16)
    return text[end: m.start() if m else end + 16]


def _clause_before(text: str, start: int, floor: int) -> str:
    """The words before an amount back to the start of its clause, not past the amount before it."""
    return _CLAUSE_TAIL.search(text, max(floor, start - 24), start).group(0)


_SCALE = re.compile(rf"\d+(?:\.\d+)?\s*(?:{alternation(ROLES['scale'])})")
_SAMPLE = re.compile(rf"(?:[Nn]\s*=|{alternation(ROLES['sample'])})\s*[:：=]?\s*(?:約\s*)?$")


def _is_scale(text: str, start: int, in_parens: bool) -> bool:
    """（10点満点）（5段階評価） and, in brackets, sample sizes （N=300）（回答数250人）: not levels."""
    if _SCALE.match(text, start):
        return True
    return in_parens and _SAMPLE.search(text, max(0, start - 8), start) is not None


# after a number: it is a per-unit (「1日平均」「1人当たり」「1件につき」), not an amount
_PER_NUMBER = re.compile(rf"(?:\s*\d+\s*[日人月年件回週])?\s*(?:{alternation(BASIS['per'])})")
_POPULATION_WORDS = tuple(BASIS["population"])
_POPULATION_BEFORE = re.compile(rf"(?:{alternation(BASIS['population'])})\s*$")
_POPULATION_AFTER = re.compile(rf"\s*[千万]?\s*人?\s*(?:{alternation(BASIS['population_per'])})")
_NAME_SUFFIX = tuple(NAMES["suffixes"])
_PLAN_BEFORE = re.compile(rf"(?:{alternation(NAMES['plan_words'])})\s*$")
_PLAN_AFTER = re.compile(rf"[\u3040-\u30ff\u4e00-\u9fffー]{{0,6}}?(?:{alternation(NAMES['plan_words'])})")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_WORD_BEFORE = re.compile(r"[A-Za-z]{2,}[ \-]?$")


_PER_THE_NEXT = re.compile(r"\s*\d")  # 「1日30分以上」: per day, 30 minutes
# 「1会議当たり」「1協議会あたり」: one of something, as the basis of the next amount
_PER_ONE_OF = re.compile(rf"[\u4e00-\u9fff\u30a0-\u30ffー]{{0,6}}?\s*(?:{alternation(BASIS['per'])})")
_NAME_PREFIX = re.compile(rf"(?:{alternation(NAMES['prefixes'])})\s*$")
_KATAKANA_BEFORE = re.compile(r"[\u30a0-\u30ffー]$")
_RATIO_NAME = re.compile(r"\s*対\s*\d")
_RATIO_NAME_BEFORE = re.compile(r"\d\s*対\s*$")


def _names_or_per(t: str, m: re.Match) -> bool:
    """Numbers that name or qualify rather than count: 「1日平均30件」「1人当たり」「人口10万対」「1日30分」
    (a per-unit), 「CO2」「A4」「PM2.5」「ISO 9001」「4K」 (glued to Latin letters), 「2期計画」「第5次」「3号」
    「119番」, and numbers inside a name (「いきいきプラン21」「ゼロカーボンシティ2050推進」)."""
    g, start, n_end = m.group, m.start(), m.end("n")
    if _PER_NUMBER.match(t, m.end()) and not g("approx"):
        return True
    if g("n") == "1" and _PER_ONE_OF.match(t, n_end):
        return True
    unit = g("unit1")
    if g("n") == "1" and unit and _PER_THE_NEXT.match(t, m.end()):  # 「1日30分」「1回20~30人」
        return True
    near = t[max(0, start - 4): start]
    if any(w in near for w in _POPULATION_WORDS) and _POPULATION_AFTER.match(t, n_end) and _POPULATION_BEFORE.search(near):
        return True
    if t.startswith(_NAME_SUFFIX, n_end) or (g("gunit") and t.startswith(_NAME_SUFFIX, m.start("gunit"))):
        return True
    if _NAME_PREFIX.search(t, max(0, start - 6), start):  # 「震度6弱」
        return True
    if t.startswith("目", m.end()):  # 「2回目」「1日目」: an ordinal
        return True
    if _RATIO_NAME.match(t, m.end()) or _RATIO_NAME_BEFORE.search(t, max(0, start - 4), start):
        return True  # 「7対1看護」: a ratio that names a standard
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


def _unit_in_label(label: str) -> str:
    """A bare number after its counter (「情報更新自治会　60」): the counter ending the label, else ''."""
    m = _UNIT_ENDING.search(label) if label else None
    return normalised(m.group(0))[0] if m and len(m.group(0)) > 1 else ""


_UNIT_ENDING = re.compile(rf"(?:{_UNIT_RX})$")
_WHEN = re.compile(rf"(?:第\s*)?(?P<q>\d)\s*(?:{alternation(WORDS['quarter'])})|(?P<h>{alternation(HALVES)})"
                   rf"|(?P<t>\d)\s*(?:{alternation(WORDS['term'])})|(?P<s>{alternation(WORDS['seasons'])})"
                   rf"|(?P<d>\d{{1,2}})\s*(?:{alternation(WORDS['day_n'])})"
                   r"|(?P<ma>\d{1,2})\s*~\s*(?P<mb>\d{1,2})\s*月(?:分)?[\s:：]*$"
                   r"|(?P<m>\d{1,2})\s*月(?:分)?(?P<tally>[\s:：]*$)?"
                   r"|\d{1,2}\s*/\s*\d{1,2}|年度[当初末]")
_AS_OF = re.compile(rf"{alternation(ROLES['as_of'])}|\d\s*月\s*末")
_AS_OF_WORDS = (*ROLES["as_of"], "末")
_MAY_NAME_A_TIME = re.compile(rf"[\d年]|{alternation(HALVES)}|{alternation(WORDS['seasons'])}")
_PART_WORD = rf"(?:(?<![\u4e00-\u9fff])(?:{alternation(ROLES['part'])})(?![\u4e00-\u9fff])|うち|内訳)"
_PART = re.compile(rf"{_PART_WORD}\s*[\u3040-\u30ff\u4e00-\u9fff・ー]*\s*$")
_PART_HEAD = re.compile(rf"^{_PART_WORD}")


def _when(clause: str, after: str) -> str:
    """The time of year a clause names: Q1…Q4 (四半期), H1/H2 (上期/下期), T1…T3 (学期), M4 (「4月に」: an
    event in April), m4 (「4月 22件」: April's tally), or the words as written."""
    for text in (clause, after + "。"):
        m = _WHEN.search(text)
        if m:
            if m.group("q"):
                return f"Q{m.group('q')}"
            if m.group("h"):
                return f"H{HALVES[m.group('h')]}"
            if m.group("t"):
                return f"T{m.group('t')}"
            if m.group("s"):  # 「春季 28万尾」: an event in that season
                return f"S{m.group('s')[0]}"
            if m.group("d"):  # 「1日目 1,350人」: an event on that day
                return f"D{m.group('d')}"
            if m.group("ma"):  # 「4~6月 90件」: the tally of those months
                return f"m{int(m.group('ma'))}-{int(m.group('mb'))}"
            if m.group("m"):
                return f"{'m' if m.group('tally') is not None else 'M'}{int(m.group('m'))}"
            return m.group(0)
    return ""


def _source_start(t: str, word_start: int) -> str | int:
    """Where the words an amount is quoted with begin: a whole date before it (「4月に」「3/31現在の」),
    or after the amount before it (「3か所・通所」「30件から」)."""
    if not (word_start and t[word_start - 1].isdigit()):
        return word_start
    if t[word_start] in ("月", "日", "年"):
        while word_start and (t[word_start - 1].isdigit() or t[word_start - 1] in ",./"):
            word_start -= 1
        return word_start
    return word_start + len(_LEADING_UNIT.match(t, word_start).group(0))


class _Span(NamedTuple):
    """Where an amount was found: its text span, and what the tokeniser read in it."""

    start: int
    end: int  # after its unit
    exact: Decimal
    unit: str
    approx: bool = False
    per_unit: str = ""
    comparator: str | None = None  # set by the token itself (過半数: more than half)


def _amount(t: str, spans: Spans, s: _Span, in_parens: bool, floor: int, prev: Quantity | None,
            prev_end: int) -> tuple[Quantity, int]:
    """One amount with what its clause says about it, and where its words end (after its comparator)."""
    label, total, word_start = _label_before(t, s.start)
    unit = s.unit or _unit_in_label(label)
    stated, comp_end = _comparator_after(t, s.end)
    stated = s.comparator or stated
    after = _clause_after(t, s.end)
    clause = _clause_before(t, s.start, max(floor, 0))
    word_start = _source_start(t, word_start)
    # 「、うち新規3件」: a part of the amount before it, unless that one is a plan or was not done
    promoted = (prev is not None and prev.role != RESULT and prev_end >= 0
                and not _CLAUSE_END.search(t, prev_end, s.start))  # 「10回予定のうち8回」
    part = ("うち" in clause or "内" in clause) and _PART.search(clause) is not None and not promoted
    if part:
        label = _PART_HEAD.sub("", label)
    bracket = paren_after(t, comp_end)
    return Quantity(
        value=float(s.exact), unit=unit, exact=s.exact, label=label, comparator=stated or ">=",
        stated=stated is not None, text=t[s.start:s.end], source=original(t, spans, word_start, comp_end).strip(),
        role=_role(s, label, clause, after, bracket, stated is not None and not s.comparator, t[s.end: s.end + 8]),
        measures=_over_the_year(qualifiers(t[word_start:s.start], clause, t[s.end: s.end + 3], bracket), s),
        place=Place(in_parens=in_parens, total=total, part=part, each=_each(t, s, label, after), approx=s.approx,
                    when=_when(clause, after) if _MAY_NAME_A_TIME.search(clause + after) else "",
                    as_of=_as_of(clause, after),
                    per_unit=s.per_unit),
    ), comp_end


def _as_of(clause: str, after: str) -> bool:
    """「9月末時点で700人」「3/31現在」「12月末 4,500件」: a running count at a date."""
    if not any(w in clause or w in after for w in _AS_OF_WORDS):
        return False
    return bool(_AS_OF.search(clause) or _AS_OF.match(after.lstrip()))


_CHANGE_AFTER = tuple(ROLES["change_after"])
_WORTH_AFTER = tuple(ROLES["worth_after"])
_BAND_AFTER = ("台", "弱", "前半", "後半")


_PERIOD_UNITS = ("か月", "週", "日", "年")


def _over_the_year(measures: Qualifiers, s: _Span) -> Qualifiers:
    """「月2回×12か月」: a product over the periods of the year is no longer per month."""
    return measures._replace(basis="") if s.per_unit in _PERIOD_UNITS and measures.basis else measures


def _role(s: _Span, label: str, clause: str, after: str, bracket: str, stated: bool, ahead: str) -> str:
    found = role(label, clause, after, bracket, ahead)
    if found != RESULT:
        return found
    if s.comparator or stated:  # 「過半数」「8千人超」「30件以上」: a bound, not an amount
        return BOUND
    if after.startswith(_BAND_AFTER) and s.unit != "台":  # 「3千人台」「300人弱」: a band, not an amount
        return RANGE
    if after.startswith(_CHANGE_AFTER) or (after.startswith(_WORTH_AFTER) and s.unit != "分"):
        return CHANGE  # 「3回減」: a change; 「6回分の会場」: what something is worth
    return RESULT


_EACH_BEFORE = re.compile(r"各[\u4e00-\u9fff\u30a0-\u30ff]{0,4}(?:で|に|とも)?\s*(?:年間?|毎年|月|毎月)?\s*$"
                          r"|(?:ごとに?|毎に)\s*(?:年間?|毎年|月|毎月)?\s*$")


def _each(t: str, s: _Span, label: str, after: str) -> bool:
    """「各2回」「各地区で年3回」「地区ごとに3回」「2回ずつ」: per member of a group (not 「各12回×15か所」:
    a product counts the whole)."""
    if s.per_unit:
        return False
    before = t[max(0, s.start - 12): s.start]
    if label.startswith("各") or after.startswith("ずつ"):
        return True
    return ("各" in before or "ごと" in before or "毎に" in before) and (
        _EACH_BEFORE.search(before) is not None or before.rstrip().endswith("各"))


def _qty_span(m: re.Match) -> _Span:
    g = m.group
    unit_text = g("unit1") or g("gunit") or ""
    unit, mult = normalised(unit_text)
    exact = to_decimal(g("n")) * mult * KANJI_MULTIPLIERS.get(g("kmult") or "", 1)
    per_unit = ""
    if g("n2"):
        exact *= to_decimal(g("n2"))
        per_unit = normalised(g("unit2") or "")[0]
    return _Span(m.start(), m.end(), exact, unit, bool(g("approx")), per_unit)


def _clock_span(m: re.Match) -> _Span:
    """「1時間30分」 → 90 分, 「6分40秒」 → 400 秒: in the smallest unit written."""
    g = m.group
    if g("ck_h"):
        minutes = int(g("ck_h")) * 60 + int(g("ck_m"))
        if g("ck_s"):
            return _Span(m.start(), m.end(), Decimal(minutes * 60 + int(g("ck_s"))), "秒")
        return _Span(m.start(), m.end(), Decimal(minutes), "分")
    return _Span(m.start(), m.end(), Decimal(int(g("ck_m2")) * 60 + int(g("ck_s2"))), "秒")


def _share_span(m: re.Match, kind: str) -> _Span:
    """「4分の1」 → 25 ％, 「5人に1人」 → 20 ％, 「半数」 → 50 ％, 「過半数」 → more than 50 ％."""
    g = m.group
    if kind == "fraction":
        value = Decimal(g("fr_n")) * 100 / Decimal(g("fr_d")) if int(g("fr_d")) else Decimal(0)
    elif kind == "onein":
        value = Decimal(g("oi_m")) * 100 / Decimal(g("oi_n")) if int(g("oi_n")) else Decimal(0)
    else:
        value = Decimal(50)
    majority = kind == "half" and m.group(0) in SHARE["majority"]
    return _Span(m.start(), m.end(), value, "％", comparator=">" if majority else None)


_OF = tuple(SHARE["of"])
_NEW_LEVEL = re.compile(rf"(?:{alternation(WORDS['to_new'])})\s*(?:目標値?|計画値?|{alternation(STATISTICS)})?\s*[:：]?")
_RANGE_TAIL = re.compile(r"\s*(?:程度|くらい|ぐらい|ほど|の間|の範囲|前後)")
# 「5校で各3回」「全8地区で年2回ずつ」「3地区×各2回」「6会場 各4回」「12地区の公民館で各2回」「2地区は1回ずつ」:
# so many per group, of so many groups
_EACH_OF = re.compile(r"[\u4e00-\u9fff]{0,2}(?:の[\u4e00-\u9fff\u30a0-\u30ffー]{1,8})?(?:で|に|の|と|は|、|,|×|x|X)?\s*"
                      r"(?:各)?\s*(?:年間?|毎年|月|毎月)?\s*(?:それぞれ|各)?")
_IN_GROUPS = ("で", "に")  # 「1校で2回」: done in so many groups
_CONDITION_OF = re.compile(r"の[^、。,;；\n]*")


def _said(q: Quantity) -> str:
    """An amount as the condition it states: 「30日以内」「督促後3か月以内」."""
    return q.source or q.text


def _join(qs: list[Quantity], q: Quantity, between: str, tail: str) -> Quantity | None:
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
    if prev.unit and prev.unit != q.unit:
        return _in_groups(qs, q, between)
    if q.place.in_parens and not prev.place.in_parens and q.measures == NONE and between[:1] in "(（":
        return q._replace(measures=prev.measures)  # 「月平均 118件（ベトナム語 41件）」: a part measures the same
    return q


def _in_groups(qs: list[Quantity], q: Quantity, between: str) -> Quantity:
    """An amount after one of another unit: a product (「5校で各3回」 = 15回), an amount done in so many groups
    (「1校で2回」), or one the amount before only qualifies (「30日以内の回答率 90％」)."""
    prev = qs[-1]
    if q.place.each and _EACH_OF.fullmatch(between):
        qs.pop()
        source = prev.source + (q.source if q.source.startswith(between) else between + q.source)
        return q._replace(value=prev.value * q.value, exact=prev.exact * q.exact, source=source,
                          place=q.place._replace(each=False, group=prev.unit))
    if (prev.stated or prev.role == RANGE) and prev.role in (RESULT, BOUND, RANGE) and (
            _CONDITION_OF.fullmatch(between) or ((q.unit == "％" or q.exact == 0) and not _CLAUSE_END.search(between))):
        qs[-1] = prev._replace(role=CONDITION)  # 「8分以内に到着した割合 92％」 too
        return q._replace(measures=q.measures._replace(condition=_said(prev)))
    if between in _IN_GROUPS:
        return q._replace(place=q.place._replace(group=prev.unit))
    return q


_DIGIT = re.compile(r"\d")
_WORDS_ONLY = re.compile(r"[\u3040-\u30ff\u4e00-\u9fffー]*")
_OF_AFTER = re.compile(rf"\s*(?:{alternation(SHARE['of'])})\s*[、,]?")
_OVERLAP = re.compile(alternation(ROLES["overlap"]))
_OPENERS = re.compile(r"[(（「【]")
_SHARE_WORD = re.compile(alternation(SHARE["majority"] + SHARE["half"]))


def _date(kind: str, m: re.Match) -> DateToken:
    """The date a date token names, checked."""
    g = m.group
    if kind in ("eradate", "erayear", "eramonth"):  # eramonth: 「R6.4～R7.3」, a month with its era year
        p = {"eradate": "ed", "erayear": "ey", "eramonth": "em"}[kind]
        mo = int(g(f"{p}_m")) if g(f"{p}_m") else None
        d = int(g(f"{p}_d")) if p != "em" and g(f"{p}_d") else None
        return _era_date(m.group(0), g(f"{p}_era"), g(f"{p}_y"), mo, d)
    if kind == "wdate":
        y, mo = int(g("wd_y")), int(g("wd_m"))
        d = int(g("wd_d")) if g("wd_d") else None
        return DateToken(m.group(0), y, mo, d, _valid_date(y, mo, d or 1))
    if kind == "month":
        mo = int(re.match(r"\d+", m.group(0)).group(0))
        return DateToken(m.group(0), None, mo, None, 1 <= mo <= 12)
    p = {"mdate": "md", "slash": "sl", "dotdate": "dd"}[kind]
    mo, d = int(g(f"{p}_m")), int(g(f"{p}_d"))
    return DateToken(m.group(0), None, mo, d, _valid_date(None, mo, d))


_DATES = ("eradate", "erayear", "eramonth", "wdate", "mdate", "slash", "dotdate", "month")


def _span_of(kind: str, m: re.Match, t: str) -> _Span | None:
    """The amount a token reads, or None when it is no amount (a name, a per-unit, a scale)."""
    if kind == "qty":
        return None if _names_or_per(t, m) or _is_scale(t, m.start("n"), False) else _qty_span(m)
    if kind == "clock":
        return _clock_span(m)
    return _share_span(m, kind)


def _zeros(t: str, out: Scan) -> None:
    """「なし」「未実施」「ゼロ」: the text says none was done (not 「一部で未実施」), and of what."""
    if _ZERO_PARTIAL.search(t):
        return
    out.cancelled = _CANCELLED.search(t) is not None
    if not _ZERO_WORDS.search(t):
        return
    out.zero_words = True
    for m in _NONE_WORDS.finditer(t):
        label = _label_before(t, m.start())[0]
        if label:
            out.zero_labels.append(label)


def _side_amount(kind: str, m: re.Match, t: str, spans: Spans, has_parens: bool) -> Quantity | None:
    """A 達成率 written in a text, or a decimal read as a date, as an amount of its own (used only where
    a target asks for one: a target that is a 達成率, a level without a unit)."""
    if kind == "stated":
        span = _Span(m.start("stated_n"), m.end(), to_decimal(m.group("stated_n")), "％")
        return _amount(t, spans, span, has_parens and _in_parens(t, m.start()), -1, None, -1)[0]._replace(label="達成率")
    if kind == "dotdate" and _DECIMAL_DATE.fullmatch(m.group(0)):
        span = _Span(m.start(), m.end(), to_decimal(m.group(0)), "")
        return _amount(t, spans, span, has_parens and _in_parens(t, m.start()), -1, None, -1)[0]
    return None


_DECIMAL_DATE = re.compile(r"\d{1,2}\.\d{1,2}")


def _with_pending_base(qs: list[Quantity], q: Quantity, pending: tuple[Quantity, int] | None,
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


@functools.lru_cache(maxsize=8192)
def scan(text: str) -> Scan:
    """Tokenise a text into amounts, dates and stated rates (never raises).

    Cached per text: the validator and the achievement columns read the same cells. Callers
    must not modify the returned Scan.
    """
    t, spans = rewrite_numbers(normalise(text))
    out = Scan()
    _zeros(t, out)
    if not _DIGIT.search(t) and not _SHARE_WORD.search(t):
        return out
    has_parens = _OPENERS.search(t) is not None
    out.overlap = _OVERLAP.search(t) is not None
    unmatched: list[str] = []  # the text between tokens: digits left there were not understood
    last_end, prev_end = 0, -1
    pending: tuple[Quantity, int] | None = None
    for m in _TOKEN.finditer(t):
        unmatched.append(t[last_end: m.start()])
        last_end = m.end()
        kind = m.lastgroup  # the alternative that matched: each is a named group closing last
        if kind == "stated":
            out.stated_rates.append(to_decimal(m.group("stated_n")))
        elif kind in _DATES:
            out.dates.append(_date(kind, m))
        if kind not in ("qty", "clock", "fraction", "onein", "half"):
            side = _side_amount(kind, m, t, spans, has_parens)
            if side is not None:
                (out.rate_quantities if kind == "stated" else out.decimals).append(side)
            prev_end = prev_end if kind == "ordinal" else -1
            continue
        span = _span_of(kind, m, t)
        in_parens = has_parens and _in_parens(t, m.start())
        if span is None or (kind == "qty" and in_parens and _is_scale(t, m.start("n"), True)):
            prev_end = -1  # a name, a per-unit, a scale or a sample size: not an amount, nothing to combine with
            continue
        prev = out.quantities[-1] if out.quantities and prev_end >= 0 else None
        q, words_end = _amount(t, spans, span, in_parens, prev_end, prev, prev_end)
        joined = _join(out.quantities, q, t[prev_end: m.start()].strip(), t[words_end: words_end + 4]) \
            if prev is not None else q
        if joined is not None:
            joined, pending = _with_pending_base(out.quantities, joined, pending, t, m.start())
            out.quantities.append(joined)
            if _OF_AFTER.match(t, words_end) and joined.place.base is None:
                pending = (joined, words_end)  # 「修理 214件のうち…」: the base of a later amount
        prev_end = words_end
    unmatched.append(t[last_end:])
    out.leftover_digits = _DIGIT.search("".join(unmatched)) is not None
    return out
