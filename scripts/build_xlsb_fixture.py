"""Build tests/data/fy2020.xlsb: the FY2020 sample's cells and merged ranges as an Excel binary workbook.

LibreOffice cannot write .xlsb, so the committed fixture is made once with pyxlsbwriter (MIT,
`pip install pyxlsbwriter==0.1.0`, not a dependency of xlsheets), which writes cells; the merged
ranges (BrtBeginMergeCells/BrtMergeCell/BrtEndMergeCells) are added to each sheet part, and the
template's defined names (BrtBeginExternals/BrtSupSelf/BrtExternSheet/BrtEndExternals, then one
BrtName per name: a PtgArea3d range or a PtgStr/PtgNum constant) to the workbook part, as
[MS-XLSB] 2.4 describes them.

    python scripts/build_xlsb_fixture.py
"""

from __future__ import annotations

import struct
import tempfile
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook
from pyxlsbwriter import XlsbWriter

from xlsheets.filling import fill
from xlsheets.io.grid import read_defined_names
from xlsheets.samples import sample_dict

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "fy2020.xlsb"


def record(rec_type: int, body: bytes) -> bytes:
    head = bytes([rec_type]) if rec_type < 128 else bytes([(rec_type & 0x7F) | 0x80, rec_type >> 7])
    size, out = len(body), b""
    while True:
        b = size & 0x7F
        size >>= 7
        out += bytes([b | (0x80 if size else 0)])
        if not size:
            return head + out + body


def merge_records(ranges: list[tuple[int, int, int, int]]) -> bytes:
    """(r1, c1, r2, c2), 0-based inclusive → the merge-cell records of a sheet part."""
    body = record(177, struct.pack("<I", len(ranges)))
    for r1, c1, r2, c2 in ranges:
        body += record(176, struct.pack("<4I", r1, r2, c1, c2))
    return body + record(178, b"")


def name_records(entries: list[tuple[str, str, int | None]], sheets: list[str]) -> bytes:
    """The externals (one Xti per sheet) and one BrtName per defined name (print areas left out)."""
    from xlsheets.io.grid import constant_value, parse_ref

    body = record(353, struct.pack("<I", 0)) + record(355, b"")  # BrtBeginExternals, BrtSupSelf
    body += record(362, struct.pack("<I", len(sheets)) + b"".join(struct.pack("<3i", 0, k, k) for k in range(len(sheets))))
    body += record(354, b"")  # BrtEndExternals
    for name, text, local in entries:
        if name.startswith("_xlnm."):
            continue
        ref, const = parse_ref(text), constant_value(text)
        if ref is not None and ref.sheet in sheets:
            rgce = struct.pack("<BHIIHH", 0x3B, sheets.index(ref.sheet), ref.r1 - 1, ref.r2 - 1, ref.c1 - 1, ref.c2 - 1)
        elif const is not None and text.strip().lstrip("=").startswith('"'):
            rgce = struct.pack("<BH", 0x17, len(const)) + const.encode("utf-16-le")
        elif const is not None:
            rgce = struct.pack("<Bd", 0x1F, float(const))
        else:
            continue
        itab = 0xFFFFFFFF if local is None else local
        body += record(39, struct.pack("<IBII", 0, 0, itab, len(name)) + name.encode("utf-16-le")
                       + struct.pack("<I", len(rgce)) + rgce + struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF))
    return body


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = fill(sample_dict("fy2020"), Path(tmp) / "fy2020.xlsx").path
        wb = CalamineWorkbook.from_path(str(xlsx))
        sheets = [(m.name, wb.get_sheet_by_name(m.name)) for m in wb.sheets_metadata]
        plain = Path(tmp) / "plain.xlsb"
        with XlsbWriter(str(plain)) as w:
            for name, sh in sheets:
                w.add_sheet(name)
                w.write_sheet([[None if v == "" else v for v in row] for row in sh.to_python(skip_empty_area=False)])
        end_data = record(146, b"")  # BrtEndSheetData: the merge records follow it
        with zipfile.ZipFile(xlsx) as zf:
            entries = read_defined_names(zf)
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".bin"):
                    index = int(info.filename.rsplit("sheet", 1)[1].split(".")[0]) - 1
                    ranges = [(m[0][0], m[0][1], m[1][0], m[1][1]) for m in sheets[index][1].merged_cell_ranges or []]
                    at = data.index(end_data) + len(end_data)
                    data = data[:at] + merge_records(ranges) + data[at:]
                elif info.filename == "xl/workbook.bin":
                    end_sheets = record(144, b"")  # BrtEndBundleShs: externals and names follow it
                    at = data.index(end_sheets) + len(end_sheets)
                    data = data[:at] + name_records(entries, [n for n, _sh in sheets]) + data[at:]
                dst.writestr(info, data)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
