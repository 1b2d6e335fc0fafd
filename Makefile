# Hirewise developer commands. `make run` and `make test` are all a new developer needs.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := hirewise
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install lock sandbox sandbox-if-possible tools run test lint fmt pytest worker bench bench-fit bench-ranking bench-reports bench-scoring bench-resumes bench-import screenshots clean

## Exactly the versions of requirements-dev.lock, each checked against its hash, then the app itself (editable).
$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e '.[dev,demo]'
	touch $(STAMP)

install: $(STAMP)

## The locks, with hashes, for Python 3.11+ on every platform: requirements.lock is the runtime set (the Docker
## image), requirements-dev.lock adds the dev and demo extras (make install, CI). Both hold the build backend too
## (pyproject.toml's build-system), so the app itself is built with --no-build-isolation from checked files only.
## Run after changing the dependencies in pyproject.toml; versions already locked are kept unless UPGRADE=1.
LOCK_TOOLS := .lock-tools
UV_VERSION := 0.13.9
BUILD_REQUIRES := $(PYTHON) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['build-system']['requires']))"
LOCK := UV_CUSTOM_COMPILE_COMMAND="make lock" UV_NATIVE_TLS=1 $(LOCK_TOOLS)/bin/uv pip compile pyproject.toml - \
	--quiet --generate-hashes --universal --python-version 3.11 $(if $(UPGRADE),--upgrade)
lock:
	test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet 'uv==$(UV_VERSION)'; }
	$(BUILD_REQUIRES) | $(LOCK) -o requirements.lock
	$(BUILD_REQUIRES) | $(LOCK) --extra dev --extra demo -o requirements-dev.lock

## The code sandbox of assessments runs candidates' code under bubblewrap (Debian package bubblewrap).
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap) >/dev/null; \
	  else \
	    echo "The code sandbox needs bubblewrap: install the Debian package 'bubblewrap' (sudo apt-get install bubblewrap)."; \
	    exit 1; \
	  fi; }

## Tools of some tests, installed when missing if we are root on Debian: Chromium for the browser tests,
## redis-server for the fault tests and Tesseract for the OCR tests of scanned résumés. Where they cannot be
## had, `make pytest` leaves those tests out and its last line says which.
OPTIONAL_TOOLS := chromium:chromium redis-server:redis-server tesseract:tesseract-ocr

tools: sandbox
	@for pair in $(OPTIONAL_TOOLS); do \
	  binary=$${pair%%:*}; package=$${pair##*:}; \
	  command -v $$binary >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$package) >/dev/null \
	      || echo "Could not install $$package."; \
	  fi; \
	done

## `make run` works without it: code answers then wait in a clear "sandbox unavailable" state.
sandbox-if-possible:
	@$(MAKE) --no-print-directory sandbox || echo "Continuing without the code sandbox."

## Embedded mode: SQLite under instance/, tasks run in-process. Idempotent set-up, then serve.
run: install sandbox-if-possible
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-kit
	$(BIN)/flask demo-data
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

## The whole suite; pytest's exit code 5 ("no tests ran") fails like any other.
pytest: install tools
	@left_out=""; marks=""; \
	if ! command -v redis-server >/dev/null 2>&1; then \
	  marks="not fault"; left_out="the fault tests (tests/fault; redis-server is not installed)"; \
	fi; \
	if ! command -v chromium >/dev/null 2>&1; then \
	  left_out="$$left_out$${left_out:+; }the browser tests (tests/e2e; Chromium is not installed)"; \
	fi; \
	if ! command -v tesseract >/dev/null 2>&1; then \
	  marks="$$marks$${marks:+ and }not ocr"; \
	  left_out="$$left_out$${left_out:+; }the OCR tests (marker ocr; Tesseract is not installed)"; \
	fi; \
	$(BIN)/python -m pytest $${marks:+-m "$$marks"} $(PYTEST_ARGS); status=$$?; \
	if [ -n "$$left_out" ]; then echo "Left out: $$left_out."; fi; \
	exit $$status

test: lint pytest

## Production-style worker (needs REDIS_URL or CELERY_BROKER_URL).
worker: install
	$(BIN)/celery -A hirewise.worker worker --loglevel INFO

## Every benchmark: pipeline pages (query counts, req/s under gunicorn), ranking by fit, fit scoring alone, free-text scoring.
bench: install
	$(BIN)/python -m bench.pipeline $(BENCH_ARGS)
	$(BIN)/python -m bench.ranking
	$(BIN)/python -m bench.fit
	$(BIN)/python -m bench.scoring

## Free-text scorer vs human grades: leave-one-assignment-out on the dev data; DATA=file.csv scores another file as shipped.
bench-scoring: install
	$(BIN)/python -m bench.scoring $(if $(DATA),--data $(DATA))

## Pure fit scoring and ranking: 2,000 applications x 5 feedbacks x 12 skills.
bench-fit: install
	$(BIN)/python -m bench.fit $(BENCH_ARGS)

## Ranking an opening by fit: SQL statements at 20 vs 2,000 applications, time vs a plain list.
bench-ranking: install
	$(BIN)/python -m bench.ranking $(BENCH_ARGS)

## Reports: 100,000 applications, 500,000 stage moves; SQL statements per report and server time, SQLite then PostgreSQL.
REPORTS_BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hw_reports_bench
bench-reports: install
	$(BIN)/python -m bench.reports $(BENCH_ARGS)
	DATABASE_URL=$(REPORTS_BENCH_DATABASE_URL) $(BIN)/python -m bench.reports $(BENCH_ARGS)

## Importing 100,000 candidates from CSV: SQLite, then PostgreSQL as time / (psql \copy of the same file), target <= 3.
IMPORT_BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/hw_import_bench
bench-import: install
	$(BIN)/python -m bench.importing $(BENCH_ARGS)
	DATABASE_URL=$(IMPORT_BENCH_DATABASE_URL) $(BIN)/python -m bench.importing $(BENCH_ARGS)

## Skill detection on the labelled résumés of bench/resumes: precision and recall per skill, tuning and held-out parts.
bench-resumes: install
	$(BIN)/python -m bench.resumes.run $(BENCH_ARGS)

# Retakes the screenshots in docs/ (the hiring journey in Chromium takes them; a plain test run does not
# touch the working tree).
screenshots: install tools
	HIREWISE_SCREENSHOTS_DIR=$(CURDIR)/docs $(BIN)/python -m pytest tests/e2e/test_hiring_journey.py -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
