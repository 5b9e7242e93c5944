# The two newcomer commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/marketplace_test
HOST ?= 127.0.0.1
PORT ?= 8000
# The access log names the route only: no query string (searches carry names and ID numbers), no
# referrer (it carries the page's query), no body. %(U)s is the path without the query.
ACCESS_LOG_FORMAT := '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

.PHONY: run test test-sqlite test-postgres test-smoke lint setup dev-setup migrate demo bench test-faults clean mutants

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt requirements.txt $(BIN)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed
dev-setup: $(BIN)/.installed-dev

demo: setup
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask regions load
	$(BIN)/flask seed demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - --access-logformat $(ACCESS_LOG_FORMAT) wsgi:app

# ruff, then the import-layer contract (.importlinter: core imports no domain, models no services,
# services no views, domains only to their left), then the OpenAPI document (openapi-spec-validator).
lint: dev-setup
	$(BIN)/ruff check marketplace tests bench scripts config.py wsgi.py
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_openapi.py

test: dev-setup lint test-sqlite test-postgres test-smoke

# End to end on a fresh SQLite file: migrate, load regions, demo and scale data, then the ledger check.
SMOKE_DB := $(CURDIR)/instance/smoke.db
test-smoke: dev-setup
	mkdir -p instance && rm -f $(SMOKE_DB)
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask db upgrade
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask regions load
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask seed demo > /dev/null
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask seed scale --orders 300 --households 60
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask orders expire
	DATABASE_URL=sqlite:///$(SMOKE_DB) $(BIN)/flask ledger check

test-sqlite: dev-setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Runs when TEST_DATABASE_URL is set or a local PostgreSQL answers; says so when skipped.
test-postgres: dev-setup
	@url="$${TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(BIN)/python scripts/pg_test_db.py "$(PG_TEST_URL)"; then url="$(PG_TEST_URL)"; fi; \
	fi; \
	if [ -n "$$url" ]; then \
	  echo "== PostgreSQL: $$url"; TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -q -n 2 --dist loadfile; \
	else echo "== PostgreSQL not reachable: PostgreSQL run skipped"; fi

# Not part of `make test`: PostgreSQL (BENCH_DATABASE_URL), gunicorn, wrk; sizes via BENCH_* (see bench/run.py).
bench: dev-setup
	$(BIN)/python bench/run.py

# Fault test (PostgreSQL): gunicorn with 2 workers under loopback load, workers killed with SIGKILL mid-load.
FAULT_PG_BASE ?= postgresql://postgres@127.0.0.1:5432
test-faults: dev-setup
	$(BIN)/python scripts/fault_test.py --pg "$(FAULT_PG_BASE)"

clean:
	rm -rf $(VENV) instance

# Mutation run (mutmut) over the money functions, each module against its own test files; not part of
# `make test`. Writes bench/results/mutants.md. One group: `make mutants GROUPS=placing`.
mutants: dev-setup
	$(BIN)/python scripts/mutants.py $(GROUPS)
