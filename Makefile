# `make demo` and `make test` work on a fresh machine: they create what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-new-api demo-fleet warehouse test lint format clean

$(BIN)/tap-lucca: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.meltano/.installed: meltano.yml $(BIN)/tap-lucca
	$(BIN)/meltano install
	touch $@

demo: .meltano/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

# The same emulator through the new Lucca API (OAuth client credentials), into JSONL.
demo-new-api: .meltano/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh new-api

# Two clients side by side, one per API, through the fleet (orchestrate/fleet.py).
demo-fleet: .meltano/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh fleet

# The demo tenant into DuckDB, then the dbt models built and tested on it.
warehouse: .meltano/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh warehouse

# Three test processes, a file each at a time: most tests wait on an emulator's pacing,
# Meltano or dbt, so three share two cores well (5 min instead of 13 on this machine).
test: .meltano/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 3 --dist loadfile

lint: $(BIN)/tap-lucca
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# output/ itself stays: the loaders write into it, and do not all create it.
clean:
	rm -rf $(VENV) .meltano output/*
