"""The sample departments shipped with xlsheets (transcribed from the seed documents)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import XlsheetsError

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ("fy2020", "fy2024")


def sample_dict(name: str) -> dict[str, Any]:
    """The interchange dict of a sample: 'fy2020' or 'fy2024'."""
    if name not in SAMPLES:
        raise XlsheetsError(
            f"サンプル名が不明です: {name}（{' / '.join(SAMPLES)}）", f"unknown sample {name!r}"
        )
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
