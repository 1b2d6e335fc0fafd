# Hirewise developer commands. `make run` and `make test` are all a new developer needs.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := hirewise
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint fmt pytest worker bench bench-fit bench-ranking clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Embedded mode: SQLite under instance/, tasks run in-process. Idempotent set-up, then serve.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-kit
	$(BIN)/flask demo-data
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

## The whole suite; pytest's exit code 5 ("no tests ran") fails like any other.
pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

## Production-style worker (needs REDIS_URL or CELERY_BROKER_URL).
worker: install
	$(BIN)/celery -A hirewise.worker worker --loglevel INFO

## Every benchmark: pipeline pages (query counts, req/s under gunicorn), ranking by fit, fit scoring alone.
bench: install
	$(BIN)/python -m bench.pipeline $(BENCH_ARGS)
	$(BIN)/python -m bench.ranking
	$(BIN)/python -m bench.fit

## Pure fit scoring and ranking: 2,000 applications x 5 feedbacks x 12 skills.
bench-fit: install
	$(BIN)/python -m bench.fit $(BENCH_ARGS)

## Ranking an opening by fit: SQL statements at 20 vs 2,000 applications, time vs a plain list.
bench-ranking: install
	$(BIN)/python -m bench.ranking $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
