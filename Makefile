# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
SURGE  := $(VENV)/bin/surge
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: demo test lint browser bench install clean

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
ROBUST   := examples/uav-france-robust.yaml

# The main job on the bundled example: check, plan, verify, risk, report.
demo: $(STAMP)
	@mkdir -p $(DEMO_OUT)
	$(SURGE) check --quiet $(DEMO)
	$(SURGE) plan $(DEMO) -o $(DEMO_OUT)/plan.json
	$(SURGE) verify $(DEMO) $(DEMO_OUT)/plan.json
	$(SURGE) risk $(DEMO) $(DEMO_OUT)/plan.json --runs 10000 --seed 7 -o $(DEMO_OUT)/risk.json
	$(SURGE) report $(DEMO) $(DEMO_OUT)/plan.json --risk $(DEMO_OUT)/risk.json --explain -o $(DEMO_OUT)/report.html
	$(SURGE) track $(DEMO) $(DEMO_OUT)/plan.json examples/uav-france-week8.yaml
	$(SURGE) replan $(DEMO) $(DEMO_OUT)/plan.json examples/uav-france-week8.yaml --freeze 2 --rolled $(DEMO_OUT)/rolled-week8.yaml -o $(DEMO_OUT)/replan-week8.json
	$(SURGE) replan $(DEMO) $(DEMO_OUT)/plan.json examples/uav-france-week8.yaml --freeze 2 --stability 1 -o $(DEMO_OUT)/replan-week8-stable.json
	$(SURGE) report $(DEMO) $(DEMO_OUT)/plan.json --actuals examples/uav-france-week8.yaml -o $(DEMO_OUT)/report-week8.html
# A plan that holds: the robust variant's deterministic optimum and its 90% plan side by
# side (docs/robust.md); fewer runs in the search than `surge plan` uses by default.
	$(SURGE) plan $(ROBUST) --target-on-time 0.9 --runs 300 --check-runs 5000 --max-steps 12 --cluster local:2 -o $(DEMO_OUT)/plan-90.json --frontier $(DEMO_OUT)/frontier-90.json
	$(SURGE) verify $(ROBUST) $(DEMO_OUT)/plan-90.json
	$(SURGE) report $(ROBUST) $(DEMO_OUT)/plan-90.json --frontier $(DEMO_OUT)/frontier-90.json -o $(DEMO_OUT)/report-90.html
	@echo "open $(DEMO_OUT)/report.html and $(DEMO_OUT)/report-90.html"

# Style and types: ruff (pyflakes, pycodestyle, isort, bugbear, pyupgrade, NumPy, complexity)
# and mypy with every function typed; both configured in pyproject.toml.
lint: $(TSTAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

# Debian's chromium for browser tests; skipped (with a note) without apt-get or root.
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	    apt-get update -qq && apt-get install -y -qq chromium; } || \
	  echo "chromium not installed (needs apt-get as root); browser tests will be skipped"

# Lint and types first, then the tests and the doctests of src/.
test: lint browser
	$(PY) -m pytest -q -n 2 --dist loadfile --doctest-modules src tests

bench: $(TSTAMP)
	$(PY) benchmarks/bench_plan.py --reference --workers 1,2,4
	$(PY) benchmarks/bench_risk.py
	$(PY) benchmarks/bench_verify.py
	$(PY) benchmarks/bench_service.py
	$(PY) benchmarks/bench_ui.py
	$(PY) benchmarks/bench_robust.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
