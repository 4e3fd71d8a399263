"""Render the 操作 sheet of macros/xlsheets.xlsm with its buttons, for the README picture.

Buttons do not print by default (as in Excel), so this renders a copy in which they do.
    python scripts/render_excel_picture.py docs/images/excel-buttons.png
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(out: Path) -> None:
    from xlsheets.render import convert, pdf_to_png

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "xlsheets.xlsm"
        with zipfile.ZipFile(ROOT / "macros" / "xlsheets.xlsm") as zin, zipfile.ZipFile(copy, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                data = data.replace(b"<x:PrintObject>False</x:PrintObject>", b"<x:PrintObject>True</x:PrintObject>")
                data = data.replace(b'fPrintsWithSheet="0"', b'fPrintsWithSheet="1"')
                zout.writestr(info, data)
        convert([copy], "pdf", Path(tmp))
        pages = pdf_to_png(Path(tmp) / "xlsheets.pdf", Path(tmp) / "page", dpi=70)
        out.write_bytes(pages[0].read_bytes())
    print("wrote", out)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "images" / "excel-buttons.png"))
