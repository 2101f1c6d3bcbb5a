"""The ``opsbook`` command: generate the sample organisation, run report suites, show settings.

Every expected failure is an :class:`~opsbook.errors.OpsbookError`, printed as one line saying
what to do, with exit status 2 for bad input or configuration and 1 for a failed run. ``opsbook
doctor`` checks that the configured backend has what the notebooks need.

Examples
--------
>>> from opsbook.cli import main
>>> main(["settings"])  # doctest: +SKIP
"""

from __future__ import annotations

from opsbook.cli._commands import main

__all__ = ["main"]
