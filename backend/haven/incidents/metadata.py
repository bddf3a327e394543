"""Photos without their metadata.

Photos taken on a phone carry EXIF and XMP metadata, GPS position included: a photo of a
child's injury must not tell anyone where the child lives. The photo's own image data is
never decoded or re-encoded (it is copied byte for byte, which matters for evidence); only
what surrounds it is dropped:

- JPEG: every segment but those needed to show the picture (tables, frame, scans, a bare
  JFIF header, the colour profile, Adobe's colour transform), and everything after the
  end of the first image (the secondary images and trailers phones add). The orientation
  lives in EXIF, so it is kept as the only EXIF entry, or the photo would show on its side.
- PNG: every chunk but those that describe the pixels.
- HEIC: the Exif and XMP items are overwritten with zeros where they lie, so no offset in
  the file changes.

Each raises Unreadable when the file is not what it claims to be.
"""

from __future__ import annotations

import struct


class Unreadable(ValueError):
    pass


# --- JPEG -----------------------------------------------------------------------------------

_SOS, _EOI = 0xDA, 0xD9
_RESTARTS = range(0xD0, 0xD8)
_APP0, _APP1, _APP2, _APP14, _COMMENT = 0xE0, 0xE1, 0xE2, 0xEE, 0xFE


def _scan_end(content: bytes, position: int) -> int:
    """Where the entropy-coded data that starts at position ends: the next marker that is
    neither a stuffed 0xFF00 nor a restart marker."""
    while True:
        position = content.find(b"\xff", position)
        if position < 0 or position + 1 >= len(content):
            raise Unreadable("the image data has no end")
        following = content[position + 1]
        if following == 0x00 or following in _RESTARTS or following == 0xFF:
            position += 1
            continue
        return position


def _jpeg_segments(content: bytes):
    """(marker, payload, whole segment) from after the start of image to the end of the
    first image; a scan's segment includes its image data."""
    position = 2
    while True:
        while position < len(content) and content[position] == 0xFF:
            position += 1  # fill bytes
        if position >= len(content):
            raise Unreadable("it ends before the image does")
        marker = content[position]
        start = position - 1
        position += 1
        if marker == _EOI:
            yield marker, b"", b"\xff\xd9"
            return
        if marker in _RESTARTS or marker == 0x01:
            yield marker, b"", bytes((0xFF, marker))
            continue
        if position + 2 > len(content):
            raise Unreadable("a segment is cut off")
        (length,) = struct.unpack(">H", content[position:position + 2])
        end = position + length
        if length < 2 or end > len(content):
            raise Unreadable("a segment is cut off")
        payload = content[position + 2:end]
        if marker == _SOS:
            end = _scan_end(content, end)
        yield marker, payload, b"\xff" + content[start + 1:end]
        position = end


def _jfif_without_thumbnail(payload: bytes) -> bytes:
    header = b"JFIF\x00" + payload[5:12] + b"\x00\x00"  # no thumbnail
    return b"\xff\xe0" + struct.pack(">H", len(header) + 2) + header


def _kept(marker: int, payload: bytes, segment: bytes) -> bytes | None:
    if marker == _APP0:
        return _jfif_without_thumbnail(payload) if payload[:5] == b"JFIF\x00" and len(
            payload) >= 12 else None
    if marker == _APP2:
        return segment if payload.startswith(b"ICC_PROFILE\x00") else None
    if marker == _APP14:
        return segment if payload.startswith(b"Adobe") else None
    if 0xE0 <= marker <= 0xEF or marker == _COMMENT:
        return None
    return segment


def exif_orientation(tiff: bytes) -> int | None:
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


def clean_jpeg(content: bytes) -> bytes:
    segments = list(_jpeg_segments(content))
    orientation = next((found for marker, payload, _ in segments
                        if marker == _APP1 and payload.startswith(b"Exif\x00\x00")
                        and (found := exif_orientation(payload[6:]))), None)
    kept = [part for marker, payload, segment in segments
            if (part := _kept(marker, payload, segment)) is not None]
    if orientation and orientation != 1:
        # After JFIF's APP0 when there is one, where readers look for EXIF.
        at = 1 if segments and segments[0][0] == _APP0 and kept[0][:2] == b"\xff\xe0" else 0
        kept.insert(at, _exif_with_orientation(orientation))
    return b"\xff\xd8" + b"".join(kept)


# --- PNG ------------------------------------------------------------------------------------

# The chunks that describe the pixels. Text, EXIF, times, provenance and private chunks go.
_PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
             b"sBIT", b"pHYs", b"bKGD"}


def clean_png(content: bytes) -> bytes:
    out = bytearray(content[:8])
    position = 8
    while position < len(content):
        if position + 8 > len(content):
            raise Unreadable("a chunk is cut off")
        length, kind = struct.unpack(">I4s", content[position:position + 8])
        end = position + 12 + length  # length, type, data, CRC
        if end > len(content):
            raise Unreadable("a chunk is cut off")
        if kind in _PNG_KEPT:
            out += content[position:end]
        position = end
        if kind == b"IEND":
            return bytes(out)
    raise Unreadable("it has no end")


# --- HEIC (ISO base media file format) ------------------------------------------------------


def _boxes(content: bytes, start: int, end: int):
    """(type, start of its content, end) of each box between start and end."""
    position = start
    while position + 8 <= end:
        size, kind = struct.unpack(">I4s", content[position:position + 8])
        header = 8
        if size == 1:
            if position + 16 > end:
                raise Unreadable("a box is cut off")
            (size,) = struct.unpack(">Q", content[position + 8:position + 16])
            header = 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            raise Unreadable("a box is cut off")
        yield kind, position + header, position + size
        position += size


def _child(content: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    return next(((s, e) for k, s, e in _boxes(content, start, end) if k == kind), None)


def _number(content: bytes, at: int, size: int) -> int:
    return int.from_bytes(content[at:at + size], "big") if size else 0


def _metadata_items(content: bytes, start: int, end: int) -> set[int]:
    """Ids of the Exif and XMP items listed in an iinf box."""
    version = content[start]
    position = start + 4 + (2 if version == 0 else 4)
    found = set()
    for kind, box_start, box_end in _boxes(content, position, end):
        if kind != b"infe" or content[box_start] < 2:
            continue
        id_size = 2 if content[box_start] == 2 else 4
        at = box_start + 4
        item_id = _number(content, at, id_size)
        item_type = content[at + id_size + 2:at + id_size + 6]
        rest = content[at + id_size + 6:box_end]
        content_type = rest.split(b"\x00")[1] if rest.count(b"\x00") >= 2 else b""
        if item_type == b"Exif" or (item_type == b"mime" and b"xml" in content_type):
            found.add(item_id)
    return found


def _extents(content: bytes, start: int, end: int, items: set[int],
             idat: tuple[int, int] | None):
    """(offset in the file, length) of every extent of the given items, from an iloc box."""
    version = content[start]
    at = start + 4
    offset_size, length_size = content[at] >> 4, content[at] & 15
    base_size, index_size = content[at + 1] >> 4, content[at + 1] & 15
    at += 2
    count_size = 2 if version < 2 else 4
    count = _number(content, at, count_size)
    at += count_size
    for _ in range(count):
        item_id = _number(content, at, count_size)
        at += count_size
        method = 0
        if version in (1, 2):
            method = _number(content, at, 2) & 15
            at += 2
        at += 2  # data_reference_index
        base = _number(content, at, base_size)
        at += base_size
        extent_count = _number(content, at, 2)
        at += 2
        for _ in range(extent_count):
            if version in (1, 2) and index_size:
                at += index_size
            offset = _number(content, at, offset_size)
            at += offset_size
            length = _number(content, at, length_size)
            at += length_size
            if at > end:
                raise Unreadable("the item locations are cut off")
            if item_id not in items:
                continue
            if method == 0:
                yield base + offset, length
            elif method == 1 and idat:
                yield idat[0] + base + offset, length
            else:
                raise Unreadable("its metadata is stored in a way Haven cannot remove")


def clean_heic(content: bytes) -> bytes:
    meta = _child(content, 0, len(content), b"meta")
    if meta is None:
        raise Unreadable("it has no meta box")
    inner = meta[0] + 4  # meta is a full box: version and flags first
    iinf = _child(content, inner, meta[1], b"iinf")
    iloc = _child(content, inner, meta[1], b"iloc")
    if iinf is None or iloc is None:
        raise Unreadable("it has no item list")
    items = _metadata_items(content, *iinf)
    if not items:
        return content
    idat = _child(content, inner, meta[1], b"idat")
    cleaned = bytearray(content)
    for offset, length in _extents(content, *iloc, items, idat):
        length = length or len(content) - offset  # 0: to the end of the file
        if offset + length > len(content):
            raise Unreadable("an item lies outside the file")
        cleaned[offset:offset + length] = bytes(length)
    return bytes(cleaned)
