"""Build the corpus of hostile and broken files that xlsheets must refuse cleanly.

Run as a script to write the corpus into a folder (python tests/hostile.py OUT); the tests
build it in a temporary folder each run.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

_CT = b"""<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"""
_WB = b"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>"""


def _package(members: dict[str, bytes], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bomb(mb: int = 300) -> bytes:
    """A small file whose sheet XML unpacks to hundreds of megabytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("xl/workbook.xml", _WB)
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = b" " * (1024 * 1024)
            for _ in range(mb):
                fh.write(chunk)
    return buf.getvalue()


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    sheet = ('<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(entities) + "]>"
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    return _package({"[Content_Types].xml": _CT, "xl/workbook.xml": _WB, "xl/worksheets/sheet1.xml": sheet.encode()})


def external_entity() -> bytes:
    xxe = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
           b'<sheet name="&xxe;" sheetId="1"/></sheets></workbook>')
    return _package({"[Content_Types].xml": _CT, "xl/workbook.xml": xxe})


def huge_string(mb: int = 1024) -> bytes:
    """A shared string of about 1 GB (packed to about 1 MB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("xl/workbook.xml", _WB)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"a" * (1024 * 1024)
            for _ in range(mb):
                fh.write(chunk)
            fh.write(b"</t></si></sst>")
    return buf.getvalue()


def million_rows() -> bytes:
    """A real workbook whose used range reaches row 1,048,576."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "重点目標"
    ws["Z1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def twin_sheets(sample: bytes) -> bytes:
    """A damaged package whose workbook.xml names the third sheet as the second (one goal would be read twice)."""
    with zipfile.ZipFile(io.BytesIO(sample)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    book = members["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet [^>]*name="([^"]*)"', book)
    members["xl/workbook.xml"] = book.replace(f'name="{names[2]}"', f'name="{names[1]}"', 1).encode()
    return _package(members)


def ole_header(stream: str = "") -> bytes:
    """The start of a Compound File (an .xls, or a password-protected .xlsx) naming one stream."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + stream.encode("utf-16-le")


def corpus(sample: bytes) -> dict[str, bytes]:
    """name → bytes of every hostile or broken file (sample: a valid workbook to break)."""
    return {
        "zip_bomb.xlsx": zip_bomb(),
        "billion_laughs.xlsx": billion_laughs(),
        "external_entity.xlsx": external_entity(),
        "truncated.xlsx": sample[: len(sample) // 2],
        "not_a_zip.xlsx": b"this is plain text, not a workbook\n",
        "password_protected.xlsx": ole_header("EncryptedPackage"),
        "old_format.xls.xlsx": ole_header("Workbook"),
        "csv_renamed.xlsx": "年度,部局名\n2024,福祉部\n".encode(),
        "million_rows.xlsx": million_rows(),
        "huge_string.xlsx": huge_string(),
        "empty.xlsx": b"",
        "twin_sheets.xlsx": twin_sheets(sample),
    }


if __name__ == "__main__":
    from xlsheets.filling import fill_workbook
    from xlsheets.model import department_from_dict
    from xlsheets.samples import sample_dict

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    out.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fill_workbook(department_from_dict(sample_dict("fy2024"))).save(buf)
    for name, data in corpus(buf.getvalue()).items():
        (out / name).write_bytes(data)
        print(out / name, len(data))
