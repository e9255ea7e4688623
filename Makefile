# verbund — the two commands: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never

# Python 3.13: pyenv's when there is one, else python3.13 on PATH.
PYTHON ?= $(shell \
	p=$$(pyenv prefix 3.13 2>/dev/null | head -n1); \
	if [ -n "$$p" ] && [ -x "$$p/bin/python3.13" ]; then echo "$$p/bin/python3.13"; \
	elif ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 >/dev/null 2>&1; then ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 | tail -n1; \
	else command -v python3.13; fi)
export UV_PYTHON := $(PYTHON)
# A working `uv` on PATH, else the uv module of that interpreter (installed on demand).
UV := $(shell if uv --version >/dev/null 2>&1; then echo uv; else echo "$(PYTHON) -m uv"; fi)
MANAGE := $(UV) run --frozen python manage.py

.PHONY: help bootstrap install run test test-full smoke screenshots messages lint clean bench

help:
	@echo "make run       – install, migrate, load demo data, serve http://127.0.0.1:8000"
	@echo "make test      – the whole test suite (embedded default, or PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make test-full – the suite with the release profile of QUALITY.md (larger fault and load figures)"
	@echo "make screenshots – the pages of the demo manager and member at 390, 820 and 1280 px into var/screenshots/"
	@echo "make lint      – ruff (lint and format check) and mypy with django-stubs"
	@echo "make bench     – the large world, the portal beside a bare Django project under wrk (bench/README.md; BENCH_ARGS=--scale 0.2 …)"
	@echo "make messages  – update the English catalogue (no locations, no fuzzy guesses) and compile it"

bootstrap:
	@test -n "$(PYTHON)" || { echo "Python 3.13 not found (pyenv or python3.13 on PATH)"; exit 1; }
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv || $(PYTHON) -m pip install --quiet --user --break-system-packages uv

install: bootstrap
	@$(UV) sync --frozen --quiet

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "verbund runs on http://127.0.0.1:8000 (Ctrl+C stops it)"
	$(MANAGE) runserver 127.0.0.1:8000

# Two test processes (pytest-xdist; each its own test database and Redis cache database): the machine has 2 cores.
TEST_PROCESSES ?= 2
# The whole suite must print every ANCHOR line of its profile (tests/anchors.py); a subset (PYTEST_ARGS) need not.
ANCHORS_REQUIRED = $(if $(PYTEST_ARGS),,--anchors-required)
test: install
	$(UV) run --frozen pytest -n $(TEST_PROCESSES) --profile ci $(ANCHORS_REQUIRED) $(PYTEST_ARGS)

# The release profile (QUALITY.md "full"): adds R-3 and D-1 and the larger counts.
test-full: install
	$(UV) run --frozen pytest -n $(TEST_PROCESSES) --profile full $(ANCHORS_REQUIRED) $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy

# Speed at scale (issue 17): PostgreSQL on 127.0.0.1 (BENCH_DATABASE_URL), Redis db 12 (BENCH_REDIS_URL), wrk; see bench/README.md.
bench: install
	$(UV) run --frozen python -m bench.run $(BENCH_ARGS)

# The embedded default end to end: migrate + seed_demo + core pages on SQLite, served by runserver.
smoke: install
	$(UV) run --frozen python scripts/smoke.py

# Every page of the demo manager and member at 390, 820 and 1280 px (var/screenshots/index.html; not committed).
screenshots: install
	$(UV) run --frozen python scripts/screenshots.py

# verbund/management/commands/makemessages.py adds --no-location, --no-fuzzy-matching and --no-obsolete.
messages: install
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests --ignore=scripts
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache
