"""Clarus's published OpenAPI spec as ready validators, for contract tests.

The spec is read where it lives, ``../shared/clarus/clarus-api.json`` from the project root (or
the file ``CLARUS_SPEC`` names), and is never copied into the project.
"""

import copy
import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT4

SPEC_URI = "urn:clarus:clarus-api"
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Validator(Protocol):
    """The part of a jsonschema validator the tests use."""

    def validate(self, instance: Any) -> None: ...

    def is_valid(self, instance: Any) -> bool: ...

    def iter_errors(self, instance: Any) -> Iterator[Any]: ...


def spec_path() -> Path:
    override = os.environ.get("CLARUS_SPEC")
    return (
        Path(override)
        if override
        else PROJECT_ROOT.parent / "shared" / "clarus" / "clarus-api.json"
    )


@cache
def _loaded() -> dict[str, Any]:
    path = spec_path()
    if not path.is_file():
        raise FileNotFoundError(f"Clarus's spec is not at {path}; set CLARUS_SPEC to its path.")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return _normalised(document)


def spec() -> dict[str, Any]:
    """Return a copy of the spec, safe to change."""
    return copy.deepcopy(_loaded())


def component(name: str) -> dict[str, Any]:
    """Return ``#/components/schemas/<name>``."""
    schema: dict[str, Any] = spec()["components"]["schemas"][name]
    return schema


def operation(path: str, method: str) -> dict[str, Any]:
    """Return the operation object of ``method path``, e.g. ``("/api/goods_outs", "post")``."""
    found: dict[str, Any] = spec()["paths"][path][method.lower()]
    return found


def request_example(path: str, method: str) -> dict[str, Any]:
    """Return the operation's JSON request example."""
    example: dict[str, Any] = operation(path, method)["requestBody"]["content"]["application/json"][
        "example"
    ]
    return example


def request_schema(path: str, method: str) -> Validator:
    """Return a validator for the operation's JSON request body (read-only members refused)."""
    pointer = _pointer("paths", path, method.lower(), "requestBody", "content", "application/json")
    return _validator(OAS30WriteValidator, f"{pointer}/schema")


def response_schema(path: str, method: str, status: int) -> Validator:
    """Return a validator for the operation's JSON response body with ``status``."""
    responses = operation(path, method)["responses"]
    response = responses[str(status)]
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
    else:
        pointer = _pointer("paths", path, method.lower(), "responses", str(status))
    return _validator(OAS30ReadValidator, f"{pointer}/content/application~1json/schema")


def _validator(cls: Any, pointer: str) -> Validator:
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT4.create_resource(_loaded()))
    validator: Validator = cls(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=registry,
        format_checker=oas30_format_checker,
    )
    return validator


def _pointer(*parts: str) -> str:
    """Return a JSON pointer to ``parts``, escaped per RFC 6901."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _normalised(document: dict[str, Any]) -> dict[str, Any]:
    """Return the spec with ``nullable`` meaning what its authors plainly mean.

    Under OpenAPI 3.0.3 ``nullable`` neither reaches into ``allOf`` nor adds ``null`` to an
    ``enum``, so a strict validator refuses ``null`` for ``carrier_id`` (written as
    ``allOf: [$ref CarrierId]`` + ``nullable``) and for ``dispatch_strategy`` (a nullable enum).
    Each member whose ``allOf`` holds only local ``$ref``s gets those schemas merged in, and each
    nullable enum gets ``null`` added; every other constraint stays as published.
    """
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"

    def normalised(node: Any) -> Any:
        if isinstance(node, list):
            return [normalised(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: normalised(value) for key, value in node.items()}
        parts = node.get("allOf") or []
        refs = [part.get("$ref", "") if isinstance(part, dict) else "" for part in parts]
        if refs and all(
            ref.startswith(prefix) and len(part) == 1 for ref, part in zip(refs, parts, strict=True)
        ):
            merged: dict[str, Any] = {}
            for ref in refs:
                merged |= normalised(schemas[ref.removeprefix(prefix)])
            node = merged | {key: value for key, value in node.items() if key != "allOf"}
        if node.get("nullable") and isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        return node

    result: dict[str, Any] = normalised(document)
    return result


def graphql_operation_names() -> list[str]:
    """Return the names of Clarus's documented GraphQL queries, e.g. ``ListProducts``."""
    return sorted(path.removeprefix("/graphql#") for path in _loaded()["paths"] if "#" in path)


def graphql_example(name: str) -> dict[str, Any]:
    """Return the documented GraphQL query ``name`` (``ListProducts``) as test data.

    ``query`` and ``variables`` are the request example, ``response`` the 200 response example,
    ``filters`` the documented filters as {filter: input type}, and ``operators`` the documented
    operators of each input type, e.g. {"StringInputType": ["eq", "ilike", ...]}.
    """
    post = operation(f"/graphql#{name}", "post")
    request = post["requestBody"]["content"]["application/json"]["example"]
    response = post["responses"]["200"]["content"]["application/json"]["example"]
    text = post.get("x-mint", {}).get("content", "")
    filters: dict[str, str] = {}
    operators: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`"):
            # | `code` | StringInputType | `eq`, `ilike` ... | Description |
            filters[cells[0].strip("`")] = cells[1]
            operators.setdefault(cells[1], _operators(cells[2]))
        elif len(cells) == 2 and cells[0].endswith("InputType"):
            # | StringInputType | `eq` (exact), `ilike` (case-insensitive partial), ... |
            operators[cells[0]] = _operators(cells[1])
    return {
        "query": request["query"],
        "variables": request.get("variables") or {},
        "response": response,
        "filters": filters,
        "operators": operators,
    }


def _operators(cell: str) -> list[str]:
    """Return the backquoted names in a table cell: "`eq` (exact), `in`" -> ["eq", "in"]."""
    return cell.split("`")[1::2]
