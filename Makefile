# GJJ Online Hall. `make run` and `make test` are all a fresh machine needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/gjj
GOVSSO_PG_URL ?= postgres://postgres@127.0.0.1:5432/govsso
DEMO_DATASET ?= data/demo-dataset.json
PYTEST_ARGS ?=

.PHONY: setup run test test-sqlite test-postgres test-fleet lint typecheck format demo-dataset bench prod prod-down chaos clean

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

setup: $(BIN)/.installed
	$(BIN)/gjj migrate --noinput -v 0
	$(BIN)/gjj collectstatic --noinput -v 0
	$(BIN)/python -m django migrate --noinput -v 0 --settings=govsso.settings
	$(BIN)/python -m django migrate --noinput -v 0 --settings=sims.settings

run: setup
	$(BIN)/python -m gjj.launcher --dataset $(DEMO_DATASET)

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench chaos
	$(BIN)/ruff format --check src tests bench chaos

typecheck: $(BIN)/.installed
	$(BIN)/mypy src/gjj/core src/gjj/policy src/gjj/members src/gjj/withdrawals src/gjj/applications src/gjj/identity src/gjj/hall src/gjj/mobile src/gjj/api src/gjj/wechat src/gjj/staff src/gjj/audit src/gjj/reconciliation src/gjj/backoffice src/gjj/portal src/gjj/preferences src/gjj/fleet

format: $(BIN)/.installed
	$(BIN)/ruff format src tests bench chaos
	$(BIN)/ruff check --fix src tests bench chaos

# The hall's suite and govsso's (its own Django project, so its own pytest session), per database.
# The hall's unit tests run in $(TEST_WORKERS) processes (pytest-xdist: a test database and a
# simulator each); the browser tests in one, sharing one live stack.
TEST_WORKERS ?= 2

test-sqlite: $(BIN)/.installed
	GJJ_DATABASE_URL= $(BIN)/pytest -q -n $(TEST_WORKERS) --ignore=tests/govsso --ignore=tests/browser --ignore=tests/fleet $(PYTEST_ARGS)
	GJJ_DATABASE_URL= $(BIN)/pytest -q tests/browser $(PYTEST_ARGS)
	GOVSSO_DATABASE_URL= $(BIN)/pytest -q tests/govsso --ds=govsso.settings $(PYTEST_ARGS)

test-postgres: $(BIN)/.installed
	GJJ_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n $(TEST_WORKERS) --ignore=tests/govsso --ignore=tests/browser --ignore=tests/fleet $(PYTEST_ARGS)
	GJJ_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q tests/browser $(PYTEST_ARGS)
	GOVSSO_DATABASE_URL=$(GOVSSO_PG_URL) $(BIN)/pytest -q tests/govsso --ds=govsso.settings $(PYTEST_ARGS)

# The production topology (tests/fleet: nginx, two instances, two workers, PostgreSQL, Redis, S3) and
# a 100-application chaos run: once, on the engines production uses.
test-fleet: $(BIN)/.installed
	$(BIN)/pytest -q tests/fleet $(PYTEST_ARGS)

test: lint typecheck
	bash scripts/ensure-system.sh --services
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-fleet

demo-dataset: $(BIN)/.installed
	$(BIN)/gjj generate-dataset --people 300 --seed 20261127 --named data/named-members.json --named data/older-members.json --named data/sample-reasons.json --output $(DEMO_DATASET)

# The benchmarks (docs/benchmarks.md and .json): starts the floor and the hall on PostgreSQL and Redis
# itself, about 15 minutes. BENCH_ARGS="--only p1,p2" runs some parts (report under var/bench/);
# BENCH_ARGS="--topology prod" measures the production topology (a fleet of its own, gjj.fleet: nginx
# with TLS, two hall instances) instead, into docs/benchmarks-prod.md and .json.
BENCH_ARGS ?=
bench: setup
	bash scripts/ensure-system.sh --services
	$(BIN)/python -m bench $(BENCH_ARGS)

# The production topology on this machine (src/gjj/fleet, docs/operations.md): nginx with TLS in
# front of two hall instances, two Huey consumers, PostgreSQL, Redis, S3 (moto), govsso and the
# simulators, in the background under var/prod/. `make prod-down` stops exactly what it started.
prod: $(BIN)/.installed
	bash scripts/ensure-system.sh --services
	$(BIN)/python -m gjj.fleet up

prod-down:
	$(BIN)/python -m gjj.fleet down

# N complete applications through a topology of its own while hall instances and workers are
# SIGKILLed and the bank answers 20 % of calls with a fault (chaos/).
N ?= 1000
chaos: $(BIN)/.installed
	bash scripts/ensure-system.sh --services
	$(BIN)/python -m chaos --applications $(N)

clean:
	rm -rf var
