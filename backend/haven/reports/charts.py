"""Charts for the reports, drawn once and shown twice: in the PDF and on screen as SVG.

    Chart(key, title, description, kind, labels, series, unit="")
        kind: "bar" (vertical bars), "hbar" (horizontal bars, for long labels) or "line";
        labels: the categories along the axis; series: Series(name, values), one value
        per label, None where there is none. A legend appears when there are several series.
    drawing(chart, width=WIDTH, height=HEIGHT, font_size=FONT_SIZE) -> reportlab Drawing
        (points), for pdf.py
    svg(chart) -> str: the same chart as an accessible SVG (role="img", <title> and
        <desc>, text as text, no script or outside reference, scaled by its viewBox to the
        width of its container), drawn narrower with larger text than on paper so that a
        phone's width shows its labels at a readable size
    as_json(chart) -> {key, title, description, kind, unit, labels, series, svg}: the
        screen shows the SVG and builds its table alternative from labels and series.

A chart with no values still draws, saying so, so a quiet term prints like a busy one.
"""

from __future__ import annotations

import asyncio
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from typing import Literal

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from haven.reports import fonts

WIDTH, HEIGHT = 440, 220  # points: the width of an A4 page's text, and half as high
FONT_SIZE = 8
# On screen the viewBox is about a phone's width in CSS pixels, so 11 stays about 11 px
# there; wider screens cap the figure's width (app.css), which keeps text below ~17 px.
SCREEN_WIDTH, SCREEN_HEIGHT, SCREEN_FONT_SIZE = 340, 240, 11
# A horizontal bar's row on screen, in points per series: the labels must not touch.
SCREEN_BAR = 13
# Slanted labels (35 degrees) need this many times their size between them, or they touch.
SLANTED_PITCH = 1.9
# Okabe and Ito's palette: told apart with every common kind of colour blindness.
PALETTE = [colors.HexColor(c) for c in ("#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                        "#56B4E9", "#D55E00", "#F0E442", "#000000")]
SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    key: str  # unique on a page: the SVG's ids are made from it
    title: str
    description: str  # what the chart shows, in a sentence, for screen readers
    kind: Literal["bar", "hbar", "line"]
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""  # what the values count, e.g. "incidents"

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(v is None for s in self.series for v in s.values)


def drawing(chart: Chart, width: float = WIDTH, height: float = HEIGHT,
            font_size: float = FONT_SIZE) -> Drawing:
    font = fonts.register()
    canvas = fonts.drawing(width, height)
    if chart.is_empty:
        canvas.add(Rect(0, 0, width, height, strokeColor=colors.lightgrey,
                        fillColor=None))
        canvas.add(String(width / 2, height / 2, "No data to show for this period.",
                          fontName=font, fontSize=font_size + 2, textAnchor="middle"))
        return canvas
    scale = font_size / FONT_SIZE  # the margins were chosen for FONT_SIZE
    legend_height = 16 * scale if len(chart.series) > 1 else 0
    plot = _plot(chart, width, height - legend_height, font, font_size)
    canvas.add(plot)
    if legend_height:
        canvas.add(_legend(chart, font, font_size, height))
    return canvas


def _plot(chart: Chart, width: float, height: float, font: str, font_size: float):
    scale = font_size / FONT_SIZE
    if chart.kind == "hbar":
        plot, value_axis, category_axis = _hbar(chart, width, height, font, font_size)
    else:
        plot = VerticalBarChart() if chart.kind == "bar" else HorizontalLineChart()
        value_axis, category_axis = plot.valueAxis, plot.categoryAxis
        left = 34 * scale
        room = width - left - 10 * scale
        # Many months along the bottom, or labels wider than their share of it: slanted,
        # or they run into each other.
        widest = max(stringWidth(label, font, font_size) for label in chart.labels)
        slanted = len(chart.labels) > 6 or widest + font_size > room / len(chart.labels)
        bottom = (46 if slanted else 22) * scale
        plot.x, plot.y = left, bottom
        plot.width, plot.height = room, height - bottom - 8
        if slanted:
            category_axis.labels.angle = 35
            category_axis.labels.boxAnchor = "ne"
        category_axis.labels.dy = -4
    drawn = _drawn(chart)
    plot.data = [list(s.values) for _, s in drawn]
    if chart.kind == "hbar":
        names = [_fit(label, font, font_size, plot.x - 10) for label in chart.labels]
    else:
        names = _spaced(chart.labels, plot.width, font_size)
    category_axis.categoryNames = names
    for axis in (value_axis, category_axis):
        axis.labels.fontName, axis.labels.fontSize = font, font_size
    value_axis.valueMin = 0
    value_axis.forceZero = True
    _whole_numbers(chart, value_axis)
    _colour(plot, chart.kind, drawn)
    return plot


def _drawn(chart: Chart) -> list[tuple[int, Series]]:
    """The series to draw, with their place in the legend. A line with no values at all
    is left out (it has no points to join); a bar series keeps its place in each group."""
    return [(index, s) for index, s in enumerate(chart.series)
            if chart.kind != "line" or any(v is not None for v in s.values)]


def _hbar(chart: Chart, width: float, height: float, font: str, font_size: float):
    plot = HorizontalBarChart()
    longest = max(stringWidth(label, font, font_size) for label in chart.labels)
    left = min(longest + 10, width * 0.45)
    bottom = 18 * font_size / FONT_SIZE
    plot.x, plot.y = left, bottom
    plot.width, plot.height = width - left - 12, height - bottom - 8
    # The first label at the top, as the table alternative reads.
    plot.categoryAxis.reverseDirection = True
    plot.categoryAxis.labels.boxAnchor = "e"
    plot.categoryAxis.labels.dx = -4
    return plot, plot.valueAxis, plot.categoryAxis


def _spaced(labels: list[str], width: float, font_size: float) -> list[str]:
    """Every label along the bottom, or every second, third... when so many share the
    width that slanted labels would run into each other (two years of months on a phone);
    the table alternative has them all."""
    step = max(1, math.ceil(SLANTED_PITCH * font_size / (width / max(len(labels), 1))))
    return [label if index % step == 0 else "" for index, label in enumerate(labels)]


def _fit(label: str, font: str, font_size: float, room: float) -> str:
    """A bar's label shortened with an ellipsis to the room left of the bars (the table
    alternative has it whole)."""
    if stringWidth(label, font, font_size) <= room:
        return label
    while label and stringWidth(label.rstrip() + "…", font, font_size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def _whole_numbers(chart: Chart, value_axis) -> None:
    """Counts have no halves: a small count's axis steps by one."""
    values = [v for s in chart.series for v in s.values if v is not None]
    if values and all(float(v).is_integer() for v in values) and max(values) <= 10:
        value_axis.valueMax = max(max(values), 1)
        value_axis.valueStep = 1
    value_axis.labelTextFormat = lambda v: f"{v:g}"


def _colour(plot, kind: str, drawn: list[tuple[int, Series]]) -> None:
    for row, (index, _) in enumerate(drawn):
        colour = PALETTE[index % len(PALETTE)]
        if kind == "line":
            plot.lines[row].strokeColor = colour
            plot.lines[row].strokeWidth = 1.5
        else:
            plot.bars[row].fillColor = colour
            plot.bars[row].strokeColor = None


def _legend(chart: Chart, font: str, font_size: float, height: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = 34 * font_size / FONT_SIZE, height - 4
    legend.fontName, legend.fontSize = font, font_size
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.boxAnchor = "nw"
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s.name)
                             for i, s in enumerate(chart.series)]
    return legend


def svg(chart: Chart) -> str:
    """The chart as an SVG element for the page (no XML declaration or doctype)."""
    width, height = SCREEN_WIDTH, _screen_height(chart)
    root = ET.fromstring(renderSVG.drawToString(
        drawing(chart, width, height, SCREEN_FONT_SIZE)))
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"
    for tag, text, element_id in (("title", chart.title, title_id),
                                  ("desc", chart.description, desc_id)):
        element = root.find(f"{{{SVG_NS}}}{tag}")
        element.text = text
        element.set("id", element_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{title_id} {desc_id}")
    root.set("viewBox", f"0 0 {width:g} {height:g}")
    # Sized by the page, not in points: the viewBox keeps its proportions.
    root.set("width", "100%")
    root.attrib.pop("height", None)
    _ids_of_its_own(root, f"chart-{chart.key}-")
    _presentation_attributes(root)
    return ET.tostring(root, encoding="unicode")


def _screen_height(chart: Chart) -> float:
    """Horizontal bars get taller with their rows (a school's many categories); the rest
    keep the screen's proportions."""
    if chart.kind != "hbar" or chart.is_empty:
        return SCREEN_HEIGHT
    rows = len(chart.labels) * max(len(chart.series), 1)
    legend = 22 if len(chart.series) > 1 else 0
    return max(SCREEN_HEIGHT * 0.6, 40 + legend + rows * SCREEN_BAR)


def _presentation_attributes(root: ET.Element) -> None:
    """renderSVG styles every element with a style attribute, which the app's
    Content-Security-Policy (no 'unsafe-inline' styles) refuses, even in a DOMParser's
    document: each declaration becomes the presentation attribute of the same name."""
    for element in root.iter():
        style = element.attrib.pop("style", "")
        for declaration in style.split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() and value.strip():
                element.set(name.strip(), value.strip())
        if element.get("font-family") == "Vera":
            element.set("font-family", "Vera, Verdana, sans-serif")


def _ids_of_its_own(root: ET.Element, prefix: str) -> None:
    """renderSVG names its clip path "clip" in every chart: two charts on one page would
    clip each other."""
    for element in root.iter():
        if (element_id := element.get("id")) and not element_id.startswith(prefix):
            element.set("id", prefix + element_id)
        if style := element.get("style"):
            element.set("style", re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", style))


async def as_json_all(charts: list[Chart]) -> list[dict]:
    """Every chart as_json, drawn in a thread: a chart's SVG takes tens of milliseconds
    of CPU, a report has several, and the server must go on answering meanwhile."""
    return await asyncio.to_thread(lambda: [as_json(chart) for chart in charts])


def as_json(chart: Chart) -> dict:
    chart_fields = asdict(chart)
    return {"key": chart.key, "title": chart.title, "description": chart.description,
            "kind": chart.kind, "unit": chart.unit, "labels": chart_fields["labels"],
            "series": chart_fields["series"], "svg": svg(chart)}
