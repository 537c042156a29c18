"""Exports as they come: the text's encoding, its separator, or an Excel workbook, as records.

A form tool's download may be UTF-8 with or without a byte-order mark, UTF-16 (Excel's
"Unicode text", tab-separated), or Windows-1252 (Excel's "CSV" on Windows); European Excel
separates with `;`. `.xlsx` workbooks are read with openpyxl, first sheet, as the text a
person sees in each cell. Every record keeps the line it starts on, for the messages.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from generator.csv_text import FIELD_SIZE_LIMIT
from generator.errors import RapportError

SEPARATORS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other OLE files)

Records = list[tuple[int, list[str]]]


def read_records(path: Path) -> Records:
    """Every non-empty record of a CSV/TSV file or `.xlsx` workbook, with its first line."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise RapportError(f"{path}: cannot read ({exc.strerror})") from None
    if content.startswith(XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _workbook_records(path, content)
    if content.startswith(XLS_MAGIC) or path.suffix.lower() == ".xls":
        raise RapportError(f"{path}: an old Excel .xls workbook, which cannot be read here; open it and save it "
                           "as .xlsx or CSV UTF-8")
    text = decode(path, content)
    return text_records(path, text, sniff_separator(text))


def decode(path: Path, content: bytes) -> str:
    """The file's text: by its byte-order mark, else UTF-8, else Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(content) >= 4 and content[1] == 0 and content[3] == 0 and content[0] != 0:
        encoding = "utf-16-le"  # Excel's "Unicode text" without its mark: every other byte is zero
    else:
        encoding = "utf-8"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise RapportError(f"{path}: not valid {encoding.upper()} text; export the file again as CSV UTF-8") from None
    # Windows Excel's plain "CSV" is Windows-1252; five bytes it leaves undefined are not text at all
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise RapportError(f"{path}: neither UTF-8 nor Windows-1252 text (byte {exc.start}); "
                           "export the file again as CSV UTF-8") from None


def sniff_separator(text: str) -> str:
    """`,`, `;` or tab: the one that splits the header line into the most fields outside quotes."""
    header = _first_record_text(text)
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def _first_record_text(text: str) -> str:
    """The text of the first record (a quoted header cell may hold a line break)."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def text_records(path: Path, text: str, separator: str) -> Records:
    """Records of delimited text, strictly parsed; RapportError naming the line when broken."""
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    parsed = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: Records = []
    previous_end = 0
    try:
        for row in parsed:
            start, previous_end = previous_end + 1, parsed.line_num
            if any(cell != "" for cell in row):
                records.append((start, row))
    except csv.Error as exc:
        from generator.ingest.importers.common import unclosed_quote_line

        opened = unclosed_quote_line(text, previous_end) if "unexpected end of data" in str(exc) else None
        if opened is not None:
            raise RapportError(f"{path}:{opened}: not valid CSV (the quoted field that starts on line {opened} is never "
                               "closed, so where the rows after it end is unknown); nothing was imported") from None
        raise RapportError(f"{path}:{previous_end + 1}: not valid CSV ({exc}); nothing was imported") from None
    if not records:
        raise RapportError(f"{path}: the file is empty (expected a header row)")
    return records


def _workbook_records(path: Path, content: bytes) -> Records:
    """The first sheet's rows as text, numbered as Excel numbers them."""
    import openpyxl

    try:
        records = _sheet_records(path, openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True))
    except RapportError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a broken file; each means the same here
        raise RapportError(f"{path}: not an Excel workbook that can be read ({type(exc).__name__}); "
                           "save it again as .xlsx or export CSV") from None
    if not records:
        raise RapportError(f"{path}: the workbook's first sheet is empty (expected a header row)")
    width = max(len(cells) for _, cells in records)
    return [(number, cells + [""] * (width - len(cells))) for number, cells in records]


def _sheet_records(path: Path, book: Any) -> Records:
    """The first sheet's non-empty rows as text."""
    try:
        if not book.worksheets:
            raise RapportError(f"{path}: the workbook has no sheet")
        records: Records = []
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                records.append((number, cells))
        return records
    finally:
        book.close()


def cell_text(value: Any) -> str:
    """A workbook cell as the text it shows: whole numbers without `.0`, times in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)
