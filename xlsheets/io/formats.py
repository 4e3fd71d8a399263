"""What calamine leaves out of the formats it reads: the merged ranges of .ods and .xlsb and the
defined names of .xls, .ods and .xlsb (what a file is, and whether it is safe to open, is
``inspection``'s)."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from .grid import Range, Ref, col_index, format_ref

NameEntry = tuple[str, str, "int | None"]


# ---------------------------------------------------------------- what calamine does not give


DateCodes = dict[tuple[str, int, int], str]  # (sheet, row, col) of a date cell → its number format


def extra_parts(path: str | Path, kind: str, sheets: list[str]) -> tuple[list[NameEntry], dict[str, list[Range]],
                                                                        DateCodes]:
    """Defined names (name, text, index into sheets), merged ranges and the number formats of date
    and percentage cells (.ods) that calamine does not read."""
    if kind == "xls":
        return xls_names(path, sheets), {}, {}
    if kind == "ods":
        return ods_parts(path)
    if kind == "xlsb":
        return xlsb_names(path, sheets), xlsb_merges(path, sheets), {}
    return [], {}, {}


def xls_names(path: str | Path, sheets: list[str]) -> list[NameEntry]:
    """The defined names of a BIFF8 .xls (xlrd reads the workbook globals only)."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=Quiet())
    except Exception:  # names are a help for reading, not a need: labels still work
        return []
    out: list[NameEntry] = []
    try:
        for n in book.name_obj_list:
            local = n.scope if 0 <= n.scope < len(sheets) else None
            res = n.result
            if res is None or not res.value:
                continue
            if res.kind == xlrd.oREF and len(res.value) == 1:
                c = res.value[0].coords  # shx_lo, shx_hi, rlo, rhi, clo, chi (hi exclusive)
                if c[1] - c[0] == 1 and 0 <= c[0] < len(book.sheet_names()):
                    ref = Ref(book.sheet_names()[c[0]], c[2] + 1, c[4] + 1, c[3], c[5])
                    out.append((n.name, format_ref(ref), local))
            elif res.kind == xlrd.oSTRG:
                out.append((n.name, '"' + str(res.value).replace('"', '""') + '"', local))
            elif res.kind == xlrd.oNUM:
                v = float(res.value)
                out.append((n.name, str(int(v)) if v.is_integer() else str(v), local))
    finally:
        book.release_resources()
    return out


class Quiet:
    """A log file for xlrd that keeps its warnings to itself."""

    def write(self, _s: str) -> None:
        pass


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_ADDR = re.compile(r"^\$?(?:'((?:[^']|'')+)'|([^.']+))\.\$?([A-Z]{1,3})\$?(\d+)(?::\$?(?:'(?:[^']|'')+'|[^.']+)?\.\$?([A-Z]{1,3})\$?(\d+))?$")


_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_ODS_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"


def ods_parts(path: str | Path) -> tuple[list[NameEntry], dict[str, list[Range]], DateCodes]:
    """Named ranges/expressions, merged cells, date formats and percentage cells ("0%") of an .ods
    (content.xml, streamed)."""
    from defusedxml.ElementTree import iterparse

    t = _ODS_TABLE
    names: list[NameEntry] = []
    merges: dict[str, list[Range]] = {}
    dates: dict[tuple[str, int, int], str] = {}  # date cell → its cell style
    percents: list[tuple[str, int, int]] = []  # cells stored as percentages (0.5 shown 50%)
    cell_styles: dict[str, str] = {}  # cell style → data style
    sheet_index, sheet, row, col = -1, "", 0, 0
    with zipfile.ZipFile(path) as zf:
        date_styles = _ods_date_styles(zf, "styles.xml")
        with zf.open("content.xml") as fh:
            for event, el in iterparse(fh, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == t + "table":
                        sheet_index, sheet, row = sheet_index + 1, el.get(t + "name", ""), 0
                        merges[sheet] = []
                    elif tag == t + "table-row":
                        row, col = row + 1, 0
                    elif tag in (t + "table-cell", t + "covered-table-cell"):
                        col += 1
                        span_c = int(el.get(t + "number-columns-spanned", "1"))
                        span_r = int(el.get(t + "number-rows-spanned", "1"))
                        if span_c > 1 or span_r > 1:
                            merges[sheet].append((row, col, row + span_r - 1, col + span_c - 1))
                        kind = el.get(_ODS_OFFICE + "value-type")
                        if kind == "date":
                            dates[(sheet, row, col)] = el.get(t + "style-name", "")
                        elif kind == "percentage":
                            percents.append((sheet, row, col))
                    continue
                if tag in (t + "table-cell", t + "covered-table-cell"):
                    col += int(el.get(t + "number-columns-repeated", "1")) - 1
                elif tag == t + "table-row":
                    row += int(el.get(t + "number-rows-repeated", "1")) - 1
                    el.clear()
                elif tag in (t + "named-range", t + "named-expression"):
                    entry = _ods_name(el, t, sheet_index if sheet else None)  # inside a table: that sheet's own
                    if entry:
                        names.append(entry)
                elif tag == t + "table":
                    sheet = ""
                elif tag == _ODS_STYLE + "style" and el.get(_ODS_STYLE + "data-style-name"):
                    cell_styles[el.get(_ODS_STYLE + "name", "")] = el.get(_ODS_STYLE + "data-style-name", "")
                elif tag == _ODS_NUMBER + "date-style":
                    date_styles[el.get(_ODS_STYLE + "name", "")] = _ods_date_code(el)
    codes = {k: date_styles.get(cell_styles.get(style, ""), "") for k, style in dates.items()}
    codes |= dict.fromkeys(percents, "0%")
    return names, merges, {k: c for k, c in codes.items() if c}


def _ods_date_styles(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """The date styles of one part (styles.xml holds the common ones) as Excel format codes."""
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(zf.read(part))
    except KeyError:
        return {}
    return {el.get(_ODS_STYLE + "name", ""): _ods_date_code(el) for el in root.iter(_ODS_NUMBER + "date-style")}


def _ods_date_code(style) -> str:
    """An ODF <number:date-style> as the Excel code datefmt.shown() renders ("" for what it cannot)."""
    code = []
    for part in style:
        kind, long = part.tag.removeprefix(_ODS_NUMBER), part.get(_ODS_NUMBER + "style") == "long"
        gengou = part.get(_ODS_NUMBER + "calendar") == "gengou"
        if kind == "text":
            code.append('"' + (part.text or "").replace('"', "") + '"')
        elif kind == "era":
            code.append("ggg" if long else "g")
        elif kind == "year":
            code.append(("ee" if long else "e") if gengou else ("yyyy" if long else "yy"))
        elif kind == "month":
            code.append("mmm" if part.get(_ODS_NUMBER + "textual") == "true" else ("mm" if long else "m"))
        elif kind == "day":
            code.append("dd" if long else "d")
        else:
            return ""  # weekday, time, quarter: not rendered
    return "".join(code)


def _ods_name(el, t: str, local: int | None) -> NameEntry | None:
    name = el.get(t + "name", "")
    addr = el.get(t + "cell-range-address")
    if addr is not None:
        m = _ODS_ADDR.match(addr)
        if not m:
            return None
        quoted, bare, c1, r1, c2, r2 = m.groups()
        ref = Ref(quoted.replace("''", "'") if quoted else bare, int(r1), col_index(c1), int(r2 or r1),
                  col_index(c2 or c1))
        return name, format_ref(ref), local
    expr = el.get(t + "expression", "")
    expr = expr.split(":", 1)[1] if expr.startswith("of:") else expr
    return (name, expr, local) if expr else None


_BRT_MERGE_CELL = 176
_SHEET_PART = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"[^>]*\br:id="([^"]*)"')


def xlsb_merges(path: str | Path, sheets: list[str]) -> dict[str, list[Range]]:
    """Merged ranges of an .xlsb (BrtMergeCell records of each sheet part)."""
    out: dict[str, list[Range]] = {}
    with zipfile.ZipFile(path) as zf:
        for name, part in _xlsb_sheet_parts(zf, sheets).items():
            out[name] = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for r1, r2, c1, c2 in _records(zf.read(part), _BRT_MERGE_CELL)]
    return out


def _xlsb_sheet_parts(zf: zipfile.ZipFile, sheets: list[str]) -> dict[str, str]:
    """Sheet name → part (xl/worksheets/sheetN.bin), by the order of the workbook's sheet parts.

    workbook.bin lists sheets in calamine's order; the relationships name their parts.
    """
    rels = zf.read("xl/_rels/workbook.bin.rels").decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets |= {m.group(2): m.group(1) for m in re.finditer(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)}
    rids = _xlsb_sheet_rids(zf.read("xl/workbook.bin"))
    out = {}
    for name, rid in zip(sheets, rids, strict=False):
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part in zf.namelist():
            out[name] = part
    return out


def _xlsb_sheet_rids(data: bytes) -> list[str]:
    """The relationship ids of BrtBundleSh records (156), in order."""
    rids = []
    for body in _bodies(data, 156):
        # hsState(4) iTabID(4) strRelID (XLNullableWideString: count + UTF-16) strName
        n = struct.unpack_from("<I", body, 8)[0]
        rids.append(body[12:12 + 2 * n].decode("utf-16-le", "replace") if n != 0xFFFFFFFF else "")
    return rids


_BRT_NAME, _BRT_EXTERN_SHEET = 39, 362


def xlsb_names(path: str | Path, sheets: list[str]) -> list[NameEntry]:
    """The defined names of an .xlsb whose formula is one cell range or one constant (BrtName records)."""
    with zipfile.ZipFile(path) as zf:
        data = zf.read("xl/workbook.bin")
    xti = []  # ixti → sheet index (BrtExternSheet: iSupBook, itabFirst, itabLast)
    for body in _bodies(data, _BRT_EXTERN_SHEET):
        n = struct.unpack_from("<I", body)[0]
        xti += [struct.unpack_from("<3i", body, 4 + 12 * k)[1] for k in range(min(n, (len(body) - 4) // 12))]
    out: list[NameEntry] = []
    for body in _bodies(data, _BRT_NAME):
        try:
            entry = _xlsb_name(body, sheets, xti)
        except (struct.error, IndexError, UnicodeDecodeError):
            continue  # a name this reader does not follow: labels still work
        if entry:
            out.append(entry)
    return out


def _xlsb_name(body: bytes, sheets: list[str], xti: list[int]) -> NameEntry | None:
    """(name, text, sheet index) of one BrtName: flags(4) chKey(1) itab(4) name formula(cce rgce cb rgcb)."""
    itab, cch = struct.unpack_from("<iI", body, 5)
    name = body[13:13 + 2 * cch].decode("utf-16-le")
    at = 13 + 2 * cch
    cce = struct.unpack_from("<I", body, at)[0]
    rgce = body[at + 4:at + 4 + cce]
    local = itab if 0 <= itab < len(sheets) else None
    ptg = rgce[0] if rgce else 0
    if ptg in (0x3A, 0x5A, 0x7A) and cce == 9:  # PtgRef3d: ixti, row, col
        ixti, row, col = struct.unpack_from("<HIH", rgce, 1)
        refs = (row, col, row, col)
    elif ptg in (0x3B, 0x5B, 0x7B) and cce == 15:  # PtgArea3d: ixti, rows, columns
        ixti, r1, r2, c1, c2 = struct.unpack_from("<HIIHH", rgce, 1)
        refs = (r1, c1, r2, c2)
    elif ptg == 0x17:  # PtgStr
        n = struct.unpack_from("<H", rgce, 1)[0]
        return name, '"' + rgce[3:3 + 2 * n].decode("utf-16-le").replace('"', '""') + '"', local
    elif ptg == 0x1E and cce == 3:  # PtgInt
        return name, str(struct.unpack_from("<H", rgce, 1)[0]), local
    elif ptg == 0x1F and cce == 9:  # PtgNum
        v = struct.unpack_from("<d", rgce, 1)[0]
        return name, str(int(v)) if v.is_integer() else str(v), local
    else:
        return None
    sheet = xti[ixti] if ixti < len(xti) else -1
    if not 0 <= sheet < len(sheets):
        return None
    r1, c1, r2, c2 = refs
    ref = Ref(sheets[sheet], r1 + 1, (c1 & 0x3FFF) + 1, r2 + 1, (c2 & 0x3FFF) + 1)
    return name, format_ref(ref), local


def _records(data: bytes, rec_type: int):
    for body in _bodies(data, rec_type):
        if len(body) >= 16:
            yield struct.unpack_from("<4I", body)


def _bodies(data: bytes, rec_type: int):
    """Bodies of BIFF12 records of one type (type and size are 7-bit variable-length integers)."""
    i, n = 0, len(data)
    while i < n:
        t = data[i]
        i += 1
        if t & 0x80:
            t = (t & 0x7F) | (data[i] << 7)
            i += 1
        size, shift = 0, 0
        for _ in range(4):
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if t == rec_type:
            yield data[i:i + size]
        i += size
