#!/usr/bin/env bash
# Install the pinned uv (the installer that reads uv.lock) into a virtual environment of its own and
# print the path of its executable.   usage: scheduling/bootstrap-uv.sh TOOLS_DIR
# Its version is the one pyproject.toml's [tool.uv] required-version accepts; only pip and the
# Python standard library are needed, so a fresh machine with Python 3.11 can run it.
set -euo pipefail
UV_VERSION=0.13.9
tools="${1:?usage: bootstrap-uv.sh TOOLS_DIR}"
python="${PYTHON:-python3}"
if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi
echo "$tools/bin/uv"
