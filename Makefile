# Lifecycle of airflow-provider-dataops. `make run` and `make test` are the two commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export AIRFLOW_HOME ?= $(CURDIR)/.airflow
AIRFLOW_PORT ?= 8080
DAGS_FOLDER ?= $(CURDIR)/dags
RUN_ENV := PATH="$(CURDIR)/$(BIN):$$PATH" AIRFLOW__CORE__DAGS_FOLDER=$(DAGS_FOLDER) \
	AIRFLOW__API__PORT=$(AIRFLOW_PORT) \
	AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://localhost:$(AIRFLOW_PORT)/execution/ \
	AIRFLOW__CORE__LOAD_EXAMPLES=False \
	AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$(AIRFLOW_HOME)/airflow.db \
	AIRFLOW__CORE__EXECUTOR=LocalExecutor

# Image lifecycle (the seed's container workflow); CI may override both.
TARGET_IMAGE_NAME ?= airflow-provider-dataops
IMAGE_TAG ?= latest
DOCKER_BUILD_ARGS ?=
DOCKER ?= docker

.PHONY: help install run test lint bench style-check python-pkg-refresh build smoke-test docker-engine \
	test-distributed

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --extra dev
	@touch $@

install: $(STAMP) ## create .venv from uv.lock (dev extra included)

run: install ## Airflow standalone on SQLite with dags/ (UI on :8080, or AIRFLOW_PORT=...)
	@mkdir -p $(AIRFLOW_HOME)
	$(RUN_ENV) $(BIN)/airflow db migrate >/dev/null
	$(RUN_ENV) $(BIN)/airflow connections import --overwrite dev/connections.json
	@echo "Airflow UI: http://localhost:$(AIRFLOW_PORT)  (user admin; password in $(AIRFLOW_HOME)/simple_auth_manager_passwords.json.generated)"
	$(RUN_ENV) exec $(BIN)/airflow standalone

lint: install ## ruff check, ruff format --check, mypy on the package
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install lint style-check ## install if needed, lint, run the whole suite
	$(BIN)/pytest

bench: install ## run every benchmark under bench/ and print its table
	@shopt -s nullglob; scripts=(bench/bench_*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "No benchmarks yet: bench/ has no bench_*.py scripts."; exit 0; fi; \
	for script in "$${scripts[@]}"; do echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

style-check: install ## hadolint on the Dockerfile, ruff on the code
	$(BIN)/hadolint Dockerfile
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-distributed: install ## Airflow on Postgres + CeleryExecutor/Redis in separate processes, DAG run via REST
	$(BIN)/pytest -p no:cacheprovider tests/e2e/test_distributed.py

# Fails with exactly one line (make's own "*** ... Stop.") when no Docker engine answers.
docker-engine:
	$(if $(shell command -v $(DOCKER)),,$(error $(DOCKER) not found: the image targets need the Docker client and a running Docker engine))
	$(if $(shell $(DOCKER) info >/dev/null 2>&1 && echo up),,$(error No Docker engine reachable ($(DOCKER) info failed): start one or set DOCKER_HOST))

python-pkg-refresh: docker-engine ## re-resolve uv.lock inside the image (smoke-tested), copy it out
	@echo ">> Update python packages in container image"
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target smoke-test --build-arg PYTHON_PKG_VERSIONS=refresh \
		--tag $(TARGET_IMAGE_NAME):$@ .
	@echo ">> Copy the new uv.lock with updated package versions; remove the container and the image"
	@cid=$$($(DOCKER) create $(TARGET_IMAGE_NAME):$@) || exit 1; \
	$(DOCKER) cp "$$cid:/src/uv.lock" uv.lock; status=$$?; \
	$(DOCKER) rm "$$cid" >/dev/null; $(DOCKER) rmi $(TARGET_IMAGE_NAME):$@ >/dev/null; exit $$status

build: docker-engine ## build the target image from the pinned uv.lock
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target target-image --tag $(TARGET_IMAGE_NAME):$(IMAGE_TAG) .

smoke-test: docker-engine ## build the smoke-test stage (imports, providers get, DagBag), then remove it
	$(DOCKER) build $(DOCKER_BUILD_ARGS) --target smoke-test --tag $(TARGET_IMAGE_NAME):$@ .
	$(DOCKER) rmi $(TARGET_IMAGE_NAME):$@
