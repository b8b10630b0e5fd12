# Genuine — every target creates .venv and installs what it needs when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test and dev tools

DATASETS ?= ../shared/datasets

run: $(STAMP) ## Migrate, load the data and show what is there
	$(BIN)/genuine db upgrade
	@if [ -d "$(DATASETS)" ]; then \
	  $(BIN)/genuine import $(DATASETS)/cresci-2015/users_train.csv --format twitter-v1 && \
	  $(BIN)/genuine import $(DATASETS)/twcs-sample/twcs_head5000.csv --format twcs; \
	else echo "no datasets at $(DATASETS): skipping the import"; fi
	$(BIN)/genuine stats
	@echo "Loaded into instance/genuine.sqlite. The API server and demo world are not built yet;"
	@echo "until then 'make run' stops here. Try: $(BIN)/genuine --help"

test: $(STAMP) ## Lint and run the test suite
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/pytest

lint: $(STAMP) ## Lint only
	$(BIN)/ruff check server tests bench

format: $(STAMP) ## Format the code in place
	$(BIN)/ruff format server tests bench
	$(BIN)/ruff check --fix server tests bench

bench: $(STAMP) ## Run the benchmarks (prints figures; slow)
	$(BIN)/python bench/import.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info server/*.egg-info
