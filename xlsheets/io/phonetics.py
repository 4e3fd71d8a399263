"""ふりがな (phonetic guides) kept through an openpyxl save.

Japanese Excel stores the reading of IME-typed text as ``<rPh>`` runs and ``<phoneticPr>`` in
the shared strings, and a sheet's default as ``<phoneticPr>`` in the worksheet; openpyxl drops
both when it saves (and writes every string inline). ``restore(src, saved)`` puts them back:
each inline string of the saved file whose text is that of a string with phonetics in the
source gets the source's runs verbatim (an inline string may carry them as a shared one does);
each sheet gets its ``<phoneticPr>`` back. ``losses(src)`` names what cannot be put back
exactly (then in-place writes are refused, as for shapes): one text stored with two readings,
or with and without one, cells set to show their ふりがな, phonetics in inline strings.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from .grid import xlsx_sheet_parts

WHAT = "ふりがな (phonetic guides)"
_SI = re.compile(rb"<si>.*?</si>|<si/>", re.S)
_IS = re.compile(rb"<is>(.*?)</is>", re.S)
_RPH = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_T = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>|<t\s*/>", re.S)
_FONT_ID = re.compile(rb'(<phoneticPr\b[^>]*\bfontId=")(\d+)(")')
_SHEET_PR = re.compile(rb"<phoneticPr\b[^>]*/>")
_FONT = re.compile(rb"<font\b.*?</font>|<font\b[^>]*/>", re.S)
_FONT_KEY = re.compile(rb'<(?:name|sz)\s+val="([^"]*)"')
# what may follow <phoneticPr> in a worksheet (CT_Worksheet order)
_AFTER = (b"<conditionalFormatting", b"<dataValidations", b"<hyperlinks", b"<printOptions", b"<pageMargins",
          b"<pageSetup", b"<headerFooter", b"<rowBreaks", b"<colBreaks", b"<customProperties", b"<cellWatches",
          b"<ignoredErrors", b"<smartTags", b"<drawing", b"<legacyDrawing", b"<picture", b"<oleObjects",
          b"<controls", b"<webPublishItems", b"<tableParts", b"<extLst", b"</worksheet>")


def si_text(si: bytes) -> bytes:
    """The text of a shared string as a cell shows it (runs joined, phonetic runs left out)."""
    return b"".join(m.group(1) or b"" for m in _T.finditer(_RPH.sub(b"", si)))


def phonetic_strings(zf: zipfile.ZipFile) -> tuple[dict[bytes, bytes], set[bytes]]:
    """({text: <si> with phonetics}, texts with two different readings) of a package's shared strings."""
    try:
        xml = zf.read("xl/sharedStrings.xml")
    except KeyError:
        return {}, set()
    found: dict[bytes, bytes] = {}
    plain: set[bytes] = set()
    for m in _SI.finditer(xml):
        si = m.group(0)
        if b"<rPh" not in si and b"<phoneticPr" not in si:
            plain.add(si_text(si))
            continue
        text = si_text(si)
        if found.get(text, si) != si:
            plain.add(text)  # two readings of one text: which cell had which is not kept by openpyxl
        found[text] = si
    return found, plain & set(found)


def losses(path: str | Path) -> list[str]:
    """[WHAT] when an openpyxl save of this .xlsx would lose phonetics that restore() cannot put back."""
    with zipfile.ZipFile(path) as zf:
        found, ambiguous = phonetic_strings(zf)
        sheets = [zf.read(n) for n in _sheet_parts(zf)]
    shows = any(re.search(rb'<c\b[^>]*\bph="(?:1|true)"', xml) for xml in sheets)
    inline = any(b"<rPh" in m.group(1) for xml in sheets for m in _IS.finditer(xml))
    return [WHAT] if ambiguous or shows or inline else []


def has_phonetics(path: str | Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return bool(phonetic_strings(zf)[0]) or any(_sheet_default(zf.read(n)) for n in _sheet_parts(zf))


def _sheet_default(xml: bytes) -> bytes | None:
    """A worksheet's own <phoneticPr> (after its cells, which may carry their own)."""
    m = _SHEET_PR.search(xml, max(0, xml.find(b"</sheetData>")))
    return m.group(0) if m else None


def restore(src: str | Path, saved: str | Path) -> int:
    """Put the phonetics of src back into saved (an openpyxl save of it); returns the strings restored."""
    with zipfile.ZipFile(src) as zs:
        found, _ambiguous = phonetic_strings(zs)
        fonts_src = _fonts(zs)
        sheet_pr = [_sheet_default(zs.read(n)) for n in _sheet_parts(zs)]
    with zipfile.ZipFile(saved) as zn:
        parts = {i.filename: zn.read(i) for i in zn.infolist()}
        infos = zn.infolist()
        fonts_new = _fonts(zn)
        new_sheets = _sheet_parts(zn)
    count = 0

    def font(xml: bytes) -> bytes:
        return _FONT_ID.sub(lambda f: f.group(1) + _font_index(int(f.group(2)), fonts_src, fonts_new) + f.group(3), xml)

    def runs(inner: bytes) -> bytes:
        """The runs of a string (inside <is> or <si>), with the source's phonetics when it had them."""
        nonlocal count
        si = found.get(si_text(inner))
        if si is None:
            return inner
        count += 1
        return font(si[len(b"<si>"):-len(b"</si>")])

    if found and "xl/sharedStrings.xml" in parts:  # an openpyxl that writes shared strings
        parts["xl/sharedStrings.xml"] = re.sub(rb"<si>(.*?)</si>", lambda m: b"<si>" + runs(m.group(1)) + b"</si>",
                                               parts["xl/sharedStrings.xml"], flags=re.S)
    for part, pr in zip(new_sheets, sheet_pr, strict=False):
        xml = _IS.sub(lambda m: b"<is>" + runs(m.group(1)) + b"</is>", parts[part]) if found else parts[part]
        parts[part] = _insert_sheet_pr(xml, font(pr)) if pr and not _sheet_default(xml) else xml
    _rewrite(saved, infos, parts)
    return count


def _insert_sheet_pr(xml: bytes, pr: bytes) -> bytes:
    end = max(0, xml.find(b"</sheetData>"))
    at = min((i for i in (xml.find(tag, end) for tag in _AFTER) if i >= 0), default=-1)
    return xml if at < 0 else xml[:at] + pr + xml[at:]


def _fonts(zf: zipfile.ZipFile) -> list[tuple[bytes, ...]]:
    try:
        styles = zf.read("xl/styles.xml")
    except KeyError:
        return []
    start, end = styles.find(b"<fonts"), styles.find(b"</fonts>")
    return [tuple(_FONT_KEY.findall(f)) for f in _FONT.findall(styles[start:end])] if start >= 0 else []


def _font_index(i: int, src: list[tuple[bytes, ...]], new: list[tuple[bytes, ...]]) -> bytes:
    """The index in the saved styles of the source's font i (same name and size)."""
    if i < len(src) and i < len(new) and new[i] == src[i]:
        return str(i).encode()
    if i < len(src) and src[i] in new:
        return str(new.index(src[i])).encode()
    return b"0"


def _sheet_parts(zf: zipfile.ZipFile) -> list[str]:
    return [part for _name, part in xlsx_sheet_parts(zf)]


def _rewrite(path: str | Path, infos: list[zipfile.ZipInfo], parts: dict[str, bytes]) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".xlsheets-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in infos:
                out.writestr(info, parts[info.filename])
        shutil.move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
