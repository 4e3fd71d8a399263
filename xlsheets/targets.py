"""The 数値目標 grammar: find measurable levels in targets and the comparable amounts in reports.

``parse_target("被保護者40人以上の受診")`` → Target(value=40.0, unit="人", comparator=">=").
``scan(text)`` tokenises any text into quantities, dates, stated rates and what was skipped;
the validator uses the same tokens to find impossible dates and stated 達成率.

Normalisation: NFKC (full-width digits, signs, ％), thousands commas, decimals;
千円/万円/億円 → 円; 名 ≡ 人; か所/ヵ所/カ所/ヶ所/ケ所/箇所 ≡ か所; % ≡ ％; ㎡ ≡ m2 ≡ 平方メートル.
Other counters (件, 回, 事業所, 自治会 …) are kept as written. Written-out numbers become digits
before tokenising (三十五人, 2億5,000万円, 7割 → 70％, ゼロ件 → 0件); each amount keeps the words it
was read from (``Quantity.source``) and what its clause says about it (not done, a part, a period …).
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from .model import ERA_FIRST_DAYS, ERA_LETTERS

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
    "m2": ("㎡", 1), "平方メートル": ("㎡", 1), "平米": ("㎡", 1), "m": ("m", 1), "メートル": ("m", 1),
    "キロメートル": ("km", 1), "ヘクタール": ("ha", 1), "橋": ("橋", 1), "路線": ("路線", 1), "系統": ("系統", 1),
    "便": ("便", 1), "手続き": ("手続", 1), "手続": ("手続", 1), "食": ("食", 1), "公園": ("公園", 1),
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
    source: str = ""  # the words it was read from, as written (「計22回」「二十人以上」)
    not_done: bool = False  # 「1回は中止」「2件は次年度」: not a result
    part: bool = False  # 「120件、うち訪問30件」: a part of the amount before it
    period: str = ""  # 年 / 月 / 週 / 日 for 「年間240件」「月20件」
    when: str = ""  # the date or time of year its clause names (「4月に1か所」「上期2件」)
    as_of: bool = False  # 「9月末時点で15件」: a running count, not an amount of its own
    current: bool = False  # 「現状30件」「現状値20%」: the starting point, not a level
    per_unit: str = ""  # 「4地区×3回」 (12 地区): the other factor's unit, in which the product counts too


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
    cumulative: bool = False  # 「600人（累計）」: the report's 累計 is the result, its 新規 is not

    @property
    def lower_is_better(self) -> bool:
        return self.comparator in ("<=", "<")


_CIRCLED = re.compile(r"[\u2460-\u2473\u2474-\u2487\u2488-\u249b\u3251-\u325f\u32b1-\u32bf\u24ea]")


def normalise(text: str) -> str:
    """NFKC, but circled item numbers (①, ⑴) stay labels rather than becoming digits."""
    text = _CIRCLED.sub("\ue000", text or "")
    text = unicodedata.normalize("NFKC", text)
    return text.replace("〜", "~").replace("～", "~")


# ---------------------------------------------------------------- numbers as departments write them
_KDIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KSMALL = {"十": 10, "百": 100, "千": 1_000}
_KBIG = {"万": 10_000, "億": 100_000_000}
_AFTER_NUMBER = rf"\s*(?:{_UNIT_RX}|割|以上|以下|未満|超)"
# a written-out or compound number: 「三十五」「千二百」「2億5,000万」「1万2千」「3千5百万」
_NUMERAL_RUN = r"(?=[\d〇一二三四五六七八九十百千万億])(?:\d[\d,]*(?:\.\d+)?)?(?:[〇一二三四五六七八九十百千万億](?:\d[\d,]*(?:\.\d+)?)?)*"
_REWRITE = re.compile(rf"""
    (?<![\d.〇一二三四五六七八九十百千万億])(?P<wari>(?P<wn>\d+(?:\.\d+)?|[一二三四五六七八九十]+)割(?:(?P<wb>[\d一二三四五六七八九])分)?(?![引増減合安]))
  | (?P<zero>ゼロ(?={_AFTER_NUMBER}))
  | (?<![\d,.〇一二三四五六七八九十百千万億])(?P<run>{_NUMERAL_RUN})(?={_AFTER_NUMBER})
""", re.VERBOSE)
# where a lone kanji digit counts: after these, or at the start of a clause (「年四回」「、六か所」)
_COUNT_CONTEXT = "年月週日毎各計約延全績数べでをにはがとも、。・:：(（「 \u3000\n"
_NOT_AN_AMOUNT_AFTER = re.compile(r"(?:人(?:ひとり|暮|親|当)|部(?!数)|本化|体|般|分(?!の)|日(?!間))")


_MAY_REWRITE = re.compile(r"[〇一二三四五六七八九十百割]|ゼロ|[千万億]\d|[千万億][千万億]")


def _numeral_value(run: str) -> Decimal | None:
    """「三十五」→35, 「千二百」→1200, 「2億5,000万」→250000000; None when it is no number."""
    total, section, cur = Decimal(0), Decimal(0), None
    for part in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|.", run):
        if part[0].isdigit():
            if cur is not None:
                return None
            cur = _decimal(part)
        elif part in _KDIGITS:
            cur = cur * 10 + _KDIGITS[part] if cur is not None else Decimal(_KDIGITS[part])
        elif part in _KSMALL:
            section += (cur if cur is not None else 1) * _KSMALL[part]
            cur = None
        elif part in _KBIG:
            total += ((section + (cur or 0)) or 1) * _KBIG[part]
            section, cur = Decimal(0), None
        else:
            return None
    return total + section + (cur or 0)


def _needs_rewrite(run: str, t: str, start: int, end: int) -> bool:
    """Whether a run is a number the tokeniser would miss: kanji digits, or several 千/万/億 parts."""
    kanji = any(c in _KDIGITS for c in run) or (not run[0].isdigit() and any(c in _KSMALL for c in run))
    compound = sum(c in _KSMALL or c in _KBIG for c in run) >= 2 or re.search(r"[千万億]\d", run) is not None
    if not (kanji or compound):
        return False  # 「1万人」「8,000千円」「1.5億円」: the tokeniser reads these
    if len(run) > 1:
        return True
    # one kanji: 「一部」「十分」「唯一の」 are words, 「年四回」「、六か所」 are numbers
    before = t[start - 1] if start else "\n"
    return before in _COUNT_CONTEXT and not _NOT_AN_AMOUNT_AFTER.match(t, end)


def _format(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def rewrite_numbers(t: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """Written-out numbers as digits (三十五人 → 35人, 2億5,000万円 → 250000000円, 7割 → 70％, ゼロ件 → 0件).

    Returns the text and, per rewritten span, (start, end, original) so that evidence can quote the original.
    """
    if not _MAY_REWRITE.search(t):  # most texts: digits and units only
        return t, ()
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    last, pos = 0, 0
    for m in _REWRITE.finditer(t):
        if m.group("wari"):
            n = _numeral_value(m.group("wn"))
            tenths = _numeral_value(m.group("wb")) if m.group("wb") else Decimal(0)
            new = None if n is None or tenths is None else _format(n * 10 + tenths) + "％"
        elif m.group("zero"):
            new = "0"
        else:
            run = m.group("run")
            value = _numeral_value(run) if _needs_rewrite(run, t, m.start(), m.end()) else None
            new = _format(value) if value is not None else None
        if new is None:
            continue
        out.append(t[last:m.start()])
        pos += m.start() - last
        spans.append((pos, pos + len(new), m.group(0)))
        out.append(new)
        pos += len(new)
        last = m.end()
    if not spans:
        return t, ()
    out.append(t[last:])
    return "".join(out), tuple(spans)


def _original(t: str, spans: tuple[tuple[int, int, str], ...], a: int, b: int) -> str:
    """t[a:b] with rewritten numbers shown as they were written."""
    if not spans:
        return t[a:b]
    out, i = [], a
    for start, end, orig in spans:
        if end <= a or start >= b:
            continue
        out.append(t[i:start] if start > i else "")
        out.append(orig)
        i = max(i, end)
    out.append(t[i:b] if b > i else "")
    return "".join(out)


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
def _era_spans() -> dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Era (name or letter) → (first day, last day): each ends the day before the next began."""
    spans, last = {}, (9999, 12, 31)
    for era, first in ERA_FIRST_DAYS.items():
        spans[era] = (first, last)
        last = (date(*first) - timedelta(days=1)).timetuple()[:3]
    return spans | {letter: spans[era] for letter, era in ERA_LETTERS.items()}


_ERA_SPAN = _era_spans()


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


def _comparator_after(text: str, pos: int) -> tuple[str | None, int]:
    """The comparator written after an amount (None without one), and where it ends."""
    m = _COMPARATOR.match(text, pos, pos + 12)
    if not m:
        return None, pos
    # cut off mid-word ("年2回以"): read as 以上; the validator reports the truncation
    return _COMPARATOR_SIGN.get(m.group(1), ">="), m.end()


_TOTALS_LONGEST = tuple(sorted(_TOTAL_WORDS, key=len, reverse=True))
_LABEL_TAIL = re.compile(r"^.*[のをはがでにと]")
_LABEL_UNIT_HEAD = re.compile(rf"^(?:{_UNIT_RX})[・、]")


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


_CLAUSE_END = re.compile(r"[、。,;；\n()（）]")
_CLAUSE_TAIL = re.compile(r"[^、。,;；\n]*$")
_NOT_DONE = re.compile(r"中止|延期|未実施|見送|次年度|準備中|予定(?!どおり|通り)|中断|取りやめ|取り止め")
_NOT_DONE_BEFORE = re.compile(rf"(?:{_NOT_DONE.pattern})\s*$")  # 「中止1回」, not 「予定していたが3回」
_WHEN = re.compile(r"\d{1,2}\s*月|\d{1,2}\s*/\s*\d{1,2}|[上下]半?期|前期|後期|四半期|年度[当初末]")
_AS_OF = re.compile(r"時点|現在")
_PART = re.compile(r"(?:うち|内)\s*[\u3040-\u30ff\u4e00-\u9fff・ー]*\s*$")
_PERIOD = {"年間": "年", "年": "年", "毎年": "年", "月間": "月", "毎月": "月", "月": "月", "週": "週",
           "毎週": "週", "週間": "週", "1日": "日", "日": "日", "毎日": "日"}
_PERIOD_WORD = re.compile(r"(?<![\d.])(年間|毎年|年|月間|毎月|月|毎週|週間|週|毎日|1日|日)\s*(?:平均)?\s*$")
_CURRENT = re.compile(r"現状|現在|基準|策定時|直近")
_SCALE = re.compile(r"\d+(?:\.\d+)?\s*(?:点満点|満点|段階|点中|件法)")
_SAMPLE = re.compile(r"(?:[Nn]\s*=|回答数|回答者数?|標本数?|サンプル数?|対象者数?)\s*[:：=]?\s*(?:約\s*)?$")
RESTATED = ("目標", "目標値", "計画", "計画値", "予定")


def _clause_after(text: str, end: int) -> str:
    """The words after an amount up to the end of its clause (「は中止」「開催予定」)."""
    m = _CLAUSE_END.search(text, end, end + 16)
    return text[end: m.start() if m else end + 16]


def _clause_before(text: str, start: int, floor: int) -> str:
    """The words before an amount back to the start of its clause, not past the amount before it."""
    return _CLAUSE_TAIL.search(text, max(floor, start - 20), start).group(0)


def _is_scale(text: str, m: re.Match, in_parens: bool) -> bool:
    """（10点満点）（5段階評価） and, in brackets, sample sizes （N=300）（回答数250人）: not levels."""
    if _SCALE.match(text, m.start("n")):
        return True
    return in_parens and _SAMPLE.search(text, max(0, m.start() - 8), m.start()) is not None


_LEADING_UNIT = re.compile(rf"(?:{_UNIT_RX})?[・、,\s]*")
_NEW_LEVEL = re.compile(r"(?:→|⇒|->|から)\s*(?:目標値?|計画値?)?\s*[:：]?")


def _quantity(t: str, spans, m: re.Match, has_parens: bool, prev_end: int, before: list[Quantity],
              present: frozenset[str]) -> Quantity | None:
    """One amount with what its clause says about it, or None for a scale or a sample size.

    present: which of _CONTEXT's words the text holds at all (most texts hold none: no search per amount).
    """
    g = m.group
    in_parens = has_parens and _in_parens(t, m.start())
    if _is_scale(t, m, in_parens):
        return None
    unit_text = g("unit1") or g("gunit") or ""
    unit, mult = _UNITS.get(unit_text, (unit_text, 1))
    exact = _decimal(g("n")) * mult * _KANJI_MULT.get(g("kmult") or "", 1)
    if g("n2"):
        exact *= _decimal(g("n2"))
    label, total, word_start = _label_before(t, m.start())
    if not unit_text:
        # a bare number after its counter: 「情報更新自治会　60」
        for word in _UNITS_LONGEST:
            if len(word) > 1 and label.endswith(word):
                unit = _UNITS[word][0]
                break
    stated, comp_end = _comparator_after(t, m.end())
    after = _clause_after(t, comp_end)
    clause = _clause_before(t, m.start(), max(prev_end, 0))
    word = t[word_start: m.start()].rstrip(" \u3000:：")
    if word_start and t[word_start - 1].isdigit():
        if word[:1] in ("月", "日", "年"):  # 「4月に」「3/31現在の」: quote the whole date
            while word_start and (t[word_start - 1].isdigit() or t[word_start - 1] in ",./"):
                word_start -= 1
        else:  # 「3か所・通所」「30件から」: the words after the amount before
            word_start += len(_LEADING_UNIT.match(t, word_start).group(0))
    period = _PERIOD_WORD.search(word)
    prev = before[-1] if before and prev_end >= 0 else None
    # 「、うち新規3件」: a part of the amount before it, unless that one is a plan or was not done
    promoted = (prev is not None and (prev.not_done or prev.label.endswith(RESTATED))  # 「10回予定のうち8回」
                and not _CLAUSE_END.search(t, prev_end, m.start()))
    part = "part" in present and _PART.search(clause) is not None and not promoted
    if part:
        label = re.sub(r"^(?:うち|内)", "", label)
    return Quantity(
        value=float(exact), unit=unit, label=label, comparator=stated or ">=", exact=exact,
        in_parens=in_parens, total=total, approx=bool(g("approx")), text=m.group(0), stated=stated is not None,
        each=label.startswith("各") or t[:m.start()].rstrip().endswith("各"),
        source=_original(t, spans, word_start, comp_end).strip(),
        not_done="not_done" in present and bool(_NOT_DONE.search(after) or _NOT_DONE_BEFORE.search(word)),
        part=part, period=_PERIOD[period.group(1)] if period else "",
        when=(_WHEN.search(clause) or _WHEN.search(after) or _NO_MATCH).group(0),
        as_of="as_of" in present and bool(_AS_OF.search(clause) or _AS_OF.match(after.lstrip())),
        current="current" in present and bool(_CURRENT.search(word)),
        per_unit=_UNITS.get(g("unit2") or "", (g("unit2") or "", 1))[0] if g("n2") else "",
    )


class _NoMatch:
    @staticmethod
    def group(_n: int) -> str:
        return ""


_NO_MATCH = _NoMatch()
_CONTEXT = {"not_done": _NOT_DONE, "as_of": _AS_OF, "part": re.compile("うち|内"), "current": _CURRENT}

_UNITS_LONGEST = tuple(sorted(_UNITS, key=len, reverse=True))


@functools.lru_cache(maxsize=8192)
def scan(text: str) -> Scan:
    """Tokenise a text into quantities, dates and stated rates (never raises).

    Cached per text: the validator and the achievement columns read the same cells. Callers
    must not modify the returned Scan.
    """
    t, spans = rewrite_numbers(normalise(text))
    out = Scan()
    if not _DIGIT.search(t):
        out.zero_words = bool(_ZERO_WORDS.search(t))
        return out
    has_parens = _OPENERS.search(t) is not None
    present = frozenset(k for k, rx in _CONTEXT.items() if rx.search(t))
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
            q = _quantity(t, spans, m, has_parens, prev_qty_end if out.quantities else -1, out.quantities, present)
            if q is None:  # a scale or a sample size: not an amount, and nothing to combine with
                prev_qty_end = -1
                continue
            between = t[prev_qty_end: m.start()].strip() if out.quantities and prev_qty_end >= 0 else None
            if between in ("中", "のうち", "の内"):  # "152か所中68か所", "50世帯のうち45世帯": the first is the base
                out.quantities.pop()
                q = q._replace(part=False)
            elif between in ("/", "／"):
                # "12件/15件", "8/10回": the amount before the slash counts (in the unit after it), the one
                # after is its base
                if not out.quantities[-1].unit and q.unit:
                    out.quantities[-1] = out.quantities[-1]._replace(unit=q.unit)
                prev_qty_end = -1
                continue
            elif between is not None and _NEW_LEVEL.fullmatch(between):
                # "2,219件→7,552件", "30件から40件に", "現状30件→目標40件": the amount after counts
                out.quantities.pop()
            out.quantities.append(q)
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
        return _zero_target(body, text)
    # 「現状30件→目標40件」「現状値20% 目標値25%」: the current value is where it starts, not the level
    qs = [q for q in qs if not q.current] or qs
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
    cumulative = "累" in first.label or (
        _CUMULATIVE.search(body) is not None and "新規" not in first.label
        and not any("累" in q.label for q in found if q is not first))
    return Target(value=first.value, unit=first.unit, comparator=comp, components=tuple(comps), text=text,
                  cumulative=cumulative)


_CUMULATIVE = re.compile(r"累計|累積")
_ZERO_LEVEL = re.compile(r"ゼロ|根絶|皆無")


def _zero_target(body: str, text: str) -> Target | None:
    """「苦情ゼロを維持」「事故ゼロ」: a level of zero (less is better), counted in the report's unit."""
    m = _ZERO_LEVEL.search(body)
    if not m:
        return None
    zero = Quantity(0.0, "", exact=Decimal(0), comparator="<=", source=body[max(0, m.start() - 8): m.end() + 4].strip())
    return Target(0.0, "", "<=", (zero,), text)


def clear_caches() -> None:
    """Forget cached scans (the roll-up clears them per file, so that each file is measured alone)."""
    scan.cache_clear()
    parse_target.cache_clear()
