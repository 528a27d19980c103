# Two commands on a fresh Debian machine with Python 3.11:
#   make demo   builds the sample case's outputs into samples/nettlebank-road/out/
#   make test   runs the whole test suite, ruff and mypy
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CASE := samples/nettlebank-road
OUT := $(CASE)/out
WORK := $(OUT)/case
DEMO_DATE := 2026-11-20

.PHONY: demo test system system-test screenshots venv lint typecheck schemas bench clean

system:
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh

system-test:
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh --test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

demo: system venv
	@mkdir -p $(OUT)
	# The demo works on a copy of the sample (out/case): writing letters records them in the
	# case's letters.yaml and audit log, and the sample's own records stay as committed.
	rm -rf $(WORK) && mkdir -p $(WORK)
	tar -C $(CASE) --exclude=./out --exclude='./audit.jsonl*' -cf - . | tar -C $(WORK) -xf -
	# The sample's evidence files were put in place by scripts/make_sample_evidence.py: record
	# each in the copy's audit log where it is.
	$(BIN)/bundler evidence add $(WORK) $(WORK)/evidence > /dev/null
	$(BIN)/bundler validate $(WORK) | tee $(OUT)/validation.txt
	$(BIN)/bundler checklist $(WORK) --as-of $(DEMO_DATE) | tee $(OUT)/checklist.txt
	$(BIN)/bundler checklist $(WORK) --as-of $(DEMO_DATE) --json > $(OUT)/checklist.json
	# Letters, each on the date the case records for it (the request, the reminder, the consent
	# letters, the findings), so each says what was true on its own date.
	$(BIN)/bundler letter information-request $(WORK) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter information-reminder $(WORK) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter resident-consent $(WORK) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter findings $(WORK) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter resident-outcome $(WORK) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter revisit-notice $(WORK) -o $(OUT)/letters --pdf --force --date $(DEMO_DATE)
	$(BIN)/bundler letter sent $(WORK) revisit-notice --on $(DEMO_DATE) --by email
	# The evidence bundle: derived from the case records (no bundle.yaml), with the letters to the
	# provider recorded as sent. --ocr makes the two scanned consent forms searchable.
	$(BIN)/bundler bundle build $(WORK) -o $(OUT)/bundle.pdf --force --date $(DEMO_DATE) --ocr
	# What a recipient does: check the bundle against its source files.
	$(BIN)/bundler bundle verify $(OUT)/bundle.pdf --sources $(WORK) | tee $(OUT)/verification.txt
	$(BIN)/bundler audit verify $(WORK)
	$(BIN)/bundler audit show $(WORK) > $(OUT)/history.txt
	@echo "Demo outputs are in $(OUT)/"

test: system-test venv
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check bundler tests benchmarks
	$(BIN)/mypy bundler

schemas: venv
	$(BIN)/bundler schemas

screenshots: system-test venv
	$(BIN)/python scripts/screenshots.py

bench: system venv
	$(BIN)/python benchmarks/bundle_bench.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
