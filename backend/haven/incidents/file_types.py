"""What an attached file really is, judged by its content, and photos cleaned of metadata.

A file is accepted only when its first bytes say it is one of the allowed types and its
name's extension agrees: an HTML page named bruise.jpg is text, not a JPEG, and is refused.
Browsers are then told the type Haven found, never the one the uploader claimed.

Photos lose their metadata (EXIF, GPS included) on the way in: see metadata.py.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from haven.errors import APIError
from haven.incidents import metadata


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    description: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg", ".jfif"), "JPEG photo")
PNG = FileType("image/png", (".png",), "PNG image")
HEIC = FileType("image/heic", (".heic", ".heif"), "HEIC photo")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",), "Word document (.docx)")
# Quart adds "; charset=utf-8" to text types when serving.
TEXT = FileType("text/plain", (".txt",), "plain text")

ALLOWED = (PDF, JPEG, PNG, HEIC, DOCX, TEXT)
ALLOWED_IN_WORDS = "PDF, JPEG, PNG, HEIC, Word (.docx) or plain text (.txt)"

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
# Text that a browser could take for a page or a script, whatever the file is called.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml",
                  b"<iframe", b"<meta", b"<style", b"<object", b"<embed")


def not_allowed(name: str, why: str) -> APIError:
    return APIError(400, "FILE_TYPE_NOT_ALLOWED", f"{name}: {why} Haven accepts "
                    f"{ALLOWED_IN_WORDS}.")


# A Word document's zip lists a few dozen parts; more than this is an attempt to make the
# server parse a huge directory (zipfile reads all of it, whatever the archive claims).
_MAX_ZIP_ENTRIES = 5_000
_MAX_ZIP_DIRECTORY = 4 * 1024 * 1024


def _zip_directory_is_small(content: bytes) -> bool:
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_536 - 22))
    if end < 0 or end + 22 > len(content):
        return False
    entries, directory_size = struct.unpack("<HI", content[end + 10:end + 16])
    return entries <= _MAX_ZIP_ENTRIES and directory_size <= _MAX_ZIP_DIRECTORY


def _is_docx(content: bytes) -> bool:
    if not _zip_directory_is_small(content):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return len(names) <= _MAX_ZIP_ENTRIES and "[Content_Types].xml" in names and (
        "word/document.xml" in names)


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not content.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP_STARTS)


def detect(content: bytes) -> FileType | None:
    """The allowed type the content is, by its first bytes (its "magic"), or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        return HEIC
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    if _is_text(content):
        return TEXT
    return None


def check(name: str, content: bytes) -> FileType:
    """The type of an attachment. Raises APIError 400 FILE_TYPE_NOT_ALLOWED when the content
    is not an allowed type, or the name's extension says something else."""
    if not content:
        raise APIError(400, "FILE_EMPTY", f"{name} is empty.")
    found = detect(content)
    if found is None:
        raise not_allowed(name, "this kind of file is not accepted.")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in found.extensions:
        raise not_allowed(name, f"the content is {found.description}, which does not match "
                          "the name: rename it or save it in the right format.")
    return found


# --- removing metadata ---------------------------------------------------------------------


def strip_metadata(file_type: FileType, content: bytes) -> bytes:
    """The file without its metadata when it is a photo (JPEG, PNG, HEIC); anything else
    as it is. Raises APIError 400 FILE_DAMAGED when the photo cannot be read."""
    cleaner = {JPEG: metadata.clean_jpeg, PNG: metadata.clean_png, HEIC: metadata.clean_heic}
    if file_type not in cleaner:
        return content
    try:
        return cleaner[file_type](content)
    except metadata.Unreadable as error:
        raise APIError(400, "FILE_DAMAGED", f"The {file_type.description} cannot be read "
                       f"({error}): it may be damaged. Save it again as a JPEG.") from None
