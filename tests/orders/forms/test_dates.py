"""Dispatch dates as agents type them, read in the desk's time zone; never a crash, never a year
made of digits that ran on."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.forms.dates import (
    DateNotUnderstood,
    dispatch_format,
    dispatch_parse,
    dispatch_said,
)

LONDON = ZoneInfo("Europe/London")
# A Wednesday.
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=LONDON)
FIVE_PM = time(17, 0)


def parse(text, now=NOW):
    return dispatch_parse(text, now=now, default_time=FIVE_PM)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28/11", datetime(2026, 11, 28, 17, 0)),
        ("28/11/26 14:00", datetime(2026, 11, 28, 14, 0)),
        ("28/11/2026 14:00", datetime(2026, 11, 28, 14, 0)),
        ("28.11.26 14.30", datetime(2026, 11, 28, 14, 30)),
        ("28-11-2026", datetime(2026, 11, 28, 17, 0)),
        ("2026-12-01T14:30", datetime(2026, 12, 1, 14, 30)),
        ("2026-12-01 14:30:00", datetime(2026, 12, 1, 14, 30)),
        ("tomorrow 2pm", datetime(2026, 12, 3, 14, 0)),
        ("Tomorrow at 2 PM", datetime(2026, 12, 3, 14, 0)),
        ("2pm tomorrow", datetime(2026, 12, 3, 14, 0)),
        ("tmrw 9:30am", datetime(2026, 12, 3, 9, 30)),
        ("today noon", datetime(2026, 12, 2, 12, 0)),
        ("fri 9am", datetime(2026, 12, 4, 9, 0)),
        ("wednesday", datetime(2026, 12, 2, 17, 0)),
        ("28 nov 14:00", datetime(2026, 11, 28, 14, 0)),
        ("3rd January 2027", datetime(2027, 1, 3, 17, 0)),
        ("dec 24", datetime(2026, 12, 24, 17, 0)),
        ("28112026 1400", datetime(2026, 11, 28, 14, 0)),
        ("2811 1400", datetime(2026, 11, 28, 14, 0)),
        ("28/11 14", datetime(2026, 11, 28, 14, 0)),
        ("14:00", datetime(2026, 12, 2, 14, 0)),
        ("12am tomorrow", datetime(2026, 12, 3, 0, 0)),
        # Without a year: the one nearest today (January is next year's, November this year's).
        ("5/1", datetime(2027, 1, 5, 17, 0)),
    ],
)
def test_what_agents_type(text, expected):
    moment = parse(text)

    assert moment.tzinfo == LONDON
    assert moment.replace(tzinfo=None) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "281120261400", "202614", "31/02", "28/13", "25:00", "13pm", "soon", "28/11/2099"],
)
def test_what_is_not_a_date_says_so(text):
    with pytest.raises(DateNotUnderstood) as refused:
        parse(text)

    assert "e.g." in refused.value.message or "year" in refused.value.message


def test_the_date_is_said_back_in_words():
    assert dispatch_said(datetime(2026, 11, 28, 14, 0, tzinfo=LONDON)) == (
        "Saturday 28 November 2026, 14:00"
    )


def test_the_clocks_going_forward_keep_the_wall_time_typed():
    # 29 March 2026, 01:30 does not exist in London; the agent's words are kept as typed.
    moment = parse("29/3/26 01:30", now=datetime(2026, 3, 1, tzinfo=LONDON))

    assert (moment.day, moment.hour, moment.minute) == (29, 1, 30)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_date_or_a_message_never_a_crash(text):
    try:
        moment = parse(text)
    except DateNotUnderstood as refused:
        message = refused.message
    else:
        message = ""
        assert moment.tzinfo == LONDON
        # Never a year made of run-on digits.
        assert NOW.year - 10 <= moment.year <= NOW.year + 5
    assert message or moment


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789/.:- aptmx", max_size=30),
)
def test_digits_and_marks_never_make_a_far_year(text):
    try:
        moment = parse(text)
    except DateNotUnderstood:
        return
    assert NOW.year - 10 <= moment.year <= NOW.year + 5


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2016, 12, 2), max_value=date(2031, 12, 31)),
    st.times().map(lambda moment: moment.replace(second=0, microsecond=0)),
)
def test_a_date_shown_reads_back_as_itself(day, clock):
    moment = datetime.combine(day, clock, tzinfo=LONDON)

    assert parse(dispatch_format(moment)) == moment
