# opsbook — the two commands of the README, and their building blocks.
#   make report   install what is missing, generate the sample organisation if absent, run the daily suite
#   make test     install what is missing, run the whole test suite (ruff, notebook hygiene, pytest + nbval)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample/sample.json
STAMP  := $(VENV)/.installed

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: report test install sample lint bench clean browser

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

# Reinstalled whenever pyproject.toml changes; the kernel is bound to this environment.
$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -c "from opsbook.kernel import ensure_kernel; ensure_kernel()"
	touch $@

sample: $(SAMPLE)

$(SAMPLE): | $(STAMP)
	$(BIN)/opsbook sample generate

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
