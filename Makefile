# The two commands of the README: `make run` (set up, generate demo data, ingest, open the
# dashboard) and `make test` (set up, including Debian's chromium for the browser tests and
# poppler-utils for the PDF report tests and Java 17 for the Spark engine's test, and run every
# test). Everything else here is a
# building block of those two.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DEMO    := data/demo
WH      := data/warehouse.duckdb
PORT    ?= 8501

.PHONY: run test setup setup-dev browser pdftools java demo ingest serve bench lint clean

run: setup demo ingest serve

test: setup-dev browser pdftools java lint
	$(BIN)/pytest -q

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/activate
	$(BIN)/pip install -q -e .

setup-dev: $(BIN)/activate
	$(BIN)/pip install -q -e '.[dev]'

# Debian's chromium for the headless browser tests; installed only where it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's poppler-utils (pdftotext, pdftoppm) for the PDF report tests; installed only where
# it is missing.
pdftools:
	@command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq poppler-utils >/dev/null; }

# Debian's Java 17 for the Spark engine's tests (tumbuh rebuild --engine spark); installed only
# where java is missing.
java:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

demo:
	$(BIN)/tumbuh demo --out $(DEMO)

ingest:
	$(BIN)/tumbuh ingest all $(DEMO) --warehouse $(WH)

serve:
	$(BIN)/tumbuh serve --port $(PORT) --warehouse $(WH)

bench: setup-dev
	$(BIN)/python -m benchmarks

lint: setup-dev
	$(BIN)/ruff check pipelines dashboard geo demo reports tests benchmarks tumbuh_cli.py

clean:
	rm -rf $(DEMO) $(WH) $(basename $(WH)).store
