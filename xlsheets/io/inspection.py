"""What a file is, and whether it is safe to open, before any reader sees it.

``check_spreadsheet(path)`` looks at the bytes, not the name: .xlsx/.xlsm, .xlsb (zip with
workbook.bin), .ods (zip with an OpenDocument mimetype), .xls (an OLE file with a Workbook
stream). A password-protected .xlsx (OLE with EncryptedPackage), a web page or a CSV saved
under an .xls name get one clear message each. ``check_package`` refuses hostile or broken
packages (zip bombs, XML entities, too many members, not a zip at all) within :class:`Limits`.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableWorkbook
from .grid import xlsx_sheet_parts

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def _env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    """Limits on what xlsheets agrees to open; raise them with environment variables:
    XLSHEETS_MAX_MB (uncompressed size), XLSHEETS_MAX_RATIO (compression ratio),
    XLSHEETS_MAX_MEMBERS (parts), XLSHEETS_MAX_CELLS (used range of one sheet)."""

    max_total_mb: float = field(default_factory=lambda: _env("XLSHEETS_MAX_MB", 200))
    max_ratio: float = field(default_factory=lambda: _env("XLSHEETS_MAX_RATIO", 200))
    max_members: int = field(default_factory=lambda: int(_env("XLSHEETS_MAX_MEMBERS", 5000)))
    max_cells: int = field(default_factory=lambda: int(_env("XLSHEETS_MAX_CELLS", 2_000_000)))


def check_package(path: str | Path, limits: Limits | None = None) -> bytes:
    """Raise UnreadableWorkbook unless path is a plausible, non-hostile .xlsx/.xlsm package.

    Returns xl/workbook.xml (checked), so that a reader need not open the package again.
    """
    limits = limits or Limits()
    p = Path(path)
    head = read_head(p)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableWorkbook(
            f"古い形式(.xls)またはパスワード付きのブックは読めません。Excelで .xlsx として保存し直してください: {p}",
            f"legacy .xls or password-protected workbook: {p}",
        )
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook(f"Excelブック(.xlsx)ではありません: {p}", f"not an .xlsx workbook: {p}")
    return scan_zip(p, limits, "xl/workbook.xml")


def read_head(p: Path, size: int = 8) -> bytes:
    """The first bytes of a file, or UnreadableWorkbook when it is missing, a folder or not readable."""
    if not p.exists():
        raise UnreadableWorkbook(f"ファイルが見つかりません: {p}", f"file not found: {p}")
    if p.is_dir():
        raise UnreadableWorkbook(f"フォルダです。ブックを指定してください: {p}", f"is a folder: {p}")
    try:
        with open(p, "rb") as fh:
            return fh.read(size)
    except PermissionError as e:
        raise UnreadableWorkbook(f"ファイルを開く権限がありません: {p}", f"permission denied: {p}") from e


def scan_zip(p: Path, limits: Limits, main: str) -> bytes:
    """Refuse a zip package that is a bomb, too big, holds XML entities or lacks its main part.

    Returns the main part (bounded: the sizes are checked first).
    """
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile as e:
        raise _broken_zip(p) from e
    except (OSError, EOFError, zipfile.LargeZipFile) as e:
        raise _broken_workbook(p, e) from e
    with zf:
        return _scan_open(zf, p, limits, main)


def _scan_open(zf: zipfile.ZipFile, p: Path, limits: Limits, main: str) -> bytes:
    """scan_zip() of a package already open."""
    try:
        return _scan_members(zf, p, limits, main)
    except zipfile.BadZipFile as e:
        raise _broken_zip(p) from e
    except (OSError, EOFError, zipfile.LargeZipFile) as e:
        raise _broken_workbook(p, e) from e


def _broken_zip(p: Path) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"ブックが壊れています（zipとして読めません）: {p}", f"broken zip: {p}")


def _broken_workbook(p: Path, e: Exception) -> UnreadableWorkbook:
    return UnreadableWorkbook(f"ブックが壊れています: {p} ({e})", f"broken workbook: {p}")


def _scan_members(zf: zipfile.ZipFile, p: Path, limits: Limits, main: str) -> bytes:
    """The checks of scan_zip() on the open package's members."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UnreadableWorkbook(f"ブック内の部品が多すぎます（{len(infos)}個）: {p}", f"too many package members: {p}")
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > limits.max_total_mb * 1024 * 1024:
        raise UnreadableWorkbook(
            f"展開後のサイズが大きすぎます（{total / 2**20:.0f} MB、上限 {limits.max_total_mb:.0f} MB。"
            f"XLSHEETS_MAX_MB で変更できます）: {p}",
            f"uncompressed size over the limit: {p}",
        )
    if total > 10 * 2**20 and total / packed > limits.max_ratio:
        raise UnreadableWorkbook(f"圧縮率が異常です（zip爆弾の疑い）: {p}", f"suspicious compression ratio: {p}")
    if main not in {i.filename for i in infos}:
        raise UnreadableWorkbook(f"Excelブック(.xlsx)ではありません: {p}", f"no {main}: {p}")
    main_part = b""
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")) or info.filename == main:
            with zf.open(info) as fh:
                if info.filename == main:
                    start = main_part = fh.read()
                else:
                    start = fh.read(2048)
            if b"<!DOCTYPE" in start[:2048] or b"<!ENTITY" in start[:2048]:
                raise UnreadableWorkbook(
                    f"危険なXML（DOCTYPE/ENTITY）を含むため開きません: {p}", f"XML with DOCTYPE/ENTITY: {p}"
                )
            if _SHEET_PART.fullmatch(info.filename):
                _check_extent(zf, info, start, p, limits)
    return main_part


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?"')
# a cell holding something (not <c r="A1" s="1"/> nor <c …></c>): its column and row
_VALUED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>(?!</(?:\w+:)?c>)')


def _area(c1: bytes, r1: bytes, c2: bytes, r2: bytes) -> tuple[int, int]:
    """(rows, columns) of a range given by its corners' column letters and row numbers."""
    width = abs(_column(c2) - _column(c1)) + 1
    return abs(int(r2) - int(r1)) + 1, width


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, start: bytes, p: Path, limits: Limits) -> None:
    """Refuse a sheet whose cells holding something span more than limits.max_cells: the reader would build
    the whole range in memory first. The sheet's own dimension settles it when it is small; else its cells do."""
    m = _DIMENSION.search(start)
    if m is not None:
        rows, cols = _area(m[1], m[2], m[3] or m[1], m[4] or m[2])
        if rows * cols <= limits.max_cells:
            return
    rows, cols = _valued_extent(zf, info)
    if rows * cols > limits.max_cells:
        raise UnreadableWorkbook(
            f"シート「{_sheet_name(zf, info.filename)}」の使用範囲が大きすぎます（{rows:,}行 × {cols}列。"
            f"XLSHEETS_MAX_CELLS で上限を変えられます）: {p}",
            f"sheet part {info.filename} has too large a used range",
        )


def _valued_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(rows, columns) spanned by a sheet part's cells that hold something, read in chunks."""
    low_r = low_c = 1 << 30
    high_r = high_c = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            for m in _VALUED_CELL.finditer(data):
                r, c = int(m[2]), _column(m[1])
                low_r, high_r, low_c, high_c = min(low_r, r), max(high_r, r), min(low_c, c), max(high_c, c)
            tail = data[-512:]  # a cell cut by the chunk's end is found whole in the next round
    return (high_r - low_r + 1, high_c - low_c + 1) if high_r else (0, 0)


def _sheet_name(zf: zipfile.ZipFile, part: str) -> str:
    """The name a sheet part is shown under (the part itself when the workbook does not say)."""
    try:
        return next((name for name, target in xlsx_sheet_parts(zf) if target == part), part)
    except (KeyError, zipfile.BadZipFile, ValueError):
        return part


def check_spreadsheet(path: str | Path, limits: Limits | None = None) -> tuple[str, bytes]:
    """(kind, main part) of a readable spreadsheet: kind is xlsx, xlsb, ods or xls.

    The main part is xl/workbook.xml for xlsx (as check_package returns it), else b"".
    Raises UnreadableWorkbook, with the reason a person can act on, for anything else.
    """
    p = Path(path)
    limits = limits or Limits()
    head = read_head(p, 2048)
    if head.startswith(b"PK"):
        return _zip_kind(p, limits)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _ole_kind(p, limits), b""
    raise _not_a_spreadsheet(p, head)


KIND_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "xlsb": (".xlsb",), "ods": (".ods",)}


def misnamed(path: str | Path, kind: str) -> str | None:
    """What to say once when a file's name says another format than its bytes (None when they agree)."""
    p = Path(path)
    if p.suffix.lower() in KIND_SUFFIXES.get(kind, ()):
        return None
    right = KIND_SUFFIXES[kind][0]
    return (f"{p.name} の中身は {right} 形式です（拡張子 {p.suffix or 'なし'} と違います）。中身のとおりに読みました。"
            f"名前を {p.stem}{right} に直すことをお勧めします（read as {right}: the name says {p.suffix or 'nothing'}）")


def _zip_kind(p: Path, limits: Limits) -> tuple[str, bytes]:
    """(kind, main part) of a zip package, checked as scan_zip() checks it: the package is opened once."""
    try:
        zf = zipfile.ZipFile(p)
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise _broken_zip(p) from e
    with zf:
        for kind, main in (("xlsx", "xl/workbook.xml"), ("xlsb", "xl/workbook.bin"), ("ods", "mimetype")):
            if main in names:
                part = _scan_open(zf, p, limits, main)
                if kind != "ods" or part.strip() == ODS_MIME:
                    return kind, part if kind == "xlsx" else b""
    raise UnreadableWorkbook(
        f"表計算のブックではありません（Word や ZIP など別の形式のファイルです）: {p}",
        f"a zip file that is not a spreadsheet: {p}",
    )


def _ole_kind(p: Path, limits: Limits) -> str:
    """An OLE compound file: an .xls, a password-protected .xlsx, or something else (.doc)."""
    if p.stat().st_size > limits.max_total_mb * 1024 * 1024:
        raise UnreadableWorkbook(f"ファイルが大きすぎます: {p}", f"file over the size limit: {p}")
    data = p.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise UnreadableWorkbook(
            f"パスワードで保護されたブックは読めません。Excel でパスワードを解除して保存し直してください: {p}",
            f"password-protected workbook: remove the password in Excel and save again: {p}",
        )
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    raise UnreadableWorkbook(
        f"表計算のブックではありません（Excel 以外の Office 文書です）: {p}", f"an Office file that is not a workbook: {p}"
    )


def _not_a_spreadsheet(p: Path, head: bytes) -> UnreadableWorkbook:
    """The message for a file that is neither zip nor OLE: a web page, a CSV, or anything else."""
    if not head:
        return UnreadableWorkbook(f"空のファイルです（0 バイト）: {p}", f"an empty file: {p}")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta")) or b"<html" in text[:512]:
        return UnreadableWorkbook(
            f"Excel ブックではなく HTML（Web ページ）のファイルです。Excel で開き、.xlsx 形式で保存し直してください: {p}",
            f"an HTML file, not a workbook (some systems export HTML as .xls): open it in Excel, save as .xlsx: {p}",
        )
    if text.startswith(b"<?xml"):
        return UnreadableWorkbook(
            f"Excel ブックではなく XML のファイルです（XML スプレッドシート 2003 など）。Excel で開き、.xlsx 形式で保存し直してください: {p}",
            f"an XML file, not a workbook: open it in Excel, save as .xlsx: {p}",
        )
    if head and b"\x00" not in head and _decodes(head):
        return UnreadableWorkbook(
            f"Excel ブックではなくテキスト（CSV など）のファイルです。Excel で開き、.xlsx 形式で保存し直してください: {p}",
            f"a text (CSV) file, not a workbook: open it in Excel, save as .xlsx: {p}",
        )
    return UnreadableWorkbook(f"表計算のブックではありません: {p}", f"not a spreadsheet: {p}")


def _decodes(head: bytes) -> bool:
    for enc in ("utf-8", "cp932"):
        try:
            head.decode(enc)
            return True
        except UnicodeDecodeError as e:
            if enc == "utf-8" and e.start > len(head) - 4:  # a character cut at the end of the sample
                return True
    return False
