"""The subject-access file's orders.csv: what a caller typed never runs as a spreadsheet formula,
whatever separator the spreadsheet that opens it uses (the same care as the history's export)."""

import csv
import io
import zipfile

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.selectors.privacy import ADDRESS_COLUMNS, person_file
from tests.orders.selectors.test_history import formula_parts, keyed_text


def orders_csv(record):
    archive = zipfile.ZipFile(io.BytesIO(person_file(record)))
    return list(csv.reader(io.StringIO(archive.read("orders.csv").decode(), newline="")))


def record_of(reference, address):
    return {
        "orders": [
            {
                "reference": reference,
                "created_at": "2026-12-03T12:00:00+00:00",
                "status": "sent",
                "clarus_id": 5,
                "delivery_address": address,
            }
        ]
    }


def test_a_formula_after_a_separator_or_spaces_is_not_run():
    address = {"name": 'Jo;=HYPERLINK("http://x")', "address_3": ' "=1+1', "postcode": "LS1"}

    [_header, row] = orders_csv(record_of("R-1", address))

    assert 'Jo;\'=HYPERLINK("http://x")' in row
    assert " \"'=1+1" in row
    assert "LS1" in row


@hypothesis_settings(max_examples=60, deadline=None)
@given(reference=keyed_text, values=st.lists(keyed_text, min_size=1, max_size=len(ADDRESS_COLUMNS)))
def test_no_part_of_any_cell_of_the_subject_access_csv_runs_as_a_formula(reference, values):
    address = dict(zip(ADDRESS_COLUMNS, values, strict=False))

    [header, row] = orders_csv(record_of(reference, address))

    for cell in header + row:
        # Opened with `,` or `;` as the separator, or `|`, or read line by line.
        assert formula_parts(cell) == [], cell
