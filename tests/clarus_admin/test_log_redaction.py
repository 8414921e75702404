"""A webhook address's secret never reaches a log: Django's request warnings, the development
server's request lines, gunicorn's access and error logs."""

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.urls import reverse

from clarus_admin.log_redaction import redact_webhook_secrets

PROJECT = Path(__file__).resolve().parents[2]
SECRET = "Zq3-webhook-secret-that-must-not-be-logged_0123"


def webhook_path(secret=SECRET):
    return reverse("clarus_webhook", kwargs={"subdomain": "acme", "secret": secret})


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        (
            f'"POST /webhooks/clarus/acme/{SECRET}/ HTTP/1.1" 404 31',
            '"POST /webhooks/clarus/acme/[redacted]/ HTTP/1.1" 404 31',
        ),
        (
            f"Not Found: /webhooks/clarus/acme/{SECRET}",
            "Not Found: /webhooks/clarus/acme/[redacted]",
        ),
        (f"/webhooks/clarus/acme/{SECRET}?x=1", "/webhooks/clarus/acme/[redacted]?x=1"),
        ("GET /orders/ 200", "GET /orders/ 200"),
    ],
)
def test_the_secret_segment_is_replaced(line, shown):
    assert redact_webhook_secrets(line) == shown


@pytest.mark.django_db
def test_django_request_warnings_hide_the_secret(client, make_tenant, caplog):
    tenant = make_tenant()
    caplog.set_level(logging.INFO)

    # Refused (no X-ClarusWMS-* headers): Django logs "Forbidden: <path>".
    response = client.post(
        webhook_path(tenant.webhook_secret), "{}", content_type="application/json"
    )
    client.post(webhook_path("a-guess"), "{}", content_type="application/json")

    assert response.status_code == 403
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "Forbidden: /webhooks/clarus/acme/[redacted]/" in logged
    assert "Not Found: /webhooks/clarus/acme/[redacted]/" in logged
    assert tenant.webhook_secret not in logged
    assert "a-guess" not in logged


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_the_development_servers_request_lines_hide_the_secret():
    kept = Kept()
    logger = logging.getLogger("django.server")
    logger.addHandler(kept)
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # A GET is refused before the view reads anything: no database needed.
        answer = httpx.get(f"http://127.0.0.1:{server.server_address[1]}{webhook_path()}")
    finally:
        server.shutdown()
        server.server_close()
        logger.removeHandler(kept)

    assert answer.status_code == 405
    assert any("/webhooks/clarus/acme/[redacted]/" in line for line in kept.lines)
    assert not any(SECRET in line for line in kept.lines)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_logs_hide_the_secret_with_the_desks_logger_class(tmp_path):
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clarus_admin.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "clarus_admin.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--no-control-socket",
            "--logger-class=clarus_admin.gunicorn_logging.RedactingLogger",
            f"--access-logfile={access_log}",
            # Every atom that carries the path.
            '--access-logformat=%(h)s "%(r)s" %(s)s %(U)s %({raw_uri}e)s %({path_info}e)s',
            "--error-logfile=-",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 30
        while answer is None and time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}{webhook_path()}", timeout=30)
            except httpx.ConnectError:
                time.sleep(0.2)
        assert answer is not None, "gunicorn did not start"
        deadline = time.monotonic() + 10
        while "405" not in access_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    access = access_log.read_text()
    assert answer.status_code == 405
    lines = access.splitlines()
    assert lines
    assert all(line.count("/webhooks/clarus/acme/[redacted]/") == 4 for line in lines), access
    assert SECRET not in access
    # Django's own warning went to gunicorn's error stream, redacted too.
    assert "Method Not Allowed (GET): /webhooks/clarus/acme/[redacted]/" in output, output
    assert SECRET not in output
    assert json.dumps(SECRET) not in output
