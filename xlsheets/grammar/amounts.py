"""What a scan finds: amounts (:class:`Quantity`), dates and stated 達成率 (:class:`Scan`), and the span
of text the tokeniser read an amount from (:class:`Span`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from .qualifiers import NONE, RESULT, Place, Qualifiers


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
    after: str = ""  # the words after it to the end of its clause (「が完了」「は交渉中」)


class DateToken(NamedTuple):
    text: str
    year: int | None  # western year when the text states one
    month: int | None
    day: int | None
    valid: bool


@dataclass(slots=True)
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
    text: str = ""  # the text as read (normalised): a target's words are looked for in it


class Span(NamedTuple):
    """Where an amount was found: its text span, and what the tokeniser read in it."""

    start: int
    end: int  # after its unit
    exact: Decimal
    unit: str
    approx: bool = False
    per_unit: str = ""
    comparator: str | None = None  # set by the token itself (過半数: more than half)
