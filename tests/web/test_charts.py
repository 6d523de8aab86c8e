"""The outcome chart drawn on the server (web/charts.py): exact coordinates, gaps left open, words
for those who do not see it, and markup a content security policy accepts (no style attribute,
no script)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from web.charts import GAD7_STYLE, PHQ9_STYLE, Series, SessionScores, line_chart, outcome_chart, x_of, y_of

SVG = "{http://www.w3.org/2000/svg}"

SESSIONS = [
    SessionScores(label="Evaluation", tick="Eval", phq9=16, gad7=11),
    SessionScores(label="Session 1", tick="1", phq9=14, gad7=None),
    SessionScores(label="Session 2", tick="2", phq9=None, gad7=8),
    SessionScores(label="Session 3", tick="3", phq9=7, gad7=6),
]


def drawing(chart_svg: str) -> ET.Element:
    return ET.fromstring(chart_svg)  # well-formed XML, or this raises


def series_group(root: ET.Element, key: str) -> ET.Element:
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == f"chart-series chart-series-{key}"]
    assert len(groups) == 1
    return groups[0]


def test_columns_and_scores_land_on_exact_coordinates():
    # The plot spans x 44..464 (420 wide) and y 40..256 (216 high, 0..27 upwards).
    assert [x_of(index, 4) for index in range(4)] == [
        Decimal("96.5"),
        Decimal("201.5"),
        Decimal("306.5"),
        Decimal("411.5"),
    ]
    assert x_of(0, 1) == Decimal("254.0")
    assert (y_of(0, 27), y_of(27, 27), y_of(16, 27), y_of(7, 27)) == (
        Decimal("256.0"),
        Decimal("40.0"),
        Decimal("128.0"),
        Decimal("200.0"),
    )


def test_a_session_without_an_answer_breaks_the_line_and_has_no_marker():
    chart = outcome_chart(sessions=SESSIONS)
    phq9, gad7 = chart.series
    assert phq9.lines == ("96.5,128.0 201.5,144.0",)  # evaluation to session 1; session 3 stands alone
    assert [(marker.x, marker.y, marker.label) for marker in phq9.markers] == [
        (Decimal("96.5"), Decimal("128.0"), "PHQ-9, Evaluation: 16"),
        (Decimal("201.5"), Decimal("144.0"), "PHQ-9, Session 1: 14"),
        (Decimal("411.5"), Decimal("200.0"), "PHQ-9, Session 3: 7"),
    ]
    assert gad7.lines == ("306.5,192.0 411.5,208.0",)
    assert [marker.label for marker in gad7.markers] == [
        "GAD-7, Evaluation: 11",
        "GAD-7, Session 2: 8",
        "GAD-7, Session 3: 6",
    ]

    root = drawing(chart.svg())
    assert [line.get("points") for line in series_group(root, "phq9").iter(f"{SVG}polyline")] == [
        "96.5,128.0 201.5,144.0"
    ]
    assert [(c.get("cx"), c.get("cy")) for c in series_group(root, "phq9").iter(f"{SVG}circle")] == [
        ("96.5", "128.0"),
        ("201.5", "144.0"),
        ("411.5", "200.0"),
    ]
    squares = list(series_group(root, "gad7").iter(f"{SVG}rect"))
    assert [(r.get("x"), r.get("y")) for r in squares] == [("96.5", "168.0"), ("306.5", "192.0"), ("411.5", "208.0")]


def test_the_svg_has_a_title_a_description_and_an_accessible_name():
    chart = outcome_chart(sessions=SESSIONS)
    root = drawing(chart.svg())
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "outcome-chart-title"
    assert root.get("aria-describedby") == "outcome-chart-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert (title.get("id"), title.text) == ("outcome-chart-title", "PHQ-9 and GAD-7 scores by session")
    assert desc.text == "PHQ-9 from 16 at evaluation to 7 at session 3; GAD-7 from 11 at evaluation to 6 at session 3."
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts == ["0", "5", "10", "15", "20", "25", "Eval", "1", "2", "3", "Session", "Score", "PHQ-9", "GAD-7"]


def test_series_differ_by_marker_and_dash_not_by_colour_alone():
    root = drawing(outcome_chart(sessions=SESSIONS).svg())
    phq9_line = next(series_group(root, "phq9").iter(f"{SVG}polyline"))
    gad7_line = next(series_group(root, "gad7").iter(f"{SVG}polyline"))
    assert (phq9_line.get("stroke"), phq9_line.get("stroke-dasharray")) == (PHQ9_STYLE.colour, None)
    assert (gad7_line.get("stroke"), gad7_line.get("stroke-dasharray")) == (GAD7_STYLE.colour, "6 4")
    assert not list(series_group(root, "phq9").iter(f"{SVG}rect"))
    assert not list(series_group(root, "gad7").iter(f"{SVG}circle"))


def test_no_style_attribute_no_script_and_labels_are_escaped():
    chart = line_chart(
        chart_id="c",
        title='Scores <script>alert("x")</script> & more',
        description="A & B",
        x_labels=["<b>one</b>", "two"],
        series=[Series(name="A<B", values=(1, 2), style=PHQ9_STYLE)],
        y_max=10,
        y_ticks=[0, 10],
        x_axis="Session",
        y_axis="Score",
    )
    markup = str(chart.svg())
    root = drawing(markup)
    assert "<script" not in markup
    assert "<b>" not in markup
    assert all("style" not in element.attrib for element in root.iter())
    assert root.find(f"{SVG}title").text == 'Scores <script>alert("x")</script> & more'  # type: ignore[union-attr]
    assert [text.text for text in root.iter(f"{SVG}text")][2:4] == ["<b>one</b>", "two"]


def test_a_chart_without_scores_says_so():
    chart = outcome_chart(sessions=[SessionScores(label="Evaluation", tick="Eval", phq9=None, gad7=None)])
    assert chart.is_empty
    assert chart.description == "No scores yet."
    assert drawing(chart.svg()).find(f"{SVG}desc").text == "No scores yet."  # type: ignore[union-attr]


def test_values_outside_the_scale_or_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match=r"outside 0\.\.27"):
        outcome_chart(sessions=[SessionScores(label="Session 1", tick="1", phq9=28, gad7=None)])
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        line_chart(
            chart_id="c",
            title="t",
            description="d",
            x_labels=["1", "2"],
            series=[Series(name="A", values=(1,), style=PHQ9_STYLE)],
            y_max=10,
            y_ticks=[0],
            x_axis="x",
            y_axis="y",
        )


def test_the_table_beside_the_chart_holds_the_same_numbers():
    chart = outcome_chart(sessions=SESSIONS)
    assert chart.rows == (
        ("Evaluation", (16, 11)),
        ("Session 1", (14, None)),
        ("Session 2", (None, 8)),
        ("Session 3", (7, 6)),
    )
    html = render_to_string("web/staff/includes/outcome_chart.html", {"chart": chart})
    assert '<th scope="row">Session 1</th><td>14</td><td><span class="muted">Not answered</span></td>' in html
    assert '<th scope="row">Session 3</th><td>7</td><td>6</td>' in html
    assert 'style="' not in html


def test_coordinates_are_the_same_in_spanish():
    """A Spanish page localizes numbers ("96,5"); an SVG coordinate must stay "96.5" or the drawing breaks."""
    with translation.override("es"):
        root = drawing(outcome_chart(sessions=SESSIONS).svg())
    circles = list(series_group(root, "phq9").iter(f"{SVG}circle"))
    assert circles[0].get("cx") == "96.5"
    polyline = next(series_group(root, "phq9").iter(f"{SVG}polyline"))
    assert polyline.get("points") == "96.5,128.0 201.5,144.0"
