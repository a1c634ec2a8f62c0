# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EVAL   ?= ../shared/eval

.PHONY: debian install run test lint eval golden bench bench-ocr bench-compare screenshots clean

# Debian packages (requirements-debian.txt, python3-venv first): installed when root or
# passwordless sudo allows, otherwise the one command to run is printed. Never fatal: the tests
# needing a missing package skip saying why, and `make run` leaves out the samples needing it.
debian:
	@sh .ci/debian-packages requirements-debian.txt || true

$(STAMP): pyproject.toml | debian
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

install: $(STAMP)

# The tracker's statuses are for the day `make run` runs, unless AS_OF=YYYY-MM-DD is given.
AS_OF  ?= $(shell date +%F)

## run: extract samples/ into output/, with review pages, sheets per unit and the tracker
# (samples needing a program not installed, such as Tesseract for the scan, are left out, named)
run: $(STAMP) debian
	$(BIN)/extractor run samples -o output --review --skip-missing-tools
	$(BIN)/extractor sheets output -o output/sheets
	$(BIN)/extractor tracker output --as-of $(AS_OF) -o output/tracker

## test: the whole test suite (rule examples, deadline table, samples, dev-set floor)
test: $(STAMP) debian
	$(BIN)/python -m pytest -q

## lint: ruff and mypy on the engine
lint: $(STAMP)
	$(BIN)/ruff check extractor tests
	$(BIN)/ruff format --check extractor
	$(BIN)/mypy extractor

## eval: score the dev set with the shared scorer
eval: $(STAMP)
	rm -rf .eval-out && $(BIN)/extractor run $(EVAL)/dev/corpus -o .eval-out -q; \
	$(PYTHON) $(EVAL)/score.py $(EVAL)/dev/gold .eval-out

## golden: rewrite tests/golden/ from samples/, and the sheets' goldens from their fixtures
golden: $(STAMP)
	$(BIN)/python -m tests.golden
	$(BIN)/python -m tests.sheet_goldens

## screenshots: README pictures: review page, sheet, displaCy's task view (needs Debian's chromium)
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser
	$(BIN)/python -m tests.web_server
	$(BIN)/python -m tests.test_spacy

## bench: throughput benchmark (2,000 notices; not part of the tests)
# Bytecode is compiled first, as a regular install has it (an editable install under
# PYTHONDONTWRITEBYTECODE would otherwise compile the package at every start).
bench: $(STAMP)
	$(BIN)/python -m compileall -q extractor
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_ocr.py
	$(BIN)/python benchmarks/bench.py inbox

## bench-ocr: scanned pages per second: Tesseract alone, --jobs 2, --cluster local:2
bench-ocr: $(STAMP)
	$(BIN)/python benchmarks/bench_ocr.py

# this tree's --jobs 1 against commit REV's, in alternating pairs: make bench-compare REV=c7a3f9e
bench-compare: $(STAMP)
	$(BIN)/python benchmarks/bench.py compare $(REV)

clean:
	rm -rf $(VENV) .eval-out output/*.json output/*.html output/*.csv output/*.jsonl \
	  output/sheets output/tracker
