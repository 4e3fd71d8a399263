"""The 数値目標 grammar: find measurable levels in targets and the comparable amounts in reports.

``parse_target("被保護者40人以上の受診")`` → Target(value=40.0, unit="人", comparator=">=").
``scan(text)`` tokenises any text into quantities, dates, stated rates and what was skipped;
the validator uses the same tokens to find impossible dates and stated 達成率.

Normalisation: NFKC (full-width digits, signs, ％), thousands commas, decimals;
千円/万円/億円 → 円; 名 ≡ 人; か所/ヵ所/カ所/ヶ所/ケ所/箇所 ≡ か所; % ≡ ％. Other counters
(件, 回, 事業所, 自治会 …) are kept as written.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

COMPARATORS = {">=", ">", "<=", "<"}

# Counters, longest first. Values: (normalised unit, multiplier).
_UNITS: dict[str, tuple[str, int]] = {
    "億円": ("円", 100_000_000), "万円": ("円", 10_000), "千円": ("円", 1_000), "円": ("円", 1),
    "％": ("％", 1), "%": ("％", 1), "パーセント": ("％", 1), "ポイント": ("ポイント", 1),
    "人日": ("人日", 1), "人分": ("人", 1), "人": ("人", 1), "名": ("人", 1),
    "か所": ("か所", 1), "ヵ所": ("か所", 1), "カ所": ("か所", 1), "ヶ所": ("か所", 1), "ケ所": ("か所", 1),
    "箇所": ("か所", 1),
    "か月": ("か月", 1), "ヵ月": ("か月", 1), "カ月": ("か月", 1), "ヶ月": ("か月", 1), "ケ月": ("か月", 1),
    "事業所": ("事業所", 1), "事業者": ("事業者", 1), "事業": ("事業", 1), "自治会": ("自治会", 1),
    "施設": ("施設", 1), "世帯": ("世帯", 1), "団体": ("団体", 1), "地区": ("地区", 1), "圏域": ("圏域", 1),
    "店舗": ("店舗", 1), "講座": ("講座", 1), "教室": ("教室", 1), "時間": ("時間", 1), "件": ("件", 1),
    "回": ("回", 1), "冊": ("冊", 1), "分": ("分", 1), "校": ("校", 1), "社": ("社", 1), "台": ("台", 1),
    "部": ("部", 1), "本": ("本", 1), "枚": ("枚", 1), "店": ("店", 1), "園": ("園", 1), "戸": ("戸", 1),
    "棟": ("棟", 1), "頭": ("頭", 1), "基": ("基", 1), "区": ("区", 1), "組": ("組", 1), "倍": ("倍", 1),
    "点": ("点", 1), "日": ("日", 1), "km": ("km", 1), "kg": ("kg", 1), "ha": ("ha", 1), "t": ("t", 1),
    "トン": ("t", 1), "kWh": ("kWh", 1), "g": ("g", 1),
}
_UNIT_RX = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# a counter we do not know: one kanji that is not a particle or a date/comparison word
_GENERIC_UNIT = r"[\u4e00-\u9fff](?<![以未超年月日第中等計約各毎度間的目前後内外上下全新旧])"

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_ERA = r"(?:令和|平成|昭和|[RHS])"
ERA_BASE = {"令和": 2018, "平成": 1988, "昭和": 1925, "R": 2018, "H": 1988, "S": 1925}
ERA_LAST = {"平成": 31, "H": 31, "昭和": 64, "S": 64}

_TOKEN_BODY = rf"""
    (?P<stated>達成率\s*[:：]?\s*(?:約\s*)?(?P<stated_n>{_NUM})\s*[%％])
  | (?P<ratio>(?:対?前年(?:度)?(?:同期)?比|前年比|増加率|伸び率|比)\s*[:：]?\s*[+\-]?{_NUM}\s*[%％倍]?)
  | (?P<eradate>(?P<ed_era>{_ERA})\s*(?P<ed_y>元|\d{{1,2}})\s*[.．/年]\s*(?P<ed_m>\d{{1,2}})\s*[.．/月]\s*(?P<ed_d>\d{{1,2}})\s*日?)
  | (?P<erayear>(?P<ey_era>{_ERA})\s*(?P<ey_y>元|\d{{1,2}})\s*(?:年度|年(?:間)?)(?:\s*(?P<ey_m>\d{{1,2}})\s*月(?:\s*(?P<ey_d>\d{{1,2}})\s*日)?)?)
  | (?P<eramonth>(?P<em_era>{_ERA})\s*(?P<em_y>元|\d{{1,2}})\s*[.．/]\s*(?P<em_m>\d{{1,2}})(?![\d.．/]))
  | (?P<wdate>(?P<wd_y>(?:19|20)\d\d)\s*[年/.\-]\s*(?P<wd_m>\d{{1,2}})\s*(?:[月/.\-]\s*(?P<wd_d>\d{{1,2}})\s*日?|月))
  | (?P<year>(?:19|20)\d\d\s*年度?|\d{{1,2}}\s*年(?:度|間)|\d{{1,2}}\s*年(?![生]))
  | (?P<mdate>(?P<md_m>\d{{1,2}})\s*月\s*(?P<md_d>\d{{1,2}})\s*日)
  | (?P<slash>(?P<sl_m>\d{{1,2}})\s*/\s*(?P<sl_d>\d{{1,2}})(?![\d/])(?!\s*(?:[千万億]?(?:{_UNIT_RX}))))
  | (?P<month>\d{{1,2}}\s*月(?!額|平均|当たり))
  | (?P<ordinal>第\s*\d+|No\.?\s*\d+|[(（]\s*\d{{1,2}}\s*[)）]|\uE000|(?:小学?|中学?|高校?)\s*\d{{1,2}}\s*(?:年生?)?(?![\d,.]*\s*(?:{_UNIT_RX})))
  | (?P<dotdate>(?<![\d.])(?P<dd_m>\d{{1,2}})\.(?P<dd_d>[1-9]\d?)(?![\d.])(?!\s*(?:[千万億]?(?:{_UNIT_RX})|以上|以下|未満|超|以内)))
  | (?P<qty>(?P<approx>約\s*)?(?P<n>{_NUM})
        (?:(?P<kmult>[千万億])(?=\s*(?:{_UNIT_RX})))?
        (?:\s*(?P<unit1>{_UNIT_RX}))?
        (?:\s*[×xX✕＊*]\s*(?P<n2>{_NUM})\s*(?P<unit2>{_UNIT_RX}|{_GENERIC_UNIT})?)?
        (?(unit1)|(?:\s*(?P<gunit>{_GENERIC_UNIT}))?))
    """
# Every alternative above starts with one of these characters: checking it first lets the
# engine skip most positions of a long text at once (3× faster; a test keeps the two in step).
_TOKEN_FIRST = r"(?=[\d達対前増伸比令平昭RHS第N(（\uE000小中高約])"
_TOKEN = re.compile(f"{_TOKEN_FIRST}(?:{_TOKEN_BODY})", re.VERBOSE)
_KANJI_MULT = {"千": 1_000, "万": 10_000, "億": 100_000_000}  # 1万人, 3千件
_ZERO_WORDS = re.compile(r"(?:実施|開催|開設|設置|該当|実績|加入|申込|応募)?\s*(?:無し|なし|ゼロ|皆無)|未実施|未開催|未開設|未設置|実績なし|(?<![\d.,])0件")
_TOTAL_WORDS = ("合計", "総計", "延べ", "のべ", "計", "総数")  # not 累計: it counts past years too
_LABEL_CHARS_REV = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff・ー々Ａ-Ｚａ-ｚA-Za-z]+")  # matched on the reversed text
_PARTICLES = "のをはがでにと各約全計"


class Quantity(NamedTuple):
    """An amount found in a text: value in base units, the unit, and the words before it."""

    value: float
    unit: str
    label: str = ""
    comparator: str = ">="
    exact: Decimal = Decimal(0)
    in_parens: bool = False
    total: bool = False
    approx: bool = False
    text: str = ""
    stated: bool = False  # the comparator is written after the number (以上, 以下, 未満, 超)
    each: bool = False  # 「各2回」: per member of a group, not the whole


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


@dataclass(frozen=True)
class Target:
    """A measurable level: value (base units), unit, comparator, and its components."""

    value: float
    unit: str
    comparator: str
    components: tuple[Quantity, ...]
    text: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.comparator in ("<=", "<")


_CIRCLED = re.compile(r"[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u3251-\u325f\u32b1-\u32bf\u24ea]")


def normalise(text: str) -> str:
    """NFKC, but circled item numbers (①, ⑴) stay labels rather than becoming digits."""
    text = _CIRCLED.sub("\ue000", text or "")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("〜", "~").replace("～", "~")


def _decimal(s: str) -> Decimal:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return Decimal(0)


def _valid_date(y: int | None, m: int, d: int) -> bool:
    if not 1 <= m <= 12 or d < 1:
        return False
    year = y if y is not None else 2000  # a leap year: 2/29 is possible without a year
    return d <= calendar.monthrange(year, m)[1]


# the days each era began and ended (平成31年5月1日 does not exist: that day is 令和元年5月1日)
_ERA_SPAN = {"令和": ((2019, 5, 1), (9999, 12, 31)), "平成": ((1989, 1, 8), (2019, 4, 30)),
             "昭和": ((1926, 12, 25), (1989, 1, 7))}
_ERA_SPAN.update({"R": _ERA_SPAN["令和"], "H": _ERA_SPAN["平成"], "S": _ERA_SPAN["昭和"]})


def _in_era(era: str, y: int, mo: int, d: int | None) -> bool:
    """Whether a date (or, without a day, some day of its month) lies inside the era it is written in."""
    first, last = _ERA_SPAN[era]
    return first[:2] <= (y, mo) <= last[:2] and (d is None or first <= (y, mo, d) <= last)


def _era_date(text: str, era: str, y_text: str, mo: int | None, d: int | None) -> DateToken:
    """A date written with an era year (a year, a month or a day): valid when it exists in that era."""
    y, ok = _era_year(era, y_text)
    valid = (ok and (mo is None or 1 <= mo <= 12) and (d is None or _valid_date(y, mo or 1, d))
             and (mo is None or _in_era(era, y, mo, d)))
    return DateToken(text, y, mo, d, valid)


def _era_year(era: str, y: str) -> tuple[int, bool]:
    n = 1 if y == "元" else int(y)
    ok = n >= 1 and n <= ERA_LAST.get(era, 99)
    return ERA_BASE[era] + n, ok


_COMPARATOR = re.compile(r"[ \u3000]*(以上|以降|を超える|を超え|超え|超|以下|以内|未満|以\s*$)")
_COMPARATOR_SIGN = {"以上": ">=", "以降": ">=", "を超える": ">", "を超え": ">", "超え": ">", "超": ">",
                    "以下": "<=", "以内": "<=", "未満": "<"}


def _comparator_after(text: str, pos: int) -> str | None:
    m = _COMPARATOR.match(text, pos, pos + 12)
    if not m:
        return None
    # cut off mid-word ("年2回以"): read as 以上; the validator reports the truncation
    return _COMPARATOR_SIGN.get(m.group(1), ">=")


_TOTALS_LONGEST = tuple(sorted(_TOTAL_WORDS, key=len, reverse=True))
_LABEL_TAIL = re.compile(r"^.*[のをはがでにと]")
_LABEL_UNIT_HEAD = re.compile(rf"^(?:{_UNIT_RX})[・、]")


def _label_before(text: str, start: int) -> tuple[str, bool]:
    """The words just before a number (its label), and whether they mark a total."""
    before = text[max(0, start - 16): start].rstrip(" \u3000:：")
    m = _LABEL_CHARS_REV.match(before[::-1])  # the run of word characters that ends the text
    if not m:
        return "", False
    word = m.group(0)[::-1]
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
    return stripped, total


def _in_parens(text: str, pos: int) -> bool:
    """Whether pos lies inside (…), （…）, 「…」 or 【…】 (an unclosed opener counts)."""
    depth = 0
    for ch in text[:pos]:
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
    return depth > 0


_DIGIT = re.compile(r"\d")
_OPENERS = re.compile(r"[(（「【]")
# after a number: it is a per-unit (「1日平均」「1人1日当たり」「1件につき」), not an amount
_PER = re.compile(r"(?:\s*\d+\s*[日人月年件回週])?\s*(?:当たり|あたり|平均|につき)")


def _not_an_amount(text: str, m: re.Match, g) -> bool:
    """Numbers that name rather than count: 「1日平均30件」「1人当たり」 (a per-unit), 「CO2排出量」「A4用紙」."""
    if _PER.match(text, m.end()) and not m.group("approx"):
        return True
    before = text[m.start() - 1: m.start()] if m.start() else ""
    return bool(before) and before.isascii() and before.isalpha() and not g("unit1")


_UNITS_LONGEST = tuple(sorted(_UNITS, key=len, reverse=True))


@functools.lru_cache(maxsize=8192)
def scan(text: str) -> Scan:
    """Tokenise a text into quantities, dates and stated rates (never raises).

    Cached per text: the validator and the achievement columns read the same cells. Callers
    must not modify the returned Scan.
    """
    t = normalise(text)
    out = Scan()
    if not _DIGIT.search(t):
        out.zero_words = bool(_ZERO_WORDS.search(t))
        return out
    has_parens = _OPENERS.search(t) is not None
    unmatched: list[str] = []  # the text between tokens: digits left there were not understood
    last_end = 0
    prev_qty_end = -1
    for m in _TOKEN.finditer(t):
        unmatched.append(t[last_end: m.start()])
        last_end = m.end()
        kind = m.lastgroup  # the alternative that matched: each is a named group closing last
        g = m.group  # by name: cheaper than building groupdict() for ~40 groups
        if kind == "stated":
            out.stated_rates.append(_decimal(g("stated_n")))
        elif kind in ("eradate", "erayear", "eramonth"):  # eramonth: 「R6.4～R7.3」, a month with its era year
            p = {"eradate": "ed", "erayear": "ey", "eramonth": "em"}[kind]
            mo = int(g(f"{p}_m")) if g(f"{p}_m") else None
            d = int(g(f"{p}_d")) if p != "em" and g(f"{p}_d") else None
            out.dates.append(_era_date(m.group(0), g(f"{p}_era"), g(f"{p}_y"), mo, d))
        elif kind == "wdate":
            y, mo = int(g("wd_y")), int(g("wd_m"))
            d = int(g("wd_d")) if g("wd_d") else None
            out.dates.append(DateToken(m.group(0), y, mo, d, _valid_date(y, mo, d or 1)))
        elif kind in ("mdate", "slash", "dotdate"):
            p = {"mdate": "md", "slash": "sl", "dotdate": "dd"}[kind]
            mo, d = int(g(f"{p}_m")), int(g(f"{p}_d"))
            out.dates.append(DateToken(m.group(0), None, mo, d, _valid_date(None, mo, d)))
        elif kind == "month":
            mo = int(re.match(r"\d+", m.group(0)).group(0))
            out.dates.append(DateToken(m.group(0), None, mo, None, 1 <= mo <= 12))
        elif kind == "qty" and _not_an_amount(t, m, g):
            prev_qty_end = -1
            continue
        elif kind == "qty":
            unit_text = g("unit1") or g("gunit") or ""
            unit, mult = _UNITS.get(unit_text, (unit_text, 1))
            exact = _decimal(g("n")) * mult * _KANJI_MULT.get(g("kmult") or "", 1)
            if g("n2"):
                exact *= _decimal(g("n2"))
            label, total = _label_before(t, m.start())
            if not unit_text:
                # a bare number after its counter: 「情報更新自治会　60」
                for word in _UNITS_LONGEST:
                    if len(word) > 1 and label.endswith(word):
                        unit = _UNITS[word][0]
                        break
            stated = _comparator_after(t, m.end())
            comp = stated or ">="
            # what stands between this amount and the one just before it
            between = t[prev_qty_end: m.start()].strip() if out.quantities and prev_qty_end >= 0 else None
            if between == "中":  # "152か所中68か所": the first is the base, not the amount
                out.quantities.pop()
            elif between in ("/", "／"):
                # "12件/15件", "8/10回": the amount before the slash counts (in the unit after it), the one
                # after is its base
                if not out.quantities[-1].unit and unit:
                    out.quantities[-1] = out.quantities[-1]._replace(unit=unit)
                prev_qty_end = -1
                continue
            elif between in ("→", "⇒", "->"):  # "2,219件→7,552件": the amount after the arrow counts
                out.quantities.pop()
            out.quantities.append(Quantity(
                value=float(exact), unit=unit, label=label, comparator=comp, exact=exact,
                in_parens=has_parens and _in_parens(t, m.start()), total=total, approx=bool(g("approx")),
                text=m.group(0), stated=stated is not None,
                each=label.startswith("各") or t[:m.start()].rstrip().endswith("各"),
            ))
            prev_qty_end = m.end()
            continue
        prev_qty_end = -1 if kind != "ordinal" else prev_qty_end
    unmatched.append(t[last_end:])
    out.leftover_digits = _DIGIT.search("".join(unmatched)) is not None
    out.zero_words = bool(_ZERO_WORDS.search(t))
    return out


def _target_text(text: str) -> str:
    """Drop reference notes after ※ (「※国目標80%」 is not the target)."""
    return normalise(text).split("※")[0]


_AT_MOST = re.compile(r"以下|未満|以内")
_REDUCE = re.compile(r"縮減|削減|抑制|減少|減ら")


@functools.lru_cache(maxsize=4096)
def parse_target(text: str) -> Target | None:
    """The measurable level a 数値目標 states, or None when it states none. Never raises."""
    try:
        body = _target_text(text or "")
        if not body.strip():
            return None
        # scan() normalises the same way: without a ※ note, scanning the cell's own text gives
        # the same tokens and shares the cache with the validator's scan of that cell
        found = scan(body if "※" in text else text).quantities
        # a number without a unit ("概ね100") is not a level the form asks for, unless a limit
        # follows it ("満足度4.0以上") and no amount with a unit is there
        qs = [q for q in found if q.unit] or [q for q in found if q.stated]
    except Exception:  # pragma: no cover - a tokeniser bug must not stop a check
        return None
    if not qs:
        return None
    outside = [q for q in qs if not q.in_parens]
    chosen = outside or qs
    totals = [q for q in chosen if q.total]
    if not totals and all(q.each for q in chosen):  # 「各課1名以上（計20名）」: the total is the level
        totals = [q for q in qs if q.total]
    if totals:
        chosen = totals[:1]
    comps: list[Quantity] = []
    seen = set()
    for q in chosen:
        key = (q.label, q.unit)
        if key in seen:
            continue
        seen.add(key)
        comps.append(q)
    if len(comps) > 1 and len({q.unit for q in comps}) == 1 and len({q.label for q in comps}) == 1:
        comps = comps[:1]
    first = comps[0]
    lower = _AT_MOST.search(body) is not None and _REDUCE.search(body) is not None
    comp = first.comparator
    if (lower and comp in (">=", ">")) or (first.value == 0 and comp == ">="):
        comp = "<="  # 「…以下に削減」, and 「待機児童0人」: nothing above zero
    return Target(value=first.value, unit=first.unit, comparator=comp, components=tuple(comps), text=text)


def clear_caches() -> None:
    """Forget cached scans (the roll-up clears them per file, so that each file is measured alone)."""
    scan.cache_clear()
    parse_target.cache_clear()
