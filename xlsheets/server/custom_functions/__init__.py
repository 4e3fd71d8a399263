"""xlwings Server custom functions: =XS_TARGET, =XS_RATE, =XS_GRADE (xlsheets.officejs)."""

from xlsheets.officejs import XS_GRADE, XS_RATE, XS_TARGET

__all__ = ["XS_GRADE", "XS_RATE", "XS_TARGET"]
