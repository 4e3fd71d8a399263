"""Render a workbook to PDF (and PNG pages) through LibreOffice headless."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import XlsheetsError, remedy
from .saving import check_output, write_bytes_atomic

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


def render_pdf(path: str | Path, out: str | Path, *, overwrite: bool = False) -> Path:
    """Render a workbook to a PDF file (every sheet, as printed)."""
    from .inspection import check_spreadsheet

    path, out = Path(path), Path(out)
    check_spreadsheet(path)  # any format LibreOffice renders and xlsheets reads
    check_output(out, overwrite, (".pdf",))
    with tempfile.TemporaryDirectory(prefix="xlsheets-render-") as tmp:
        src = Path(tmp) / ("in" + path.suffix)
        shutil.copyfile(path, src)
        convert([src], "pdf", Path(tmp))
        pdf = Path(tmp) / "in.pdf"
        if not pdf.exists():
            raise XlsheetsError("LibreOffice が PDF を作りませんでした。", "LibreOffice produced no PDF")
        return write_bytes_atomic(pdf.read_bytes(), out, overwrite=overwrite, suffixes=(".pdf",))


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


def pdf_to_png(pdf: str | Path, prefix: str | Path, dpi: int = 70, overwrite: bool = False) -> list[Path]:
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
