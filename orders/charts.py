"""Charts drawn on the server: the geometry of SVG bar charts, for a template to draw.

Pure functions without Django or I/O. A chart is a frozen dataclass of rectangles, ticks and
labels in the units of its SVG ``viewBox``; colours are CSS classes (``series-0`` …), because
the desk's Content-Security-Policy allows no inline styles. Every chart also has a table of its
numbers beside it on the page: the SVG is for the eye, the table for screen readers and for
supervisors who want the figures.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# The palette's size (series-0 … series-7 in static/desk.css); one more class for the rest.
PALETTE = 8
OTHERS_CSS = "series-other"
WIDTH = 720
HEIGHT = 240
# Room for the value axis on the left and the category labels underneath.
LEFT, RIGHT, TOP, BOTTOM = 48.0, 8.0, 12.0, 26.0
MOST_CATEGORY_LABELS = 10
ROW_HEIGHT = 40.0


@dataclass(frozen=True)
class Segment:
    """One series' share of a column: its value and what its tooltip says."""

    value: float
    title: str


@dataclass(frozen=True)
class Column:
    label: str
    segments: Sequence[Segment]


@dataclass(frozen=True)
class Series:
    name: str
    css: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class ColumnChart:
    """Columns over categories (days), stacked by series, with a value axis."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar]
    value_ticks: list[Tick]
    category_ticks: list[Tick]
    # Horizontal lines across the plot, such as the period's overall rate.
    guides: list[Tick] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.bars

    @property
    def value_label_x(self) -> float:
        return self.left - 6

    @property
    def category_label_y(self) -> float:
        return self.bottom + 16


@dataclass(frozen=True)
class Row:
    """One bar of a horizontal bar chart, its label above it and its value after it."""

    label_y: float
    bar_y: float
    bar_width: float
    label: str
    value_text: str
    value_x: float
    value_y: float
    title: str


@dataclass(frozen=True)
class RowChart:
    width: int
    height: int
    left: float
    bar_height: float
    rows: list[Row]
    css: str

    @property
    def empty(self) -> bool:
        return not self.rows


def series_css(index: int) -> str:
    """Return the colour class of the ``index``-th series; the last colour is for "others"."""
    return f"series-{index}" if index < PALETTE else OTHERS_CSS


def nice_step(span: float, *, steps: int = 4, whole: bool = False) -> float:
    """Return a round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about
    ``steps`` parts; at least 1 when the values are counts."""
    if span <= 0:
        return 1.0
    raw = span / steps
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw - 1e-12)
    return max(step, 1.0) if whole else step


def columns(
    data: Sequence[Column],
    *,
    series: Sequence[Series],
    value_label: Callable[[float], str],
    whole: bool = True,
    guides: Sequence[tuple[float, str]] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> ColumnChart:
    """Lay out stacked columns, one per category, the segments in ``series`` order."""
    top_value = max(
        [sum(s.value for s in column.segments) for column in data] + [v for v, _ in guides] + [0]
    )
    step = nice_step(top_value, whole=whole)
    axis_top = step * max(1, math.ceil(top_value / step - 1e-9))
    plot_width = width - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    base = height - BOTTOM

    def y_of(value: float) -> float:
        return base - value / axis_top * plot_height

    slot = plot_width / max(1, len(data))
    bar_width = max(1.0, slot * 0.8)
    bars = []
    for index, column in enumerate(data):
        x = LEFT + index * slot + (slot - bar_width) / 2
        total = 0.0
        for position, segment in enumerate(column.segments):
            if segment.value <= 0:
                continue
            low, high = y_of(total), y_of(total + segment.value)
            total += segment.value
            bars.append(
                Bar(
                    x=_round(x),
                    y=_round(high),
                    width=_round(bar_width),
                    height=_round(low - high),
                    css=series[position].css,
                    title=segment.title,
                )
            )
    every = max(1, math.ceil(len(data) / MOST_CATEGORY_LABELS))
    return ColumnChart(
        width=width,
        height=height,
        left=LEFT,
        right=width - RIGHT,
        top=TOP,
        bottom=base,
        bars=bars,
        value_ticks=[
            Tick(_round(y_of(n * step)), value_label(n * step))
            for n in range(round(axis_top / step) + 1)
        ],
        category_ticks=[
            Tick(_round(LEFT + index * slot + slot / 2), column.label)
            for index, column in enumerate(data)
            if index % every == 0
        ],
        guides=[Tick(_round(y_of(value)), label) for value, label in guides],
    )


def rows(
    items: Sequence[tuple[str, float, str]],
    *,
    css: str = "series-0",
    width: int = WIDTH,
) -> RowChart:
    """Lay out horizontal bars, one per (label, value, value text), longest value = full width.

    Each label sits above its bar, so long ones (Clarus's reasons) never need cutting.
    """
    most = max([value for _label, value, _text in items] + [0])
    # Room after the longest bar for its value.
    span = width - 2 - 90
    bar_height = 14.0
    laid_out = []
    for index, (label, value, text) in enumerate(items):
        top = index * ROW_HEIGHT
        bar_width = max(1.0, value / most * span) if most and value > 0 else 0.0
        laid_out.append(
            Row(
                label_y=_round(top + 14),
                bar_y=_round(top + 20),
                bar_width=_round(bar_width),
                label=label,
                value_text=text,
                value_x=_round(2 + bar_width + 6),
                value_y=_round(top + 20 + bar_height - 3),
                title=f"{label}: {text}",
            )
        )
    return RowChart(
        width=width,
        height=int(max(1, len(items)) * ROW_HEIGHT + 4),
        left=2.0,
        bar_height=bar_height,
        rows=laid_out,
        css=css,
    )


def _round(value: float) -> float:
    return round(value, 1)
