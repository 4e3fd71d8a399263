"""xlsheets in xlwings Lite: paste this into the workbook's main.py (and lite/requirements.txt into
requirements.txt).

The buttons 検証 (xs_validate), 達成率計算 (xs_achievement), 注記クリア (xs_clear) and 新年度作成
(xs_carry_forward: a 「新年度入力」 sheet in this workbook) and the worksheet functions
=XS_TARGET(), =XS_RATE(), =XS_GRADE() are the same as the server face's: each is one line over
xlsheets.excel, defined once in xlsheets.officejs. xlwings Lite lists every script and function
it finds in this module, imported ones included.
"""

from xlsheets.officejs import (
    XS_GRADE,
    XS_RATE,
    XS_TARGET,
    xs_achievement,
    xs_carry_forward,
    xs_clear,
    xs_validate,
)

__all__ = ["XS_GRADE", "XS_RATE", "XS_TARGET", "xs_achievement", "xs_carry_forward", "xs_clear", "xs_validate"]
