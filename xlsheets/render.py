"""Render a workbook to PDF (and PNG pages) through LibreOffice headless."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import XlsheetsError, remedy
from .io.inspection import check_spreadsheet
from .io.saving import check_output, write_bytes_atomic

FONTS_CONF = Path(__file__).resolve().parent / "data" / "fonts.conf"


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise XlsheetsError(
        "LibreOffice が見つかりません。`apt-get install libreoffice-calc-nogui fonts-ipafont` でインストールしてください。",
        "LibreOffice (soffice) not found: install libreoffice-calc-nogui and fonts-ipafont",
    )


def convert(paths: list[Path], fmt: str, out_dir: Path, timeout: float = 300) -> None:
    """Run soffice --convert-to on files with a throw-away profile and the MS→IPA font map."""
    exe = soffice()
    with tempfile.TemporaryDirectory(prefix="xlsheets-lo-") as profile:
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), SAL_USE_VCLPLUGIN="svp")
        cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
               "--convert-to", fmt, "--outdir", str(out_dir), *map(str, paths)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as e:
            raise XlsheetsError("LibreOffice が応答しません（時間切れ）。", "LibreOffice timed out") from e
    if proc.returncode != 0:
        raise XlsheetsError(f"LibreOffice での変換に失敗しました: {proc.stderr.strip()[:300]}", "LibreOffice failed")


def render_pdf(path: str | Path, out: str | Path, *, overwrite: bool = False,
               sheets: list[str] | None = None) -> Path:
    """Render a workbook to a PDF file, as printed: every sheet, or only the named ones (in the book's order)."""
    path, out = Path(path), Path(out)
    kind = check_spreadsheet(path)[0]  # any format LibreOffice renders and xlsheets reads
    check_output(out, overwrite, (".pdf",))
    if sheets:
        check_sheet_names(path, sheets)  # said before LibreOffice runs
    with tempfile.TemporaryDirectory(prefix="xlsheets-render-") as tmp_dir:
        tmp = Path(tmp_dir)
        src = tmp / ("in" + path.suffix)
        shutil.copyfile(path, src)
        if sheets:
            src = _with_sheets(src, kind, sheets)
        convert([src], "pdf", tmp)
        pdf = tmp / (src.stem + ".pdf")
        if not pdf.exists():
            raise XlsheetsError("LibreOffice が PDF を作りませんでした。", "LibreOffice produced no PDF")
        return write_bytes_atomic(pdf.read_bytes(), out, overwrite=overwrite, suffixes=(".pdf",))


def _with_sheets(src: Path, kind: str, sheets: list[str]) -> Path:
    """A copy of src beside it holding only these sheets (an .xls/.xlsb/.ods goes through .xlsx first)."""
    if kind != "xlsx":
        convert([src], "xlsx", src.parent / "xlsx")
        src = src.parent / "xlsx" / (src.stem + ".xlsx")
    return only_sheets(src, src.parent / ("sheets" + src.suffix), sheets)


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order (hidden ones too)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        return list(wb.sheet_names)
    finally:
        wb.close()


def sheet_list(path: Path, given: tuple[str, ...] | list[str]) -> list[str] | None:
    """--sheets as typed (each value a name, or names separated by commas) → names; None for every sheet."""
    if not given:
        return None
    try:
        have = set(sheet_names(Path(path)))
    except Exception:  # noqa: BLE001 - not a readable workbook: render_pdf says why
        have = set()
    names: list[str] = []
    for value in given:
        names += [value] if value in have else [n.strip() for n in value.split(",") if n.strip()]
    return names


def check_sheet_names(path: Path, wanted: list[str]) -> None:
    """Refuse a sheet name the workbook does not have, saying which it has."""
    have = sheet_names(path)
    unknown = [n for n in wanted if n not in have]
    if unknown:
        raise XlsheetsError(f"シートがありません: {'、'.join(unknown)}（このブックのシート: {'、'.join(have)}）",
                            f"no such sheet: {', '.join(unknown)}")


_SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*?/>")
_NAME = re.compile(r"<((?:\w+:)?)definedName\b([^>]*)>(.*?)</\1definedName>", re.S)


def only_sheets(src: Path, dst: Path, keep: list[str]) -> Path:
    """A copy of an .xlsx package that lists only the kept sheets (LibreOffice prints hidden sheets too,
    so the others are taken out of the workbook's list; their parts stay, unlisted). Names local to a
    dropped sheet, or pointing into one, go with it; the others are renumbered."""
    import html
    import zipfile

    with zipfile.ZipFile(src) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
        members = [(info, zf.read(info.filename)) for info in zf.infolist()]
    elements = list(_SHEET.finditer(xml))
    names = [html.unescape(re.search(r'\bname="([^"]*)"', m.group(0)).group(1)) for m in elements]
    kept = [k for k, n in enumerate(names) if n in keep]
    new_index = {old: new for new, old in enumerate(kept)}
    dropped = [n for k, n in enumerate(names) if k not in new_index]

    def name(m: re.Match) -> str:
        local = re.search(r'\blocalSheetId="(\d+)"', m.group(2))
        body = html.unescape(m.group(3))
        if (local and int(local.group(1)) not in new_index) or any(
                f"'{d.replace(chr(39), chr(39) * 2)}'!" in body or f"{d}!" in body for d in dropped):
            return ""
        if local:
            return m.group(0).replace(local.group(0), f'localSheetId="{new_index[int(local.group(1))]}"', 1)
        return m.group(0)

    for m in reversed(elements):
        if m.start() not in {elements[k].start() for k in kept}:
            xml = xml[:m.start()] + xml[m.end():]
    xml = _NAME.sub(name, xml)
    xml = re.sub(r'\b(activeTab|firstSheet)="\d+"', r'\1="0"', xml)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            out.writestr(info, xml.encode("utf-8") if info.filename == "xl/workbook.xml" else data)
    return dst


def png_pages(prefix: str | Path) -> list[Path]:
    """The pages pdftoppm made for prefix: PREFIX-1.png, PREFIX-01.png …"""
    prefix = Path(prefix)
    pattern = re.compile(re.escape(prefix.name) + r"-\d+\.png")
    return sorted(p for p in prefix.parent.glob(prefix.name + "-*.png") if pattern.fullmatch(p.name))


def check_png_pages(prefix: str | Path, overwrite: bool) -> None:
    """Refuse to write over the PNG pages of an earlier run unless overwrite."""
    old = png_pages(prefix)
    if old and not overwrite:
        ja, en = remedy("overwrite")
        raise XlsheetsError(f"PNG が既に存在します: {old[0]} ほか {len(old)} 枚（{ja}）", f"PNG pages exist: {old[0]} ({en})")


DPI = 150  # body text of an A4 page readable on screen (70 dpi was not)


def pdf_to_png(pdf: str | Path, prefix: str | Path, dpi: int = DPI, overwrite: bool = False) -> list[Path]:
    """PNG pages of a PDF (pdftoppm), for looking at what a person would see.

    Pages of an earlier run are refused, or removed when overwrite (so none is left over)."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise XlsheetsError("pdftoppm が見つかりません（poppler-utils）。", "pdftoppm not found")
    check_png_pages(prefix, overwrite)
    for old in png_pages(prefix):
        old.unlink()
    subprocess.run([exe, "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=300)
    return png_pages(prefix)
