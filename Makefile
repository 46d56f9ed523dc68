PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

HOST ?= 127.0.0.1
PORT ?= 8080
# The tool that writes the lock files (`make lock`), pinned here as the locks pin everything else.
UV_VERSION := 0.13.9

.PHONY: serve test bench bench-scaleout catalog export demo demo-screenshots lock clean
.PHONY: app-screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files (exact versions, hashes checked), then the project itself without
# resolving anything again. The locks are made from pyproject.toml's ranges by `make lock`.
$(STAMP): requirements/service.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/service.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(TEST_STAMP): requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(BENCH_STAMP): requirements/bench.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/bench.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Another address: make serve HOST=0.0.0.0 PORT=8081 (open development mode refuses a non-loopback
# address unless CDS_TRUSTED_ISSUERS or CDS_ALLOW_OPEN_NONLOCAL is set; README "Security").
serve: $(STAMP)
	$(BIN)/myositis-cds serve --host $(HOST) --port $(PORT)

# Regenerates requirements/*.txt from pyproject.toml with uv (a test fails while they are stale).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/python requirements/lock.py $(BIN)/uv

# The in-memory FHIR server of the fallback integration tests (Node 20+, npm registry only).
FHIR_SERVER := tests/fhir_server
$(FHIR_SERVER)/node_modules/.package-lock.json: $(FHIR_SERVER)/package-lock.json
	cd $(FHIR_SERVER) && npm ci --no-audit --no-fund

# The demo (issue 15): the FHIR server of the tests with six demo patients, and the service with its /demo
# page, both on loopback; prints the page's URL. Ctrl-C stops both. Another port: make demo DEMO_ARGS="--port 8081".
DEMO_ARGS ?=
demo: $(STAMP) $(FHIR_SERVER)/node_modules/.package-lock.json
	$(BIN)/python -m demo $(DEMO_ARGS)

# The README's screenshots of the demo page (docs/demo/*.png), taken by its browser tests.
demo-screenshots: $(TEST_STAMP) $(FHIR_SERVER)/node_modules/.package-lock.json
	$(FHIR_SERVER)/install-chromium.sh
	DEMO_SCREENSHOTS=docs/demo $(BIN)/python -m pytest tests/fhir_server/test_demo_page.py

# The SMART App Launcher of the timeline app's browser tests (issue 26), vendored unmodified in
# tests/smart_launcher/upstream (Apache-2.0, PROVENANCE.md): its back end's npm dependencies and a fresh key pair.
SMART_LAUNCHER := tests/smart_launcher/upstream
$(SMART_LAUNCHER)/node_modules/.package-lock.json: $(SMART_LAUNCHER)/package-lock.json
	cd $(SMART_LAUNCHER) && npm ci --no-audit --no-fund --omit=dev --ignore-scripts
	cd $(SMART_LAUNCHER) && { test -f private-key.pem || { openssl genrsa -out private-key.pem 2048 && \
		openssl rsa -in private-key.pem -outform PEM -pubout -out public-key.pem; }; }
test: $(SMART_LAUNCHER)/node_modules/.package-lock.json

# The README's screenshot of the timeline app (docs/demo/timeline.png), taken by its browser tests.
app-screenshots: $(TEST_STAMP) $(FHIR_SERVER)/node_modules/.package-lock.json $(SMART_LAUNCHER)/node_modules/.package-lock.json
	$(FHIR_SERVER)/install-chromium.sh
	DEMO_SCREENSHOTS=docs/demo $(BIN)/python -m pytest tests/smart_launcher/test_timeline_app.py

# PostgreSQL and Redis for the shared-backend tests (tests/storage start their own on loopback); Debian packages.
test: $(TEST_STAMP) $(FHIR_SERVER)/node_modules/.package-lock.json
	tests/servers/install.sh
	$(BIN)/ruff check .
	$(FHIR_SERVER)/install-chromium.sh
	$(BIN)/python -m pytest

# Benchmark and load test (issue 7; not part of `make test`): results in bench/results/, table printed.
# The fallback part uses the FHIR server of the tests; without npm/node it is reported as skipped.
bench: $(BENCH_STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory $(FHIR_SERVER)/node_modules/.package-lock.json || echo "npm ci failed: the fallback benchmark will be skipped"; \
	else echo "npm not found: the fallback benchmark will be skipped"; fi
	$(BIN)/python -m bench

# Hook calls against 1 and 2 instances sharing a PostgreSQL server (README "Deployment"); results in
# bench/results/scaleout.json, table printed. Needs Debian's postgresql (installed as by make test).
bench-scaleout: $(BENCH_STAMP)
	tests/servers/install.sh
	$(BIN)/python -m bench.scaleout

# Regenerate the recommendation catalog and the rule settings file from the registry (a test fails while
# either is stale).
catalog: $(STAMP)
	$(BIN)/myositis-cds catalog --format markdown > docs/recommendations.md.tmp
	mv docs/recommendations.md.tmp docs/recommendations.md
	$(BIN)/myositis-cds catalog --format toml > config/rule-settings.toml.tmp
	mv config/rule-settings.toml.tmp config/rule-settings.toml
	$(MAKE) --no-print-directory export

# The recommendations, services and value sets as FHIR R4 PlanDefinition/ValueSet resources (issue 15);
# a test fails while docs/fhir/ is stale.
export: $(STAMP)
	$(BIN)/myositis-cds export --out docs/fhir

clean:
	rm -rf $(VENV) build *.egg-info
