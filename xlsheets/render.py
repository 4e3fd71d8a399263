"""Render a workbook to PDF (and PNG pages) through LibreOffice headless."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import XlsheetsError
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
    from .formats import check_spreadsheet

    path, out = Path(path), Path(out)
    check_spreadsheet(path)  # any format LibreOffice renders and xlsheets reads
    check_output(out, overwrite)
    with tempfile.TemporaryDirectory(prefix="xlsheets-render-") as tmp:
        src = Path(tmp) / ("in" + path.suffix)
        shutil.copyfile(path, src)
        convert([src], "pdf", Path(tmp))
        pdf = Path(tmp) / "in.pdf"
        if not pdf.exists():
            raise XlsheetsError("LibreOffice が PDF を作りませんでした。", "LibreOffice produced no PDF")
        return write_bytes_atomic(pdf.read_bytes(), out, overwrite=overwrite)


def pdf_to_png(pdf: str | Path, prefix: str | Path, dpi: int = 70) -> list[Path]:
    """PNG pages of a PDF (pdftoppm), for looking at what a person would see."""
    exe = shutil.which("pdftoppm")
    if not exe:
        raise XlsheetsError("pdftoppm が見つかりません（poppler-utils）。", "pdftoppm not found")
    subprocess.run([exe, "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=300)
    prefix = Path(prefix)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))
