# Two commands matter: `make conformance` and `make test`. Everything else is what they run first.
SHELL := bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PROVIDER ?= simulated
# Scenarios side by side (pytest-xdist workers). Unset, `make conformance` lets the harness choose
# from the machine's free cores and memory (harness/workers.py; the run's first lines say why), while
# `make test`, `make unit` and `make features` run 2: the same schedule on every CI host whatever its
# load, so a failure can be rerun as it ran (on 2 cores `make conformance` took 8 min 4 s with 2
# workers, 11 min 3 s with 1). WORKERS=N sets N for all of them.
WORKERS ?=
CI_WORKERS := $(or $(WORKERS),2)
# Bytecode, pytest's rewritten step modules included, is cached under the venv, not beside the sources:
# the tree stays clean and no process rewrites every step module's asserts again (1.4 CPU s each,
# docs/performance.md). An empty PYTHONDONTWRITEBYTECODE undoes one a shell may have set.
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(abspath $(VENV))/pycache

.PHONY: setup toolchain test unit features docs docs-check conformance bench soak mutants mutants-ci clean help docker-engine docker-engine-down kind-image

help:
	@echo "make conformance  bring up a cluster (kind if Docker answers, else simulated), run the suite, write reports"
	@echo "make test         everything the project checks (unit tests, then features on the $(PROVIDER) cluster)"
	@echo "make setup        Python venv with the harness installed (run first by the others)"
	@echo "make toolchain    locate or build the cluster binaries into the cache"
	@echo "make docker-engine / docker-engine-down  start / stop a Docker engine on a Debian host without one (root)"
	@echo "make kind-image   build the offline kind node image and task images (no registry needed)"
	@echo "make bench        benchmarks on simulated clusters; IMPL=\"reference my-adapter.yaml\" side by side; BENCH_ARGS=--quick for a smoke run"
	@echo "make soak         the long reliability run: 30 app versions under 20 random controller SIGKILLs"
	@echo "make mutants      the kill matrix: every mutant of tests/mutants against the scenarios that must kill it; docs/mutants.md"
	@echo "make mutants-ci   the subset of the kill matrix that .ci/run runs"
	@echo "make clean        remove the venv, caches of this checkout and reports"

# The venv is rebuilt only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@echo "[setup] creating the Python venv in $(VENV) and installing the harness (first time: about a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed

toolchain: setup
	@$(PY) -m harness.cli toolchain

unit: setup
	$(PY) -m pytest tests -q -n $(CI_WORKERS)

features: setup toolchain
	$(PY) -m pytest steps -q -n $(CI_WORKERS) --provider=$(PROVIDER) $(ARGS)

# Unit tests, then the features on the $(PROVIDER) cluster; ARGS go to the features.
test: setup toolchain docs-check
	$(PY) -m pytest tests -q -rs -n $(CI_WORKERS)
	$(PY) -m pytest steps -q -rs -n $(CI_WORKERS) --provider=$(PROVIDER) $(ARGS)

docs: setup
	$(PY) -m harness.catalogue --write

docs-check: setup
	$(PY) -m harness.catalogue --check

# The main job: `promotion-conformance run` with its defaults (auto provider, reference controller,
# every profile, workers fitted to the machine), reports in reports/<run-id>/. Pass flags with ARGS, e.g. make conformance ARGS="--profile core";
# a PROVIDER given on the command line or in the environment picks the provider (PROVIDER=kind).
conformance: setup toolchain
	$(PY) -m harness.cli run $(if $(WORKERS),-n $(WORKERS)) $(if $(filter environment command line,$(origin PROVIDER)),--provider $(PROVIDER)) $(ARGS)

# Real kind clusters without a registry (README "Real kind clusters (offline)").
docker-engine: setup
	$(PY) -m harness.cli docker-engine up

docker-engine-down: setup
	$(PY) -m harness.cli docker-engine down

kind-image: setup
	$(PY) -m harness.cli kind-image build

# make test runs the same scenario shortened (6 versions, 5 kills).
soak: setup toolchain
	$(PY) -m pytest steps/test_reliability.py -q -k sigkills_at_random_moments -p no:cacheprovider --soak --provider=$(PROVIDER)

# The kill matrix (tests/mutants/matrix.yaml): each mutant against the scenarios that must kill it and
# its sentinels, the conformant variants and the reference; reports/mutants/<run-id>/, docs/mutants.md.
mutants: setup toolchain
	$(PY) tests/mutants/run_matrix.py $(ARGS)

mutants-ci: setup toolchain
	$(PY) tests/mutants/run_matrix.py --ci $(ARGS)

# IMPL: adapter files or built-in names, the first one the others are compared with, e.g.
# make bench IMPL="reference tests/mutants/variants/polling.yaml"
bench: setup toolchain
	$(PY) -m harness.cli bench $(foreach impl,$(IMPL),--impl $(impl)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
