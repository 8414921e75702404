"""The charts' geometry: pure functions, no database."""

import pytest

from orders import charts

SERIES = [charts.Series("ann", "series-0"), charts.Series("bob", "series-1")]


@pytest.mark.parametrize(
    ("span", "whole", "step"),
    [
        (0, True, 1.0),
        (3, True, 1.0),
        (10, True, 5),
        (37, True, 10),
        (900, True, 500),
        (0.12, False, 0.05),
        (0.5, False, 0.2),
    ],
)
def test_nice_step(span, whole, step):
    assert charts.nice_step(span, whole=whole) == pytest.approx(step)


def test_columns_stack_each_series_on_the_last_in_proportion():
    chart = charts.columns(
        [
            charts.Column("1 Jul", [charts.Segment(6, "ann: 6"), charts.Segment(2, "bob: 2")]),
            charts.Column("2 Jul", [charts.Segment(0, "ann: 0"), charts.Segment(4, "bob: 4")]),
        ],
        series=SERIES,
        value_label=str,
    )

    first, second, third = chart.bars
    assert (first.css, first.title, second.css, third.css) == (
        "series-0",
        "ann: 6",
        "series-1",
        "series-1",
    )
    # 8 is the tallest column: the axis goes to 8 in steps of 2.
    assert [tick.label for tick in chart.value_ticks] == ["0", "2", "4", "6", "8"]
    plot = chart.bottom - chart.top
    assert first.height == pytest.approx(plot * 6 / 8, abs=0.1)
    assert second.height == pytest.approx(plot * 2 / 8, abs=0.1)
    assert second.y + second.height == pytest.approx(first.y, abs=0.1)
    assert first.y + first.height == pytest.approx(chart.bottom, abs=0.1)
    assert third.x > first.x
    assert [tick.label for tick in chart.category_ticks] == ["1 Jul", "2 Jul"]


def test_columns_label_at_most_ten_categories_and_draw_guides():
    data = [charts.Column(str(n), [charts.Segment(0.1, "")]) for n in range(90)]

    chart = charts.columns(
        data, series=SERIES[:1], value_label=str, whole=False, guides=[(0.3, "period 30%")]
    )

    assert len(chart.category_ticks) == 10
    assert chart.guides[0].label == "period 30%"
    assert chart.top <= chart.guides[0].at < chart.bars[0].y


def test_nothing_to_draw_is_an_empty_chart():
    assert charts.columns([], series=SERIES, value_label=str).empty
    assert charts.columns(
        [charts.Column("1 Jul", [charts.Segment(0, "")])], series=SERIES, value_label=str
    ).empty
    assert charts.rows([]).empty


def test_rows_scale_to_the_longest_and_put_labels_above_bars():
    chart = charts.rows([("product_not_found", 30, "30"), ("invalid_postcode", 15, "15")])

    longest, half = chart.rows
    assert half.bar_width == pytest.approx(longest.bar_width / 2, abs=0.1)
    assert longest.label_y < longest.bar_y < half.label_y
    assert longest.value_x > longest.bar_width
    assert chart.height >= half.bar_y + chart.bar_height
    assert half.title == "invalid_postcode: 15"


def test_series_colours_run_out_into_others():
    assert charts.series_css(0) == "series-0"
    assert charts.series_css(charts.PALETTE) == charts.OTHERS_CSS
