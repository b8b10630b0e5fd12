# Genuine — every target creates .venv and installs what it needs when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extras to install; `make install EXTRAS=dev,spark` adds the Spark ring engine (needs Java 17).
EXTRAS ?= dev

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench extension site serve-site clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test and dev tools (EXTRAS=dev,spark adds Spark)

HOST ?= 127.0.0.1
PORT ?= 5000

run: $(STAMP) ## Migrate, load the synthetic demo world, serve it with an audit worker on http://127.0.0.1:5000
	$(BIN)/genuine db upgrade
	$(BIN)/genuine demo
	GENUINE_SYNTHETIC_DATA=true $(BIN)/genuine serve --host $(HOST) --port $(PORT)

LINTED := server tests bench extension/build.py site/hooks

test: $(STAMP) ## Lint and run the test suite
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/pytest

lint: $(STAMP) ## Lint only
	$(BIN)/ruff check $(LINTED)

format: $(STAMP) ## Format the code in place
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

extension: $(STAMP) ## Build dist/genuine-chrome.zip and dist/genuine-firefox.zip; web-ext lint (needs npm)
	$(BIN)/python extension/build.py
	npx --yes web-ext@10 lint --source-dir dist/genuine-firefox.zip

site: $(STAMP) ## Build the published site into site/public (mkdocs build --strict)
	$(BIN)/genuine db upgrade
	$(BIN)/genuine directory export --output site/directory.json
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -f site/mkdocs.yml -d public

serve-site: site ## Serve the built site on http://127.0.0.1:8000
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve -f site/mkdocs.yml -a 127.0.0.1:8000

bench: $(STAMP) ## Run every benchmark (prints figures; slow, minutes each)
	for b in bench/*.py; do case $$b in *_app.py) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean: ## Remove the virtual environment, caches and built zips
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info server/*.egg-info
