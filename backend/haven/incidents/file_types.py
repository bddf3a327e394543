"""What an attached file really is, judged by its content, and photos cleaned of metadata.

A file is accepted only when its first bytes say it is one of the allowed types and its
name's extension agrees: an HTML page named bruise.jpg is text, not a JPEG, and is refused.
Browsers are then told the type Haven found, never the one the uploader claimed.

Photos taken on a phone carry EXIF metadata, GPS position included: a photo of a child's
injury must not tell anyone where the child lives. JPEG and PNG files are rewritten without
their metadata blocks, losslessly (the image data is copied byte for byte, which matters for
evidence). A JPEG's orientation lives in EXIF too, so it is kept as the only EXIF entry, or
the photo would show on its side.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass

from haven.errors import APIError


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


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


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
    """The file without its metadata when it is a JPEG or PNG; anything else as it is."""
    if file_type is JPEG:
        return _clean_jpeg(content)
    if file_type is PNG:
        return _clean_png(content)
    return content


def _damaged(kind: str) -> APIError:
    return APIError(400, "FILE_DAMAGED", f"The {kind} file is damaged and cannot be read.")


# JPEG segments kept: JFIF (APP0), the colour profile (APP2), Adobe's colour transform
# (APP14) and everything that is not an application or comment segment.
_JPEG_DROPPED = {0xE1, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEF,
                 0xFE}
_SOS, _EOI = 0xDA, 0xD9


def _jpeg_segments(content: bytes):
    """(marker, whole segment bytes) from after the start-of-image marker; the last is the
    start of scan with everything after it, which is image data."""
    position = 2
    while True:
        # Markers may be padded with any number of 0xFF bytes.
        while position < len(content) and content[position] == 0xFF:
            position += 1
        if position >= len(content):
            raise _damaged("JPEG")
        marker = content[position]
        position += 1
        if marker == _EOI:
            yield marker, b"\xff\xd9"
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            yield marker, bytes((0xFF, marker))
            continue
        if position + 2 > len(content):
            raise _damaged("JPEG")
        (length,) = struct.unpack(">H", content[position:position + 2])
        if length < 2 or position + length > len(content):
            raise _damaged("JPEG")
        if marker == _SOS:
            yield marker, bytes((0xFF, marker)) + content[position:]
            return
        yield marker, bytes((0xFF, marker)) + content[position:position + length]
        position += length


def _clean_jpeg(content: bytes) -> bytes:
    segments = list(_jpeg_segments(content))
    orientation = next((found for marker, segment in segments
                        if marker == 0xE1 and segment[4:10] == b"Exif\x00\x00"
                        and (found := _exif_orientation(segment[10:]))), None)
    kept = [segment for marker, segment in segments if marker not in _JPEG_DROPPED]
    if orientation and orientation != 1:
        # After JFIF's APP0 when there is one, where readers look for EXIF.
        at = 1 if segments and segments[0][0] == 0xE0 else 0
        kept.insert(at, _exif_with_orientation(orientation))
    return content[:2] + b"".join(kept)


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation tag (0x0112) of IFD0 in an EXIF block, when there is a valid one."""
    try:
        order = {b"II": "<", b"MM": ">"}[tiff[:2]]
        (ifd,) = struct.unpack(order + "I", tiff[4:8])
        (count,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
        for index in range(count):
            entry = tiff[ifd + 2 + 12 * index:ifd + 14 + 12 * index]
            tag, kind, _, value = struct.unpack(order + "HHIH", entry[:10])
            if tag == 0x0112 and kind == 3:
                return value if 1 <= value <= 8 else None
    except (KeyError, struct.error):
        return None
    return None


def _exif_with_orientation(orientation: int) -> bytes:
    # EXIF header, a big-endian TIFF header, IFD0 with one SHORT entry, no next IFD.
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + struct.pack(
        ">HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# PNG chunks dropped: text of any kind, EXIF and the modification time.
_PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _clean_png(content: bytes) -> bytes:
    out = bytearray(content[:8])
    position = 8
    while position < len(content):
        if position + 8 > len(content):
            raise _damaged("PNG")
        length, kind = struct.unpack(">I4s", content[position:position + 8])
        end = position + 12 + length  # length, type, data, CRC
        if end > len(content):
            raise _damaged("PNG")
        if kind not in _PNG_DROPPED:
            out += content[position:end]
        position = end
        if kind == b"IEND":
            return bytes(out)
    raise _damaged("PNG")
