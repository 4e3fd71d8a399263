"""xlsheets: the 重点目標管理シート (priority-goal sheets) filled, read, validated and rolled up."""

from __future__ import annotations

from .carry import carry_forward
from .errors import XlsheetsError
from .filling import fill
from .model import Department, Goal, Item, SubItem
from .reading import read

__all__ = ["Department", "Goal", "Item", "SubItem", "XlsheetsError", "carry_forward", "fill", "read"]
