"""Numbers as departments write them: 「三十五人」「2億5,000万円」「7割5分」「ゼロ件」「4分の一」.

``rewrite_numbers`` turns them into digits before tokenising and remembers what was written, so
that evidence can quote the original (``original``). ``numeral_value`` also reads the small
numbers of priorities (「一位」).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .lexicon import UNIT_WORDS

KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_SMALL = {"十": 10, "百": 100, "千": 1_000}
_BIG = {"万": 10_000, "億": 100_000_000}
KANJI_MULTIPLIERS = {"千": 1_000, "万": 10_000, "億": 100_000_000}  # after digits: 1万人, 3千件

_AFTER_NUMBER = rf"\s*(?:{UNIT_WORDS}|割|以上|以下|未満|超|分の)"
# a written-out or compound number: 「三十五」「千二百」「2億5,000万」「1万2千」「3千5百万」
_NUMERAL_RUN = (r"(?=[\d〇一二三四五六七八九十百千万億])(?:\d[\d,]*(?:\.\d+)?)?"
                r"(?:[〇一二三四五六七八九十百千万億](?:\d[\d,]*(?:\.\d+)?)?)*")
_REWRITE = re.compile(rf"""
    (?<![\d.〇一二三四五六七八九十百千万億])(?P<wari>(?P<wn>\d+(?:\.\d+)?|[一二三四五六七八九十]+)割(?:(?P<wb>[\d一二三四五六七八九])分)?(?![引増減合安]))
  | (?P<zero>ゼロ(?={_AFTER_NUMBER}))
  | (?<=分の)(?P<denominated>[一二三四五六七八九十]+)
  | (?<![\d,.〇一二三四五六七八九十百千万億])(?P<run>{_NUMERAL_RUN})(?={_AFTER_NUMBER})
""", re.VERBOSE)
# where a lone kanji digit counts: after these, or at the start of a clause (「年四回」「、六か所」) —
# and not where it begins a word (「一人ひとり」「一部」「一本化」「一体」「一般」「十分」「一日中」)
_COUNT_CONTEXT = "年月週日毎各計約延全績数べでをにはがとも、。・:：(（「 \u3000\n"
_WORD_AFTER_DIGIT = re.compile(r"(?:人(?:ひとり|暮|親|当)|部(?!数)|本化|体|般|分(?!の)|日(?!間))")
_MAY_REWRITE = re.compile(r"[〇一二三四五六七八九十百割]|ゼロ|[千万億]\d|[千万億][千万億]")

Spans = tuple[tuple[int, int, str], ...]  # (start, end, as written) of each rewritten number


def to_decimal(s: str) -> Decimal:
    """「1,500」「2.5」 → Decimal (0 for anything else)."""
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return Decimal(0)


def numeral_value(run: str) -> Decimal | None:
    """「三十五」→35, 「千二百」→1200, 「2億5,000万」→250000000; None when it is no number."""
    total, section, cur = Decimal(0), Decimal(0), None
    for part in re.findall(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|.", run):
        if part[0].isdigit():
            if cur is not None:
                return None
            cur = to_decimal(part)
        elif part in KANJI_DIGITS:
            cur = cur * 10 + KANJI_DIGITS[part] if cur is not None else Decimal(KANJI_DIGITS[part])
        elif part in _SMALL:
            section += (cur if cur is not None else 1) * _SMALL[part]
            cur = None
        elif part in _BIG:
            total += ((section + (cur or 0)) or 1) * _BIG[part]
            section, cur = Decimal(0), None
        else:
            return None
    return total + section + (cur or 0)


def _needs_rewrite(run: str, t: str, start: int, end: int) -> bool:
    """Whether a run is a number the tokeniser would miss: kanji digits, or several 千/万/億 parts."""
    kanji = any(c in KANJI_DIGITS for c in run) or (not run[0].isdigit() and any(c in _SMALL for c in run))
    compound = sum(c in _SMALL or c in _BIG for c in run) >= 2 or re.search(r"[千万億]\d", run) is not None
    if not (kanji or compound):
        return False  # 「1万人」「8,000千円」「1.5億円」: the tokeniser reads these
    if len(run) > 1:
        return True
    before = t[start - 1] if start else "\n"
    return before in _COUNT_CONTEXT and not _WORD_AFTER_DIGIT.match(t, end)


def _as_digits(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _replacement(m: re.Match, t: str) -> str | None:
    """The digits for one match of _REWRITE, or None to leave it as written."""
    if m.group("wari"):
        n = numeral_value(m.group("wn"))
        tenths = numeral_value(m.group("wb")) if m.group("wb") else Decimal(0)
        return None if n is None or tenths is None else _as_digits(n * 10 + tenths) + "％"
    if m.group("zero"):
        return "0"
    if m.group("denominated"):  # 「4分の一」
        value = numeral_value(m.group("denominated"))
        return _as_digits(value) if value is not None else None
    run = m.group("run")
    value = numeral_value(run) if _needs_rewrite(run, t, m.start(), m.end()) else None
    return _as_digits(value) if value is not None else None


def rewrite_numbers(t: str) -> tuple[str, Spans]:
    """Written-out numbers as digits (三十五人 → 35人, 2億5,000万円 → 250000000円, 7割 → 70％, ゼロ件 → 0件).

    Returns the text and, per rewritten span, (start, end, original) so that evidence can quote the original.
    """
    if not _MAY_REWRITE.search(t):  # most texts: digits and units only
        return t, ()
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    last, pos = 0, 0
    for m in _REWRITE.finditer(t):
        new = _replacement(m, t)
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


def original(t: str, spans: Spans, a: int, b: int) -> str:
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
