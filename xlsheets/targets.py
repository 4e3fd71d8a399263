"""The 数値目標 grammar under its former name: everything here lives in :mod:`xlsheets.grammar`."""

from .grammar import (  # noqa: F401  (kept importable from here)
    COMPARATORS,
    DateToken,
    Quantity,
    Scan,
    Target,
    clear_caches,
    normalise,
    parse_target,
    rewrite_numbers,
    scan,
)
