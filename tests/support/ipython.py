"""Running IPython cells in tests as a notebook would."""

from __future__ import annotations

from IPython.core.interactiveshell import InteractiveShell


def run(ip: InteractiveShell, text: str) -> object:
    """Run a cell as a notebook would; return the exception it raised, or None."""
    result = ip.run_cell(text)
    return result.error_in_exec
