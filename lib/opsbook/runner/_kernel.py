"""The Jupyter kernel reports run on: a fixed name, bound to the interpreter opsbook is installed in.

A fixed kernel name avoids papermill's classic ``NoSuchKernel`` and wrong-environment failures: the
kernelspec is written into this environment's prefix (``sys.prefix``), pointing at this interpreter.
Its kernels keep Python's bytecode caches even where ``PYTHONDONTWRITEBYTECODE`` is set (as in many
container images): every report and notebook test starts a kernel, and compiling pandas, plotly
and IPython from source again each time costs seconds per kernel.

Examples
--------
>>> ensure_kernel()
'opsbook'
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["KERNEL_NAME", "ensure_kernel"]

KERNEL_NAME = "opsbook"
DISPLAY_NAME = "Python (opsbook)"


def ensure_kernel() -> str:
    """Install or refresh the ``opsbook`` kernelspec of this environment and return its name."""
    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
        "env": {"PYTHONDONTWRITEBYTECODE": ""},  # empty: unset, for Python
    }
    path = folder / "kernel.json"
    text = json.dumps(spec, indent=1) + "\n"
    if not path.is_file() or path.read_text() != text:
        folder.mkdir(parents=True, exist_ok=True)
        # written beside it and renamed into place: a kernel starting meanwhile reads a whole spec
        draft = folder / f".kernel.{os.getpid()}.json"
        draft.write_text(text)
        draft.replace(path)
    return KERNEL_NAME
