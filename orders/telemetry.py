"""The desk's counters and histograms: what happens in this process, for ``/metrics``.

Events are counted where they happen (a Clarus request, a token refresh, a webhook, a lookup
answered from the cache) and live in the memory of the process that counted them. Under gunicorn
with several workers, and with delivery workers beside them, set ``PROMETHEUS_MULTIPROC_DIR`` to
a directory shared by the processes of one machine (emptied when they start): prometheus-client
then writes each process's values there and ``/metrics`` adds them up (docs/deploy.md). Each
machine is scraped on its own; what the database knows (orders by state, the oldest waiting order,
tenants needing reconnection, workers seen) is read at scrape time by
``orders.selectors.metrics`` and is the same on every machine.

Labels are fixed small sets (endpoint names, outcomes), never a URL, an id or a tenant's input.
Nothing here imports the rest of the desk.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics

# No "_created" series beside each counter: the multiprocess mode has none, so neither has this.
disable_created_metrics()

# This process's instruments, registered here rather than in prometheus-client's global
# registry: ``/metrics`` exposes them beside the database's figures, or reads every process's
# values from PROMETHEUS_MULTIPROC_DIR instead.
EVENTS = CollectorRegistry(auto_describe=True)

# Clarus answers within a few hundred milliseconds when well; the read timeout is 20 s.
DURATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)

clarus_request_seconds = Histogram(
    "desk_clarus_request_duration_seconds",
    "Time the desk waited for Clarus, by endpoint (token, goods_out_create, goods_out_cancel, "
    "goods_out_lookup, catalogue, other) and outcome.",
    ["endpoint", "outcome"],
    buckets=DURATION_BUCKETS,
    registry=EVENTS,
)

token_refreshes = Counter(
    "desk_clarus_token_refreshes",
    "New Clarus tokens the desk received (client credentials, refresh, or a connection).",
    registry=EVENTS,
)

token_refusals = Counter(
    "desk_clarus_token_refusals",
    "Token requests Clarus refused: the tenant needs reconnecting.",
    registry=EVENTS,
)

webhook_deliveries = Counter(
    "desk_webhook_deliveries",
    "Clarus webhook deliveries by outcome: kept, repeat, unknown_address, bad_body, too_large, "
    "forbidden.",
    ["outcome"],
    registry=EVENTS,
)

lookup_cache_hits = Counter(
    "desk_lookup_cache_hits",
    "Lookups (accounts, products, …) answered from this process's cache.",
    registry=EVENTS,
)

lookup_cache_misses = Counter(
    "desk_lookup_cache_misses",
    "Lookups the cache could not answer: Clarus was asked (or was known to be down).",
    registry=EVENTS,
)
