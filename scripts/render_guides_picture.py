"""Render the template's live checks and a 数値目標 hint, for the README picture.

LibreOffice draws the conditional formats; it does not print Excel's input message, so the
hint box is drawn onto the PNG, with the text read back from the workbook's data validation.
    python scripts/render_guides_picture.py docs/images/template-guides.png
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image, ImageChops, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf")


def _book(tmp: Path) -> Path:
    """The FY2024 sample's first goal with three mistakes a person could make in Excel."""
    from xlsheets import layout as L
    from xlsheets.filling import fill
    from xlsheets.io.sheetops import sheet_names
    from xlsheets.samples import sample_dict

    d = sample_dict("fy2024")
    d["goals"] = d["goals"][:1]
    d["goals"][0]["items"] = d["goals"][0]["items"][:2]
    subs = d["goals"][0]["items"][0]["subitems"]
    subs[0]["period"] = ""  # an empty required cell on a 取組 row
    subs[1]["target"] = "関係機関と包括的な支援体制を整備"  # no digit: nothing to rate against
    path = fill(d, tmp / "guides.xlsx").path
    wb = load_workbook(path)
    ws = wb.worksheets[1]
    names = sheet_names(ws)
    ws.cell(names[L.N_BODY].r1 + 2, names[L.N_COLS["rate_midterm"]].c1).value = 41  # below the △ limit
    wb.save(path)
    return path


def _box(png: Path, rgb: str) -> tuple[int, int, int, int]:
    im = Image.open(png).convert("RGB")
    diff = ImageChops.difference(im, Image.new("RGB", im.size, "#" + rgb)).convert("L")
    return diff.point(lambda v: 255 if v == 0 else 0).getbbox()


def main(out: Path) -> None:
    from xlsheets.guides import NO_DIGIT_FILL
    from xlsheets.render import convert, pdf_to_png

    with tempfile.TemporaryDirectory() as tmp:
        book = _book(Path(tmp))
        dv = next(v for v in load_workbook(book).worksheets[1].data_validations.dataValidation if v.promptTitle == "数値目標")
        convert([book], "pdf", Path(tmp))
        page = pdf_to_png(Path(tmp) / "guides.pdf", Path(tmp) / "page", dpi=100)[1]
        left, top, right, bottom = _box(page, NO_DIGIT_FILL)
        im = Image.open(page).convert("RGB")
        header = _box(page, "DDEBF7")[1]
        im = im.crop((0, header - 10, im.width, min(im.height, bottom + 230)))
        draw = ImageDraw.Draw(im)
        font, bold = ImageFont.truetype(str(FONT), 13), ImageFont.truetype(str(FONT), 14)
        lines = textwrap.wrap(dv.prompt, 30)
        x, y = left + 40, bottom - (header - 10) + 8
        draw.rectangle((x, y, x + 420, y + 30 + 18 * len(lines)), fill="#FFFFE1", outline="#767676")
        draw.text((x + 8, y + 6), dv.promptTitle, fill="black", font=bold)
        for i, line in enumerate(lines):
            draw.text((x + 8, y + 28 + 18 * i), line, fill="black", font=font)
        im.save(out)
    print("wrote", out)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "images" / "template-guides.png"))
