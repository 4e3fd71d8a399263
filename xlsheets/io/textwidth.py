"""How wide a text prints and how many lines it wraps to (for row heights; no workbook library)."""

from __future__ import annotations

import math
import re

# East Asian wide, full-width and the ambiguous symbols the form uses (○ ※ ・ …): two units each
_WIDE = re.compile(r"[\u1100-\u115f\u2010-\u2027\u2030-\u2312\u2460-\u27bf\u2e80-\ua4cf\uac00-\ud7a3"
                   r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def display_width(text: str) -> int:
    """Width in half-width units: East Asian wide and full-width characters count 2."""
    return len(text) + len(_WIDE.findall(text))


def text_lines(text: str, width_units: float, font_size: float = 10.0) -> int:
    """How many printed lines a wrapped text needs in a cell of the given column width."""
    # An Excel width unit is one '0' of the default font; a 10-pt full-width character is
    # about 1.7 of them (measured on LibreOffice renders with the IPA fonts). Keep ~10%
    # slack: LibreOffice and Excel break lines differently.
    per_line = max(2.0, (width_units - 1.0) * 1.1 * 10.0 / font_size)
    lines = 0
    for part in str(text).split("\n"):
        if 2 * len(part) <= per_line:  # fits even if every character is wide: skip measuring
            lines += 1
        else:
            lines += max(1, math.ceil(display_width(part) / per_line))
    return lines
