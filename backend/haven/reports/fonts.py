"""The one typeface of every report: Bitstream Vera, shipped inside reportlab.

The 14 standard PDF fonts (Helvetica, Times ...) are never embedded, so a reader without
them substitutes its own and a court bundle may not print as it was made. Vera's TrueType
files are embedded (as subsets), in the PDFs and in the charts drawn into them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.graphics.shapes import Drawing
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "Vera"
BOLD = "Vera-Bold"
ITALIC = "Vera-Italic"
BOLD_ITALIC = "Vera-BoldItalic"

_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf",
          BOLD_ITALIC: "VeraBI.ttf"}


@cache
def register() -> str:
    """Register the family once per process (<b> and <i> in paragraphs find its faces);
    returns the regular face's name."""
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, ITALIC),
                               (1, 1, BOLD_ITALIC)):
        addMapping(REGULAR, bold, italic, name)
    return REGULAR


def drawing(width: float, height: float) -> Drawing:
    """An empty reportlab Drawing whose text starts in Vera: its default, Helvetica, would
    name an unembedded font on the page even when no text of the drawing uses it."""
    canvas = Drawing(width, height)
    canvas.initialFontName = register()
    return canvas
