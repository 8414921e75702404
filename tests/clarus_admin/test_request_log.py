"""One log line per request, with a request id the response echoes, whatever the caller sends."""

import io
import json
import logging
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clarus_admin.log_format import JsonFormatter, TextFormatter
from clarus_admin.request_log import SANE_REQUEST_ID
from orders.log_context import log_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("desk.request")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        st.from_regex(SANE_REQUEST_ID, fullmatch=True),
        st.text(
            st.characters(codec="latin-1", exclude_characters="\r\n\x00"),
            max_size=200,
        ),
    )
)
@example("abc\x1b[31mred")
@example('x" , "status": 200')
@example("a" * 129)
@example("")
def test_any_request_id_header_leaves_one_valid_line_and_a_sane_echo(client, json_lines, given_id):
    json_lines.seek(0)
    json_lines.truncate()

    response = client.get("/healthz", headers={"X-Request-ID": given_id})

    echoed = response["X-Request-ID"]
    assert SANE_REQUEST_ID.fullmatch(echoed)
    if SANE_REQUEST_ID.fullmatch(given_id):
        assert echoed == given_id
    else:
        assert echoed != given_id
    [line] = json_lines.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == echoed
    assert entry["status"] == 200
    assert entry["path"] == "/healthz"


def test_a_request_line_has_no_query_string_and_no_webhook_secret(client, json_lines):
    client.get("/orders/?search=jo@example.com")
    client.post("/webhooks/clarus/acme/Zq3-secret-never-logged/", data={})

    text = json_lines.getvalue()
    assert "jo@example.com" not in text
    assert "search" not in text
    assert "Zq3-secret-never-logged" not in text
    paths = [json.loads(line)["path"] for line in text.splitlines()]
    assert paths == ["/orders/", "/webhooks/clarus/acme/[redacted]/"]


def record(message, args, exc_info, desk):
    made = logging.LogRecord("desk.test", logging.WARNING, __file__, 1, message, args, exc_info)
    if desk:
        made.desk = desk
    return made


def test_the_json_formatter_writes_the_scope_fields_and_redacts_secrets():
    try:
        raise ValueError("at /webhooks/clarus/acme/Zq3-secret-in-a-traceback/")
    except ValueError:
        exc_info = sys.exc_info()
    with log_scope(request_id="r-1", tenant="acme", user_id=7, order_id=42):
        line = JsonFormatter().format(
            record("Line one\nline two %s", ("/webhooks/clarus/acme/Zq3-s/",), exc_info, {})
        )

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == "r-1"
    assert entry["tenant"] == "acme"
    assert entry["user_id"] == 7
    assert entry["order_id"] == 42
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Line one\nline two /webhooks/clarus/acme/[redacted]/"
    assert "Zq3-secret-in-a-traceback" not in entry["exception"]
    assert "ValueError" in entry["exception"]


def test_the_text_formatter_names_the_fields():
    with log_scope(request_id="r-2"):
        line = TextFormatter().format(record("Clarus token: ok", (), None, {"endpoint": "token"}))

    assert line.endswith("Clarus token: ok request_id=r-2 endpoint=token")


def test_outside_any_scope_a_line_has_its_own_fields_only():
    entry = json.loads(JsonFormatter().format(record("hello", (), None, {"status": None})))

    assert "request_id" not in entry
    assert "status" not in entry
