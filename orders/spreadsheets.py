"""Text written to a CSV file that people open in a spreadsheet: shown as text, never run.

Both CSV files the desk writes use it: the history's export (``orders.views.history``) and the
orders of a subject-access file (``orders.selectors.privacy``).
"""

import re

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = "=+-@\t\r"
# A spreadsheet can also start a cell inside one of ours: opened where the list separator is
# another character (a semicolon-locale Excel reads `x;=1+1` as `x` and a formula `=1+1`), or
# read line by line. So a trigger after any of these is neutralised too, past spaces and quotes.
CELL_SEPARATORS = ",;|\t\r\n"
_FORMULA_START = re.compile(
    rf'(^|[{re.escape(CELL_SEPARATORS)}])([ "]*)(?=[{re.escape(FORMULA_TRIGGERS)}])'
)


def spreadsheet_safe(text: str) -> str:
    """Return typed text so a spreadsheet shows it as text, never runs any part as a formula.

    An apostrophe goes before each formula trigger that starts the text or follows a separator
    (``x;=1`` becomes ``x;'=1``): a spreadsheet shows it, and the text stays readable.
    """
    return _FORMULA_START.sub(r"\1\2'", text)
