"""Pasted order lines: text from a spreadsheet or an e-mail, read into codes and quantities."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.forms.paste import PastedLine, line_text_parse, pasted_lines_parse


def test_spreadsheet_rows_with_a_header():
    text = "SKU\tQty\r\nMUG-BLK-0010\t3\r\n5012345678900\t12\r\n"

    assert pasted_lines_parse(text) == [
        PastedLine("MUG-BLK-0010", "3"),
        PastedLine("5012345678900", "12"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "MUG-BLK-0010\t2",
        "MUG-BLK-0010,2",
        "MUG-BLK-0010;2",
        "MUG-BLK-0010 ; 2",
        "MUG-BLK-0010    2",
        "  MUG-BLK-0010 2  ",
        "MUG-BLK-0010\tx2",
        "MUG-BLK-0010\t2 pcs",
    ],
)
def test_separators_an_agent_meets(line):
    assert pasted_lines_parse(line) == [PastedLine("MUG-BLK-0010", "2")]


def test_a_decimal_comma_in_a_spreadsheet_cell_stays_one_number():
    assert pasted_lines_parse("ROPE-01\t2,5") == [PastedLine("ROPE-01", "2.5")]


def test_a_line_without_a_readable_quantity_keeps_its_code_with_no_quantity():
    text = "MUG-BLK-0010\n\nTEA-0001\tthree\nJUG-02\t\n"

    assert pasted_lines_parse(text) == [
        PastedLine("MUG-BLK-0010", ""),
        PastedLine("TEA-0001", ""),
        PastedLine("JUG-02", ""),
    ]


@pytest.mark.parametrize(
    "header", ["SKU\tQty", "Product code,Quantity", "Barcode", "item;amount", "Code:\tQty."]
)
def test_header_rows_are_skipped(header):
    assert pasted_lines_parse(f"{header}\nMUG-BLK-0010\t1") == [PastedLine("MUG-BLK-0010", "1")]


def test_only_the_first_line_can_be_a_header():
    # A product whose SKU reads like a heading, pasted further down, is a product.
    assert pasted_lines_parse("MUG-BLK-0010\t1\nSKU\tQty") == [
        PastedLine("MUG-BLK-0010", "1"),
        PastedLine("SKU", ""),
    ]


def test_a_first_line_with_a_quantity_is_no_header():
    assert pasted_lines_parse("sku\t4") == [PastedLine("sku", "4")]


def test_nothing_but_blanks():
    assert pasted_lines_parse("\n \t \r\n") == []


def test_long_codes_are_cut_to_what_a_product_box_holds():
    assert pasted_lines_parse("A" * 150 + "\t1") == [PastedLine("A" * 100, "1")]


@pytest.mark.parametrize(
    ("typed", "code", "quantity"),
    [
        ("MUG-BLK-0010 x4", "MUG-BLK-0010", "4"),
        ("MUG-BLK-0010 x 4", "MUG-BLK-0010", "4"),
        ("MUG-BLK-0010 ×4", "MUG-BLK-0010", "4"),
        ("4 x MUG-BLK-0010", "MUG-BLK-0010", "4"),
        ("4x MUG-BLK-0010", "MUG-BLK-0010", "4"),
        ("MUG-BLK-0010 4", "MUG-BLK-0010", "4"),
        ("5012345678900 12", "5012345678900", "12"),
        ("2.5 x ROPE-01", "ROPE-01", "2.5"),
        ("3 x blue ceramic mug", "blue ceramic mug", "3"),
        # Words, not a code: the number is part of what is looked for (350ml).
        ("mug 350", "mug 350", ""),
        ("blue mug", "blue mug", ""),
        # A code that starts like a quantity stays a code.
        ("4XL-TEE", "4XL-TEE", ""),
        ("MUG-BLK-0010 x0", "MUG-BLK-0010 x0", ""),
    ],
)
def test_a_quantity_said_with_the_product(typed, code, quantity):
    assert line_text_parse(typed) == PastedLine(code, quantity)


def test_pasted_lines_say_their_quantity_the_same_ways():
    text = "4 x MUG-BLK-0010\nTEE-RED-M x3\nCAP-01 2\n"

    assert pasted_lines_parse(text) == [
        PastedLine("MUG-BLK-0010", "4"),
        PastedLine("TEE-RED-M", "3"),
        PastedLine("CAP-01", "2"),
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_typed_line_is_a_product_and_maybe_a_positive_quantity(text):
    line = line_text_parse(text)

    assert len(line.code) <= 100
    if line.quantity:
        assert float(line.quantity) > 0
        assert line.code.strip()
