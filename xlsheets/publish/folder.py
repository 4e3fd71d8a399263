"""The site's folder: checked before any reading, written whole beside it, then swapped into place.

A folder is replaced (with --force) only when it is empty or a site xlsheets made (its index.html
names xlsheets as generator): never a folder of someone's own files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import XlsheetsError
from ..io.saving import check_writable_folder

GENERATOR_MARK = b'<meta name="generator" content="xlsheets'
NOT_FOLDER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".json", ".yaml", ".yml", ".html",
                       ".htm", ".pdf", ".zip", ".parquet")


def is_site(folder: Path) -> bool:
    """A site xlsheets made: its index.html says so."""
    index = folder / "index.html"
    try:
        with open(index, "rb") as fh:
            return GENERATOR_MARK in fh.read(4096)
    except OSError:
        return False


def check_site_output(out: Path, overwrite: bool) -> None:
    """Before any reading: the output is a folder name, its parent exists and is writable, and an
    existing folder is replaced only when asked (--force) and only when it is empty or a site."""
    if out.suffix.lower() in NOT_FOLDER_SUFFIXES:
        raise XlsheetsError(f"出力先はフォルダです: {out}（{out.suffix} の付かない名前にしてください。例: -o 公開サイト）",
                            f"the output is a folder: {out} (a name without {out.suffix})")
    if out.exists() and not out.is_dir():
        raise XlsheetsError(f"出力先はフォルダではなくファイルとして既に存在します: {out}", f"output exists as a file: {out}")
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise XlsheetsError(f"出力先のフォルダは既に存在します: {out}（作り直すには --force を付けてください）",
                                f"output exists: {out} (use --force to replace it)")
        if not is_site(out):
            raise XlsheetsError(f"出力先のフォルダは xlsheets が作ったサイトではないため、--force でも置き換えません: {out}"
                                f"（空のフォルダか新しい名前を指定してください）",
                                f"{out} is not a site xlsheets made: not replaced, even with --force")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise XlsheetsError(f"出力先のフォルダがありません: {parent}", f"no such folder: {parent}")
    check_writable_folder(parent)


@contextmanager
def site_folder(out: Path) -> Iterator[Path]:
    """A fresh folder beside out to write the site into; on success it takes out's place (a previous
    site is removed), on failure it is removed and out is left as it was."""
    parent = out.absolute().parent
    tmp = Path(tempfile.mkdtemp(prefix=".xlsheets-site-", dir=parent))
    try:
        yield tmp
        _readable(tmp)
        _swap(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _readable(folder: Path) -> None:
    """Folders and files as a web server may read them (what the user's umask allows): mkdtemp made 0700."""
    umask = os.umask(0)
    os.umask(umask)
    for p in [folder, *folder.rglob("*")]:
        p.chmod((0o777 if p.is_dir() else 0o666) & ~umask)


def _swap(new: Path, out: Path) -> None:
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=".xlsheets-old-", dir=out.absolute().parent))
    os.replace(out, old / "site")
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old / "site", out)  # put the previous site back
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
