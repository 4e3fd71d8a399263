"""When a workbook was last saved: its own 更新日時 property (docProps/core.xml in .xlsx/.xlsm/.xlsb,
meta.xml in .ods), else the file's modified time. The roll-up shows it on 提出状況, and
``--duplicates latest`` keeps the workbook saved last."""

from __future__ import annotations

import os
import re
import zipfile
from datetime import datetime, timezone

PROPERTY, FILE_TIME = "property", "file"  # where a saved time came from
_PARTS = {"docProps/core.xml": re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>"),
          "meta.xml": re.compile(rb"<dc:date>([^<]+)</dc:date>")}
_MAX_PART = 1 << 20  # a properties part is a few hundred bytes; a larger one is not read


def saved_time(path: str, file_time: bool = True) -> tuple[float | None, str]:
    """(seconds since the epoch, PROPERTY or FILE_TIME) of a workbook's last save; (None, '') when
    neither is known. file_time: fall back on the file's modified time (not for a downloaded copy)."""
    stamp = _property_time(path)
    if stamp is not None:
        return stamp, PROPERTY
    if file_time:
        try:
            return os.stat(path).st_mtime, FILE_TIME
        except OSError:
            pass
    return None, ""


def _property_time(path: str) -> float | None:
    try:
        with zipfile.ZipFile(path) as z:
            for part, pattern in _PARTS.items():
                try:
                    info = z.getinfo(part)
                except KeyError:
                    continue
                if info.file_size <= _MAX_PART:
                    m = pattern.search(z.read(info))
                    return _parse(m.group(1).decode("ascii", "replace")) if m else None
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError):  # not a zip (.xls), or unreadable
        return None
    return None


def _parse(text: str) -> float | None:
    """An ISO 8601 time ('2024-05-01T01:23:45Z', with or without a zone or fraction) as epoch seconds;
    a time without a zone is UTC (the properties are written in UTC). None when it is no time."""
    text = text.strip().replace("Z", "+00:00")
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    if t.year < 1980:  # an unset property (1601, 1899) says nothing
        return None
    return t.timestamp()


def shown(stamp: float | None) -> str:
    """'2024-05-01 10:23' in this computer's time zone ('' when unknown)."""
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M") if stamp is not None else ""
