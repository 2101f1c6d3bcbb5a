#!/usr/bin/env bash
# Build the report runner into a virtual environment: the same steps the Dockerfile runs, so CI
# checks them on machines without a Docker engine.   usage: scheduling/build-runner.sh VENV_DIR
set -euo pipefail
venv="${1:?usage: build-runner.sh VENV_DIR}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "$here"
"$venv/bin/python" -c "from opsbook.kernel import ensure_kernel; ensure_kernel()"
# Smoke test: the CLI starts, reads the project's suites and notebooks, and lists parameters.
cd "$here"
"$venv/bin/opsbook" params notebooks/sample-overview.ipynb >/dev/null
echo "runner built in $venv"
