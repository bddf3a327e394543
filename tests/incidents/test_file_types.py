"""What a file is, judged by its content, and photos without their metadata."""

import pytest

from haven.errors import APIError
from haven.incidents import file_types
from haven.incidents.file_types import DOCX, HEIC, JPEG, PDF, PNG, TEXT
from tests.incidents import samples


@pytest.mark.parametrize(("name", "content", "found"), [
    ("letter.pdf", samples.PDF, PDF),
    ("bruise.jpg", samples.JPEG, JPEG),
    ("BRUISE.JPEG", samples.JPEG, JPEG),
    ("arm.png", samples.png(), PNG),
    ("IMG_0001.HEIC", samples.HEIC, HEIC),
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
    assert file_types._exif_orientation(cleaned[exif + 6:]) == 6
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
