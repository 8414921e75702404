"""Relay pagination: first/after, hasNextPage, cursors, and the page size limits."""

import base64

import pytest

from sandbox.graphql.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.sandbox.graphql.conftest import Ask, Catalogue, fetch_all, ids

PAGE = (
    "query($first: Int, $after: String) { products { all(first: $first, after: $after) {"
    " edges { cursor node { id } } pageInfo { hasNextPage endCursor hasPreviousPage startCursor }"
    " } } }"
)


def page(ask: Ask, first: int | None = None, after: str | None = None) -> dict:
    result = ask(PAGE, {"first": first, "after": after})
    assert "errors" not in result, result["errors"]
    return result["data"]["products"]["all"]


@pytest.mark.parametrize("size", [1, 7, 25, 100])
def test_paging_through_gives_every_row_once_in_order(
    ask: Ask, seeded: Catalogue, size: int
) -> None:
    nodes = fetch_all(ask, "products", page_size=size)

    assert ids(nodes) == [str(row.pk) for row in seeded.products]


def test_first_page_then_the_next(ask: Ask, seeded: Catalogue) -> None:
    first = page(ask, first=10)
    second = page(ask, first=10, after=first["pageInfo"]["endCursor"])

    expected = [str(row.pk) for row in seeded.products]
    assert [edge["node"]["id"] for edge in first["edges"]] == expected[:10]
    assert [edge["node"]["id"] for edge in second["edges"]] == expected[10:20]
    assert first["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": first["edges"][0]["cursor"],
        "endCursor": first["edges"][-1]["cursor"],
    }
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert second["pageInfo"]["startCursor"] == second["edges"][0]["cursor"]


def test_a_full_last_page_has_no_next(ask: Ask, seeded: Catalogue) -> None:
    after = fetch_cursor(ask, position=len(seeded.products) - 50)

    result = page(ask, first=50, after=after)

    assert len(result["edges"]) == 50
    assert result["edges"][-1]["node"]["id"] == str(seeded.products[-1].pk)
    assert result["pageInfo"]["hasNextPage"] is False


def test_a_short_last_page_has_no_next(ask: Ask, seeded: Catalogue) -> None:
    after = fetch_cursor(ask, position=len(seeded.products) - 3)

    result = page(ask, first=10, after=after)

    assert [edge["node"]["id"] for edge in result["edges"]] == [
        str(row.pk) for row in seeded.products[-3:]
    ]
    assert result["pageInfo"]["hasNextPage"] is False


def fetch_cursor(ask: Ask, *, position: int) -> str:
    """Return the cursor of the row at 1-based ``position``."""
    after = None
    remaining = position
    while True:
        size = min(remaining, MAX_PAGE_SIZE)
        result = page(ask, first=size, after=after)
        after = result["pageInfo"]["endCursor"]
        remaining -= size
        if remaining == 0:
            return after


def test_default_page_size(ask: Ask) -> None:
    result = page(ask)

    assert len(result["edges"]) == DEFAULT_PAGE_SIZE == 25
    assert result["pageInfo"]["hasNextPage"] is True


def test_more_than_the_maximum_is_cut_to_it(ask: Ask) -> None:
    result = page(ask, first=1000)

    assert len(result["edges"]) == MAX_PAGE_SIZE == 100
    assert result["pageInfo"]["hasNextPage"] is True


def test_first_zero_returns_no_edges_but_says_more_exist(ask: Ask) -> None:
    result = page(ask, first=0)

    assert result["edges"] == []
    assert result["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


def test_empty_result(ask: Ask) -> None:
    result = ask(
        'query { products { all(filter: {code: {eq: "NOPE"}}) {'
        " edges { cursor } pageInfo { hasNextPage endCursor } } } }"
    )

    assert result["data"]["products"]["all"] == {
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


def test_negative_first_is_an_error(ask: Ask) -> None:
    result = ask(PAGE, {"first": -1})

    assert result["data"] is None
    assert "first must be 0 or more" in result["errors"][0]["message"]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        base64.urlsafe_b64encode(b"offset:3").decode(),
        base64.urlsafe_b64encode(b"sandbox:x").decode(),
    ],
)
def test_a_cursor_it_did_not_give_is_an_error(ask: Ask, cursor: str) -> None:
    result = ask(PAGE, {"first": 5, "after": cursor})

    assert "not a cursor this API gave out" in result["errors"][0]["message"]


def test_cursors_are_opaque_strings(ask: Ask) -> None:
    edges = page(ask, first=3)["edges"]

    assert all(
        isinstance(edge["cursor"], str) and edge["cursor"] != edge["node"]["id"] for edge in edges
    )
    assert len({edge["cursor"] for edge in edges}) == 3


def test_paging_with_a_filter_stays_within_it(ask: Ask, seeded: Catalogue) -> None:
    wanted = [str(row.pk) for row in seeded.products if row.code.startswith("MUG-")]

    nodes = fetch_all(ask, "products", "id", {"code": {"like": "MUG-%"}}, page_size=3)

    assert ids(nodes) == wanted
    assert len(wanted) > 6
