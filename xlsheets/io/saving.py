"""Opening and saving workbooks safely.

(Refusing hostile or broken inputs before any parser sees them is ``inspection``'s.)

* ``check_output``: refuse an output of the wrong kind, an existing, read-only or open one.
* ``save_workbook``: write to a temporary file beside the target, fsync, check that it
  opens, keep the previous version as a backup, then atomically replace the target.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from ..errors import UnreadableWorkbook, XlsheetsError, remedy
from .inspection import check_package
from .locking import Fingerprint, check_unchanged, edit_lock, is_stale, lock_files, refusal
from .phonetics import losses

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_lock_file(path: Path) -> bool:
    return path.name.startswith("~$") or (path.name.startswith(".~lock.") and path.name.endswith("#"))


OUTPUT_SUFFIXES = WORKBOOK_SUFFIXES + (".json", ".yaml", ".yml", ".csv", ".parquet", ".pdf")


def check_output(path: Path, overwrite: bool, suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> None:
    """Before any work: refuse an output of the wrong kind (suffixes: what the caller writes), an
    existing one (unless overwrite), a read-only one, one open in Excel/LibreOffice, or a folder
    that is missing or not writable."""
    path = Path(path)
    refuse_suffix(path, suffixes)
    if path.exists() and not overwrite:
        ja, en = remedy("overwrite")
        raise XlsheetsError(f"出力先は既に存在します: {path}（{ja}）", f"output exists: {path} ({en})")
    if not path.parent.is_dir():  # said before any work, not after a long roll-up
        raise XlsheetsError(f"出力先のフォルダがありません: {path.parent}", f"no such folder: {path.parent}")
    locks = [lock for lock in lock_files(path) if not is_stale(lock)]
    if locks:
        raise refusal(path, locks[0])
    refuse_read_only(path)
    check_writable_folder(path.parent)


def refuse_suffix(path: Path, suffixes: tuple[str, ...]) -> None:
    """The extension says what is written: refuse one that says something else."""
    if path.suffix.lower() not in suffixes:
        fits = " / ".join(dict.fromkeys(suffixes))
        raise XlsheetsError(f"出力ファイルの拡張子が合いません: {path}（ここで書けるのは {fits}）",
                            f"wrong output extension: {path} (use {fits})")


def is_read_only(path: Path) -> bool:
    """Read-only as Excel sees it: no write bit (even for root, who could write anyway), or not
    writable by this user."""
    return path.is_file() and (not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK))


def refuse_read_only(path: Path, what: str = "") -> None:
    if is_read_only(path):
        ja, en = remedy("other_output")
        raise XlsheetsError(
            f"読み取り専用の{what}ファイルには書き込みません: {path}（Excel と同じく。{ja}。または読み取り専用を外してください）",
            f"{path} is read-only ({en}, or make it writable)",
        )


def check_writable_folder(folder: Path) -> None:
    """Create and remove a file in folder: the only test that is true for every user (root too)."""
    try:
        fd, name = tempfile.mkstemp(prefix=".xlsheets-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as e:
        raise XlsheetsError(f"出力先のフォルダに書き込めません（権限がありません）: {folder}",
                            f"cannot write in {folder}: {e.strerror}") from e


# Steps of a save, module-level so that tests can inject a failure at each one.
def _write(wb, tmp: Path) -> None:
    """wb: an openpyxl Workbook, or any callable that writes a workbook file at the given path."""
    if callable(wb) and not hasattr(wb, "save"):
        wb(tmp)
    else:
        wb.save(tmp)


def _fsync(tmp: Path) -> None:
    with open(tmp, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def _verify(tmp: Path) -> None:
    from python_calamine import CalamineWorkbook

    with zipfile.ZipFile(tmp) as zf:
        bad = zf.testzip()
        if bad:
            raise XlsheetsError(f"保存したファイルの検証に失敗しました（{bad}）", f"saved file failed verification: {bad}")
    CalamineWorkbook.from_path(str(tmp)).close()


def _backup(path: Path) -> Path | None:
    if not path.exists():
        return None
    bak = backup_path(path)
    shutil.copy2(path, bak)
    return bak


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _replace(tmp: Path, path: Path) -> None:
    """Give tmp the mode of the file it replaces, or what the user's umask gives a new file."""
    if path.exists():
        shutil.copymode(path, tmp)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def _write_failed(path: Path, e: OSError) -> XlsheetsError:
    if isinstance(e, PermissionError):
        return XlsheetsError(f"書き込めません（権限がないか、ファイルが開かれています）: {path}",
                             f"permission denied: {path}")
    return XlsheetsError(f"書き込めません: {path}（{e.strerror or e}）", f"cannot write {path}: {e}")


def save_workbook(wb, path: str | Path, *, overwrite: bool = False, backup: bool = True,
                  expect: Fingerprint | None = None) -> Path:
    """Save a workbook atomically; the target is either the old or the new file, never half of one.

    wb is an openpyxl Workbook, or a callable that writes the workbook to a given path
    (xlsxwriter). The previous file is kept as NAME.bak.xlsx unless backup=False. The target's
    lock files are held while it is written (see locking); with expect (what the file was when it
    was read), a target changed since is left as it is (ChangedMeanwhile).
    """
    path = Path(path)
    check_output(path, overwrite, WORKBOOK_SUFFIXES)
    if backup and path.exists():
        refuse_read_only(backup_path(path), "バックアップ")
    tmp = None
    try:
        fd, name = tempfile.mkstemp(prefix=".xlsheets-", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        _write(wb, tmp)
        _fsync(tmp)
        _verify(tmp)
        with edit_lock(path):  # already held when the caller read the file under it
            check_unchanged(path, expect)
            if backup:
                _backup(path)
            _replace(tmp, path)
    except OSError as e:
        raise _write_failed(path, e) from e
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
    return path


def write_bytes_atomic(data: bytes, path: str | Path, *, overwrite: bool = False,
                       suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> Path:
    """Atomically write a non-workbook output (JSON, CSV, PDF), with the mode the user's umask gives."""
    return write_stream_atomic(lambda fh: fh.write(data), path, overwrite=overwrite, suffixes=suffixes)


def write_stream_atomic(write, path: str | Path, *, overwrite: bool = False,
                        suffixes: tuple[str, ...] = OUTPUT_SUFFIXES) -> Path:
    """write(binary file) into a temporary file beside path, then renamed over it: an output too long
    to hold in memory (the full 一覧 of a prefecture) is written as atomically as a short one."""
    path = Path(path)
    check_output(path, overwrite, suffixes)
    name = None
    try:
        fd, name = tempfile.mkstemp(prefix=".xlsheets-", suffix=path.suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _replace(Path(name), path)
    except OSError as e:
        raise _write_failed(path, e) from e
    finally:
        if name and os.path.exists(name):
            os.unlink(name)
    return path


# ---------------------------------------------------------------- lossless or refuse

_LOSSY_CHECKS: list[tuple[str, bytes, str]] = [
    # (member prefix, marker, what openpyxl would drop)
    ("xl/drawings/drawing", b"<xdr:grpSp", "グループ化した図形 (grouped shapes)"),
    ("xl/drawings/drawing", b"<xdr:cxnSp", "コネクタ（線） (connectors)"),
    ("xl/worksheets/sheet", b"<x14:dataValidation", "Excel 2010 形式の入力規則 (x14 data validation)"),
    ("xl/worksheets/sheet", b"<x14:sparklineGroup", "スパークライン (sparklines)"),
    ("xl/worksheets/sheet", b"<x14:conditionalFormatting", "Excel 2010 形式の条件付き書式 (x14 conditional formatting)"),
    ("xl/slicers/", b"", "スライサー (slicers)"),
    ("xl/timelines/", b"", "タイムライン (timelines)"),
]


def lossy_parts(path: str | Path) -> list[str]:
    """What an openpyxl load + save of this file would lose (in Japanese); [] when nothing."""
    p = Path(path)
    found: list[str] = []
    with zipfile.ZipFile(p) as zf:
        names = zf.namelist()
        drawings = {n: zf.read(n) for n in names if n.startswith("xl/drawings/drawing")}
        controls = sum(n.startswith("xl/ctrlProps/") for n in names) + sum(
            zf.read(n).count(b'ObjectType="Button"') for n in names if n.startswith("xl/drawings/vmlDrawing")
            and not any(m.startswith("xl/ctrlProps/") for m in names))
        if controls:  # openpyxl drops <controls> and their drawing even with keep_vba
            found.append("フォームのボタン (form controls)")
        shapes = sum(xml.count(b"<xdr:sp>") + xml.count(b"<xdr:sp ") for xml in drawings.values())
        if shapes > controls:
            found.append("図形・テキストボックス (shapes and text boxes)")
        for prefix, marker, what in _LOSSY_CHECKS:
            for n in names:
                if n.startswith(prefix) and what not in found and (not marker or marker in zf.read(n)):
                    found.append(what)
        for n in names:
            if n.startswith("xl/worksheets/sheet"):
                xml = zf.read(n)
                for tag in (b"<oddHeader>", b"<oddFooter>", b"<evenHeader>", b"<evenFooter>"):
                    i = xml.find(tag)
                    if i >= 0:
                        body = xml[i + len(tag): xml.find(b"</", i)]
                        if body and not any(code in body for code in (b"&amp;L", b"&amp;C", b"&amp;R")):
                            what = "区分のないヘッダー・フッター (header/footer without sections)"
                            if what not in found:
                                found.append(what)
    return found + phonetic_losses(p)


def phonetic_losses(path: Path) -> list[str]:
    """ふりがな that an in-place write could not keep exactly (see phonetics.restore)."""
    return losses(path)


def refuse_lossy(path: str | Path) -> None:
    """Refuse an in-place write that would drop content of the user's workbook."""
    lost = lossy_parts(path)
    if lost:
        ja, en = remedy("other_output")
        raise XlsheetsError(
            f"このブックをそのまま上書きすると次の内容が失われるため、上書きしません: {'、'.join(lost)}。{ja}。",
            f"refusing to overwrite {Path(path).name}: it would lose {', '.join(lost)}; {en}",
        )


def open_for_edit(path: str | Path):
    """Load a workbook for editing with what can be kept: VBA (.xlsm), rich text; recalc on open."""
    from openpyxl import load_workbook

    p = Path(path)
    check_package(p)
    source: Path | io.BytesIO = p
    macros = p.suffix.lower() == ".xlsm"
    if p.suffix.lower() not in (".xlsx", ".xlsm"):  # an .xlsx under another name: openpyxl goes by the name
        source = io.BytesIO(p.read_bytes())
        with zipfile.ZipFile(source) as zf:
            macros = "xl/vbaProject.bin" in zf.namelist()
    try:
        wb = load_workbook(source, rich_text=True, keep_vba=macros, keep_links=True)
    except Exception as e:  # openpyxl raises many types on broken parts
        raise UnreadableWorkbook(f"ブックを開けません: {p}（{e}）", f"cannot open workbook: {e}") from e
    if any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row):
        wb.calculation.fullCalcOnLoad = True
    return wb
