# Two commands do all set-up: `make run` (install + the whole pipeline on the sample reports)
# and `make test` (install + the whole test suite). Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test install prepare dev docs lint clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip
	$(PY) -m pip install -q uv
	# bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set (it is on some of our
	# machines) every process would otherwise compile dagster, dbt and GX from source again,
	# ~7 s of each pipeline run (bench/RESULTS.md (6))
	$(BIN)/uv pip install -q --compile-bytecode -p $(PY) -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# dagster-dbt loads the dbt manifest at import time; build it first.
prepare: install
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

run: prepare $(DAGSTER_HOME)/dagster.yaml
	mkdir -p data/inbox
	cp seeds/reports/* data/inbox/
	# every report year, 2019 to this year, as one run over the range of year partitions
	$(BIN)/dagster job execute -m orchestration.definitions -j warehouse_job \
	  --tags '{"dagster/asset_partition_range_start": "2019", "dagster/asset_partition_range_end": "'$$(date +%Y)'"}'
	@echo "published: $$(readlink data/published/latest)"

# Two processes (the machine's two cores): the suite's wall time is dominated by waiting on
# subprocesses and on the live Dagster instance, which the other process fills with work.
test: prepare
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder

dev: prepare $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

docs: prepare
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir .

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf data dbt_project/target
