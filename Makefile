# customer_behavior — the two README commands are `make build` and `make test`.
# Settings (all optional):
#   DATA_DIR=/path        read customers / orders / campaign_responses (.csv or .parquet) from a folder
#   DATASET=name          staging adapter: contract (default) or a public dataset (see README)
#   WAREHOUSE=file.duckdb the DuckDB file to build (default warehouse/<dataset>.duckdb)
#   REPORT_DIR=folder     where the report goes (default reports/<dataset>; give each warehouse its own)
#   THREADS=2 MEMORY_LIMIT=2GB TEMP_DIR=warehouse/.spill   DuckDB settings
#   SEGMENT_K=4           pin the number of segments
#   LTV_CALIBRATION_END=1997-09-30  fit the lifetime-value models on the orders up to this date
#                         and check them on the rest (marts.lifetime_value_holdout)
#   VARS='orders_lookback_days: 7'  more dbt vars (YAML, added to the ones above; not in DBT_ARGS:
#                         a second --vars would replace them all, DATA_DIR included)
#   DBT_ARGS=--full-refresh  extra arguments for `dbt build` (rebuild the incremental orders)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATASET ?= contract
DATA_DIR ?=
SIZE ?= 100k
BENCH_SIZES ?= 100k,1m
BENCH_VARS ?=
SEGMENT_K ?=
LTV_CALIBRATION_END ?=
DBT_ARGS ?=
VARS ?=
REPORT_DIR ?= reports/$(DATASET)
ifeq ($(DATASET),contract)
WAREHOUSE ?= warehouse/customer_behavior.duckdb
else
WAREHOUSE ?= warehouse/$(DATASET).duckdb
endif
# DuckDB settings: THREADS=… on the command line, else the CUSTOMER_BEHAVIOR_* variable that
# profiles.yml reads (so an exported one is not overridden by these defaults), else the default.
THREADS ?= $(or $(CUSTOMER_BEHAVIOR_THREADS),2)
MEMORY_LIMIT ?= $(or $(CUSTOMER_BEHAVIOR_MEMORY_LIMIT),2GB)
TEMP_DIR ?= $(or $(CUSTOMER_BEHAVIOR_TEMP_DIR),warehouse/.spill)
DOCS_HOST ?= 127.0.0.1
DOCS_PORT ?= 8080

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export CUSTOMER_BEHAVIOR_WAREHOUSE := $(WAREHOUSE)
export CUSTOMER_BEHAVIOR_THREADS := $(THREADS)
export CUSTOMER_BEHAVIOR_MEMORY_LIMIT := $(MEMORY_LIMIT)
export CUSTOMER_BEHAVIOR_TEMP_DIR := $(TEMP_DIR)

# realpath, not $(abspath): a folder name with spaces is one path, not several words
ABS_DATA_DIR := $(if $(DATA_DIR),$(shell realpath -m -s -- "$(DATA_DIR)"),)
comma := ,
DBT_VARS := {"data_dir": "$(ABS_DATA_DIR)", "dataset": "$(DATASET)", "segment_k": "$(SEGMENT_K)", "lifetime_value_calibration_end": "$(LTV_CALIBRATION_END)"$(if $(VARS),$(comma) $(VARS),)}
DBT := $(BIN)/dbt

.PHONY: help install constraints build dbt-build report docs test lint data clean demo-seeds bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv and install the pinned dependencies and the package

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

constraints: ## re-pin constraints.txt: the newest versions pyproject.toml's ranges allow, in a fresh venv
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet -e ".[dev]"
	{ sed -n '1,/^# after/p' constraints.txt; .venv-constraints/bin/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

build: install dbt-build report ## install, dbt build (seeds, models, segments, tests) on the demo data or DATA_DIR, then charts and report

dbt-build:
	$(if $(findstring --vars,$(DBT_ARGS)),@echo "DBT_ARGS must not hold --vars: a second --vars replaces the vars of DATA_DIR and DATASET and SEGMENT_K. Use VARS='name: value' instead." && exit 2)
	@mkdir -p "$$(dirname "$(WAREHOUSE)")" "$(TEMP_DIR)"
	@if [ -n "$(DATA_DIR)" ] && [ ! -d "$(ABS_DATA_DIR)" ]; then \
		echo "DATA_DIR=$(DATA_DIR): no such folder (expected customers / orders [/ campaign_responses] as .csv or .parquet)"; exit 2; fi
	@$(BIN)/customer-behavior preflight --warehouse "$(WAREHOUSE)"
	$(DBT) build --vars '$(DBT_VARS)' $(DBT_ARGS)
	@echo "Built $(WAREHOUSE): try  $(BIN)/duckdb $(WAREHOUSE) -c 'select * from segments.segment_profiles'"

report: install ## charts (assets/charts/, shown by the docs site) and the insight report (REPORT_DIR, default reports/$(DATASET)/) from WAREHOUSE
	$(BIN)/customer-behavior charts --warehouse "$(WAREHOUSE)" --out assets/charts
	$(BIN)/customer-behavior report --warehouse "$(WAREHOUSE)" --out "$(REPORT_DIR)" --charts assets/charts

docs: install report ## generate the dbt docs site (charts drawn first) and serve it on http://$(DOCS_HOST):$(DOCS_PORT)
	@mkdir -p "$$(dirname "$(WAREHOUSE)")" "$(TEMP_DIR)"
	@$(BIN)/customer-behavior preflight --warehouse "$(WAREHOUSE)"
	$(DBT) docs generate --vars '$(DBT_VARS)'
	$(DBT) docs serve --host $(DOCS_HOST) --port $(DOCS_PORT) --no-browser

test: install lint ## lint, then run the whole test suite (unit, dbt integration, data tests)
	$(BIN)/pytest

lint: install ## ruff on the Python, sqlfluff on the SQL (.sqlfluff: STYLE item 4); fails on any finding
	$(BIN)/ruff check python tests models lint
	$(BIN)/sqlfluff lint models analyses tests/dbt

data: install ## generate contract-shaped Parquet: make data SIZE=100k|1m|100m-lines
	$(BIN)/customer-behavior generate --size $(SIZE) --format parquet --out data/$(SIZE)

bench: install ## time dbt build against the pandas way on generated data (BENCH_SIZES=100k,1m[,100m-lines] BENCH_VARS='{json}') into BENCHMARKS.md
	$(BIN)/customer-behavior bench --sizes $(BENCH_SIZES) --out BENCHMARKS.md --threads $(THREADS) --memory-limit $(MEMORY_LIMIT) --temp-dir $(TEMP_DIR) $(if $(BENCH_VARS),--vars '$(BENCH_VARS)',)

clean: ## remove build outputs (warehouse files, target/, logs/)
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal warehouse/.spill

demo-seeds: install ## regenerate the committed demo seeds (seeds/demo/demo_*.csv) from the generator
	rm -rf warehouse/.demo-seeds && $(BIN)/customer-behavior generate --size demo --format csv --out warehouse/.demo-seeds --no-progress
	for t in customers orders campaign_responses; do cp warehouse/.demo-seeds/$$t.csv seeds/demo/demo_$$t.csv; done
	rm -rf warehouse/.demo-seeds
	@# the demo warehouse's incremental orders belong to the old seeds: start it again
	rm -f warehouse/customer_behavior.duckdb warehouse/customer_behavior.duckdb.wal
