"""Dispatch dates as agents type them on the phone: ``28/11``, ``28/11/26 14:00``, ``tomorrow
2pm``, ``fri 9am``, ``2026-11-28T14:00``.

Pure text in, a wall-clock moment in the desk's time zone out: no database, no settings (the
caller gives "now", its zone and the time to use when none is typed). Whatever the text, the
parser either answers or raises ``DateNotUnderstood`` with words for the agent; it never makes
up a year out of digits that ran on (``202614``).
"""

import re
from datetime import date, datetime, time, timedelta

# A dispatch date is near: a year further than this from today is a typing mistake (a date
# years back is kept for orders keyed again from old ones, with the past-date warning).
YEARS_AHEAD = 5
YEARS_BACK = 10
EXAMPLES = "e.g. 28/11, 28/11/26 14:00 or tomorrow 2pm"
# The form the desk shows a date in, and reads back the same.
SHOWN = "%d/%m/%Y %H:%M"

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}
RELATIVE = {"today": 0, "tod": 0, "tomorrow": 1, "tmrw": 1, "tmw": 1, "tom": 1}

# A time with a mark that makes it one: "14:00", "14.30", "2pm", "2:30 pm", "14h", "noon".
MARKED_TIME = re.compile(
    r"(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*(?P<half>am|pm)"
    r"|(?P<hour24>\d{1,2})[:.h](?P<minute24>\d{2})?(?::(?P<second24>\d{2}))?"
    r"|(?P<word>noon|midday)",
    re.ASCII,
)
# "1400" after a date: four digits are a time there.
HHMM = re.compile(r"(?P<hour>\d{2})(?P<minute>\d{2})", re.ASCII)
BARE_HOUR = re.compile(r"\d{1,2}", re.ASCII)
NUMERIC_DATE = re.compile(
    r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})(?:[/.\-](?P<year>\d{2}|\d{4}))?", re.ASCII
)
ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})", re.ASCII)
COMPACT_DATE = re.compile(r"(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{2}|\d{4})?", re.ASCII)
WORD_DATE = re.compile(
    r"(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*(?P<month>[a-z]{3,9})"
    r"|(?P<month2>[a-z]{3,9})\s*(?P<day2>\d{1,2})(?:st|nd|rd|th)?)"
    r"(?:\s*(?P<year>\d{4}|\d{2}))?",
    re.ASCII,
)
# Longer than any date and time an agent types: not a date.
MAX_LENGTH = 60


class DateNotUnderstood(ValueError):
    """The text is not a date the desk can read; ``message`` says so in the agent's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def dispatch_parse(text: str, *, now: datetime, default_time: time) -> datetime:
    """Return the moment ``text`` names, in the time zone of ``now`` (aware).

    A date without a year is the one nearest today (28/11 typed on 1 December is the 28th just
    gone: a past date the page warns about, never next year's); a date without a time takes
    ``default_time``; a time alone is today. Raise ``DateNotUnderstood`` otherwise.
    """
    words = _words(text)
    if not words:
        raise DateNotUnderstood(f"Type the dispatch date, {EXAMPLES}.")
    today = now.date()
    day, clock = _split(words, today)
    if day is None and clock is None:
        raise DateNotUnderstood(f"“{text.strip()[:MAX_LENGTH]}” is not a date: {EXAMPLES}.")
    day = day or today
    if not today.year - YEARS_BACK <= day.year <= today.year + YEARS_AHEAD:
        raise DateNotUnderstood(f"Check the year: {day.year} is not near. Type e.g. 28/11/26.")
    return datetime.combine(day, clock or default_time, tzinfo=now.tzinfo)


def dispatch_format(moment: datetime) -> str:
    """Return a moment as the date box shows it, which ``dispatch_parse`` reads back."""
    return moment.strftime(SHOWN)


def dispatch_said(moment: datetime) -> str:
    """Return a moment as the page says it back to the agent: "Saturday 28 November 2026, 14:00"."""
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"


def _words(text: str) -> str:
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return ""
    lowered = text.strip().lower()
    # ISO's "T" between the date and the time, and the words agents add ("on", "at", commas).
    lowered = re.sub(r"(?<=\d)t(?=\d)", " ", lowered)
    lowered = re.sub(r"[,@]|\b(?:on|at|by)\b", " ", lowered)
    lowered = re.sub(r"\b(a|p)\.m\.?", r"\1m", lowered)
    return " ".join(lowered.split())


def _split(words: str, today: date) -> tuple[date | None, time | None]:
    """Return the date and the time ``words`` name: date then time, time then date, or one."""
    for date_part, time_part, four_digits in _candidates(words):
        day = _date(date_part, today) if date_part else None
        if date_part and day is None:
            continue
        clock = _time(time_part, four_digits=four_digits and day is not None) if time_part else None
        if time_part and clock is None:
            continue
        if day is not None or clock is not None:
            return day, clock
    return None, None


def _candidates(words: str) -> list[tuple[str, str, bool]]:
    """Return ways to cut ``words`` into (date, time, whether "1400" may be a time)."""
    tokens = words.split(" ")
    cuts: list[tuple[str, str, bool]] = [(words, "", False)]
    for at in range(1, len(tokens)):
        head, tail = " ".join(tokens[:at]), " ".join(tokens[at:])
        cuts.append((head, tail, True))
        cuts.append((tail, head, False))
    cuts.append(("", words, False))
    return cuts


def _time(text: str, *, four_digits: bool) -> time | None:
    text = text.replace(" ", "")
    match = MARKED_TIME.fullmatch(text)
    if match:
        if match["word"]:
            return time(12, 0)
        if match["half"]:
            hour, minute, second = match["hour"], match["minute"], match["second"]
            if not 1 <= int(hour) <= 12:
                return None
            hour_24 = int(hour) % 12 + (12 if match["half"] == "pm" else 0)
            return _clock(hour_24, minute, second)
        return _clock(int(match["hour24"]), match["minute24"], match["second24"])
    if four_digits and (found := HHMM.fullmatch(text)):
        return _clock(int(found["hour"]), found["minute"], None)
    if four_digits and BARE_HOUR.fullmatch(text):
        return _clock(int(text), None, None)
    return None


def _clock(hour: int, minute: str | None, second: str | None) -> time | None:
    minutes, seconds = int(minute or 0), int(second or 0)
    if hour > 23 or minutes > 59 or seconds > 59:
        return None
    return time(hour, minutes, seconds)


def _date(text: str, today: date) -> date | None:
    if text in RELATIVE:
        return today + timedelta(days=RELATIVE[text])
    if text in WEEKDAYS:
        return today + timedelta(days=(WEEKDAYS[text] - today.weekday()) % 7)
    if found := ISO_DATE.fullmatch(text):
        return _day(int(found["year"]), int(found["month"]), int(found["day"]))
    found = NUMERIC_DATE.fullmatch(text) or COMPACT_DATE.fullmatch(text)
    if found:
        return _dated(found["day"], found["month"], found["year"], today)
    if (found := WORD_DATE.fullmatch(text)) and (
        month := MONTHS.get(found["month"] or found["month2"] or "")
    ):
        return _dated(found["day"] or found["day2"], str(month), found["year"], today)
    return None


def _dated(day: str, month: str, year: str | None, today: date) -> date | None:
    if year is None:
        return _nearest(int(day), int(month), today)
    full = int(year) + (2000 if len(year) == 2 else 0)
    return _day(full, int(month), int(day))


def _nearest(day: int, month: int, today: date) -> date | None:
    """Return the day and month in the year that puts them nearest today."""
    dates = [
        found
        for year in (today.year - 1, today.year, today.year + 1)
        if (found := _day(year, month, day)) is not None
    ]
    return min(dates, key=lambda found: abs(found - today)) if dates else None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
