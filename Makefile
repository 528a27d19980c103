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
# The locks (`make lock` refreshes them; see the README's "Installing"):
#   requirements.lock         what the toolkit runs on; shipped inside the package
#   requirements-dev.lock     the same versions, plus the test and development tools
#   .ci/requirements-oldest.lock   the oldest versions pyproject.toml declares (CI checks them)
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
OLDEST_LOCK := .ci/requirements-oldest.lock
OLDEST_VENV := .venv-oldest
COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock"

.PHONY: demo test test-oldest mutate system system-test screenshots venv lock schemas bench clean

system:
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh

system-test:
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh --test

# A fresh venv holding exactly the locked set (made anew when a lock changes, so nothing
# left over from an older lock stays installed), then the toolkit itself, editable.
$(VENV)/.installed: $(DEV_LOCK) pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
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
	# ...and against the judiciary's guidance on electronic court bundles, as any bundle can be.
	$(BIN)/bundler bundle check $(OUT)/bundle.pdf --profile judiciary-2021 | tee $(OUT)/check.txt
	# Editions for the provider and for R01's appeal: consent decides what goes in, what they
	# must not see is removed (see each one's redaction log), and each is checked as above.
	$(BIN)/bundler bundle build $(WORK) -o $(OUT)/bundle-provider.pdf --force --date $(DEMO_DATE) --audience provider
	$(BIN)/bundler bundle build $(WORK) -o $(OUT)/bundle-appeal-R01.pdf --force --date $(DEMO_DATE) --audience appeal:R01
	$(BIN)/bundler bundle verify $(OUT)/bundle-provider.pdf --sources $(WORK) | tee $(OUT)/verification-provider.txt
	$(BIN)/bundler bundle verify $(OUT)/bundle-appeal-R01.pdf --sources $(WORK) | tee $(OUT)/verification-appeal-R01.txt
	$(BIN)/bundler audit verify $(WORK)
	$(BIN)/bundler audit show $(WORK) > $(OUT)/history.txt
	@echo "Demo outputs are in $(OUT)/"

test: system-test venv
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check bundler tests benchmarks
	$(BIN)/mypy bundler

# The test suite once more on the oldest versions pyproject.toml declares, in a venv of its
# own; tests/test_lock.py then checks that venv against that lock (BUNDLER_TEST_LOCK).
test-oldest: system-test
	rm -rf $(OLDEST_VENV)
	$(PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --require-hashes -r $(OLDEST_LOCK)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	BUNDLER_TEST_LOCK=$(OLDEST_LOCK) $(OLDEST_VENV)/bin/python -m pytest -q -p no:cacheprovider

# Newest versions pyproject.toml allows, locked with hashes. The dev lock is constrained by
# the runtime lock, so both give the same versions of everything the toolkit runs on.
lock: venv
	$(COMPILE) --upgrade -o $(LOCK)
	$(COMPILE) --upgrade --extra test --extra dev --extra mutate -c $(LOCK) -o $(DEV_LOCK)
	$(COMPILE) --upgrade --extra test --extra dev --resolution lowest-direct -o $(OLDEST_LOCK)

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
	rm -rf $(OUT) $(OLDEST_VENV) .mutants .pytest_cache .mypy_cache .ruff_cache
