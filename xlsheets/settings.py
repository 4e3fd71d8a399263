"""Settings for 達成率 and 判定 (rounding and grade bands) and the city's order of departments (部局順),
from a JSON/YAML file, the workbook's ``xlsheets設定`` sheet, or the defaults; and that order applied
to department names (``order_departments``)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .errors import XlsheetsError
from .io.inspection import SPREADSHEET_SUFFIXES
from .io.loading import load_book, read_text
from .layout import SETTINGS_SHEET

_ROUNDING = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}
_ROUNDING_JA = {"切り捨て": "floor", "四捨五入": "round", "切り上げ": "ceil"}


@dataclass(frozen=True)
class Settings:
    """Rounding of 達成率, the 判定 bands (rate ≥ minimum → symbol), and the city's 部局順."""

    rounding: str = "floor"
    bands: tuple[tuple[int, str], ...] = ((100, "◎"), (80, "○"), (50, "△"))
    below: str = "×"
    none: str = "－"
    departments: tuple[str, ...] = ()  # 部局順: the city's order of its departments (empty: natural order)

    def grade(self, rate: int | None) -> str:
        if rate is None:
            return self.none
        for minimum, symbol in sorted(self.bands, reverse=True):
            if rate >= minimum:
                return symbol
        return self.below

    def round(self, percent: Decimal) -> int:
        return int(percent.quantize(Decimal(1), rounding=_ROUNDING.get(self.rounding, ROUND_FLOOR)))


DEFAULT_SETTINGS = Settings()


def settings_from_dict(d: dict[str, Any]) -> Settings:
    rounding = _ROUNDING_JA.get(str(d.get("rounding", "floor")), str(d.get("rounding", "floor")))
    if rounding not in _ROUNDING:
        raise XlsheetsError(f"端数処理の指定が不明です: {d.get('rounding')}（切り捨て/四捨五入/切り上げ）",
                            "rounding must be floor, round or ceil")
    bands = _checked_bands(d.get("bands", DEFAULT_SETTINGS.bands))
    return Settings(rounding, bands, str(d.get("below", "×")), str(d.get("none", "－")),
                    department_list(d.get("departments", ())))


DEPARTMENT_ORDER = "部局順"  # the key of the city's order of departments, on the sheet and in a file


def department_list(value: Any) -> tuple[str, ...]:
    """A 部局順 as written: a list, or one text separated by 、 , ， ; or line breaks."""
    if value is None or value == "":
        return ()
    items = value if isinstance(value, (list, tuple)) else re.split(r"[、,，;；\n]", str(value))
    names = [str(v).strip() for v in items if v is not None and str(v).strip()]
    return tuple(dict.fromkeys(names))


def _band_minimum(symbol: Any, value: Any) -> int:
    """A band's lower bound: a whole number of percent (80 or 80.0), not text or true/false."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise XlsheetsError(f"判定 {symbol} の下限は 0 以上の整数（％）で書いてください: {value!r}",
                            f"the lower bound of {symbol} must be a whole number of percent, not {value!r}")
    return int(value)


def _checked_bands(raw: Any) -> tuple[tuple[int, str], ...]:
    """(minimum, symbol) pairs, checked: numbers, and the better grade has the higher minimum
    (◎ > ○ > △; other symbols from the top down as listed)."""
    try:
        pairs = [(m, str(sym)) for m, sym in raw]
    except (TypeError, ValueError) as e:
        raise XlsheetsError("bands は [[100, \"◎\"], [80, \"○\"], [50, \"△\"]] のように書いてください。",
                            "bands must be [[minimum, symbol], …]") from e
    bands = [(_band_minimum(sym, m), sym) for m, sym in pairs]
    known = [sym for _m, sym in DEFAULT_SETTINGS.bands]
    ordered = sorted(bands, key=lambda b: known.index(b[1])) if all(sym in known for _m, sym in bands) else bands
    if any(a[0] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False)):
        said = "、".join(f"{sym} {m}" for m, sym in ordered)
        raise XlsheetsError(f"判定の下限の順序が逆です: {said}（上の判定ほど下限を高くしてください。例: ◎ 100、○ 80、△ 50）",
                            f"grade bands out of order: {said}")
    return tuple(bands)


def load_settings(path: str | Path | None = None, book=None) -> Settings:
    """Settings from a file (JSON/YAML, or a workbook with an xlsheets設定 sheet), else from the
    workbook's xlsheets設定 sheet, else defaults."""
    if path:
        p = Path(path)
        if not p.is_file():
            raise XlsheetsError(f"設定ファイルが見つかりません: {p}", f"settings file not found: {p}")
        if p.suffix.lower() in SPREADSHEET_SUFFIXES:
            return _settings_workbook(p)
        text = read_text(p)  # UTF-8 with or without BOM (Notepad), Shift_JIS, UTF-16
        import yaml

        try:
            data = yaml.safe_load(text) or {} if p.suffix.lower() in (".yaml", ".yml") else json.loads(text)
        except (ValueError, yaml.YAMLError) as e:  # JSONDecodeError is a ValueError
            raise XlsheetsError(f"設定ファイルを読めません: {p}（{e}）", f"cannot parse settings: {p}") from e
        if not isinstance(data, dict):
            raise XlsheetsError(f"設定ファイルの形が違います（{{\"端数処理\": \"四捨五入\", \"◎\": 100, …}} のような"
                                f"対応表にしてください）: {p}", f"settings must be a mapping: {p}")
        if set(data) <= _FILE_KEYS:
            return settings_from_dict(data)
        # the keys of the xlsheets設定 sheet: 端数処理, ◎/○/△ with their lower bounds, 未達, 判定なし
        # a grade symbol is one of ◎○△, or a short key with a number
        symbols = {k for k, v in data.items() if k in _SYMBOLS or (isinstance(v, (int, float)) and len(str(k)) <= 3)}
        odd = [k for k in data if k not in _SHEET_KEYS | symbols]
        if odd:
            raise XlsheetsError(f"設定ファイルの項目が不明です: {'、'.join(map(str, odd))}"
                                f"（使えるのは 端数処理・◎・○・△・未達・判定なし・部局順）: {p}",
                                f"unknown settings keys: {odd}")
        for k in symbols:  # ◎: "abc" is a bound that is not a number, not an unknown item
            _band_minimum(k, data[k])
        return settings_from_sheet(list(map(list, data.items())))
    if book is not None:
        sheet = next((s for s in book.sheets if s.name == SETTINGS_SHEET), None)
        if sheet is not None:
            return settings_from_sheet(sheet.rows)
    return DEFAULT_SETTINGS


def _settings_workbook(p: Path) -> Settings:
    """The xlsheets設定 sheet of a workbook given as the settings file."""
    book = load_book(p)
    if not any(s.name == SETTINGS_SHEET for s in book.sheets):
        raise XlsheetsError(f"設定ファイルのブックに「{SETTINGS_SHEET}」シートがありません: {p}",
                            f"the settings workbook has no {SETTINGS_SHEET} sheet: {p}")
    return load_settings(book=book)


_FILE_KEYS = {"rounding", "bands", "below", "none", "departments"}
_SHEET_KEYS = {"端数処理", "未達", "判定なし", DEPARTMENT_ORDER}
_SYMBOLS = {s for _m, s in DEFAULT_SETTINGS.bands}


def settings_from_sheet(rows: list[list[Any]]) -> Settings:
    """Rows of 'key | value': 端数処理 | 切り捨て; ◎ | 100; ○ | 80; △ | 50; 未達 | ×; 判定なし | －;
    部局順 | 総務部 | 企画部 … (across the row, or down column B with column A left empty)."""
    d: dict[str, Any] = {"bands": [], "departments": []}
    key = ""
    for row in rows:
        if len(row) < 2:
            continue
        if row[0] in (None, "") and key == DEPARTMENT_ORDER:  # the list goes on down the column
            d["departments"] += _listed(row[1:])
            continue
        if row[0] in (None, ""):
            key = ""
            continue
        key, value = str(row[0]).strip(), row[1]
        if key == DEPARTMENT_ORDER:
            d["departments"] += _listed(row[1:])
        elif key == "端数処理":
            d["rounding"] = str(value).strip()
        elif key == "未達":
            d["below"] = str(value).strip()
        elif key == "判定なし":
            d["none"] = str(value).strip()
        elif isinstance(value, (int, float)) and len(key) <= 3:
            d["bands"].append((int(value), key))
    if not d["bands"]:
        d.pop("bands")
    return settings_from_dict(d)


def _listed(cells: Sequence[Any]) -> list[str]:
    """The names in some cells of a 部局順 row (a file's list, or one text of several names)."""
    names: list[str] = []
    for v in cells:
        names += department_list(v)
    return names


def order_departments(names: Iterable[str], settings: Settings | Sequence[str] | None = None) -> list[str]:
    """Department names in the city's order: those in the 部局順 (of settings, or a list of names)
    first, as listed; the others after them in natural order (第2部 before 第10部: numbers by value),
    then in the reading order of Japanese Excel's sort without ふりがな (kana in 五十音 order,
    ひらがな and カタカナ together; kanji in JIS order, which is by reading for the common ones).
    Names match the list whatever their spaces or full-width letters."""
    listed = settings.departments if isinstance(settings, Settings) else tuple(settings or ())
    rank = {plain_name(n): k for k, n in enumerate(listed)}

    def key(name: str) -> tuple:
        at = rank.get(plain_name(name))
        return (0, at, ()) if at is not None else (1, 0, _natural(name))

    return sorted(names, key=key)


def plain_name(name: str) -> str:
    """A department name as compared with the 部局順: no spaces, full-width letters and digits as ASCII."""
    return "".join(unicodedata.normalize("NFKC", str(name)).split())


def _natural(name: str) -> tuple:
    """第2部 → (('第'), 2, ('部')): text parts by their sort bytes, numbers by value."""
    parts = re.split(r"(\d+)", plain_name(name).lower())
    return tuple((0, int(p), b"") if k % 2 else (1, 0, _sort_bytes(p)) for k, p in enumerate(parts) if p) + (
        (2, 0, _sort_bytes(name, kana_apart=True)),)  # ties: カタカナ after ひらがな, as Excel


def _sort_bytes(text: str, kana_apart: bool = False) -> bytes:
    """Shift_JIS bytes, the order of Japanese Excel's sort without ふりがな; カタカナ read as ひらがな
    unless kana_apart; a character Shift_JIS lacks after all others."""
    out = bytearray()
    for ch in text:
        if not kana_apart and "ァ" <= ch <= "ヶ":
            ch = chr(ord(ch) - 0x60)
        try:
            out += ch.encode("cp932")
        except UnicodeEncodeError:
            out += b"\xff" + ch.encode("utf-8")
    return bytes(out)
