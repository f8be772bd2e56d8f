"""Simple server-drawn bar charts (SVG, no JavaScript): geometry here, markup in a template."""

from __future__ import annotations

from dataclasses import dataclass

from creneau.stats.privacy import Cell

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 220, 16, 28, 40


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: not published (small cell)
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    max_value: float
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM
    left: int = LEFT

    @property
    def has_data(self) -> bool:
        return any(b.value is not None for b in self.bars)


def bar_chart(title: str, points: list[tuple[str, Cell]]) -> Chart:
    values = [c.value for _, c in points if c.shown and c.value is not None]
    top = max(values, default=0) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(points), 1)
    bars = []
    for i, (label, cell) in enumerate(points):
        value = cell.value if cell.shown else None
        h = (value or 0) / top * plot_height
        x = LEFT + i * step + step * 0.15
        bars.append(
            Bar(
                label,
                value,
                round(x, 1),
                round(HEIGHT - BOTTOM - h, 1),
                round(step * 0.7, 1),
                round(h, 1),
                round(x + step * 0.35, 1),
            )
        )
    return Chart(title, bars, top)
