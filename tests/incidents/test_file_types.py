"""What a file is, judged by its content, and photos without their metadata."""

import io
import struct
import zipfile

import pytest

from haven.errors import APIError
from haven.incidents import file_types, metadata
from haven.incidents.file_types import DOCX, HEIC, JPEG, PDF, PNG, TEXT
from tests.incidents import samples


@pytest.mark.parametrize(("name", "content", "found"), [
    ("letter.pdf", samples.PDF, PDF),
    ("bruise.jpg", samples.JPEG, JPEG),
    ("BRUISE.JPEG", samples.JPEG, JPEG),
    ("arm.png", samples.png(), PNG),
    ("IMG_0001.HEIC", samples.heic_with_metadata(), HEIC),
    ("referral.docx", samples.docx(), DOCX),
    ("notes.txt", "Ella said « he shouted ».\n".encode(), TEXT),
])
def test_allowed_files_are_recognised_by_their_content(name, content, found):
    assert file_types.check(name, content) is found


@pytest.mark.parametrize(("name", "content"), [
    ("bruise.jpg", samples.HTML),  # a page pretending to be a photo
    ("notes.txt", samples.HTML),  # a page, even when named as text
    ("notes.txt", b"  <svg onload='alert(1)'/>"),
    ("photo.jpg", samples.png()),  # a real image, but not what its name says
    ("report.pdf", samples.docx()),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ("archive.docx", b"PK\x03\x04 not really a zip"),
    ("data.txt", b"\x00\x01\x02binary"),
    ("no-extension", samples.PDF),
])
def test_other_files_are_refused_whatever_they_are_called(name, content):
    with pytest.raises(APIError) as refused:
        file_types.check(name, content)
    assert refused.value.code == "FILE_TYPE_NOT_ALLOWED"
    assert name in refused.value.message and "Haven accepts PDF, JPEG" in refused.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(APIError, match="empty"):
        file_types.check("photo.jpg", b"")


def test_a_jpeg_loses_its_exif_gps_xmp_and_comments_but_keeps_its_orientation_and_image():
    original = samples.jpeg_with_metadata(orientation=6)
    cleaned = file_types.strip_metadata(JPEG, original)
    for secret in (b"PhoneCo", b"GPS", b"xmpmeta", b"taken at home"):
        assert secret in original and secret not in cleaned
    exif = cleaned.index(b"Exif\x00\x00")
    assert metadata.exif_orientation(cleaned[exif + 6:]) == 6
    assert cleaned.startswith(samples.JPEG[:20])  # SOI and JFIF first, as before
    scan = samples.JPEG.index(b"\xff\xda")
    assert cleaned.endswith(samples.JPEG[scan:])  # the image data, byte for byte


def test_an_upright_jpeg_has_no_exif_left_at_all():
    cleaned = file_types.strip_metadata(JPEG, samples.jpeg_with_metadata(orientation=1))
    assert b"Exif" not in cleaned
    assert cleaned == samples.JPEG


def test_a_png_loses_its_text_exif_and_time_chunks():
    cleaned = file_types.strip_metadata(PNG, samples.png_with_metadata())
    assert cleaned == samples.png()


@pytest.mark.parametrize(("file_type", "content"), [
    (JPEG, samples.JPEG[:100]),
    (PNG, samples.png()[:30]),
])
def test_a_cut_off_image_is_refused_as_damaged(file_type, content):
    with pytest.raises(APIError) as refused:
        file_types.strip_metadata(file_type, content)
    assert refused.value.code == "FILE_DAMAGED"


def test_other_types_are_kept_as_they_are():
    assert file_types.strip_metadata(PDF, samples.PDF) == samples.PDF


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def test_only_the_first_image_of_a_jpeg_is_kept_not_what_phones_append():
    # A second image with its own EXIF after the end (MPF previews, HDR gain maps) and a
    # trailer: gone.
    appended = samples.jpeg_with_metadata() + b"SAMSUNG-TRAILER" + samples.jpeg_with_metadata()
    cleaned = file_types.strip_metadata(JPEG, samples.JPEG + appended)
    assert cleaned == samples.JPEG


def test_segments_between_scans_and_disguised_ones_are_dropped():
    scan = samples.JPEG.index(b"\xff\xda")
    end = len(samples.JPEG) - 2  # before EOI
    between = _segment(0xFE, b"a comment after the scan") + _segment(0xE1, b"Exif\x00\x00GPS")
    jfxx = _segment(0xE0, b"JFXX\x00\x10" + b"thumbnail" * 4)
    not_icc = _segment(0xE2, b"MPF\x00GPS-preview")
    icc = _segment(0xE2, b"ICC_PROFILE\x00\x01\x01colours")
    thumbnail = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x02\x02" + b"\x80" * 12)
    original = (b"\xff\xd8" + thumbnail + jfxx + not_icc + icc + samples.JPEG[20:end]
                + between + b"\xff\xd9")
    cleaned = file_types.strip_metadata(JPEG, original)
    for gone in (b"comment after", b"GPS", b"JFXX", b"MPF", b"\x80" * 12):
        assert gone not in cleaned
    assert icc in cleaned  # the colour profile stays
    assert cleaned.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01")
    assert samples.JPEG[scan:end] in cleaned


def test_a_png_keeps_only_the_chunks_that_describe_its_pixels():
    private = samples._chunk(b"zxIf", b"GPS") + samples._chunk(b"caBX", b"provenance")
    cleaned = file_types.strip_metadata(PNG, samples.png(private))
    assert cleaned == samples.png()


def test_a_heic_has_its_exif_and_xmp_blanked_in_place():
    original = samples.heic_with_metadata()
    cleaned = file_types.strip_metadata(HEIC, original)
    assert len(cleaned) == len(original)
    for secret in (b"GPSLatitude", b"PhoneCo", b"xmpmeta"):
        assert secret in original and secret not in cleaned
    assert samples.HEIC_IMAGE in cleaned  # the picture itself is untouched
    assert file_types.detect(cleaned) is HEIC


def test_a_heic_without_its_item_list_is_refused_as_unreadable():
    with pytest.raises(APIError) as refused:
        file_types.strip_metadata(HEIC, b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
    assert refused.value.code == "FILE_DAMAGED"


def test_a_zip_with_a_huge_directory_is_not_taken_for_a_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for number in range(5_001):
            archive.writestr(f"p/{number}", "")
    assert file_types.detect(buffer.getvalue()) is None
