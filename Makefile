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
DEMO_DATE := 2026-11-20

.PHONY: demo test mutate system system-test screenshots venv lint typecheck schemas bench clean

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
	# The sample's evidence files were put in place by scripts/make_sample_evidence.py: record
	# each in the audit log where it is (files already recorded are left alone).
	$(BIN)/bundler evidence add $(CASE) $(CASE)/evidence > /dev/null
	$(BIN)/bundler validate $(CASE) | tee $(OUT)/validation.txt
	$(BIN)/bundler checklist $(CASE) --as-of $(DEMO_DATE) | tee $(OUT)/checklist.txt
	$(BIN)/bundler checklist $(CASE) --as-of $(DEMO_DATE) --json > $(OUT)/checklist.json
	# Letters: the request, findings and residents' outcome letters carry the dates the case
	# records for them (their due dates would be past on the demo date, which the tool refuses).
	$(BIN)/bundler letter information-request $(CASE) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter information-reminder $(CASE) -o $(OUT)/letters --pdf --force --date $(DEMO_DATE)
	$(BIN)/bundler letter resident-consent $(CASE) -o $(OUT)/letters --pdf --force --date $(DEMO_DATE)
	$(BIN)/bundler letter findings $(CASE) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter resident-outcome $(CASE) -o $(OUT)/letters --pdf --force
	$(BIN)/bundler letter revisit-notice $(CASE) -o $(OUT)/letters --pdf --force --date $(DEMO_DATE)
	# The evidence bundle: derived from the case records (no bundle.yaml), with the provider letters.
	# --ocr makes the two scanned consent forms searchable (about 3 s more).
	$(BIN)/bundler bundle build $(CASE) -o $(OUT)/bundle.pdf --force --date $(DEMO_DATE) --ocr
	# What a recipient does: check the bundle against its source files.
	$(BIN)/bundler bundle verify $(OUT)/bundle.pdf --sources $(CASE) | tee $(OUT)/verification.txt
	# ...and against the judiciary's guidance on electronic court bundles, as any bundle can be.
	$(BIN)/bundler bundle check $(OUT)/bundle.pdf --profile judiciary-2021 | tee $(OUT)/check.txt
	# Editions for the provider and for R01's appeal: consent decides what goes in, what they
	# must not see is removed (see each one's redaction log), and each is checked as above.
	$(BIN)/bundler bundle build $(CASE) -o $(OUT)/bundle-provider.pdf --force --date $(DEMO_DATE) --audience provider
	$(BIN)/bundler bundle build $(CASE) -o $(OUT)/bundle-appeal-R01.pdf --force --date $(DEMO_DATE) --audience appeal:R01
	$(BIN)/bundler bundle verify $(OUT)/bundle-provider.pdf --sources $(CASE) | tee $(OUT)/verification-provider.txt
	$(BIN)/bundler bundle verify $(OUT)/bundle-appeal-R01.pdf --sources $(CASE) | tee $(OUT)/verification-appeal-R01.txt
	$(BIN)/bundler audit verify $(CASE)
	@echo "Demo outputs are in $(OUT)/"

test: system-test venv
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check bundler tests benchmarks
	$(BIN)/mypy bundler

# Mutation testing (mutmut) of the modules whose mistakes users cannot see; slow, so not part
# of `make test`: run it before resolving an issue that touches them. GROUPS="fileio spec"
# runs only those groups (scripts/mutate.py --list names them), BUDGET=30 stops each group after
# 30 minutes; results are kept in .mutants/, so the next run goes on where the last one stopped.
mutate: venv
	$(BIN)/python scripts/mutate.py $(if $(BUDGET),--budget $(BUDGET)) $(GROUPS)

schemas: venv
	$(BIN)/bundler schemas

screenshots: system-test venv
	$(BIN)/python scripts/screenshots.py

bench: system venv
	$(BIN)/python benchmarks/bundle_bench.py

clean:
	rm -rf $(OUT) .mutants .pytest_cache .mypy_cache .ruff_cache
