"""Every file under the inputs, accounted for: a spreadsheet to read, refused with its reason, or
skipped by a named rule (lock files, backups, earlier roll-ups, files that are not spreadsheets)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath

from ..errors import XlsheetsError
from ..io.inspection import SPREADSHEET_SUFFIXES
from ..io.saving import is_lock_file


@dataclass
class Inputs:
    """Every file under the inputs, accounted for: to read, refused (with why), or skipped by a named rule."""

    workbooks: list[Path | str] = field(default_factory=list)  # str: an fsspec URL
    refused: list[tuple[Path | str, str]] = field(default_factory=list)
    skipped: dict[str, list[Path | str]] = field(default_factory=dict)  # rule (Japanese) → files

    def skip(self, rule: str, p: Path | str) -> None:
        self.skipped.setdefault(rule, []).append(p)

    def skip_counts(self) -> dict[str, int]:
        """How many files each rule skipped (rule → count)."""
        return {rule: len(files) for rule, files in self.skipped.items()}


SKIP_RULES = SKIP_LOCK, SKIP_TEMP, SKIP_BACKUP, SKIP_ROLLUP, SKIP_OUTPUT, SKIP_OTHER = (
    "ロックファイル", "作業中の一時ファイル", "バックアップ", "集計ブック", "出力先", "表計算以外")


def scan_inputs(inputs: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Inputs:
    """Spreadsheets among files and folders (recursively); every other file is skipped by a named rule.

    A named file that is not a spreadsheet is refused (a reason for 取込エラー); met while walking a
    folder, it is counted under 表計算以外. Lock files, xlsheets' temporary files, backups
    (NAME.bak.xlsx) and the output itself are counted under their own rule.
    """
    skip = {Path(p).resolve() for p in exclude}
    found = Inputs()
    seen: set[Path] = set()

    def consider(p: Path, named: bool) -> None:
        rp = p.resolve()
        if rp in seen:
            return
        seen.add(rp)
        rule = SKIP_OUTPUT if rp in skip else _file_rule(p)
        if rule is None:
            found.workbooks.append(p)
        elif rule == SKIP_OTHER and named:
            found.refused.append((p, "表計算のブック（.xlsx/.xlsm/.xls/.xlsb/.ods）ではありません"))
        else:
            found.skip(rule, p)

    for item in inputs:
        if is_url(item):
            _scan_url(str(item), found)
            continue
        p = Path(item)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if sub.is_file():
                    consider(sub, named=False)
        elif p.exists():
            consider(p, named=True)
        else:
            found.refused.append((p, "ファイルが見つかりません"))
    return found


def _file_rule(p: PurePath) -> str | None:
    """The rule a file is skipped by, from its name (None: a workbook to read)."""
    if is_lock_file(Path(p.name)):
        return SKIP_LOCK
    if p.name.startswith(".xlsheets-"):
        return SKIP_TEMP
    if p.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return SKIP_OTHER
    return SKIP_BACKUP if p.stem.endswith(".bak") else None


def _scan_url(url: str, found: Inputs) -> None:
    """The spreadsheets under an fsspec URL (a folder, recursively, or one file), by the same rules."""
    try:
        import fsspec
    except ImportError as e:
        raise XlsheetsError(f"URL を読むには fsspec が必要です: pip install 'xlsheets[dask]': {url}",
                            f"reading a URL needs fsspec: {url}") from e
    try:
        fs, root = fsspec.core.url_to_fs(url)
        files = sorted(fs.find(root)) if fs.isdir(root) else [root] if fs.exists(root) else []
    except (OSError, ValueError) as e:
        raise XlsheetsError(f"URL を読めません: {url}（{e}）", f"cannot list {url}: {e}") from e
    if not files:
        found.refused.append((url, "ファイルが見つかりません"))
    for f in files:
        full, rule = fs.unstrip_protocol(f), _file_rule(PurePosixPath(f))
        if rule is None:
            found.workbooks.append(full)
        else:
            found.skip(rule, full)


def collect_inputs(inputs: Iterable[str | Path], exclude: Iterable[Path] = ()) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(workbooks, [(path, why it was refused)]) — scan_inputs without the skipped files."""
    found = scan_inputs(inputs, exclude)
    return found.workbooks, found.refused


def accounting(read: int, errors: int, skipped: dict[str, int], error_word: str = "取込エラー") -> str:
    """「読込 287 冊・取込エラー 3 冊・対象外 12 件（ロックファイル 2、表計算以外 10）」: every file counted once."""
    line = f"読込 {read} 冊・{error_word} {errors} 冊・対象外 {sum(skipped.values())} 件"
    if skipped:
        order = sorted(skipped, key=lambda r: SKIP_RULES.index(r) if r in SKIP_RULES else len(SKIP_RULES))
        line += "（" + "、".join(f"{rule} {skipped[rule]}" for rule in order) + "）"
    return line


def is_url(item: str | Path) -> bool:
    """An fsspec URL (s3://bucket/提出, memory://in, file:///srv/in), not a local path."""
    return isinstance(item, str) and re.match(r"[A-Za-z][\w+.-]+://", item) is not None

