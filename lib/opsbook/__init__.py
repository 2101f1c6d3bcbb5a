"""opsbook: AWS operations analytics and incident runbooks as Jupyter notebooks.

Sources (:mod:`opsbook.athena`, :mod:`opsbook.logs`, :mod:`opsbook.metrics`) answer questions on
the backend :mod:`opsbook.settings` selects: ``local`` (DuckDB over files in AWS's formats) or
``aws``. :mod:`opsbook.charts` draws, :mod:`opsbook.runner` runs notebooks headless and publishes
them; :func:`record` keeps a named result in a notebook's outputs for the runner to read, and
:func:`checked` (the first line of each notebook's setup cell) checks its parameters.

Examples
--------
>>> import opsbook
>>> opsbook.settings.resolve().backend in ("local", "aws")
True
"""

from __future__ import annotations

import time

#: When opsbook began importing: a runbook's run clock (``opsbook.incident.seconds_since_import``).
IMPORTED_AT = time.perf_counter()

# After the clock, so that it counts these imports.
from opsbook import errors, settings  # noqa: E402
from opsbook.errors import OpsbookError  # noqa: E402
from opsbook.runner import record  # noqa: E402
from opsbook.runner._parameters import checked  # noqa: E402

__all__ = ["OpsbookError", "__version__", "checked", "errors", "record", "settings"]

__version__ = "0.1.0"


def load_ipython_extension(ipython: object) -> None:
    """Register the analyst magics (``%load_ext opsbook``); see :mod:`opsbook.magics`."""
    from opsbook.magics import load_ipython_extension as load

    load(ipython)
