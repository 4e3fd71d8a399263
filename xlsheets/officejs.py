"""The Office.js faces' buttons and worksheet functions, shared by xlwings Server and xlwings Lite.

Each is one line over :mod:`xlsheets.excel` (the desktop buttons' functions). Both runtimes
find them by their decorators wherever they are defined: the server's custom_scripts/ and
custom_functions/ and Lite's main.py import them from here. Nothing here starts a thread or
a process (Lite runs Python in the browser, where neither exists).
"""

from __future__ import annotations

import xlwings as xw

import xlsheets.excel as x


def _decorators():
    """xlwings.func/script as the runtime bound them (xlwings Lite), else xlwings Server's own.

    Outside a runtime (a server process that imported xlwings first, the tests) xlwings binds
    placeholders that mark nothing; the server's decorators are what both runtimes read.
    """
    if xw.script.__module__ != "xlwings":
        return xw.func, xw.script
    from xlwings.server import func, script

    return func, script


func, script = _decorators()


@script
def xs_validate(book: xw.Book):
    """検証"""
    x.validate_sheet(book)


@script
def xs_achievement(book: xw.Book):
    """達成率計算"""
    x.compute_achievement(book)


@script
def xs_clear(book: xw.Book):
    """注記クリア"""
    x.clear_findings(book)


@script
def xs_carry_forward(book: xw.Book):
    """新年度作成（開いているブックに「新年度入力」シートを追加）"""
    x.carry_forward_sheet(book)


@func
def XS_TARGET(text):  # noqa: N802 - Excel function names are upper case
    return x.XS_TARGET(text)


@func
def XS_RATE(target_text, result_text):  # noqa: N802
    return x.XS_RATE(target_text, result_text)


@func
def XS_GRADE(rate):  # noqa: N802
    return x.XS_GRADE(rate)


__all__ = ["XS_GRADE", "XS_RATE", "XS_TARGET", "xs_achievement", "xs_carry_forward", "xs_clear", "xs_validate"]
