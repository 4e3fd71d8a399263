"""達成率 and 判定 cells as a person typed them, read as shown.

Staff type 「50%」 in Excel (stored 0.5, shown 50%), 「146%」 or 「８０％」 as text, or a bare 106
under xlsheets' own format ``0"%"``. Each is the percent the cell shows. A number whose format
this source cannot tell (xlwings Server and Lite cannot read number formats) is a percentage
when it is a fraction below 10 (0.5 → 50: a rate of 0.5 % is not what anyone types); 1 is left
unread there (1 % or 100 %), never guessed. A number of 10 or more is the percent itself (formatted as a
percentage it would show 1000 % or more): its format is not looked up (``needs_format``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # literal text, escaped characters, [colours]/[conditions]
_RATE_TEXT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(%|パーセント)?$")


def scales_to_percent(code: str | None) -> bool | None:
    """Whether a number format shows a number ×100 with a % (0% → yes; 0"%" → no); None: unknown."""
    if code is None:
        return None
    return "%" in _QUOTED.sub("", code)


def needs_format(value: Any) -> bool:
    """Whether a 達成率 cell's number format decides what it shows (a number below 10: 0.5 is 50 % or 0.5 %)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 10


def typed_rate(value: Any, code: str | None = None) -> tuple[float, str] | None:
    """(percent, as shown) of a 達成率 cell, or None for an empty cell or one that holds no rate.

    code: the cell's number format (None when the source cannot tell).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _typed_number(float(value), scales_to_percent(code))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    m = _RATE_TEXT.match(text)
    if not m:
        return None
    return _whole(float(m.group(1))), str(value).strip()


def _typed_number(v: float, percent: bool | None) -> tuple[float, str] | None:
    if percent is None:  # the format is not known here
        if v == 1:
            return None  # 1 % or 100 %: not said by the number alone
        percent = 0 < abs(v) < 10 and not v.is_integer()
    shown = _whole(round(v * 100, 10)) if percent else _whole(v)
    return shown, f"{_number_text(shown)}%"


def _whole(v: float) -> float:
    return float(int(v)) if float(v).is_integer() else v


def _number_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def rate_number(v: float) -> int | float:
    """A rate for the interchange: a whole number as int (106), else as written (66.7)."""
    return int(v) if float(v).is_integer() else v


def percent_text(v: float) -> str:
    """「50%」「66.7%」"""
    return f"{_number_text(v)}%"
