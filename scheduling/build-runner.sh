#!/usr/bin/env bash
# Build the report runner into a virtual environment: the same steps the Dockerfile runs, so CI
# checks them on machines without a Docker engine.   usage: scheduling/build-runner.sh VENV_DIR
# It installs exactly the locked runtime packages (uv.lock, no development tools), then opsbook.
set -euo pipefail
venv="${1:?usage: build-runner.sh VENV_DIR}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
uv="$(bash "$here/scheduling/bootstrap-uv.sh" "$tools/uv")"
cd "$here"
# Bytecode compiled at build time: each container starts afresh, and its kernel would otherwise
# compile pandas, plotly and IPython from source on every run (seconds per notebook).
UV_PROJECT_ENVIRONMENT="$venv" UV_PYTHON="${PYTHON:-python3}" UV_PYTHON_DOWNLOADS=never \
  "$uv" sync --locked --no-editable --compile-bytecode --quiet
"$venv/bin/python" -c "from opsbook.runner import ensure_kernel; ensure_kernel()"
# Smoke test: the CLI starts, reads the project's suites and notebooks, and lists parameters.
"$venv/bin/opsbook" params notebooks/sample-overview.ipynb >/dev/null
echo "runner built in $venv"
