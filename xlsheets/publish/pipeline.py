"""``publish(inputs, out)``: read the workbooks as the roll-up does, lay out the pages, write the
site into a fresh folder and swap it into place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..summary.columns import RATE_CAP
from ..summary.pipeline import workbooks_order
from .folder import check_site_output, site_folder
from .pages import SiteWriter
from .site import build_site
from .sources import read_sources

SITE_TITLE = "重点目標と達成状況"


@dataclass
class PublishResult:
    path: Path
    pages: int = 0
    years: int = 0
    departments: int = 0  # department-years
    goals: int = 0
    read: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    skipped: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)


def publish(inputs: Iterable[str | Path], out: str | Path, *, stage: str | None = None, cap: float | None = RATE_CAP,
            overwrite: bool = False, jobs: int | None = None, title: str = SITE_TITLE, updated: dt.date | None = None,
            progress: Callable[[int, int], None] | None = None) -> PublishResult:
    """Build the static site (pages and open data) of every sheet found in inputs into the folder out.

    stage and cap as for rollup(); updated: the 更新日 the pages state (default: today).
    progress(done, total) as files are read, then progress(-1, total) while the pages are written.
    """
    out = Path(out)
    check_site_output(out, overwrite)
    sources = read_sources(inputs, jobs=jobs, progress=progress)
    if progress:
        progress(-1, len(sources.books) + len(sources.errors))
    years = build_site(sources.books, workbooks_order(sources.books))
    with site_folder(out) as folder:
        pages = SiteWriter(folder, years, title=title, updated=updated or dt.date.today(), stage=stage,
                           cap=cap).write()
    depts = [d for y in years for d in y.departments]
    return PublishResult(out, pages, len(years), len(depts), sum(len(d.goals) for d in depts), len(sources.books),
                         sources.errors, sources.skipped, sources.duplicates)
