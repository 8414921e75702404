"""Real concurrency on PostgreSQL: threads, HTTP requests and whole processes sharing one
database, as several desk servers and workers would in production."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.models import Membership, Order, OrderStatus, Role
from orders.services.delivery import deliver_due_orders
from orders.services.submission import order_submit
from orders.tasks import SweepAbandoned, sweep_ensure, sweep_schedule
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from sandbox.selectors import token_request_count
from tests.conftest import SANDBOX_CLIENT_ID, TEST_CLARUS_HOSTS
from tests.orders.factories import order_post_data
from tests.orders.services.test_delivery import keyed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
PROJECT = Path(__file__).resolve().parents[3]


@pytest.fixture
def agent_user(transactional_db):
    return User.objects.create_user("agent", password="agent-pass-123")


def faults(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def in_threads(count, work):
    def run(index):
        try:
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_concurrent_submissions_make_one_token_request(sandbox_tenant, agent_user):
    from orders.services.submission import order_submit

    def submit(index):
        return order_submit(
            form_token=uuid.uuid4(),
            keyed=keyed(sandbox_tenant, reference=f"T-{index}"),
            user=agent_user,
        )

    results = in_threads(20, submit)

    assert all(result.sent for result in results)
    assert SandboxGoodsOut.objects.count() == 20
    assert token_request_count(client_id=SANDBOX_CLIENT_ID) == 1


def signed_in_http(live_server, username, password):
    http = httpx.Client(base_url=live_server.url, timeout=30, follow_redirects=False)
    login = http.get("/login/")
    csrf = login.cookies["csrftoken"]
    http.post(
        "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/login/"},
    )
    return http


def test_fifty_concurrent_posts_of_one_form_make_one_goods_out(
    live_server, sandbox_tenant, agent_user
):
    Membership.objects.create(user=agent_user, tenant=sandbox_tenant, role=Role.AGENT)
    faults(latency_ms=200)
    http = signed_in_http(live_server, "agent", "agent-pass-123")
    data = order_post_data(sandbox_tenant.pk, str(uuid.uuid4()))
    data["csrfmiddlewaretoken"] = http.cookies["csrftoken"]
    headers = {"Referer": f"{live_server.url}/orders/new/"}

    statuses = in_threads(
        50, lambda _: http.post("/orders/new/", data=data, headers=headers).status_code
    )

    assert set(statuses) == {302}
    assert Order.objects.count() == 1
    assert SandboxGoodsOut.objects.count() == 1
    assert Order.objects.get().status == OrderStatus.SENT


def process_env(**extra):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": str(PROJECT),
        "DESK_CLARUS_HOSTS": ",".join(TEST_CLARUS_HOSTS),
        **extra,
    }


def desk_process(*args, **env):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.orders.flows.desk_process", *args],
        cwd=PROJECT,
        env=process_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_desk_process_killed_mid_send_loses_and_duplicates_nothing(sandbox_tenant, agent_user):
    faults(latency_ms=700)
    sender = desk_process("submit", "20", "KILL", DESK_SEND_LEASE_SECONDS="2")
    try:
        # Kill it while an order is on the wire, after some went through.
        assert wait_until(
            lambda: (
                Order.objects.filter(status=OrderStatus.SENT).count() >= 2
                and Order.objects.filter(status=OrderStatus.SENDING).exists()
            )
        )
        time.sleep(0.2)
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        if sender.poll() is None:
            sender.kill()
    [stuck] = Order.objects.filter(status=OrderStatus.SENDING)
    assert stuck.lease_until is not None
    lease_over = stuck.lease_until + timedelta(seconds=0.1)
    # The request the dead process sent is still being served: Clarus stores it meanwhile.
    faults(latency_ms=0)
    assert wait_until(lambda: timezone.now() > lease_over)

    deliver_due_orders()

    orders = list(Order.objects.all())
    per_reference = Counter(SandboxGoodsOut.objects.values_list("reference", flat=True))
    assert orders
    assert all(order.status == OrderStatus.SENT for order in orders)
    assert per_reference == Counter({order.reference: 1 for order in orders})
    assert {o.clarus_id for o in orders} == set(
        SandboxGoodsOut.objects.values_list("pk", flat=True)
    )


def test_several_desks_and_workers_deliver_each_order_once(sandbox_tenant, agent_user):
    # Clarus fails often: desks leave orders waiting, workers pick them up, all at once.
    faults(fail_next=25, forced_status=503)
    env = {"DESK_RETRY_BASE_SECONDS": "0.05", "DESK_RETRY_MAX_SECONDS": "0.2"}
    desks = [desk_process("submit", "15", f"D{n}", **env) for n in range(2)]
    workers = [desk_process("sweep", "12", **env) for _ in range(3)]
    for process in desks + workers:
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output
    deliver_due_orders()

    per_reference = Counter(SandboxGoodsOut.objects.values_list("reference", flat=True))
    assert Order.objects.count() == 30
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SENT}
    assert len(per_reference) == 30
    assert set(per_reference.values()) == {1}


def worker_process(worker_id, log, **env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "desk_worker", "--interval", "0.1", "--worker-id", worker_id],
        cwd=PROJECT,
        env=process_env(**env),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def sweeps(status):
    return DBTaskResult.objects.filter(task_path="orders.tasks.delivery_sweep", status=status)


def test_a_worker_killed_mid_sweep_leaves_the_sweep_to_another(
    sandbox_tenant, agent_user, tmp_path, monkeypatch
):
    # An order Clarus could not take, its retry an hour away; no sweep scheduled yet.
    faults(forced_status=503)
    first = order_submit(
        form_token=uuid.uuid4(), keyed=keyed(sandbox_tenant, reference="SWEEP-1"), user=agent_user
    )
    assert first.order.status == OrderStatus.FAILED
    Order.objects.update(next_attempt_at=timezone.now() + timedelta(hours=1))
    DBTaskResult.objects.all().delete()
    # Clarus is back, but slow: a goods-out is stored 1.5 s after it arrives, answered or not.
    faults(forced_status=None, latency_ms=1500)
    arrived = watch_goods_out_requests(monkeypatch)
    interval = 4.0
    env = {
        "DESK_SWEEP_INTERVAL_SECONDS": str(interval),
        # Longer than Clarus takes, so the lookup after it finds the goods-out stored.
        "DESK_SEND_LEASE_SECONDS": "3",
        "DESK_SWEEP_LEASE_SECONDS": "4",
    }
    logs = {f"w{n}": tmp_path / f"w{n}.log" for n in range(2)}
    workers = {worker_id: worker_process(worker_id, log, **env) for worker_id, log in logs.items()}
    try:
        # Both running, their start-up sweeps over: the chain's next sweep waits, none runs.
        assert wait_until(
            lambda: all("Starting worker" in log.read_text() for log in logs.values()), 120
        ), [log.read_text() for log in logs.values()]
        assert wait_until(
            lambda: (
                not sweeps(TaskResultStatus.RUNNING).exists()
                and sweeps(TaskResultStatus.READY).count() == 1
            )
        )

        Order.objects.update(next_attempt_at=timezone.now())
        # The next sweep sends the order: kill its worker while Clarus holds the request.
        assert arrived.wait(timeout=3 * interval)
        [running] = sweeps(TaskResultStatus.RUNNING)
        workers[running.worker_ids[-1]].send_signal(signal.SIGKILL)
        workers[running.worker_ids[-1]].wait(timeout=10)
        killed_at = time.monotonic()
        assert Order.objects.get().status == OrderStatus.SENDING

        # The other worker gives the dead sweep up and reconciles the order in a new one.
        settled = wait_until(
            lambda: Order.objects.get().status == OrderStatus.SENT, seconds=2 * interval
        )
        settled_after = time.monotonic() - killed_at
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    order = Order.objects.get()
    assert settled, (order.status, order.status_note, [log.read_text() for log in logs.values()])
    [goods_out] = SandboxGoodsOut.objects.filter(reference="SWEEP-1")
    assert order.clarus_id == goods_out.pk
    last = order.transitions.last()
    assert last is not None
    assert last.reason.startswith("Found in Clarus")
    [abandoned] = sweeps(TaskResultStatus.FAILED)
    assert abandoned.pk == running.pk
    assert abandoned.exception_class_path == "orders.tasks.SweepAbandoned"
    print(f"settled {settled_after:.1f} s after the kill")


def watch_goods_out_requests(monkeypatch):
    """Return an event set when a goods-out request reaches the sandbox (this process serves it)."""
    from sandbox import faults as sandbox_faults

    arrived = threading.Event()
    latency_apply = sandbox_faults.latency_apply

    def observed(subdomain):
        arrived.set()
        latency_apply(subdomain)

    monkeypatch.setattr(sandbox_faults, "latency_apply", observed)
    return arrived


def all_at_once(count, work):
    """Run ``work`` in ``count`` threads that start it at the same moment."""
    start = threading.Barrier(count)

    def run(_):
        start.wait(timeout=10)
        work()

    in_threads(count, run)


def test_workers_ensuring_a_sweep_at_once_schedule_one():
    # Eight workers find no sweep at the same moment, then again with one abandoned.
    all_at_once(8, sweep_ensure)
    assert sweeps(TaskResultStatus.READY).count() == 1

    DBTaskResult.objects.all().delete()
    abandoned = sweep_schedule_now_and_claim()
    all_at_once(8, sweep_ensure)

    assert sweeps(TaskResultStatus.READY).count() == 1
    abandoned.refresh_from_db()
    assert abandoned.status == TaskResultStatus.FAILED
    assert abandoned.exception_class_path.endswith(SweepAbandoned.__qualname__)


def sweep_schedule_now_and_claim():
    """Return a sweep claimed by a worker long gone."""
    sweep_schedule(at=timezone.now())
    sweep = sweeps(TaskResultStatus.READY).get()
    sweep.claim("gone")
    long_ago = timezone.now() - timedelta(seconds=settings.DESK_SWEEP_LEASE_SECONDS + 1)
    sweeps(TaskResultStatus.RUNNING).update(started_at=long_ago)
    return sweep


def test_processes_scheduling_a_sweep_at_once_schedule_one():
    at = timezone.now()

    all_at_once(8, lambda: sweep_schedule(at=at))

    assert sweeps(TaskResultStatus.READY).count() == 1


def test_settings_keep_the_lease_longer_than_any_request():
    assert (
        settings.DESK_SEND_LEASE_SECONDS
        > settings.CLARUS_CONNECT_TIMEOUT + settings.CLARUS_READ_TIMEOUT
    )
