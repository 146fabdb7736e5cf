# Two commands for a new user: `make run` and `make test`. Both create .venv when needed.
# PYTHON=python3.12 picks the interpreter; a .venv built with one older than 3.11 is rebuilt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
NEW_ENOUGH := import sys; sys.exit(sys.version_info < (3, 11))
# setuptools warns on every editable install about folders named like the package: that is the point here.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet
ANSWERS ?= examples/s1-fiverr-cancellation.json

.PHONY: pictures docker run try draft test test-thorough lint typecheck pytest bench check clean python-version

python-version:
	@$(PYTHON) -c '$(NEW_ENOUGH)' 2>/dev/null || { \
		echo "error: Dispute Desk needs Python 3.11 or newer, and $(PYTHON) is not; name another: make PYTHON=python3.11 ..." >&2; exit 2; }
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c '$(NEW_ENOUGH)' 2>/dev/null; then \
		echo "$(VENV) was built with an older Python: rebuilding it with $(PYTHON)"; rm -rf $(VENV); fi

$(BIN)/python: | python-version
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) -e '.[dev]'
	touch $@ $(STAMP_RUN)

run: python-version $(STAMP_RUN)
	$(BIN)/dispute-desk run

# The dispute questionnaire in this terminal, no token needed.
try: python-version $(STAMP_RUN)
	$(BIN)/dispute-desk try

# The outcome of an answers file: make draft ANSWERS=my-case.json
draft: python-version $(STAMP_RUN)
	$(BIN)/dispute-desk draft --answers $(ANSWERS)

# The suite runs on every core (pytest-xdist); `.venv/bin/python -m pytest FILE` runs one file alone.
test: python-version $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n auto

# Everything `make test` runs, plus the 1,000-seller load test and many more Hypothesis examples.
test-thorough: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/mypy
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest -n auto -m "load or not load"

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

pytest: python-version $(STAMP_DEV)
	$(BIN)/python -m pytest -n auto

check: python-version $(STAMP_RUN)
	$(BIN)/dispute-desk check

bench: $(STAMP_DEV)
	$(BIN)/python -m tests.benchmarks

# Redraw docs/images/*.svg from what the bot really sends (the founding case against the fake Discord).
pictures: python-version $(STAMP_DEV)
	$(BIN)/python -m tests.pictures

# Build the container image where Docker runs; elsewhere say why and skip.
docker:
	@if docker info >/dev/null 2>&1; then docker build -t dispute-desk .; \
	else echo "skipped: Docker is not available here (docker info failed), so the image was not built"; fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
