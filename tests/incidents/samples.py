"""Small real files for the attachment tests, and multipart bodies as a browser sends them."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from uuid import uuid4

# A 543-byte JPEG (CPython's test data, python.jpg): SOI, JFIF, tables, the scan, EOI.
JPEG = base64.b64decode("""
/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsO
CwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ
EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA
BwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/E
ACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPk
JWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kq
cWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9
XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KO
p1KM6iCNvngZHwetf//Z
""")


def _tiff_entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
    return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\x00")


def exif_block(orientation: int = 6) -> bytes:
    """An APP1 EXIF segment as a phone writes it: orientation, the phone's make, and GPS."""
    # IFD0 at 8: Orientation, Make (at 50), GPS IFD pointer (at 60).
    ifd0 = struct.pack("<H", 3) + _tiff_entry(0x0112, 3, 1, struct.pack("<H", orientation)) \
        + _tiff_entry(0x010F, 2, 8, struct.pack("<I", 50)) \
        + _tiff_entry(0x8825, 4, 1, struct.pack("<I", 60)) + struct.pack("<I", 0)
    gps = struct.pack("<H", 1) + _tiff_entry(0x0001, 2, 2, b"N\x00") + struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + ifd0
    tiff = tiff.ljust(50, b"\x00") + b"PhoneCo\x00" + b"\x00\x00" + gps + b"GPSLatitude"
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def xmp_block() -> bytes:
    payload = (b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>51,30.1N"
               b"</exif:GPSLatitude></x:xmpmeta>")
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_metadata(orientation: int = 6) -> bytes:
    """The JPEG with EXIF (GPS included), XMP and a comment, after its JFIF segment."""
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 14) + b"taken at home!"
    return JPEG[:20] + exif_block(orientation) + xmp_block() + comment + JPEG[20:]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(*extra_chunks: bytes) -> bytes:
    """A 1x1 white PNG, with extra chunks before the image data."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + b"".join(extra_chunks)
            + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b""))


def png_with_metadata() -> bytes:
    return png(_chunk(b"tEXt", b"Comment\x00Taken at 12 Acacia Road"),
               _chunk(b"eXIf", b"MM\x00*GPSLatitude"),
               _chunk(b"tIME", b"\x07\xea\x0b\x1d\x0c\x00\x00"))


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def multipart(data: str, files: list[tuple[str, bytes]], field: str = "files"):
    """(body, headers) of multipart/form-data with `data` and one field per file."""
    boundary = f"haven-{uuid4().hex}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="data"\r\n\r\n'.encode()
             + data.encode() + b"\r\n"]
    for name, content in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}",
               "X-Requested-With": "haven"}
    return body, headers


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return _box(kind, bytes((version, 0, 0, 0)) + payload)


HEIC_IMAGE = b"\x11\x22\x33\x44" * 8  # stands for the coded picture


def heic_with_metadata() -> bytes:
    """A HEIC as a phone lays it out: ftyp, meta (items: the picture, Exif, XMP) and mdat
    holding the three, located by iloc offsets into the file."""
    exif = b"\x00\x00\x00\x06Exif\x00\x00MM\x00*GPSLatitude 51N PhoneCo"
    xmp = b"<x:xmpmeta><exif:GPSLatitude>51N</exif:GPSLatitude></x:xmpmeta>"
    ftyp = _box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")

    def meta(offsets):
        items = [(1, b"hvc1", b""), (2, b"Exif", b""), (3, b"mime", b"application/rdf+xml\x00")]
        infes = b"".join(_full_box(b"infe", 2, struct.pack(">HH", item, 0) + kind + b"\x00"
                                   + extra) for item, kind, extra in items)
        iinf = _full_box(b"iinf", 0, struct.pack(">H", 3) + infes)
        lengths = (len(HEIC_IMAGE), len(exif), len(xmp))
        iloc = _full_box(b"iloc", 0, bytes((0x44, 0x00)) + struct.pack(">H", 3) + b"".join(
            struct.pack(">HHHII", item, 0, 1, offset, length)
            for item, offset, length in zip((1, 2, 3), offsets, lengths, strict=True)))
        hdlr = _full_box(b"hdlr", 0, b"\x00" * 4 + b"pict" + b"\x00" * 13)
        return _full_box(b"meta", 0, hdlr + iinf + iloc)

    start = len(ftyp) + len(meta((0, 0, 0))) + 8
    offsets = (start, start + len(HEIC_IMAGE), start + len(HEIC_IMAGE) + len(exif))
    return ftyp + meta(offsets) + _box(b"mdat", HEIC_IMAGE + exif + xmp)
