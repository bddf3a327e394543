"""Report PDFs: A4, fonts embedded, text that can be searched and copied, marked
OFFICIAL-SENSITIVE on every page. Every report (the chronology, governors', Ofsted's)
is built the same way:

    report = Report(title="Case conference chronology", school="Oakfield Academy",
                    subject="Amy Jones", timezone="Europe/London")
    report.cover(lines=[("Pupil", "Amy Jones"), ...], produced_by="Dina Safeguard",
                 produced_at=clock.now())           # then a new page
    report.heading("Summary")                       # level=1 or 2
    report.paragraph(account_text)                  # user text: escaped, line breaks kept
    report.details([("Recorded", "30/11/2026 08:40"), ...])  # bold labels, one a line
    report.table(["Category", "Incidents"], rows, widths=[0.7, 0.3])
    report.chart(charts.Chart(...))                 # its title, the drawing, its description
    report.drawing(reportlab_drawing)               # any reportlab Drawing (e.g. a body map)
    report.image(png_or_jpeg_bytes, width=200)      # a raster picture, in points
    with report.together():                         # what is added inside stays on one
        ...                                         # page when it fits
    report.page_break()
    pdf_bytes = report.render()                     # CPU-bound: call it in a thread

Every helper takes plain text and escapes it (reportlab's paragraphs read a mini-markup in
which "<" and "&" mean something); `markup=True` on paragraph() is for Haven's own
strings only.

`when(moment, timezone)` writes a time as the school reads it: "30/11/2026 08:40".
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from xml.sax.saxutils import escape as _escape_xml
from zoneinfo import ZoneInfo

from quart import Response
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from haven.reports import charts, fonts

MARKING = "OFFICIAL-SENSITIVE"
MARGIN = 18 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN
RULE = colors.HexColor("#5f6b7a")
HEADER_FILL = colors.HexColor("#e8ecf1")


def escape(text: str) -> str:
    """Plain text as paragraph markup: <, > and & as entities, line breaks kept."""
    return _escape_xml(text).replace("\r\n", "\n").replace("\n", "<br/>")


def when(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%d/%m/%Y %H:%M")


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = fonts.register()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.5,
                          spaceAfter=4, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceAfter=0),
        "head_cell": ParagraphStyle("head_cell", parent=body, fontName=fonts.BOLD,
                                    fontSize=8.5, leading=10.5, spaceAfter=0),
        1: ParagraphStyle("h1", parent=body, fontName=fonts.BOLD, fontSize=15, leading=19,
                          spaceBefore=6, spaceAfter=8, keepWithNext=1),
        2: ParagraphStyle("h2", parent=body, fontName=fonts.BOLD, fontSize=11, leading=14,
                          spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "title": ParagraphStyle("title", parent=body, fontName=fonts.BOLD, fontSize=22,
                                leading=28, spaceBefore=40, spaceAfter=24),
    }


class Report:
    """One report, built a helper at a time, rendered once."""

    def __init__(self, *, title: str, school: str, subject: str = "",
                 timezone: str = "Europe/London") -> None:
        self.title, self.school, self.subject, self.timezone = title, school, subject, timezone
        self.story: list[Flowable] = []

    def _add(self, *flowables: Flowable) -> None:
        self.story.extend(flowables)


    def cover(self, *, lines: list[tuple[str, str]], produced_by: str,
              produced_at: datetime) -> None:
        """The first page: the title, what the report is about (label, value) and who
        produced it when; the report goes on on a new page."""
        styles = _styles()
        produced = f"{produced_by}, {when(produced_at, self.timezone)}"
        rows = [*lines, ("Produced by", produced)]
        self._add(
            Paragraph(escape(self.title), styles["title"]),
            self._grid([[label, value] for label, value in rows], widths=[0.3, 0.7],
                       header=False),
            Spacer(0, 12),
            Paragraph(f"{MARKING}: this report holds personal data about a child. Keep it "
                      "secure, share it only with those who need it, and destroy it when "
                      "it is no longer needed.", styles["small"]),
            PageBreak())

    def heading(self, text: str, level: int = 1) -> None:
        self._add(Paragraph(escape(text), _styles()[level]))

    def paragraph(self, text: str, *, small: bool = False,
                  markup: bool = False) -> None:
        style = _styles()["small" if small else "body"]
        self._add(Paragraph(text, style) if markup else PlainText(text, style))

    def details(self, pairs: list[tuple[str, str]]) -> None:
        """Label and value a line, in one paragraph: far cheaper than a table when a
        report has thousands of entries."""
        lines = (f"<b>{escape(label)}:</b> {escape(value)}" for label, value in pairs)
        self._add(Paragraph("<br/>".join(lines), _styles()["body"]))

    def table(self, header: list[str] | None, rows: list[list[str]],
              widths: list[float] | None = None) -> None:
        """Cells wrap; the header row repeats on every page the table runs onto (None: no
        header, the labels down the left). Widths are fractions of the text's width (equal
        columns by default)."""
        if header is None:
            self._add(self._grid(rows, widths=widths, header=False))
        else:
            self._add(self._grid([header, *rows], widths=widths, header=True))

    def _grid(self, rows: list[list[str]], *, widths: list[float] | None,
              header: bool) -> LongTable:
        styles = _styles()
        columns = len(rows[0])
        fractions = widths or [1 / columns] * columns
        # The header row is bold; a table without one has its labels down the left.
        def style(row: int, column: int) -> ParagraphStyle:
            bold = row == 0 if header else column == 0
            return styles["head_cell" if bold else "cell"]

        cells = [[Paragraph(escape(str(cell)), style(i, j)) for j, cell in enumerate(row)]
                 for i, row in enumerate(rows)]
        table = LongTable(cells, colWidths=[f * TEXT_WIDTH for f in fractions],
                          repeatRows=1 if header else 0, hAlign="LEFT")
        # The cells are paragraphs, but the table still names a font of its own.
        commands = [("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR),
                    ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL))
        table.setStyle(commands)
        return table

    def chart(self, chart: charts.Chart, width: float = charts.WIDTH,
              height: float = charts.HEIGHT) -> None:
        styles = _styles()
        self._add(KeepTogether([
            Paragraph(escape(chart.title), styles[2]),
            charts.drawing(chart, width, height),
            Paragraph(escape(chart.description), styles["small"]),
        ]))

    def drawing(self, drawing: Drawing) -> None:
        self._add(drawing)

    def image(self, picture: bytes, width: float) -> None:
        """A PNG or JPEG, scaled to `width` points with its proportions kept."""
        image = Image(io.BytesIO(picture))
        image.drawHeight = width * image.imageHeight / image.imageWidth
        image.drawWidth = width
        self._add(image)

    @contextmanager
    def together(self) -> Iterator[None]:
        """What the helpers add inside the block starts a new page rather than split,
        unless it is longer than a page."""
        start = len(self.story)
        yield
        block = self.story[start:]
        del self.story[start:]
        self._add(KeepTogether(block))

    def page_break(self) -> None:
        self._add(PageBreak())

    def render(self) -> bytes:
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm, bottomMargin=MARGIN + 4 * mm,
            title=self.title, author="Haven", subject=self.subject, creator="Haven",
            producer="Haven", initialFontName=fonts.register())
        document.build(list(self.story), canvasmaker=_marked_canvas(self))
        return buffer.getvalue()


class PlainText(Flowable):
    """Text as it was typed, wrapped at spaces and split across pages: what most of a
    chronology is. reportlab's Paragraph parses markup and measures each word in each of
    its fragments; this measures each distinct word once, so thousands of accounts draw in
    a fraction of the time. No markup, so nothing in the text needs escaping."""

    def __init__(self, text: str, style: ParagraphStyle,
                 lines: list[str] | None = None) -> None:
        super().__init__()
        self.text, self.style, self.lines = text, style, lines
        self.spaceAfter = style.spaceAfter

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self.lines is None:
            self.lines = _wrapped(self.text, self.style.fontName, self.style.fontSize,
                                  available_width)
        self.width = available_width
        self.height = len(self.lines) * self.style.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self.wrap(available_width, available_height)
        fits = int(available_height // self.style.leading)
        if fits < 2:  # a lone line at the foot of a page: move it all on
            return []
        return [PlainText("", self.style, self.lines[:fits]),
                PlainText("", self.style, self.lines[fits:])]

    def draw(self) -> None:
        text = self.canv.beginText(0, self.height - self.style.fontSize)
        text.setFont(self.style.fontName, self.style.fontSize, self.style.leading)
        text.textLines(self.lines, trim=0)
        self.canv.drawText(text)


def _wrapped(text: str, font: str, size: float, width: float) -> list[str]:
    measure = _measurer(font, size)
    space = measure(" ")
    lines = []
    for typed_line in text.replace("\r\n", "\n").split("\n"):
        line, used = [], 0.0
        for word in typed_line.split():
            word_width = measure(word)
            if line and used + space + word_width > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            while word_width > width:  # a web address longer than the page is wide
                cut = _fitting(word, measure, width)
                lines.append(word[:cut])
                word = word[cut:]
                word_width = measure(word)
            used += (space if line else 0) + word_width
            line.append(word)
        lines.append(" ".join(line))
    return lines


def _fitting(word: str, measure, width: float) -> int:
    cut = len(word)
    while cut > 1 and measure(word[:cut]) > width:
        cut -= 1
    return cut


@cache
def _measurer(font: str, size: float):
    # Words recur (names, "the", "said"): each is measured once, up to a bound.
    return lru_cache(maxsize=100_000)(lambda word: stringWidth(word, font, size))


def _marked_canvas(report: Report):
    """A canvas that holds its pages back until it knows how many there are, then marks
    each one: "Page N of M" needs M, which platypus learns only at the end."""

    class MarkedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            # Vera from the start: otherwise every page names Helvetica, never embedded.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.register()
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for number, page in enumerate(self._pages, start=1):
                self.__dict__.update(page)
                _mark_page(self, report, number, len(self._pages))
                super().showPage()
            super().save()

    return MarkedCanvas


def _mark_page(canvas: Canvas, report: Report, number: int, pages: int) -> None:
    width, height = A4
    top, bottom = height - MARGIN + 2 * mm, MARGIN - 2 * mm
    canvas.saveState()
    canvas.setFont(fonts.BOLD, 9)
    canvas.drawCentredString(width / 2, top + 4 * mm, MARKING)
    canvas.drawCentredString(width / 2, bottom - 4 * mm, MARKING)
    canvas.setFont(fonts.REGULAR, 8)
    canvas.drawString(MARGIN, top, report.school)
    canvas.drawRightString(width - MARGIN, top, report.title)
    canvas.drawRightString(width - MARGIN, bottom, f"Page {number} of {pages}")
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, top - 2 * mm, width - MARGIN, top - 2 * mm)
    canvas.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
    canvas.restoreState()


def pdf_response(content: bytes, file_name: str) -> Response:
    """A report PDF to download; file_name is Haven's own (ASCII, no quotes)."""
    return Response(content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file_name}"'})
