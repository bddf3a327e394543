"""Reports as CSV that opens correctly in Excel: UTF-8 with a byte order mark (without
it Excel reads the file as the local code page and mangles names), CRLF line ends, and no
cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from quart import Response

BOM = "\ufeff"
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice
# and Google Sheets; tab, carriage return and line feed are OWASP's additions for some
# importers, and the full-width signs are formulas to Excel in East Asian locales.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralised(cell) -> str | int | float:
    """A cell as it is safe to write: text that a spreadsheet would take for a formula gets
    a leading single quote (OWASP's advice for CSV injection). Numbers stay numbers: -3 is
    a change, not a formula."""
    if cell is None:
        return ""
    if isinstance(cell, (bool, int, float)):
        return cell
    text = str(cell)
    # " =1+1": a spreadsheet that trims spaces (LibreOffice may) sees the formula after them.
    return "'" + text if text.lstrip(" \u00a0\u3000").startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return BOM + buffer.getvalue()


def csv_response(rows: Iterable[Iterable], file_name: str) -> Response:
    """A download of the rows; file_name is Haven's own (ASCII, no quotes)."""
    response = Response(csv_text(rows).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
