"""Shared fixtures: the sample workbooks, written once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from xlsheets.filling import fill
from xlsheets.samples import sample_dict

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="session")
def sample_books(tmp_path_factory) -> dict[str, Path]:
    """{'fy2020': path, 'fy2024': path}: the samples filled into the official template."""
    d = tmp_path_factory.mktemp("samples")
    return {name: fill(sample_dict(name), d / f"{name}.xlsx").path for name in ("fy2020", "fy2024")}


@pytest.fixture
def fy2020(sample_books, tmp_path) -> Path:
    """A private copy of the FY2020 sample workbook (safe to modify)."""
    p = tmp_path / "fy2020.xlsx"
    p.write_bytes(sample_books["fy2020"].read_bytes())
    return p
