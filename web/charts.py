"""Line charts drawn on the server as SVG (SPEC.md section 10: PHQ-9 and GAD-7 by session).

The page gets finished markup: no script draws anything, and nothing in it needs an inline
``style`` attribute or an inline script (a content security policy forbids both). Colours and
strokes are SVG presentation attributes (which a policy allows); the page's layout of the chart
is in site.css (``.chart``).

Nobody reads a chart by colour alone: each series has its own marker (circle, square) and line
(solid, dashed), a legend names them, and the SVG carries a ``<title>`` and a ``<desc>`` that say
in words what the lines show. The same numbers are in a data table beside the chart
(``LineChart.rows``), which is what a screen reader or a narrow phone reads.

Geometry is computed here (pure, tested with exact coordinates); the markup is the template
``web/staff/includes/line_chart.svg`` (autoescaped: labels never break the SVG).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# The drawing's own units (the viewBox); the page scales it to the width it has.
WIDTH = 480
HEIGHT = 300
MARGIN_LEFT = 44
MARGIN_RIGHT = 16
MARGIN_TOP = 40  # the legend sits above the plot
MARGIN_BOTTOM = 44
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


@dataclass(frozen=True)
class SeriesStyle:
    """How one series looks: its colour (3:1 or more against white, WCAG 1.4.11), marker, dash."""

    key: str  # a CSS-safe name: the series' class is ``chart-series-<key>``
    colour: str
    marker: str  # "circle" or "square"
    dash: str = ""  # an SVG stroke-dasharray; "" draws a solid line


PHQ9_STYLE = SeriesStyle(key="phq9", colour="#1f5f7a", marker="circle")
GAD7_STYLE = SeriesStyle(key="gad7", colour="#8a4b00", marker="square", dash="6 4")


@dataclass(frozen=True)
class Series:
    name: str  # "PHQ-9"
    values: tuple[int | None, ...]  # one per x label; None: not answered at that session
    style: SeriesStyle


@dataclass(frozen=True)
class Marker:
    x: Decimal
    y: Decimal
    label: str  # "PHQ-9, session 2: 12"


@dataclass(frozen=True)
class DrawnSeries:
    name: str
    style: SeriesStyle
    lines: tuple[str, ...]  # polyline points ("x,y x,y"), one per run of answered sessions
    markers: tuple[Marker, ...]
    legend_x: int  # where its legend entry starts, above the plot

    # The legend entry: a short line with the marker on it, then the name.
    @property
    def legend_line_end(self) -> int:
        return self.legend_x + 28

    @property
    def legend_marker_x(self) -> int:
        return self.legend_x + 14

    @property
    def legend_text_x(self) -> int:
        return self.legend_x + 34


@dataclass(frozen=True)
class Tick:
    value: int
    y: Decimal


@dataclass(frozen=True)
class XLabel:
    text: str
    x: Decimal


@dataclass(frozen=True)
class LineChart:
    """Everything the template draws, plus the table of the same numbers."""

    chart_id: str
    title: str
    description: str
    x_axis: str
    y_axis: str
    y_max: int
    ticks: tuple[Tick, ...]
    x_labels: tuple[XLabel, ...]
    series: tuple[DrawnSeries, ...]
    rows: tuple[tuple[str, tuple[int | None, ...]], ...]  # (x label, one value per series)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = MARGIN_LEFT
    plot_right: int = WIDTH - MARGIN_RIGHT
    plot_top: int = MARGIN_TOP
    plot_bottom: int = HEIGHT - MARGIN_BOTTOM

    @property
    def is_empty(self) -> bool:
        return not any(drawn.markers for drawn in self.series)

    @property
    def x_axis_y(self) -> int:
        return self.plot_bottom + 36

    @property
    def y_axis_x(self) -> int:
        return 14

    @property
    def y_axis_middle(self) -> int:
        return (self.plot_top + self.plot_bottom) // 2

    @property
    def x_axis_middle(self) -> int:
        return (self.plot_left + self.plot_right) // 2

    def svg(self) -> SafeString:
        return SafeString(render_to_string("web/staff/includes/line_chart.svg", {"chart": self}).strip())


def _coordinate(value: Decimal) -> Decimal:
    """One decimal place is finer than any screen shows."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def x_of(index: int, count: int) -> Decimal:
    """The centre of the ``index``-th of ``count`` equal columns of the plot."""
    return _coordinate(Decimal(MARGIN_LEFT) + Decimal(PLOT_WIDTH) * (Decimal(2 * index + 1) / Decimal(2 * count)))


def y_of(value: int, y_max: int) -> Decimal:
    return _coordinate(Decimal(MARGIN_TOP) + Decimal(PLOT_HEIGHT) * (Decimal(1) - Decimal(value) / Decimal(y_max)))


def _runs(points: list[tuple[Decimal, Decimal] | None]) -> tuple[str, ...]:
    """Consecutive answered sessions joined by a line; an unanswered one breaks it (a line
    across the gap would draw a score nobody gave)."""
    runs: list[list[tuple[Decimal, Decimal]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return tuple(" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1)


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    x_ticks: Sequence[str] | None = None,
    y_max: int,
    y_ticks: Sequence[int],
    x_axis: str,
    y_axis: str,
    marker_label: str = "{series}, {x}: {value}",
) -> LineChart:
    """Lay out ``series`` (one value per x label, None for a gap) on a 0..``y_max`` scale.

    ``x_labels`` name the columns in the table and the markers' titles; ``x_ticks`` (the same
    by default) are the short words under the axis, where space is tight."""
    count = len(x_labels)
    ticks_below = list(x_ticks) if x_ticks is not None else list(x_labels)
    if len(ticks_below) != count:
        raise ValueError("one x tick per x label")
    for each in series:
        if len(each.values) != count:
            raise ValueError(f"{each.name} has {len(each.values)} values for {count} labels")
        if any(value is not None and not 0 <= value <= y_max for value in each.values):
            raise ValueError(f"{each.name} has a value outside 0..{y_max}")
    drawn = []
    for position, each in enumerate(series):
        points = [
            None if value is None else (x_of(index, count), y_of(value, y_max))
            for index, value in enumerate(each.values)
        ]
        markers = tuple(
            Marker(x=point[0], y=point[1], label=marker_label.format(series=each.name, x=x_labels[index], value=value))
            for index, (point, value) in enumerate(zip(points, each.values, strict=True))
            if point is not None
        )
        drawn.append(
            DrawnSeries(
                name=each.name,
                style=each.style,
                lines=_runs(points),
                markers=markers,
                legend_x=MARGIN_LEFT + 120 * position,
            )
        )
    rows = tuple((label, tuple(each.values[index] for each in series)) for index, label in enumerate(x_labels))
    return LineChart(
        chart_id=chart_id,
        title=title,
        description=description,
        x_axis=x_axis,
        y_axis=y_axis,
        y_max=y_max,
        ticks=tuple(Tick(value=tick, y=y_of(tick, y_max)) for tick in y_ticks),
        x_labels=tuple(XLabel(text=label, x=x_of(index, count)) for index, label in enumerate(ticks_below)),
        series=tuple(drawn),
        rows=rows,
    )


# -- PHQ-9 and GAD-7 by session ------------------------------------------------------------------

PHQ9_MAX = 27
SCORE_TICKS = (0, 5, 10, 15, 20, 25)  # PHQ-9's band edges (5, 10, 15, 20) fall on gridlines


@dataclass(frozen=True)
class SessionScores:
    """One column of the outcome chart: the evaluation (baseline) or an infusion session."""

    label: str  # "Evaluation", "Session 1", ... (the table, the markers' titles)
    tick: str  # "Eval", "1", ... (under the axis)
    phq9: int | None
    gad7: int | None


def _trend(name: str, values: Sequence[int | None], labels: Sequence[str]) -> str | None:
    answered = [(label, value) for label, value in zip(labels, values, strict=True) if value is not None]
    if not answered:
        return None
    (first_label, first), (last_label, last) = answered[0], answered[-1]
    if len(answered) == 1:
        return f"{name} {first} at {_in_sentence(first_label)}"
    return f"{name} from {first} at {_in_sentence(first_label)} to {last} at {_in_sentence(last_label)}"


def _in_sentence(label: str) -> str:
    """ "Session 2 (Wednesday, December 9)" inside a sentence: "session 2 (Wednesday, December 9)"."""
    return label[:1].lower() + label[1:]


def outcome_chart(*, sessions: Sequence[SessionScores], chart_id: str = "outcome-chart") -> LineChart:
    """PHQ-9 (0-27) and GAD-7 (0-21) on one 0-27 scale, one column per session, the
    evaluation's scores first when there are any."""
    labels = [session.label for session in sessions]
    phq9 = tuple(session.phq9 for session in sessions)
    gad7 = tuple(session.gad7 for session in sessions)
    trends = [trend for trend in (_trend("PHQ-9", phq9, labels), _trend("GAD-7", gad7, labels)) if trend]
    description = "; ".join(trends) + "." if trends else "No scores yet."
    return line_chart(
        chart_id=chart_id,
        title="PHQ-9 and GAD-7 scores by session",
        description=description[0].upper() + description[1:],
        x_labels=labels,
        x_ticks=[session.tick for session in sessions],
        series=(
            Series(name="PHQ-9", values=phq9, style=PHQ9_STYLE),
            Series(name="GAD-7", values=gad7, style=GAD7_STYLE),
        ),
        y_max=PHQ9_MAX,
        y_ticks=SCORE_TICKS,
        x_axis="Session",
        y_axis="Score",
        marker_label="{series}, {x}: {value}",
    )
