"""Clarus's wire language lives in ``orders/clarus/`` only.

Outside that package no module writes a Clarus JSON key, a Clarus goods-out status code, a
GraphQL text, an HTTP status number or a ``HTTP 4xx`` message: services and selectors hand the
desk's own dataclasses to ``orders.clarus`` and get its answers back the same way. The check reads
each module's syntax tree, so comments and docstrings never count.
"""

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ORDERS = Path(__file__).resolve().parents[2] / "orders"

CLARUS_KEYS = frozenset(
    {
        "data",
        "attributes",
        "relationships",
        "lines_changes",
        "errors",
        "edges",
        "pageInfo",
        "endCursor",
        "hasNextPage",
        "goods_out_status",
        "goods_out_status_id",
        "resource_name",
        "all_codes",
        "ilike",
        "retry-after",
    }
)
# Clarus's default goods-out status codes (../shared/clarus/CONTRACT.md §2.6).
CLARUS_STATUS_CODES = frozenset(
    {"DRAFT", "PENDING", "PICK", "PART", "ALLOCATED", "COMPLETED", "PART_ALLOCATED", "CANCELLED"}
)
GRAPHQL = re.compile(r"\{\s*edges|all\s*\(\s*filter|query\s*\(\$")
HTTP_STATUS_TEXT = re.compile(r"HTTP \d")

# How many lines of each module outside orders/clarus/ still speak Clarus. The count is exact, so
# that it can only be lowered as the language moves into the package.
ALLOWED: dict[str, int] = {}


def _docstrings(tree: ast.AST) -> set[int]:
    """Return the ids of the string constants that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _is_status_number(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return type(node.value) is int and 100 <= node.value <= 599
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_status_number(item) for item in node.elts)
    return False


def _names_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return "status" in node.id.lower()
    if isinstance(node, ast.Attribute):
        return "status" in node.attr.lower()
    return False


def _string_speaks_clarus(text: str) -> bool:
    return (
        text in CLARUS_KEYS
        or text in CLARUS_STATUS_CODES
        or text.startswith("X-Clarus")
        or bool(GRAPHQL.search(text))
        or bool(HTTP_STATUS_TEXT.search(text))
    )


def clarus_lines(source: str) -> Iterator[int]:
    """Yield the line of each piece of Clarus's language in a module's source."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings and _string_speaks_clarus(node.value):
                yield node.lineno
        elif isinstance(node, ast.JoinedStr):
            # f"HTTP {status}": a literal part ending in "HTTP " before a value.
            for part, after in zip(node.values, [*node.values[1:], None], strict=True):
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and part.value.endswith("HTTP ")
                    and isinstance(after, ast.FormattedValue)
                ):
                    yield node.lineno
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_status_number(side) for side in sides) and any(
                _names_status(side) for side in sides
            ):
                yield node.lineno
        elif (
            isinstance(node, ast.keyword) and node.arg == "status" and _is_status_number(node.value)
        ):
            yield node.value.lineno


def _modules() -> Iterator[Path]:
    for path in sorted(ORDERS.rglob("*.py")):
        relative = path.relative_to(ORDERS)
        if relative.parts[0] in ("clarus", "migrations"):
            continue
        yield path


def _hits() -> Counter[str]:
    hits: Counter[str] = Counter()
    for path in _modules():
        lines = set(clarus_lines(path.read_text()))
        if lines:
            hits[str(path.relative_to(ORDERS))] = len(lines)
    return hits


def test_clarus_language_stays_in_the_clarus_package() -> None:
    assert dict(_hits()) == ALLOWED


def test_the_check_sees_each_kind_of_clarus_language() -> None:
    source = '''
"""A docstring may say {"data": …}, HTTP 422 and COMPLETED."""
body = {"data": 1}
status = "COMPLETED"
header = "X-ClarusWMS-Subdomain"
text = "query($filter: F) { goods_outs { all(filter: $filter) { edges { node { id } } } } }"
said = f"HTTP {code}"
plain = "Clarus answered (HTTP 429)."
if exchange.status == 422:
    pass
if last.status in (404, 422):
    pass
answer = JsonResponse({}, status=404)
fine = {"reference": "SO-1", "count": 422}
'''
    assert sorted(set(clarus_lines(source))) == [3, 4, 5, 6, 7, 8, 9, 11, 13]
