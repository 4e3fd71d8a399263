"""xlwings Server custom functions: =XS_TARGET, =XS_RATE, =XS_GRADE, each over xlsheets.excel."""

from xlwings.server import func

import xlsheets.excel as x


@func
def XS_TARGET(text):  # noqa: N802
    return x.XS_TARGET(text)


@func
def XS_RATE(target_text, result_text):  # noqa: N802
    return x.XS_RATE(target_text, result_text)


@func
def XS_GRADE(rate):  # noqa: N802
    return x.XS_GRADE(rate)
