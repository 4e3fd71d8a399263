"""The words around an amount: its label, its clause, its comparator, the time of year it names, and
from them the :class:`~.amounts.Quantity` with its role, qualifiers and place (:func:`amount`)."""

from __future__ import annotations

import re

from .amounts import Quantity, Span
from .lexicon import (
    ACCUMULATIONS,
    COMPARATOR_SIGNS,
    COUNT_KINDS,
    HALVES,
    PERIODS,
    ROLES,
    STATISTICS,
    UNIT_WORDS,
    UNITS,
    WORDS,
    alternation,
)
from .names import unit_in_label
from .numerals import Spans, original
from .qualifiers import (
    BOUND,
    CHANGE,
    RANGE,
    RESULT,
    Place,
    Qualifiers,
    bracket_after,
    qualifiers,
    qualifying,
    role,
)

_TOTAL_WORDS = tuple(w for w in ROLES["total"])
_TOTALS_LONGEST = tuple(sorted(_TOTAL_WORDS, key=len, reverse=True))
_LABEL_END = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff・ー々Ａ-Ｚａ-ｚA-Za-z]+$")
_PARTICLES = "のをはがでにと各約全計"
_APPROX_RX = re.compile(alternation(ROLES["range_after"]))
_OPENERS_AFTER = ("(", "（", " (", " （", "\u3000（", "\u3000(")  # where a bracket right after an amount may open
_TO_LAST_PARTICLE = re.compile(r".*[のをはがでにと]")
# labels that are no names: a one-character unit left from the amount before (「件の計8件」), a qualifier (「平均 38分」)
_NOT_NAMES = frozenset([*(u for u in UNITS if len(u) == 1), *STATISTICS, *PERIODS, *COUNT_KINDS, *ACCUMULATIONS])
_BRACKET_END = re.compile(r"[(（]([^()（）]{1,12})[)）]$")
_LABEL_UNIT_HEAD = re.compile(rf"^(?:{UNIT_WORDS})[・、]")


_COMPARATOR = re.compile(rf"[ \u3000]*[)）]?[ \u3000]*({alternation(COMPARATOR_SIGNS)}|以\s*$)")


def comparator_after(text: str, pos: int) -> tuple[str | None, int]:
    """The comparator written after an amount (None without one), and where it ends."""
    m = _COMPARATOR.match(text, pos, pos + 12)
    if not m:
        return None, pos
    # cut off mid-word ("年2回以"): read as 以上; the validator reports the truncation
    return COMPARATOR_SIGNS.get(m.group(1), ">="), m.end()


def label_before(text: str, start: int) -> tuple[str, bool, int]:
    """The words just before a number (its label), whether they mark a total, and where they start."""
    lo = start - 16 if start > 16 else 0
    before = text[lo: start].rstrip(" \u3000:：")
    if before.endswith(("（", "(")):  # 「前年度（18.2％）」: the word before the bracket names the amount
        before = before[:-1].rstrip(" \u3000:：")
    elif before.endswith(("）", ")")):  # 「収納率（現年課税分）99.3％」: the bracket names it
        inside = _BRACKET_END.search(before)
        if inside:
            lo, before = lo + inside.start(1), inside.group(1)
    m = _LABEL_END.search(before)  # the run of word characters that ends the text
    if not m:
        return "", False, start
    word = m.group(0)
    word_start = lo + m.start()
    ends_in_total = word.endswith(_TOTAL_WORDS)
    total = ends_in_total and not word.endswith("累計")
    stripped = word
    if ends_in_total:
        stripped = stripped[: -len(next(w for w in _TOTALS_LONGEST if stripped.endswith(w)))]
    stripped = stripped.rstrip(_PARTICLES)
    cut = _TO_LAST_PARTICLE.match(stripped)  # the words after the last particle (「交付件数の」 → 「」)
    if cut:
        stripped = stripped[cut.end():] or stripped
    stripped = stripped.lstrip("年毎").rstrip("年毎各")
    if "・" in stripped or "、" in stripped:
        stripped = _LABEL_UNIT_HEAD.sub("", stripped)
    if stripped in _NOT_NAMES:  # 「平均 38分」「件の計8件」: a qualifier or the unit before, not a name
        stripped = ""
    return stripped, total, word_start


def inside_brackets(text: str, pos: int) -> bool:
    """Whether pos lies inside (…), （…）, 「…」 or 【…】 (an unclosed opener counts)."""
    depth = 0
    for ch in text[:pos]:
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
    return depth > 0


CLAUSE_END = re.compile(r"[、。,;；\n()（）]")
_CLAUSE_TAIL = re.compile(r"[^、。,;；\n]*$")
_LEADING_UNIT = re.compile(rf"(?:{UNIT_WORDS})?[・、,\s]*")


def _clause_after(text: str, end: int) -> str:
    """The words after an amount up to the end of its clause (「は中止」「開催予定」)."""
    m = CLAUSE_END.search(text, end, end + 16)
    return text[end: m.start() if m else end + 16]


def _clause_before(text: str, start: int, floor: int) -> str:
    """The words before an amount back to the start of its clause, not past the amount before it."""
    return _CLAUSE_TAIL.search(text, max(floor, start - 24), start).group(0)


_WHEN = re.compile(rf"(?:第\s*)?(?P<q>\d)\s*(?:{alternation(WORDS['quarter'])})|(?P<h>{alternation(HALVES)})"
                   rf"|(?P<t>\d)\s*(?:{alternation(WORDS['term'])})|(?P<s>{alternation(WORDS['seasons'])})"
                   rf"|(?P<d>\d{{1,2}})\s*(?:{alternation(WORDS['day_n'])})"
                   r"|(?P<ma>\d{1,2})\s*~\s*(?P<mb>\d{1,2})\s*月(?:分)?[\s:：]*$"
                   r"|(?P<m>\d{1,2})\s*月(?:分)?(?P<tally>[\s:：]*$)?"
                   r"|\d{1,2}\s*/\s*\d{1,2}|年度[当初末]")
_AS_OF = re.compile(rf"{alternation(ROLES['as_of'])}|\d\s*月\s*末")
_AS_OF_GATE = re.compile(alternation((*ROLES["as_of"], "末")))
# the words a time of year is said with (a cheap test before _WHEN's searches)
_MAY_NAME_A_TIME = re.compile(rf"[月期季/]|日目|年度|{alternation(HALVES)}|{alternation(WORDS['seasons'])}")
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


def amount(t: str, spans: Spans, s: Span, in_parens: bool, floor: int, prev: Quantity | None,
            prev_end: int) -> tuple[Quantity, int]:
    """One amount with what its clause says about it, and where its words end (after its comparator)."""
    label, total, word_start = label_before(t, s.start)
    unit = s.unit or unit_in_label(label)
    stated, comp_end = comparator_after(t, s.end)
    stated = s.comparator or stated
    after = _clause_after(t, s.end)
    clause = _clause_before(t, s.start, max(floor, 0))
    word_start = _source_start(t, word_start)
    # 「、うち新規3件」: a part of the amount before it, unless that one is a plan or was not done
    promoted = (prev is not None and prev.role != RESULT and prev_end >= 0
                and not CLAUSE_END.search(t, prev_end, s.start))  # 「10回予定のうち8回」
    part = ("うち" in clause or "内" in clause) and _PART.search(clause) is not None and not promoted
    if not part and prev is not None and prev.place.part and prev.unit == unit and prev_end >= 0:
        part = "。" not in t[prev_end:s.start]  # 「うち外国人 9万8千人、宿泊客 31万人」: the list goes on
    if part:
        label = _PART_HEAD.sub("", label)
    approx = _APPROX_RX.match(t, comp_end)  # 「1,500人程度（…）」
    opens = approx.end() if approx else comp_end
    raw = bracket_after(t, opens) if t.startswith(_OPENERS_AFTER, opens) else ""
    bracket = qualifying(raw)
    measures = qualifiers(t[word_start:s.start], clause, t[s.end: s.end + 3], bracket)
    when = _when(clause, after) if _MAY_NAME_A_TIME.search(clause) or _MAY_NAME_A_TIME.search(after) else ""
    # positional: the tuples are built once per amount, and keywords cost a third more
    place = Place(in_parens, total, part, _each(t, s, label, after), s.approx, when, _as_of(clause, after, raw),
                  s.per_unit)
    source = (original(t, spans, word_start, comp_end) if spans else t[word_start:comp_end]).strip()
    role = _role(s, label, clause, after, bracket, stated is not None and not s.comparator, t[s.end: s.end + 8])
    measures = _over_the_year(measures, s) if s.per_unit else measures
    return Quantity(float(s.exact), unit, s.exact, label, stated or ">=", stated is not None, t[s.start:s.end],
                    source, role, measures, place, None, after), comp_end


def _as_of(clause: str, after: str, bracket: str) -> bool:
    """「9月末時点で700人」「3/31現在」「12月末 4,500件」「58件（R7.3.31現在）」: a running count at a date."""
    if not (_AS_OF_GATE.search(clause) or _AS_OF_GATE.search(after) or _AS_OF_GATE.search(bracket)):
        return False
    return bool(_AS_OF.search(clause) or _AS_OF.match(after.lstrip()) or _AS_OF.search(bracket))


_CHANGE_AFTER = tuple(ROLES["change_after"])
_WORTH_AFTER = tuple(ROLES["worth_after"])
_BAND_AFTER = tuple(ROLES["band_after"])


_PERIOD_UNITS = ("か月", "週", "日", "年")


def _over_the_year(measures: Qualifiers, s: Span) -> Qualifiers:
    """「月2回×12か月」: a product over the periods of the year is no longer per month."""
    return measures._replace(basis="") if s.per_unit in _PERIOD_UNITS and measures.basis else measures


def _role(s: Span, label: str, clause: str, after: str, bracket: str, stated: bool, ahead: str) -> str:
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


_EACH_GATE = re.compile(alternation(WORDS["each"]))
_EACH_AFTER = tuple(WORDS["each_after"])
_EACH_BEFORE = re.compile(r"各[\u4e00-\u9fff\u30a0-\u30ff]{0,4}(?:で|に|とも)?\s*(?:年間?|毎年|月|毎月)?\s*$"
                          r"|(?:ごとに?|毎に)\s*(?:年間?|毎年|月|毎月)?\s*$")


def _each(t: str, s: Span, label: str, after: str) -> bool:
    """「各2回」「各地区で年3回」「地区ごとに3回」「2回ずつ」: per member of a group (not 「各12回×15か所」:
    a product counts the whole)."""
    if s.per_unit:
        return False
    before = t[max(0, s.start - 12): s.start]
    if label.startswith("各") or after.startswith(_EACH_AFTER):
        return True
    return _EACH_GATE.search(before) is not None and (
        _EACH_BEFORE.search(before) is not None or before.rstrip().endswith("各"))
