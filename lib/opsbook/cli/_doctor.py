"""``opsbook doctor``: check that the configured backend has what the notebooks need.

Each check says PASS or FAIL and, when it fails, what to do. A check that cannot run because an
earlier one failed says SKIPPED with the reason, never PASS. Python and the kernel are checked
here; the rest by the backend (its ``doctor`` module, :class:`opsbook.backends.contract.Doctor`).
Nothing is changed anywhere: on AWS every call is a read (``sts:GetCallerIdentity``,
``athena:GetWorkGroup``, ``glue:GetTable`` ...).

Examples
--------
>>> from opsbook.settings import resolve
>>> checks = run_checks(resolve())  # doctest: +SKIP
>>> [c.status for c in checks]  # doctest: +SKIP
['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']
"""

from __future__ import annotations

import sys
from pathlib import Path

from opsbook.backends import backend
from opsbook.backends.checks import FAIL, PASS, SKIPPED, Check
from opsbook.settings import Settings

__all__ = ["FAIL", "PASS", "SKIPPED", "Check", "format_checks", "run_checks"]


def run_checks(settings: Settings) -> list[Check]:
    """Run Python's and the kernel's checks, then the configured backend's, in order."""
    return [_python(), _kernel(), *backend(settings).doctor.checks(settings)]


def format_checks(checks: list[Check]) -> str:
    """Return the checks as an aligned text table (check, status, detail, fix)."""
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.name:<{width}}  {check.status:<7}  {check.detail}")
        if check.fix and check.status != PASS:
            lines.append(f"{'':<{width}}  {'':<7}  fix: {check.fix}")
    return "\n".join(lines)


def _python() -> Check:
    # The package requires 3.11, so an older Python never gets this far: report which one runs.
    version = ".".join(map(str, sys.version_info[:3]))
    return Check("python", PASS, f"Python {version} at {sys.executable}")


def _kernel() -> Check:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from opsbook.runner import KERNEL_NAME

    fix = "run `make install` (it installs the opsbook kernel into the environment)"
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        return Check("kernel", FAIL, f"no Jupyter kernel named {KERNEL_NAME!r}", fix)
    if not Path(spec.argv[0]).exists():
        return Check("kernel", FAIL, f"kernel {KERNEL_NAME!r} runs a missing {spec.argv[0]}", fix)
    return Check("kernel", PASS, f"{spec.display_name} runs {spec.argv[0]}")
