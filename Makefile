# SmartExpo: `make demo` serves the seeded demo, `make test` runs every test on SQLite and PostgreSQL.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export SMARTEXPO_DATA_DIR ?= $(CURDIR)/data
# Links in the demo's emails point at the demo server.
export SMARTEXPO_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: cluster cluster-stop cluster-status haproxy-deps test-cluster bench-checkin bench-deals bench-reports bench-meetings bench-planning bench-programme bench-recs bench-registrations bench-seed soak demo demo-serve demo-live fuzz fuzz-ci install install-dev migrate seed serve test test-sqlite test-postgres lint format permissions font-deps system-deps screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Once per change of pyproject.toml (the package is installed editable: code changes need
# nothing), so that `make demo` a second time does not spend seconds asking pip again.
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

migrate: install font-deps
	$(BIN)/smartexpo migrate --no-input

# The 2018 edition's history (its registrations with booking dates and its admissions, what
# the attendance forecast learns from) is made once; later runs find it and do nothing.
seed: migrate
	$(BIN)/smartexpo demo seed
	$(BIN)/smartexpo demo history

# `make demo LIVE=1` is `make demo-live`: the demo with its digital twin running.
demo: $(if $(filter 1,$(LIVE)),demo-live,demo-serve)

demo-serve: seed
	@$(BIN)/smartexpo demo login --host $(HOST) --port $(PORT)
	@echo "  (make demo LIVE=1 or make demo-live: the same, with the digital twin moving the live venue page)"
	@echo "  (to scan a 2019 ticket: $(BIN)/smartexpo demo clock 2019-08-27T10:00 in another terminal; README \"Scan a ticket\")"
	$(BIN)/smartexpo serve --host $(HOST) --port $(PORT) --workers 2

# The demo with its digital twin: the server in the background (its log in the data directory)
# and the simulator in the foreground, 600 times as fast as real time (a day in 54 s); the
# server stops when the simulator ends or is interrupted (Ctrl-C). 49,000 visits: a little
# under the 50,000 people the demo registers, so every day has tickets to spare (the two round
# differently); more would have the twin register the missing few as demo visitors first
# (which the next `demo seed` keeps).
SIM_VISITORS ?= 49000
SIM_SPEED ?= 600
demo-live: seed
	@$(BIN)/smartexpo demo login --host $(HOST) --port $(PORT)
	@$(BIN)/smartexpo serve --host $(HOST) --port $(PORT) --workers 2 \
	  >"$(SMARTEXPO_DATA_DIR)/serve.log" 2>&1 & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/smartexpo simulate --visitors $(SIM_VISITORS) --days 4 --speed $(SIM_SPEED)

# The TrueType CJK font the PDF tickets embed (smartexpo.tickets.render): the app needs it at
# run time, so `make demo` installs it too; `smartexpo check` reports it when missing.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
font-deps:
	@if [ ! -f $(CJK_FONT) ]; then \
	  echo "Installing from Debian: fonts-wqy-zenhei"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fonts-wqy-zenhei >/dev/null; \
	fi

# What the tests need from Debian besides the font: Chromium for the browser tests, PostgreSQL
# for the second run, wrk for the flood of the hostile-clients test.
system-deps: font-deps
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	fc-list 2>/dev/null | grep -qi "cjk" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install-dev
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts

format: install-dev
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

# Each suite runs in two passes: first everything but the tests that time a real server, on
# both cores (pytest-xdist, a test database per worker, a module's tests on one worker); then
# those (marker `serial`: latency and stop bounds, kills) with nothing else running beside them.
PYTEST := $(BIN)/pytest -q -p no:cacheprovider
PARALLEL := -n 2 --dist loadfile -m "not serial and not cluster"
test-sqlite: install-dev system-deps
	$(PYTEST) $(PARALLEL)
	$(PYTEST) -m "serial and not cluster"

# The browser tests drive pages whose views and queries the test-client tests already run on
# PostgreSQL; what they add (scripts, layout, a phone's width) does not depend on the database,
# so they run once, on SQLite. The permission matrix asks a quarter of its cells there
# (tests/permissions/test_matrix.py says which).
test-postgres: install-dev system-deps
	scripts/with-postgres.sh sh -c '$(PYTEST) $(PARALLEL) --ignore=tests/browser && $(PYTEST) -m "serial and not cluster" --ignore=tests/browser'

# The cluster group: tests/cluster starts `scripts/cluster.py` once (its own PostgreSQL, three
# `serve --no-background`, one `worker`, HAProxy, on free loopback ports in a temporary
# directory) and proves sessions, CSRF, rate limits and the races through the load balancer.
test-cluster: install-dev system-deps haproxy-deps
	$(PYTEST) -m cluster

test: lint test-sqlite test-postgres test-cluster fuzz-ci

# `make cluster`: a private PostgreSQL, three `smartexpo serve --no-background`, one `smartexpo
# worker` and HAProxy in front, on loopback (scripts/cluster.py; README "Several servers").
# The seeded demo at http://127.0.0.1:$(CLUSTER_PORT)/; `make cluster-stop` stops it all.
# Options through CLUSTER_ARGS, e.g. CLUSTER_ARGS="--seed small --stats-port 8404".
CLUSTER_DIR ?= $(CURDIR)/cluster
CLUSTER_PORT ?= 8080
CLUSTER_ARGS ?=
cluster: install font-deps haproxy-deps
	$(BIN)/python scripts/cluster.py start --dir $(CLUSTER_DIR) --port $(CLUSTER_PORT) $(CLUSTER_ARGS)

cluster-stop:
	@$(PYTHON) scripts/cluster.py stop --dir $(CLUSTER_DIR)

cluster-status:
	-@$(PYTHON) scripts/cluster.py status --dir $(CLUSTER_DIR)

# HAProxy and PostgreSQL's server from Debian when missing (the cluster's load balancer and
# database).
haproxy-deps:
	@missing=""; \
	command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing="$$missing haproxy"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Schemathesis against `smartexpo serve --workers 2 --no-mailer` (a temporary SQLite data dir
# with a small seeded world): every operation of /api/v1/openapi.json as each role, in the
# examples, coverage and fuzzing phases; fails on any 5xx or answer that breaks its documented
# status codes, content type, headers or schema (scripts/fuzz.py; README "Development").
# FUZZ_SECONDS is the whole run's budget (default 10 minutes); `make test` runs 2 minutes.
FUZZ_SECONDS ?= 600
FUZZ_ARGS ?=
fuzz: install-dev
	$(BIN)/python scripts/fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

fuzz-ci: install-dev
	$(BIN)/python scripts/fuzz.py --seconds 120 $(FUZZ_ARGS)

# docs/permissions.md is rendered from the permission matrix's data (tests/permissions/matrix.py);
# the tests fail until it is rendered again after a change.
permissions: install-dev
	$(BIN)/python -m tests.permissions.render docs/permissions.md

screenshot: install-dev system-deps
	$(BIN)/python scripts/screenshot.py docs/screenshot.png

clean:
	rm -rf $(VENV) data .pytest_cache

bench-seed: install-dev
	$(BIN)/python bench/seed.py --runs 3

# Recommendation quality over a synthetic world drawn over the demo catalogue (no database):
# precision/recall/nDCG@10 by mode, the cold start, and the model build for 700,000 visitors
# (bench/eval_recs.py; deterministic for --seed). Options through EVAL_RECS_ARGS.
EVAL_RECS_ARGS ?= --build-scale 700000
.PHONY: eval-recs
eval-recs: install-dev
	$(BIN)/python bench/eval_recs.py $(EVAL_RECS_ARGS)

# The meeting optimiser on random instances of 500, 2,000 and 5,000 participants (20,000
# requests at the largest), CP-SAT on 2 workers, 120 s each: status, gap, greedy vs optimiser,
# and a re-solve after 1 % of the requests change (bench/meetings.py, docs/meeting-scheduling.md).
# Options through MEETINGS_BENCH_ARGS, e.g. make bench-meetings MEETINGS_BENCH_ARGS="--sizes 500".
MEETINGS_BENCH_ARGS ?=
bench-meetings: install-dev
	$(BIN)/python bench/meetings.py $(MEETINGS_BENCH_ARGS)

# The gate-lane plan and its staff shifts for 4 days x 4 gates at the twin's scale (175,000
# admissions a day): seconds per step and a Markdown block (bench/planning.py,
# docs/planning.md). Options through PLANNING_BENCH_ARGS, e.g. PLANNING_BENCH_ARGS="--runs 3".
PLANNING_BENCH_ARGS ?=
bench-planning: install-dev
	$(BIN)/python bench/planning.py $(PLANNING_BENCH_ARGS)

# wrk, the HTTP load generator the benchmarks drive servers with, from Debian when missing.
.PHONY: wrk-deps
wrk-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  echo "Installing from Debian: wrk"; \
	  SUDO=""; [ "$$(id -u)" = "0" ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi

# The registration endpoint under wrk, served as users run it (`smartexpo serve`, SQLite).
# Options go through BENCH_ARGS (default: without the mailer, which renders a PDF per
# registration on the same two cores), e.g. make bench-registrations BENCH_ARGS="--keep".
BENCH_ARGS ?= --serve-args=--no-mailer
bench-registrations: install-dev wrk-deps
	$(BIN)/python bench/registrations.py $(BENCH_ARGS)

# The forum programme, served as users run it (`smartexpo serve --workers 2 --no-mailer`,
# SQLite): 2,000 registrations racing for 300 seats (with and without the waiting list), the
# public programme page under wrk at 16 connections, and schedule.json built for 500 sessions.
PROGRAMME_BENCH_ARGS ?=
bench-programme: install-dev wrk-deps
	$(BIN)/python bench/programme.py $(PROGRAMME_BENCH_ARGS)

# One visitor's recommendations under wrk at 8 connections, the 2019 demo at 50,000 visitors
# (docs/recommendations.md); target p99 < 30 ms. Options through RECS_BENCH_ARGS.
bench-recs: install-dev wrk-deps
	$(BIN)/python bench/recommend.py $(RECS_BENCH_ARGS)

# The deals ledger, served as users run it (`smartexpo serve --workers 2 --no-mailer`, SQLite):
# the demo's sce-2019 grown to 10,000 deals and 100,000 log entries, the public tally and list
# (API, and the pages where this build has them) under wrk at 16 connections (target p99 < 30 ms),
# then `smartexpo deals verify` of the whole log (target < 10 s). Takes about 30 minutes, most
# of it building the edition through the services; `DEALS_BENCH_ARGS="--data-dir DIR"` keeps it
# for the next run. Options through DEALS_BENCH_ARGS (bench/deals.py --help).
DEALS_BENCH_ARGS ?=
bench-deals: install-dev wrk-deps
	$(BIN)/python bench/deals.py $(DEALS_BENCH_ARGS)

# Gate check-in, served as users run it (`smartexpo serve --workers 2 --no-mailer`, SQLite):
# online scans under wrk over 100,000 issued tickets, then the offline sync in batches of 5,000.
# Options go through CHECKIN_BENCH_ARGS, e.g. make bench-checkin CHECKIN_BENCH_ARGS="--keep".
CHECKIN_BENCH_ARGS ?=
bench-checkin: install-dev wrk-deps
	$(BIN)/python bench/checkin.py $(CHECKIN_BENCH_ARGS)

# The venue's batch path at full scale and the occupancy endpoint on that data: the digital
# twin's 4-day stream (700,000 visits) imported with `smartexpo venue import`, then `smartexpo
# serve --workers 2 --no-mailer` under wrk (SQLite, a temporary data dir; ~10 min and ~12 GiB
# of memory). Options go through VENUE_BENCH_ARGS, e.g. make bench-venue VENUE_BENCH_ARGS="--runs 2".
.PHONY: bench-venue
VENUE_BENCH_ARGS ?=
bench-venue: install-dev wrk-deps
	$(BIN)/python bench/venue.py $(VENUE_BENCH_ARGS)

# Issue 19's speed targets at the reference scale (700,000 visitors, 4 days, 843 exhibitors, 16
# halls): the organiser dashboard's data.json, the dashboard page and the big screen's data.json
# under wrk at 8 connections (`smartexpo serve --workers 2 --no-mailer`, SQLite, the demo
# organiser signed in through the admin's login; target p99 < 100 ms for data.json), then
# `smartexpo reports edition --pdf --xlsx` for the whole show (target < 30 s, < 2 GiB), and the
# exhibitors' ZIP where this build has it (bench/reports.py). The data dir is built once (about
# 40 min on the shared machine: seed, history, twin, import; ~8 GiB of memory at the import) under
# /tmp/smartexpo-bench-reports and kept; measurements only (about 10 min):
# make bench-reports REPORTS_BENCH_ARGS="--reuse /tmp/smartexpo-bench-reports".
.PHONY: bench-reports
REPORTS_BENCH_ARGS ?=
bench-reports: install-dev wrk-deps
	$(BIN)/python bench/reports.py $(REPORTS_BENCH_ARGS)

# Predicted crowd alerts against the digital twin (issue 18): two 4-day runs of 700,000 visits
# (seed 2019 as planned, seed 2020 with 30 % more visitors on day 3), each imported into its own
# SQLite data dir; the share of live hall alerts predicted 10 minutes ahead, the predictions that
# never came, the lead, and the predictions' cost in process and under wrk (bench/eval_alerts.py;
# ~25 min, ~6 GiB at most). Options through EVAL_ALERTS_ARGS, e.g.
# EVAL_ALERTS_ARGS="--visits 100000 --no-api".
.PHONY: eval-alerts
EVAL_ALERTS_ARGS ?=
eval-alerts: install-dev wrk-deps
	$(BIN)/python bench/eval_alerts.py $(EVAL_ALERTS_ARGS)

# Issue 18's evaluation against the digital twin: the attendance forecast 7, 1 and 0 days
# before the opening (daily and 15-minute errors) and the day-before lane plan replayed on the
# twin's own arrivals, under two seeds, one with 30 % more visitors on day 3
# (bench/eval_planning.py: a data dir seeded with 600,000 registered 2019 visitors and the
# 2018 history, ~20 minutes the first time, kept with --data-dir DIR), then eval-alerts.
# Options through EVAL_PLANNING_ARGS, e.g. EVAL_PLANNING_ARGS="--data-dir /tmp/evalplan".
.PHONY: eval-planning
EVAL_PLANNING_ARGS ?=
eval-planning: install-dev eval-alerts
	$(BIN)/python bench/eval_planning.py $(EVAL_PLANNING_ARGS)

# The kill soak at length: `smartexpo serve --workers 2` under a mixed load (registrations,
# scans, syncs, sensor events) is killed SOAK_KILLS times with SIGKILL — one worker or the whole
# server, at random moments — and restarted; then every acknowledged answer must be in the
# database exactly once and the database consistent (bench/soak.py). SQLite in a temporary
# directory, or a database of its own on the PostgreSQL server DATABASE_URL names (e.g.
# `scripts/with-postgres.sh make soak`). About half an hour; `make test` runs it with 12 kills.
SOAK_KILLS ?= 200
SOAK_ARGS ?=
soak: install-dev
	$(BIN)/python bench/soak.py --kills $(SOAK_KILLS) $(SOAK_ARGS)

# Stopping `smartexpo serve` at length: each way of asking it to stop (a group SIGTERM, a SIGTERM
# to every process, two SIGTERMs in quick succession, SIGINT and SIGTERM together, SIGTERM during
# start-up) STOP_ITERATIONS times against a real server; each must end within the documented
# bound (tests/core/test_serve_stop.py). About 8 minutes on a quiet machine; `make test` runs 8.
.PHONY: stop-loops
STOP_ITERATIONS ?= 50
stop-loops: install-dev
	SMARTEXPO_STOP_ITERATIONS=$(STOP_ITERATIONS) $(BIN)/pytest -q -p no:cacheprovider tests/core/test_serve_stop.py
