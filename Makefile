PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: serve test bench catalog clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(STAMP)
	$(BIN)/myositis-cds serve --host 127.0.0.1 --port 8080

# The in-memory FHIR server of the fallback integration tests (Node 20+, npm registry only).
FHIR_SERVER := tests/fhir_server
$(FHIR_SERVER)/node_modules/.package-lock.json: $(FHIR_SERVER)/package-lock.json
	cd $(FHIR_SERVER) && npm ci --no-audit --no-fund

test: $(TEST_STAMP) $(FHIR_SERVER)/node_modules/.package-lock.json
	$(BIN)/python -m pytest

# Regenerate the recommendation catalog from the registry (a test fails while it is stale).
catalog: $(STAMP)
	$(BIN)/myositis-cds catalog --format markdown > docs/recommendations.md.tmp
	mv docs/recommendations.md.tmp docs/recommendations.md

clean:
	rm -rf $(VENV) build *.egg-info
