# Lifecycle of airflow-provider-dataops. `make run` and `make test` are the two commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
RUN_ENV := PATH="$(CURDIR)/$(BIN):$$PATH" AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$(AIRFLOW_HOME)/airflow.db \
	AIRFLOW__CORE__EXECUTOR=LocalExecutor

.PHONY: help install run test lint bench

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --extra dev
	@touch $@

install: $(STAMP) ## create .venv from uv.lock (dev extra included)

run: install ## Airflow standalone on SQLite with dags/ (UI on :8080)
	@mkdir -p $(AIRFLOW_HOME)
	$(RUN_ENV) $(BIN)/airflow db migrate >/dev/null
	$(RUN_ENV) $(BIN)/airflow connections import --overwrite dev/connections.json
	@echo "Airflow UI: http://localhost:8080  (user admin; password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated)"
	$(RUN_ENV) exec $(BIN)/airflow standalone

lint: install ## ruff check, ruff format --check, mypy on the package
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint ## install if needed, lint, run the whole suite
	$(BIN)/pytest

bench: install ## run every benchmark under bench/ and print its table
	@shopt -s nullglob; scripts=(bench/bench_*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks yet: bench/ has no bench_*.py scripts."; exit 0; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done
