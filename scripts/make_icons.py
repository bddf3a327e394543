"""Draw Haven's app icons: a white shield with a house cut out of it, on the theme colour.

Run from the repository root: ``python scripts/make_icons.py``. It writes the PNG icons
and the SVG favicon into ``pwa/icons/``. Pure Python (zlib + struct), because the icons
must be reproducible on a machine with nothing but the standard library.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "pwa" / "icons"

# The theme colour from manifest.webmanifest and index.html; white on it is 9.2:1.
THEME = (0x0B, 0x4F, 0x5C)
WHITE = (0xFF, 0xFF, 0xFF)

# Shapes in a unit square, y down. Bezier segments are flattened into polygons.
Point = tuple[float, float]


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    points = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def shield() -> list[Point]:
    points: list[Point] = [(0.5, 0.12), (0.80, 0.21), (0.80, 0.47)]
    points += _cubic((0.80, 0.47), (0.80, 0.70), (0.65, 0.83), (0.5, 0.90))
    points += _cubic((0.5, 0.90), (0.35, 0.83), (0.20, 0.70), (0.20, 0.47))
    points.append((0.20, 0.21))
    return points


def house() -> list[Point]:
    return [
        (0.5, 0.29),
        (0.70, 0.46),
        (0.645, 0.46),
        (0.645, 0.67),
        (0.355, 0.67),
        (0.355, 0.46),
        (0.30, 0.46),
    ]


def door() -> list[Point]:
    return [(0.46, 0.56), (0.54, 0.56), (0.54, 0.67), (0.46, 0.67)]


# Even-odd: the house is a hole in the shield, and the door a hole in the house.
EMBLEM = (shield, house, door)


def rounded_square(radius: float) -> list[Point]:
    points: list[Point] = []
    corners = [(1 - radius, radius, -90), (1 - radius, 1 - radius, 0),
               (radius, 1 - radius, 90), (radius, radius, 180)]
    for cx, cy, start in corners:
        for step in range(13):
            angle = math.radians(start + step * 90 / 12)
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _scaled(polygon: list[Point], factor: float) -> list[Point]:
    """Scale about the centre of the square, to fit the maskable icon's safe circle."""
    return [(0.5 + (x - 0.5) * factor, 0.5 + (y - 0.5) * factor) for x, y in polygon]


def coverage(size: int, polygons: list[list[Point]], samples: int = 8) -> list[list[float]]:
    """Fraction of each pixel inside the polygons (even-odd rule, so a polygon inside
    another is a hole). Scanline fill: several sub-rows per pixel row, exact horizontal
    coverage on each, which anti-aliases the edges without a pixel-by-pixel point test."""
    edges = []
    for polygon in polygons:
        pts = [(x * size, y * size) for x, y in polygon]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1]):
            if y0 != y1:
                edges.append((x0, y0, x1, y1))
    grid = [[0.0] * size for _ in range(size)]
    for row in range(size):
        cells = grid[row]
        for sub in range(samples):
            y = row + (sub + 0.5) / samples
            crossings = sorted(
                x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                for x0, y0, x1, y1 in edges
                if min(y0, y1) <= y < max(y0, y1)
            )
            for left, right in zip(crossings[0::2], crossings[1::2]):
                left, right = max(left, 0.0), min(right, float(size))
                first, last = int(left), min(int(right), size - 1)
                for col in range(first, last + 1):
                    inside = min(right, col + 1) - max(left, col)
                    if inside > 0:
                        cells[col] += inside / samples
    return grid


def render(size: int, background: list[Point] | None, emblem_scale: float) -> list[list[tuple]]:
    """RGBA rows: the theme colour inside ``background`` (the whole square when None),
    the white shield with the house cut out on top."""
    square = coverage(size, [background]) if background else None
    emblem = coverage(size, [_scaled(shape(), emblem_scale) for shape in EMBLEM])
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            base = square[y][x] if square else 1.0
            mark = min(emblem[y][x], 1.0)
            colour = tuple(round(t + (w - t) * mark) for t, w in zip(THEME, WHITE))
            row.append((*colour, round(255 * min(base, 1.0))))
        rows.append(row)
    return rows


def write_png(path: Path, rows: list[list[tuple]]) -> None:
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def svg_path(polygon: list[Point], size: int) -> str:
    coords = " ".join(f"{x * size:.1f},{y * size:.1f}" for x, y in polygon)
    return f"M{coords}Z"


def write_favicon(path: Path) -> None:
    size = 64
    emblem = " ".join(svg_path(shape(), size) for shape in EMBLEM)
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" rx="14" fill="#0b4f5c"/>'
        f'<path fill="#fff" fill-rule="evenodd" d="{emblem}"/></svg>\n',
        encoding="utf-8",
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    rounded = rounded_square(0.18)
    # "any" icons: a rounded tile, the shield at full size.
    write_png(ICONS / "icon-192.png", render(192, rounded, 1.0))
    write_png(ICONS / "icon-512.png", render(512, rounded, 1.0))
    # Maskable: full bleed, and the shield shrunk so all of it lies inside the central
    # circle of radius 40% that every mask shape keeps.
    write_png(ICONS / "icon-maskable-512.png", render(512, None, 0.78))
    # iOS draws transparency as black and rounds the corners itself: full bleed.
    write_png(ICONS / "apple-touch-icon.png", render(180, None, 0.86))
    write_favicon(ICONS / "favicon.svg")


if __name__ == "__main__":
    main()
