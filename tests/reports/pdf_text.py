"""Reading a report PDF back as a reader would: its pages, their text and their fonts."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def fonts_used(pdf: bytes) -> list[dict]:
    """Every font a page names, with whether its program is embedded in the file."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() \
                if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            found.append({"name": str(font["/BaseFont"]),
                          "embedded": "/FontFile2" in descriptor})
    return found


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in PdfReader(io.BytesIO(pdf)).pages}


A4_POINTS = (595, 842)
