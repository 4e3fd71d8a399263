"""A date cell as the sheet shows it: 「令和3年3月31日」, 「R3.3.31」, 「2021/3/31」, 「3月31日」.

calamine and openpyxl give a date cell as a date; a person sees it through its number format.
``shown(value, code)`` renders the date-only formats a Japanese sheet uses (和暦 with
[$-411]/ggg/e, 年月日 literals, y/m/d with any separator); any other format (times, month
names, conditions) gives None, and the reader keeps ISO. The result is a :class:`ShownDate`:
text for the reader and the validator (whose date checks read 和暦 and 2021/3/31), with the
date kept beside it.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..grammar.eras import ERA_FIRST_DAYS, ERA_LETTERS

# Excel's built-in date formats as Japanese Excel shows them (ids 14, 27-36, 50-58)
BUILTIN = {
    14: "yyyy/m/d", 27: '[$-411]ge.m.d', 28: '[$-411]ggge"年"m"月"d"日"', 29: '[$-411]ggge"年"m"月"d"日"',
    30: "m/d/yy", 31: 'yyyy"年"m"月"d"日"', 34: 'yyyy"年"m"月"', 35: 'm"月"d"日"', 36: '[$-411]ge.m.d',
    50: '[$-411]ge.m.d', 51: '[$-411]ggge"年"m"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: '[$-411]ggge"年"m"月"d"日"', 55: 'yyyy"年"m"月"', 56: 'm"月"d"日"', 57: '[$-411]ge.m.d',
    58: '[$-411]ggge"年"m"月"d"日"',
}
# (first day, ggg, gg, g) of each era, the latest first
_LETTER = {era: letter for letter, era in ERA_LETTERS.items()}
_ERAS = [(_dt.date(*first), era, era[0], _LETTER[era]) for era, first in ERA_FIRST_DAYS.items()]
_TOKEN = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|ggg|gg|g|ee|e|[hsHS]|AM/PM|A/P|\[[^\]]*\]|.', re.I)


class ShownDate(str):
    """The text a date cell shows, with the date it holds (``.date``)."""

    date: _dt.date

    def __new__(cls, text: str, date: _dt.date) -> ShownDate:
        obj = super().__new__(cls, text)
        obj.date = date
        return obj

    def __reduce__(self):
        return ShownDate, (str(self), self.date)


def shown(value: _dt.date, code: str | None) -> ShownDate | None:
    """value as format code shows it, or None when the code is not a plain date format."""
    if not code:
        return None
    day = value.date() if isinstance(value, _dt.datetime) else value
    if isinstance(value, _dt.datetime) and value.time() != _dt.time():
        return None  # a time of day: not a date field
    out = []
    for tok in _TOKEN.findall(code.split(";")[0]):
        low = tok.lower()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif tok.startswith("\\"):
            out.append(tok[1:])
        elif tok.startswith("["):
            continue  # locale ([$-411]), colour: nothing shown
        elif low in ("yyyy", "yy"):
            out.append(str(day.year) if low == "yyyy" else f"{day.year % 100:02d}")
        elif low in ("mm", "m"):
            out.append(f"{day.month:02d}" if low == "mm" else str(day.month))
        elif low in ("dd", "d"):
            out.append(f"{day.day:02d}" if low == "dd" else str(day.day))
        elif low in ("ggg", "gg", "g", "ee", "e"):
            era = next((e for e in _ERAS if day >= e[0]), None)
            if era is None:
                return None
            if low.startswith("g"):
                out.append({"ggg": era[1], "gg": era[2], "g": era[3]}[low])
            else:
                year = day.year - era[0].year + 1
                out.append(f"{year:02d}" if low == "ee" else str(year))
        elif low in ("mmmm", "mmm", "dddd", "ddd", "h", "s", "am/pm", "a/p") or tok in "0#?@":
            return None  # month or day names, times, numbers: not rendered here
        else:
            out.append(tok)
    return ShownDate("".join(out), day)


def code_for(num_fmt_id: int, custom: dict[int, str]) -> str | None:
    return custom.get(num_fmt_id) or BUILTIN.get(num_fmt_id)


_NUMFMT = re.compile(rb'<numFmt\b[^>]*\bnumFmtId="(\d+)"[^>]*\bformatCode="([^"]*)"')
_XF = re.compile(rb"<xf\b[^>]*>")


def xlsx_styles(styles_xml: bytes) -> tuple[list[int], dict[int, str]]:
    """(numFmtId of each cell style, custom format codes) of an xl/styles.xml."""
    from html import unescape

    custom = {int(i): unescape(c.decode("utf-8", "replace")) for i, c in _NUMFMT.findall(styles_xml)}
    start, end = styles_xml.find(b"<cellXfs"), styles_xml.find(b"</cellXfs>")
    ids = []
    for xf in _XF.findall(styles_xml[start:end] if start >= 0 else b""):
        m = re.search(rb'\bnumFmtId="(\d+)"', xf)
        ids.append(int(m.group(1)) if m else 0)
    return ids, custom
