"""xlsheets: the 重点目標管理シート (priority-goal sheets) filled, read, validated and rolled up.

The public API is imported lazily, so that a command loads only what it uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

_API = {
    "fill": ".filling", "read": ".reading", "carry_forward": ".carry", "XlsheetsError": ".errors",
    "Department": ".model", "Goal": ".model", "Item": ".model", "SubItem": ".model",
    "parse_target": ".grammar", "achievement": ".rates", "validate_path": ".validation",
    "rollup": ".summary.pipeline",
}
__all__ = [
    "Department", "Goal", "Item", "SubItem", "XlsheetsError", "achievement", "carry_forward", "fill",
    "parse_target", "read", "rollup", "validate_path",
]

if TYPE_CHECKING:  # pragma: no cover
    from .carry import carry_forward
    from .errors import XlsheetsError
    from .filling import fill
    from .grammar import parse_target
    from .model import Department, Goal, Item, SubItem
    from .rates import achievement
    from .reading import read
    from .summary.pipeline import rollup
    from .validation import validate_path


def __getattr__(name: str) -> Any:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name], __name__), name)
    raise AttributeError(f"module 'xlsheets' has no attribute {name!r}")
