"""``/metrics`` for Prometheus: the database's figures, read now, and this machine's counters.

Reachable only by a caller the settings name (``access.metrics_caller_allowed``): a bearer token
or an address. The figures of ``selectors.metrics`` are the same on every app server; the
counters and histograms of ``orders.telemetry`` are this process's, or, with
``PROMETHEUS_MULTIPROC_DIR``, those of every process of this machine added up (docs/deploy.md).
"""

import os
import time
from collections.abc import Iterator
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from orders import telemetry
from orders.access import metrics_caller_allowed
from orders.selectors.metrics import DeskFigures, desk_figures


class _Figures(Collector):
    """The database's figures as gauges, read once per scrape."""

    def __init__(self, figures: DeskFigures, seconds: float) -> None:
        self.figures = figures
        self.seconds = seconds

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        orders = GaugeMetricFamily(
            "desk_orders",
            "Orders by tenant (subdomain) and status, now.",
            labels=["tenant", "status"],
        )
        for (tenant, status), count in sorted(figures.orders.items()):
            orders.add_metric([tenant, status], count)
        yield orders
        oldest = GaugeMetricFamily(
            "desk_oldest_waiting_order_age_seconds",
            "Seconds since the oldest order waiting to be sent (failed or unknown) was keyed; "
            "0 when none waits.",
            labels=["tenant"],
        )
        for tenant, seconds in sorted(figures.oldest_waiting_seconds.items()):
            oldest.add_metric([tenant], seconds)
        yield oldest
        lapsed = GaugeMetricFamily(
            "desk_orders_sending_lapsed",
            "Orders in sending whose sender's lease ran out: a process died while sending.",
            labels=["tenant"],
        )
        for tenant, count in sorted(figures.sending_lapsed.items()):
            lapsed.add_metric([tenant], count)
        yield lapsed
        yield GaugeMetricFamily(
            "desk_tenants_needing_reconnect",
            "Tenants whose Clarus refused the desk's credentials: a tenant admin must reconnect.",
            value=figures.tenants_needing_reconnect,
        )
        yield GaugeMetricFamily(
            "desk_delivery_workers_seen",
            "Delivery workers seen alive within two sweep intervals.",
            value=figures.workers_seen,
        )
        if figures.worker_last_seen_seconds is not None:
            yield GaugeMetricFamily(
                "desk_delivery_worker_last_seen_age_seconds",
                "Seconds since any delivery worker was last seen alive.",
                value=figures.worker_last_seen_seconds,
            )
        yield GaugeMetricFamily(
            "desk_metrics_database_read_seconds",
            "Time this scrape took to read the figures above from the database.",
            value=self.seconds,
        )


def _counters() -> CollectorRegistry:
    """Return this process's counters, or every process's of this machine (multiprocess mode)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return telemetry.EVENTS
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_caller_allowed(request):
        return HttpResponse(
            "Forbidden.\n", status=HTTPStatus.FORBIDDEN, content_type="text/plain; charset=utf-8"
        )
    started = time.perf_counter()
    figures = desk_figures()
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_Figures(figures, time.perf_counter() - started))
    body = generate_latest(_counters()) + generate_latest(registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
