# ks-landsting: the fixed commands are `make run`, `make test` and `make check` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PRODUCTION_ENV := DJANGO_SETTINGS_MODULE=ks_landsting.settings.production \
	SECRET_KEY=check-deploy-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ ALLOWED_HOSTS=landsting.example.no

.PHONY: install run test check messages clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Personal links in mail and letters point at the address `make run` serves (HOST and PORT), unless
# KS_PUBLIC_BASE_URL is set in the environment or on the command line.
run: export KS_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	mkdir -p var/mail var/media
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Admin:  http://$(HOST):$(PORT)/admin/"
	@echo "  Personal links in mail:  $(KS_PUBLIC_BASE_URL)/p/…"
	@echo "  Login:  sekretariat@ks-landsting.test / landsting2024  (secretariat, demo)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# In parallel, one pytest-xdist worker per CPU, each with a test database of its own (tests/conftest.py runs the
# suite serially when a real Celery worker is expected). PYTEST_ARGS="-n 0" runs it in one process.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PRODUCTION_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale nb --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --locale nb --ignore '.venv/*'

clean:
	rm -rf $(VENV) var/db.sqlite3

# Every bench under bench/ in its quick mode (--quick: small sizes, seconds not minutes, the same code path), so that a
# bench that no longer runs fails CI; files named bench/_*.py are shared helpers, not benches. Each bench brings its own
# database (SQLite in a temporary directory, or PostgreSQL on 127.0.0.1 under a name of its own, dropped at the end),
# so the test suite's database, Redis and mail settings are not passed on. -j2 runs two at a time; -O keeps each
# bench's output together.
BENCHES := $(filter-out bench/_%,$(wildcard bench/*.py))
BENCH_ENV := env -u DATABASE_URL -u REDIS_URL -u EMAIL_URL -u CELERY_QUEUE -u KS_EXPECT_CELERY_WORKER

.PHONY: bench-quick
bench-quick: $(BENCHES:bench/%.py=bench-quick-%)

bench-quick-%: $(STAMP)
	@echo "=== bench/$*.py --quick"
	@started=$$(date +%s); $(BENCH_ENV) $(BIN)/python bench/$*.py --quick \
		|| { echo "=== bench/$*.py --quick: FAILED"; exit 1; }; \
		echo "=== bench/$*.py --quick: passed in $$(( $$(date +%s) - started )) s"
