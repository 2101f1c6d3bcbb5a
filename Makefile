# opsbook — the two commands of the README, and their building blocks.
#   make report       install what is missing, generate the sample organisation if absent, run the daily suite
#   make test         install what is missing, run the whole test suite (ruff, notebook hygiene, pytest + nbval)
# and for maintainers:
#   make lock         refresh uv.lock to the newest releases pyproject.toml allows
#   make test-latest  the suite on the newest releases, in a throwaway environment (not in CI)
#   make test-dates   the suite at a month end, a year end and a far date, under faketime
# Installs come from uv.lock only (`uv sync --locked`): every machine gets the same packages.
PYTHON ?= python3
VENV   ?= .venv
TOOLS  ?= .tools
BIN    := $(VENV)/bin
UV     := $(TOOLS)/uv/bin/uv
SAMPLE := data/sample/sample.json
STAMP  := $(VENV)/.installed
# uv uses this interpreter and never downloads one of its own.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Python keeps its bytecode caches even where PYTHONDONTWRITEBYTECODE is set (an empty value unsets
# it): generating the sample writes them for pandas, numpy and DuckDB, which the report's
# processes then load instead of compiling the same modules again (the kernels keep theirs anyway).
export PYTHONDONTWRITEBYTECODE :=

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The dates `make test-dates` runs the suite at (faketime's absolute form; the clock then ticks).
DATES  ?= 2027-02-28 23:50:00|2026-12-31 23:50:00|2028-06-15 12:00:00
DATE_TESTS := tests/core/test_clock.py tests/cost/test_spend.py tests/cost/test_edge_cases.py \
  tests/cost/test_aws.py tests/runner/test_suites.py tests/runner/test_reports.py \
  tests/incident/test_runbooks.py tests/incident/test_triage_aws.py tests/sources/test_logs.py \
  tests/metrics/test_metrics.py tests/backends/test_parity.py tests/slo/test_evaluate.py \
  notebooks runbooks

.PHONY: report test install sample lint bench clean browser lock test-latest test-dates faketime

report: $(STAMP) $(SAMPLE)
	$(BIN)/opsbook report run daily

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/nbstripout --verify $(wildcard notebooks/*.ipynb notebooks/*/*.ipynb runbooks/*.ipynb)
	$(BIN)/pytest

install: $(STAMP)

# Headless Chromium (Debian's package) for the tests that open the HTML reports in a browser.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

faketime:
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "installing Debian's faketime for make test-dates"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }

$(UV):
	bash scheduling/bootstrap-uv.sh $(TOOLS)/uv >/dev/null

# Reinstalled whenever the lock or pyproject.toml changes; the kernel is bound to this environment.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra dev --quiet
	$(BIN)/python -c "from opsbook.runner import ensure_kernel; ensure_kernel()"
	touch $@

lock: | $(UV)
	$(UV) lock --upgrade
	@echo "uv.lock refreshed: run make test, then commit it"

# The newest releases pyproject.toml allows, ignoring the lock and its constraints, installed by
# plain pip as a user without the lock would get them; the environment is thrown away afterwards.
test-latest: browser
	@latest="$$(mktemp -d)"; trap 'rm -rf "$$latest"' EXIT; \
	$(PYTHON) -m venv "$$latest" && \
	"$$latest/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]' && \
	"$$latest/bin/python" -m pip list --format=freeze > "$$latest/versions.txt" && \
	grep -iE '^(boto3|botocore|duckdb|moto|pandas|pyarrow|sqlglot|papermill)==' "$$latest/versions.txt"; \
	"$$latest/bin/python" -c "from opsbook.runner import ensure_kernel; ensure_kernel()" && \
	"$$latest/bin/pytest" -p no:cacheprovider

# The suite at three dates far apart, each in one faketime process tree (pytest, its moto server,
# every kernel and Chromium see the date). Tests that pin their own clock are unaffected by design.
# One test is left out: faketime also moves the monotonic clock, and a timed wait on it (the 0.3 s
# timer that interrupts a local query) then never ends; the ordinary run covers it.
# TEST_DATES_ARGS narrows it, e.g. to the tests that touch moto, the clock, months and notebooks:
#   make test-dates TEST_DATES_ARGS="$(DATE_TESTS)"
test-dates: $(STAMP) browser faketime
	@printf '%s\n' '$(DATES)' | tr '|' '\n' | while read -r when; do \
	  echo "== make test-dates: the suite at $$when UTC"; \
	  start=$$(date +%s); \
	  TZ=UTC faketime -f "@$$when" $(BIN)/pytest -q -p no:cacheprovider --notebooks-today $(TEST_DATES_ARGS) \
	    --deselect tests/sources/test_athena.py::test_a_long_local_query_is_stopped_at_the_timeout || exit 1; \
	  echo "== $$when: passed in $$(( $$(date +%s) - start )) s"; \
	done

sample: $(SAMPLE)

$(SAMPLE): | $(STAMP)
	$(BIN)/opsbook sample generate --dest data/sample

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(TOOLS) reports .pytest_cache .ruff_cache
