"""/healthz and /readyz: open to any caller, cheap, and saying nothing but whether the desk can
work."""

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from orders.management.commands.desk_worker import SweepKeeper
from orders.models import WorkerHeartbeat
from orders.services.health import worker_heartbeat_record, worker_name

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_healthz_answers_without_sign_in_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert not response.cookies


def test_readyz_is_ready_with_a_worker_seen_lately(client, django_assert_max_num_queries):
    worker_heartbeat_record()

    with django_assert_max_num_queries(2):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "reasons": []}


def test_readyz_is_not_ready_without_a_delivery_worker(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"ready": False, "reasons": ["delivery_worker"]}


def test_a_worker_seen_longer_ago_than_two_sweep_intervals_does_not_count(client, settings):
    settings.DESK_SWEEP_INTERVAL_SECONDS = 30
    WorkerHeartbeat.objects.create(worker="gone:1", seen_at=timezone.now() - timedelta(seconds=61))
    assert client.get("/readyz").json()["reasons"] == ["delivery_worker"]

    WorkerHeartbeat.objects.create(worker="alive:2", seen_at=timezone.now() - timedelta(seconds=50))
    assert client.get("/readyz").status_code == 200


def test_readyz_is_not_ready_while_a_migration_is_missing(client):
    worker_heartbeat_record()
    newest = MigrationRecorder.Migration.objects.filter(app="orders").order_by("-name")[0]
    newest.delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["reasons"] == ["migrations"]


def test_the_probes_say_nothing_else(client, make_tenant):
    make_tenant(name="Secret Customer Ltd", subdomain="secretco")

    for path in ("/healthz", "/readyz"):
        body = client.get(path).content.decode()
        assert "secretco" not in body
        assert "Secret Customer" not in body
        assert "django" not in body.lower()
    assert set(json.loads(client.get("/readyz").content)) == {"ready", "reasons"}


def test_the_probes_answer_plain_http_where_pages_go_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_says_it_is_alive(client):
    call_command("desk_worker", batch=True, interval=0.01)

    assert WorkerHeartbeat.objects.filter(worker=worker_name()).exists()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_keeps_saying_it_is_alive(settings):
    settings.DESK_SWEEP_INTERVAL_SECONDS = 0.2
    keeper = SweepKeeper(every=0.02)
    keeper.start()
    try:
        deadline = time.monotonic() + 10
        seen: list[object] = []
        while time.monotonic() < deadline and len(set(seen)) < 2:
            seen += WorkerHeartbeat.objects.values_list("seen_at", flat=True)
            time.sleep(0.05)
    finally:
        keeper.stopped.set()
        keeper.join(timeout=10)

    assert len(set(seen)) >= 2
    assert WorkerHeartbeat.objects.count() == 1


def test_rows_of_workers_gone_for_a_day_are_removed():
    WorkerHeartbeat.objects.create(worker="old:1", seen_at=timezone.now() - timedelta(days=2))

    worker_heartbeat_record(worker="new:2")

    assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["new:2"]
