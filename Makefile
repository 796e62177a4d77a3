# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
SURGE  := $(VENV)/bin/surge
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test bench install clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python >= 3.11) on PATH, or run: make PYTHON=python3"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(TSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(STAMP)

install: $(STAMP)

DEMO     := examples/uav-france.yaml
DEMO_OUT := out/demo

# The main job on the bundled example: check, plan, verify, risk, report.
demo: $(STAMP)
	@mkdir -p $(DEMO_OUT)
	$(SURGE) check --quiet $(DEMO)
	$(SURGE) plan $(DEMO) -o $(DEMO_OUT)/plan.json
	$(SURGE) verify $(DEMO) $(DEMO_OUT)/plan.json
	$(SURGE) risk $(DEMO) $(DEMO_OUT)/plan.json --runs 10000 --seed 7 -o $(DEMO_OUT)/risk.json
	$(SURGE) report $(DEMO) $(DEMO_OUT)/plan.json --risk $(DEMO_OUT)/risk.json --explain -o $(DEMO_OUT)/report.html
	@echo "open $(DEMO_OUT)/report.html"

test: $(TSTAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: $(TSTAMP)
	$(PY) benchmarks/bench_plan.py
	$(PY) benchmarks/bench_risk.py
	$(PY) benchmarks/bench_service.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
