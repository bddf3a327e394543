"""The body map as the PDF draws it: the app's front and back outlines side by side, each
marker a numbered dot where it was placed. The notes go in the text beside it, under the
same numbers (as the incident page lists them)."""

from __future__ import annotations

import re
from functools import cache

from reportlab.graphics.shapes import Circle, Drawing, Ellipse, Group, Line, Path, String
from reportlab.lib import colors

from haven.reports import fonts

# The outline of pwa/js/components/body-map.js, in its box of 100 by 220 with y downwards:
# a marker's x and y (0 to 1) are fractions of this box in both.
BOX_WIDTH, BOX_HEIGHT = 100, 220
HEAD = (50, 20, 13, 15)  # centre x, centre y, radius x, radius y
OUTLINE = (
    "M44 34 L44 40 C34 41 26 43 24 50 "
    "L17 92 L14 112 Q12 120 17 121 Q21 120 21 112 L26 94 L30 64 "
    "L31 100 L30 118 L32 170 L31 200 Q25 206 34 207 L41 206 L41 200 "
    "L45 170 L49 124 L51 124 "
    "L55 170 L59 200 L59 206 L66 207 Q75 206 69 200 L68 170 "
    "L70 118 L69 100 L70 64 L74 94 L79 112 Q79 120 83 121 Q88 120 86 112 "
    "L83 92 L76 50 C74 43 66 41 56 40 L56 34 Z"
)
SPINE = (50, 42, 50, 118)
# Seen from the front, the child's right is on the viewer's left.
VIEWS = (("front", "Front", ("Right", "Left")), ("back", "Back", ("Left", "Right")))
SCALE = 0.75
GAP = 30
MARKER = colors.HexColor("#b00020")


def drawing(markers: list[dict]) -> Drawing:
    """Both views with the markers ({view, x, y}) numbered from 1 in the order given."""
    view_width, view_height = BOX_WIDTH * SCALE, BOX_HEIGHT * SCALE
    canvas = fonts.drawing(2 * view_width + GAP, view_height + 14)
    for column, (view, name, sides) in enumerate(VIEWS):
        left = column * (view_width + GAP)
        canvas.add(_outline(left, view == "back"))
        canvas.add(String(left + view_width / 2, view_height + 4, name, fontName=fonts.BOLD,
                          fontSize=8, textAnchor="middle"))
        for x, anchor, side in ((left, "start", sides[0]),
                                (left + view_width, "end", sides[1])):
            canvas.add(String(x, 0, side, fontName=fonts.REGULAR, fontSize=6,
                              textAnchor=anchor, fillColor=colors.grey))
        for number, marker in enumerate(markers, start=1):
            if marker["view"] == view:
                canvas.add(_marker(number, left + marker["x"] * view_width,
                                   (1 - marker["y"]) * view_height))
    return canvas


def _outline(left: float, with_spine: bool) -> Group:
    """The outline in the app's coordinates, flipped: reportlab's y runs upwards."""
    cx, cy, rx, ry = HEAD
    style = {"strokeColor": colors.black, "strokeWidth": 0.8, "fillColor": None}
    group = Group(Ellipse(cx, cy, rx, ry, **style), _path(OUTLINE, **style))
    if with_spine:
        group.add(Line(*SPINE, strokeColor=colors.grey, strokeWidth=0.6,
                       strokeDashArray=[2, 2]))
    group.transform = (SCALE, 0, 0, -SCALE, left, BOX_HEIGHT * SCALE)
    return group


def _marker(number: int, x: float, y: float) -> Group:
    return Group(Circle(x, y, 5, fillColor=MARKER, strokeColor=colors.white,
                        strokeWidth=0.6),
                 String(x, y - 2.2, str(number), fontName=fonts.BOLD, fontSize=6,
                        fillColor=colors.white, textAnchor="middle"))


@cache
def _commands(outline: str) -> tuple[tuple[str, tuple[float, ...]], ...]:
    return tuple((letter, tuple(float(n) for n in numbers.split()))
                 for letter, numbers in re.findall(r"([MLCQZ])([^MLCQZ]*)", outline))


def _path(outline: str, **style) -> Path:
    """An SVG path of absolute M, L, C, Q and Z as a reportlab Path (which has no
    quadratic curves: each becomes the cubic that draws the same)."""
    path = Path(**style)
    here = (0.0, 0.0)
    for letter, numbers in _commands(outline):
        if letter == "M":
            path.moveTo(*numbers)
        elif letter == "L":
            path.lineTo(*numbers)
        elif letter == "C":
            path.curveTo(*numbers)
        elif letter == "Q":
            (qx, qy), end = numbers[:2], numbers[2:]
            path.curveTo(here[0] + 2 / 3 * (qx - here[0]), here[1] + 2 / 3 * (qy - here[1]),
                         end[0] + 2 / 3 * (qx - end[0]), end[1] + 2 / 3 * (qy - end[1]), *end)
        else:
            path.closePath()
        if numbers:
            here = numbers[-2:]
    return path
