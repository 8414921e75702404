"""Check a goods-out create document the way Clarus's spec says Clarus does.

Pure functions over parsed JSON: no database, no request. The rules are the spec's for the
``POST /api/goods_outs`` request body, tabled in ``sandbox.goods_out_schema``. Clarus publishes
no goods-out error codes (CONTRACT.md §3.2), so the codes below are the sandbox's own. They are
stable: the desk maps ``source`` to its form fields, and agents read ``details``.

====  ======================  ==========================================================
code  symbol                  meaning
====  ======================  ==========================================================
1001  required                a required member is missing, null, or (reference) blank
1002  invalid_type            wrong JSON type; integers must be JSON integers, not bools
1003  too_long                a string over its maximum length
1004  not_in_list             a value outside its enum
1005  out_of_range            a number outside its minimum or maximum
1006  invalid_format          a date-time, email address or country code that does not parse
1007  unknown_attribute       a member the spec does not define
1008  read_only               a member only Clarus sets (the address ``code``)
1009  misplaced_address       an address member sent in ``data.attributes``
1010  not_allowed_on_create   valid elsewhere, not on a create: UPDATE/DESTROY lines, a line id
1011  invalid_json            the body is not a JSON object
1012  unsupported_media_type  the Content-Type is not application/json
1013  record_not_found        a line names a product the catalogue does not have (checked by
                              ``sandbox.catalogue_rules``, when the subdomain has a catalogue),
                              or an amendment names a line the goods-out does not have
1014  not_amendable           an amendment of a goods-out whose picking has started
                              (``sandbox.amend``)
1015  no_lines_left           an amendment that would leave the goods-out without a line
====  ======================  ==========================================================

``source`` names the member that failed:

- header attributes by name: ``reference``, ``expected_date_of_dispatch``, ``lines_changes``;
- lines by 0-based index, attributes flattened onto the line: ``lines_changes[2]``,
  ``lines_changes[2].type``, ``lines_changes[2].id``, ``lines_changes[2].attributes``,
  ``lines_changes[2].order_quantity``;
- address attributes: ``address.postcode``, ``address.country_code``;
- the envelope: ``data``, ``data.type``, ``data.attributes``, ``data.<member>``,
  ``relationships``, ``relationships.<member>``, ``relationships.address``,
  ``relationships.address.data``, ``relationships.address.data.type``,
  ``relationships.address.data.attributes``, ``relationships.address.data.<member>``;
- ``Content-Type`` for the media type, and null when the body is not a JSON object.
"""

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django_countries.data import COUNTRIES

from sandbox.goods_out_schema import (
    ADDRESS_READ_ONLY,
    ADDRESS_RULES,
    HEADER_REQUIRED,
    HEADER_RULES,
    INTEGER,
    LINE_ADD_REQUIRED,
    LINE_CHANGE_TYPES,
    LINE_RULES,
    MISPLACED_ADDRESS_KEYS,
    Kind,
    Rule,
)


class Code(enum.IntEnum):
    REQUIRED = 1001
    INVALID_TYPE = 1002
    TOO_LONG = 1003
    NOT_IN_LIST = 1004
    OUT_OF_RANGE = 1005
    INVALID_FORMAT = 1006
    UNKNOWN_ATTRIBUTE = 1007
    READ_ONLY = 1008
    MISPLACED_ADDRESS = 1009
    NOT_ALLOWED_ON_CREATE = 1010
    INVALID_JSON = 1011
    UNSUPPORTED_MEDIA_TYPE = 1012
    RECORD_NOT_FOUND = 1013
    NOT_AMENDABLE = 1014
    NO_LINES_LEFT = 1015

    @property
    def symbol(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a document, shaped like an item of Clarus's ``ErrorResponse``."""

    code: Code
    details: str
    source: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": int(self.code),
            "symbol": self.code.symbol,
            "details": self.details,
            "source": self.source,
        }


# RFC 3339, the profile of ISO 8601 the spec's "date-time" format means; the offset is mandatory.
DATETIME_PATTERN = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# ISO 3166-1 alpha-2, with the optional ISO 3166-2 province suffix Clarus allows (e.g. CA-ON).
COUNTRY_PATTERN = re.compile(r"(?P<country>[A-Z]{2})(-[A-Z0-9]{1,3})?")
COUNTRY_CODES = frozenset(COUNTRIES)

KIND_NOUNS: dict[Kind, str] = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "datetime": "a date and time as text",
}


@dataclass(frozen=True)
class Where:
    """Where a group of members sits: the prefix of its sources and of its messages."""

    source_prefix: str = ""
    details_prefix: str = ""

    def source(self, name: str) -> str:
        return f"{self.source_prefix}{name}"

    def problem(self, code: Code, name: str, message: str) -> Problem:
        return Problem(code, f"{self.details_prefix}{message}", self.source(name))


HEADER = Where()
ADDRESS = Where("address.", "Delivery address: ")


def content_type_problem(content_type: str) -> Problem | None:
    """Return the problem with a request's media type (parameters already stripped), if any."""
    # Clarus: requests carry Content-Type: application/json (CONTRACT.md §1.3).
    if content_type.lower() == "application/json":
        return None
    return Problem(
        Code.UNSUPPORTED_MEDIA_TYPE,
        f"Send the order as application/json, not {content_type or 'an unnamed media type'}.",
        "Content-Type",
    )


def parse_json_object(body: bytes) -> dict[str, Any] | Problem:
    """Return the JSON object in ``body``, or the problem that stops it being one."""
    try:
        document = json.loads(body, parse_constant=_reject_constant)
    except ValueError as exc:
        return Problem(Code.INVALID_JSON, f"The request body is not valid JSON ({exc}).", None)
    if not isinstance(document, dict):
        return Problem(Code.INVALID_JSON, "The request body must be a JSON object.", None)
    return document


def _reject_constant(name: str) -> None:
    # NaN and Infinity are not JSON, though Python's parser takes them by default.
    raise ValueError(f"{name} is not a JSON value")


def goods_out_create_problems(document: object) -> list[Problem]:
    """Return every reason Clarus would refuse ``document`` as a new goods-out; [] if none."""
    if not isinstance(document, dict):
        return [Problem(Code.INVALID_JSON, "The request body must be a JSON object.", None)]
    data = document.get("data")
    if data is None:
        return [Problem(Code.REQUIRED, "The document must have a data object.", "data")]
    if not isinstance(data, dict):
        return [Problem(Code.INVALID_TYPE, "data must be an object.", "data")]
    problems: list[Problem] = []
    for name in _others(data, "type", "attributes", "relationships"):
        problems.append(
            Problem(Code.UNKNOWN_ATTRIBUTE, f"data.{name} is not allowed here.", f"data.{name}")
        )
    problems += _resource_type(data.get("type"), "goods_outs", "data.type")
    attributes = data.get("attributes")
    if attributes is None:
        problems.append(Problem(Code.REQUIRED, "data.attributes is required.", "data.attributes"))
    elif not isinstance(attributes, dict):
        problems.append(
            Problem(Code.INVALID_TYPE, "data.attributes must be an object.", "data.attributes")
        )
    else:
        problems += header_problems(attributes)
    if "relationships" in data:
        problems += relationships_problems(data["relationships"])
    return problems


def header_problems(attributes: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of a goods-out's ``data.attributes``."""
    problems: list[Problem] = []
    for name, value in attributes.items():
        if name == "lines_changes":
            problems += lines_problems(value)
        elif name in HEADER_RULES:
            problems += value_problems(value, HEADER_RULES[name], name, HEADER)
        elif name in MISPLACED_ADDRESS_KEYS:
            problems.append(
                HEADER.problem(
                    Code.MISPLACED_ADDRESS,
                    name,
                    f"{name} belongs to the delivery address: send it in "
                    "data.relationships.address, not in data.attributes.",
                )
            )
        else:
            problems.append(_unknown(name, HEADER, "a goods-out attribute"))
    problems += _missing(attributes, HEADER_REQUIRED, HEADER)
    return problems


def lines_problems(lines: object) -> list[Problem]:
    """Return the problems of ``lines_changes`` on a create."""
    if not isinstance(lines, list):
        return [
            HEADER.problem(Code.INVALID_TYPE, "lines_changes", "Lines must be a list of changes.")
        ]
    problems: list[Problem] = []
    for index, change in enumerate(lines):
        problems += line_problems(index, change)
    return problems


def line_problems(index: int, change: object) -> list[Problem]:
    """Return the problems of ``lines_changes[index]``; a create may only ADD lines."""
    where = Where(f"lines_changes[{index}].", f"Line {index + 1}: ")
    if not isinstance(change, dict):
        return [
            Problem(
                Code.INVALID_TYPE,
                f"Line {index + 1} must be an object.",
                f"lines_changes[{index}]",
            )
        ]
    problems: list[Problem] = []
    kind = change.get("type")
    if kind is None:
        problems.append(where.problem(Code.REQUIRED, "type", "the change type is required."))
    elif not isinstance(kind, str) or kind not in LINE_CHANGE_TYPES:
        problems.append(
            where.problem(
                Code.NOT_IN_LIST,
                "type",
                f"the change type must be one of {_listing(LINE_CHANGE_TYPES)}.",
            )
        )
    elif kind != "ADD":
        problems.append(
            where.problem(
                Code.NOT_ALLOWED_ON_CREATE,
                "type",
                f"a new goods-out can only ADD lines, not {kind} them.",
            )
        )
    is_add = kind == "ADD"
    if "id" in change:
        if is_add:
            problems.append(
                where.problem(
                    Code.NOT_ALLOWED_ON_CREATE, "id", "a line being added must not have an id."
                )
            )
        else:
            problems += value_problems(change["id"], INTEGER, "id", where)
    for name in _others(change, "type", "id", "attributes"):
        problems.append(_unknown(name, where, "part of a line change"))
    attributes = change.get("attributes")
    if attributes is None:
        if is_add:
            problems.append(
                where.problem(Code.REQUIRED, "attributes", "a line being added needs attributes.")
            )
    elif not isinstance(attributes, dict):
        problems.append(
            where.problem(Code.INVALID_TYPE, "attributes", "attributes must be an object.")
        )
    else:
        problems += members_problems(attributes, LINE_RULES, where, "a line attribute")
        if is_add:
            problems += _missing(attributes, LINE_ADD_REQUIRED, where)
    return problems


def relationships_problems(relationships: object) -> list[Problem]:
    """Return the problems of ``data.relationships``, where the delivery address lives."""
    if not isinstance(relationships, dict):
        return [Problem(Code.INVALID_TYPE, "relationships must be an object.", "relationships")]
    problems = [
        Problem(
            Code.UNKNOWN_ATTRIBUTE,
            f"relationships.{name} is not a relationship a goods-out has.",
            f"relationships.{name}",
        )
        for name in _others(relationships, "address")
    ]
    if "address" not in relationships:
        return problems
    source = "relationships.address"
    address = relationships["address"]
    if not isinstance(address, dict):
        return [*problems, Problem(Code.INVALID_TYPE, f"{source} must be an object.", source)]
    problems += [
        Problem(Code.UNKNOWN_ATTRIBUTE, f"{source}.{name} is not allowed.", f"{source}.{name}")
        for name in _others(address, "data")
    ]
    data = address.get("data")
    source = "relationships.address.data"
    if data is None:
        return [*problems, Problem(Code.REQUIRED, f"{source} is required.", source)]
    if not isinstance(data, dict):
        return [*problems, Problem(Code.INVALID_TYPE, f"{source} must be an object.", source)]
    problems += [
        Problem(Code.UNKNOWN_ATTRIBUTE, f"{source}.{name} is not allowed.", f"{source}.{name}")
        for name in _others(data, "type", "attributes")
    ]
    problems += _resource_type(data.get("type"), "addresses", f"{source}.type")
    attributes = data.get("attributes")
    if attributes is None:
        problems.append(
            Problem(Code.REQUIRED, f"{source}.attributes is required.", f"{source}.attributes")
        )
    elif not isinstance(attributes, dict):
        problems.append(
            Problem(
                Code.INVALID_TYPE, f"{source}.attributes must be an object.", f"{source}.attributes"
            )
        )
    else:
        problems += address_problems(attributes)
    return problems


def address_problems(attributes: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of the delivery address attributes."""
    read_only = {name: attributes[name] for name in ADDRESS_READ_ONLY if name in attributes}
    problems = [
        ADDRESS.problem(
            Code.READ_ONLY,
            name,
            f"{_label(name)} can only be set through Clarus's delivery addresses.",
        )
        for name in read_only
    ]
    writable = {name: value for name, value in attributes.items() if name not in read_only}
    return problems + members_problems(writable, ADDRESS_RULES, ADDRESS, "an address field")


def members_problems(
    members: Mapping[str, Any], rules: Mapping[str, Rule], where: Where, noun: str
) -> list[Problem]:
    """Return the problems of each member against its rule; unknown members are problems too."""
    problems: list[Problem] = []
    for name, value in members.items():
        rule = rules.get(name)
        if rule is None:
            problems.append(_unknown(name, where, noun))
        else:
            problems += value_problems(value, rule, name, where)
    return problems


def value_problems(value: object, rule: Rule, name: str, where: Where) -> list[Problem]:
    """Return the problems of one value against its rule: at most one, the first that applies."""
    label = _label(name)
    if value is None or (rule.kind == "string" and not rule.nullable and _is_blank(value)):
        if rule.nullable:
            return []
        return [where.problem(Code.REQUIRED, name, f"{label} is required.")]
    if not _has_kind(value, rule.kind):
        return [
            where.problem(
                Code.INVALID_TYPE,
                name,
                f"{label} must be {KIND_NOUNS[rule.kind]}, not {_json_type(value)}.",
            )
        ]
    if isinstance(value, str):
        problem = _string_problem(value, rule, name, where)
        return [problem] if problem else []
    if isinstance(value, int | float) and not isinstance(value, bool):
        problem = _range_problem(value, rule, name, where)
        return [problem] if problem else []
    return []


def _string_problem(value: str, rule: Rule, name: str, where: Where) -> Problem | None:
    label = _label(name)
    if rule.choices and value not in rule.choices:
        return where.problem(
            Code.NOT_IN_LIST, name, f"{label} must be one of {_listing(rule.choices)}."
        )
    if rule.max_length is not None and len(value) > rule.max_length:
        return where.problem(
            Code.TOO_LONG,
            name,
            f"{label} must be at most {rule.max_length} characters (it has {len(value)}).",
        )
    if rule.kind == "datetime" and not is_datetime(value):
        return where.problem(
            Code.INVALID_FORMAT,
            name,
            f"{label} must be a date and time with its time zone, e.g. 2024-01-20T10:00:00Z.",
        )
    if rule.format == "email" and not EMAIL_PATTERN.fullmatch(value):
        return where.problem(Code.INVALID_FORMAT, name, f"{label} must look like name@example.com.")
    if rule.format == "country" and not is_country_code(value):
        return where.problem(
            Code.INVALID_FORMAT,
            name,
            f"{label} must be a two-letter ISO country code in capitals, e.g. GB.",
        )
    return None


def _range_problem(value: float, rule: Rule, name: str, where: Where) -> Problem | None:
    label = _label(name)
    if rule.minimum is not None and rule.exclusive_minimum and value <= rule.minimum:
        return where.problem(
            Code.OUT_OF_RANGE, name, f"{label} must be greater than {rule.minimum}."
        )
    too_low = rule.minimum is not None and value < rule.minimum
    too_high = rule.maximum is not None and value > rule.maximum
    if not (too_low or too_high):
        return None
    if rule.maximum is None:
        bounds = f"{rule.minimum} or more"
    elif rule.minimum is None:
        bounds = f"{rule.maximum} or less"
    else:
        bounds = f"between {rule.minimum} and {rule.maximum}"
    return where.problem(Code.OUT_OF_RANGE, name, f"{label} must be {bounds}.")


def is_datetime(value: str) -> bool:
    """Return whether ``value`` is an RFC 3339 date-time with a time zone."""
    if not DATETIME_PATTERN.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.upper())
    except ValueError:
        return False
    return True


def is_country_code(value: str) -> bool:
    """Return whether ``value`` is an ISO 3166-1 alpha-2 code, optionally with a province."""
    match = COUNTRY_PATTERN.fullmatch(value)
    return match is not None and match["country"] in COUNTRY_CODES


def _resource_type(value: object, expected: str, source: str) -> list[Problem]:
    if value is None:
        return [Problem(Code.REQUIRED, f'{source} is required and must be "{expected}".', source)]
    if value != expected:
        return [Problem(Code.NOT_IN_LIST, f'{source} must be "{expected}".', source)]
    return []


def _missing(members: Mapping[str, Any], required: Iterable[str], where: Where) -> list[Problem]:
    # Present-but-null members were reported by value_problems already.
    return [
        where.problem(Code.REQUIRED, name, f"{_label(name)} is required.")
        for name in required
        if name not in members
    ]


def _others(members: Mapping[str, Any], *known: str) -> list[str]:
    """Return the names in ``members`` that are not ``known``, in document order."""
    return [name for name in members if name not in known]


def _unknown(name: str, where: Where, noun: str) -> Problem:
    return where.problem(Code.UNKNOWN_ATTRIBUTE, name, f"{name} is not {noun} Clarus knows.")


def _has_kind(value: object, kind: Kind) -> bool:
    # bool is an int in Python, but true is not a number in JSON.
    if isinstance(value, bool):
        return kind == "boolean"
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    return isinstance(value, str) if kind in ("string", "datetime") else False


def _is_blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _label(name: str) -> str:
    """Return a field name as agents read it: ``account_id`` -> ``Account ID``."""
    words = ["ID" if word == "id" else word for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _listing(choices: Iterable[str]) -> str:
    return ", ".join(choices)
