# The two commands of the quick start: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
# uv from PATH when it runs here, else a private copy bootstrapped with the project's Python.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .tools/venv/bin/uv)
PY := .venv/bin/python
DEMO_CLIENT_ID ?= demo-desk
DEMO_CLIENT_SECRET ?= demo-desk-secret
SANDBOX_URL := http://127.0.0.1:$(PORT)/sandbox

.PHONY: setup run demo test lint typecheck pytest clean

.tools/venv/bin/uv:
	python3 -m venv .tools/venv
	.tools/venv/bin/pip install --quiet uv

setup: $(if $(filter uv,$(UV)),,.tools/venv/bin/uv)
	$(UV) sync --frozen

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sandbox_client --subdomain demo --name "Demo Warehouse" \
		--client-id $(DEMO_CLIENT_ID) --client-secret $(DEMO_CLIENT_SECRET)
	$(PY) manage.py clarus_tenant --subdomain demo --name "Demo 3PL" \
		--base-url $(SANDBOX_URL) --token-url $(SANDBOX_URL)/oauth/token \
		--client-id $(DEMO_CLIENT_ID) --client-secret $(DEMO_CLIENT_SECRET)
	$(PY) manage.py desk_demo_users

# The desk and the sandbox in one threaded server: the desk's call to the sandbox is served on
# another thread, so it cannot deadlock.
run: demo
	@echo "Order desk: http://127.0.0.1:$(PORT)/   Sandbox: $(SANDBOX_URL)/"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: setup
	.venv/bin/mypy .

# Everything on SQLite, then the tests marked `postgres` (concurrency, reliability) again on a
# throwaway PostgreSQL cluster.
pytest: setup
	.venv/bin/pytest
	DESK_EXPECT_DATABASE=postgresql scripts/with-postgres .venv/bin/pytest -m postgres

test: lint typecheck pytest

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
