# The two commands of the quick start: `make run` and `make test`. Both install what they need.
# `make serve` runs the desk as production does (docs/deploy.md).
SHELL := /bin/bash
PORT ?= 8000
SANDBOX_PORT ?= 8001
export UV_PYTHON_DOWNLOADS := never
# uv from PATH when it runs here, else a private copy bootstrapped with the project's Python.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/venv/bin/uv)
PY := .venv/bin/python
DEMO_CLIENT_ID ?= demo-desk
DEMO_CLIENT_SECRET ?= demo-desk-secret
DEMO_PASSWORD ?= clarus-demo
SANDBOX_URL := http://127.0.0.1:$(PORT)/sandbox

.PHONY: setup run demo serve worker test lint typecheck pytest system-packages clean

# The demo's Clarus is the sandbox on this machine: the desk may call it (README, DESK_CLARUS_HOSTS).
demo run: export DESK_CLARUS_HOSTS ?= 127.0.0.1,localhost

.tools/venv/bin/uv:
	python3 -m venv .tools/venv
	.tools/venv/bin/pip install --quiet uv

setup: $(if $(filter uv,$(UV)),,.tools/venv/bin/uv)
	$(UV) sync --frozen

# Two demo tenants on the sandbox: "Demo 3PL" signs in with client credentials, "Northwind
# Logistics" with the authorization-code flow (its tenant admin presses "Connect to Clarus" and
# signs in at the sandbox as clarus-admin). Logins agent, supervisor and admin work in both.
demo: setup
	DEMO_CLIENT_ID=$(DEMO_CLIENT_ID) DEMO_CLIENT_SECRET=$(DEMO_CLIENT_SECRET) DEMO_PASSWORD=$(DEMO_PASSWORD) \
		$(PY) scripts/demo_data.py --desk-url http://127.0.0.1:$(PORT) --sandbox-url $(SANDBOX_URL)

# The desk and the sandbox in one threaded server (the desk's call to the sandbox is served on
# another thread, so it cannot deadlock), and the background delivery worker beside it.
run: demo
	@echo "Order desk: http://127.0.0.1:$(PORT)/   Sandbox: $(SANDBOX_URL)/"
	$(PY) manage.py desk_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The desk as production runs it (docs/deploy.md): debug off, PostgreSQL (DATABASE_URL, else a
# throwaway cluster), migrations, collectstatic, gunicorn and the delivery worker, with the demo
# tenants on the sandbox in its own process at SANDBOX_PORT.
serve: setup
	DEMO_CLIENT_ID=$(DEMO_CLIENT_ID) DEMO_CLIENT_SECRET=$(DEMO_CLIENT_SECRET) DEMO_PASSWORD=$(DEMO_PASSWORD) \
		PORT=$(PORT) SANDBOX_PORT=$(SANDBOX_PORT) scripts/serve

# The background delivery worker on its own (production runs one or more of these).
worker: setup
	$(PY) manage.py desk_worker

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache

typecheck: setup
	.venv/bin/mypy .

# Everything on SQLite (but the real-concurrency tests), then the tests marked `postgres` or
# `postgres_only` on a throwaway PostgreSQL cluster, the production smoke test among them
# (tests/production/: `make serve` driven by Chromium; its figures close the output).
pytest: setup system-packages
	.venv/bin/pytest
	DESK_EXPECT_DATABASE=postgresql scripts/with-postgres .venv/bin/pytest -m "postgres or postgres_only"

# Chromium, PostgreSQL's server and PgBouncer: installed where missing if this is root, else the
# command that would install them is printed (and under CI=true the run stops there).
system-packages:
	scripts/system-packages chromium postgresql pgbouncer

test: system-packages lint typecheck pytest

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache

# Chaos benchmark (bench/README.md): the desk, the sandbox and workers for real on loopback,
# faults in rounds, then a count of what reached Clarus. make bench-chaos CHAOS_ARGS="--orders 500"
.PHONY: bench-chaos
bench-chaos: setup
	bench/chaos $(CHAOS_ARGS)

# Autocomplete speed: product suggestions through the desk against the sandbox with
# 5,000 products, p50/p95 cold and warm cache. make bench-lookups LOOKUPS_ARGS="--queries 500"
.PHONY: bench-lookups
bench-lookups: setup
	bench/lookups $(LOOKUPS_ARGS)

# Keys per field for one scripted order keyed keyboard-only in Chromium, this tree beside an
# earlier commit (bench/README.md). make bench-keying KEYING_ARGS="--base none"
.PHONY: bench-keying
bench-keying: setup
	bench/keying $(KEYING_ARGS)
# Requests bench (bench/README.md): the server CPU of keying an order, at 04a67ae and here, side
# by side. make bench-requests REQUESTS_ARGS="--runs 50"
.PHONY: bench-requests
bench-requests: setup
	bench/requests $(REQUESTS_ARGS)
# Submit bench (bench/README.md): where one submit's CPU goes in this checkout, by part and by
# whose code runs. make bench-submit SUBMIT_ARGS="--runs 500"
.PHONY: bench-submit
bench-submit: setup
	bench/submit $(SUBMIT_ARGS)

# The supervisors' history at a million orders, keyset pages against OFFSET + COUNT (see
# bench/README.md). On a throwaway PostgreSQL unless DATABASE_URL is set; takes several minutes.
BENCH_ORDERS ?= 1000000
.PHONY: bench-history
bench-history: setup
	bench/history --orders $(BENCH_ORDERS)

# The retention sweep redacting a million orders' personal data while a keyer keeps keying:
# orders/s, the longest batch transaction, the keyer's worst wait, the history afterwards.
.PHONY: bench-redaction
bench-redaction: setup
	bench/redaction --orders $(BENCH_ORDERS)

# The entry page's caller box at a million orders: caller search and the caller's panel, p50/p95.
.PHONY: bench-caller
bench-caller: setup
	bench/caller --orders $(BENCH_ORDERS)

# The supervisors' dashboard at a million orders: page and selector p50/p95 per period (see
# bench/README.md). On the orders of DATABASE_URL when set, else on a throwaway PostgreSQL filled
# with generated orders. make bench-dashboard DASHBOARD_ARGS="--runs 50"
.PHONY: bench-dashboard
bench-dashboard: setup
	bench/dashboard --orders $(BENCH_ORDERS) $(DASHBOARD_ARGS)
