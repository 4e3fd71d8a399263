"""Settings for 達成率 and 判定: rounding and grade bands, from a JSON/YAML file, the workbook's
``xlsheets設定`` sheet, or the defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from .errors import XlsheetsError

SETTINGS_SHEET = "xlsheets設定"
_ROUNDING = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}
_ROUNDING_JA = {"切り捨て": "floor", "四捨五入": "round", "切り上げ": "ceil"}


@dataclass(frozen=True)
class Settings:
    """Rounding of 達成率 and the 判定 bands (rate ≥ minimum → symbol)."""

    rounding: str = "floor"
    bands: tuple[tuple[int, str], ...] = ((100, "◎"), (80, "○"), (50, "△"))
    below: str = "×"
    none: str = "－"

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
    return Settings(rounding, bands, str(d.get("below", "×")), str(d.get("none", "－")))


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
    """Settings from a JSON/YAML file, else from the workbook's xlsheets設定 sheet, else defaults."""
    if path:
        from .interchange import read_text

        p = Path(path)
        if not p.is_file():
            raise XlsheetsError(f"設定ファイルが見つかりません: {p}", f"settings file not found: {p}")
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
            raise XlsheetsError(f"設定ファイルの項目が不明です: {'、'.join(map(str, odd))}（使えるのは 端数処理・◎・○・△・未達・判定なし）: {p}",
                                f"unknown settings keys: {odd}")
        for k in symbols:  # ◎: "abc" is a bound that is not a number, not an unknown item
            _band_minimum(k, data[k])
        return settings_from_sheet(list(map(list, data.items())))
    if book is not None:
        sheet = next((s for s in book.sheets if s.name == SETTINGS_SHEET), None)
        if sheet is not None:
            return settings_from_sheet(sheet.rows)
    return DEFAULT_SETTINGS


_FILE_KEYS = {"rounding", "bands", "below", "none"}
_SHEET_KEYS = {"端数処理", "未達", "判定なし"}
_SYMBOLS = {s for _m, s in DEFAULT_SETTINGS.bands}


def settings_from_sheet(rows: list[list[Any]]) -> Settings:
    """Rows of 'key | value': 端数処理 | 切り捨て; ◎ | 100; ○ | 80; △ | 50; 未達 | ×; 判定なし | －."""
    d: dict[str, Any] = {"bands": []}
    for row in rows:
        if len(row) < 2 or row[0] in (None, ""):
            continue
        key, value = str(row[0]).strip(), row[1]
        if key == "端数処理":
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
