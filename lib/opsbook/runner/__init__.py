"""Run notebooks headless and publish them: the machinery behind ``opsbook report``.

A suite (``suites.yaml``, :func:`load_suites`) names notebooks and their parameters;
:func:`run_suite` executes them on the ``opsbook`` kernel (:func:`ensure_kernel`), each through
:func:`execute_notebook` (parameters checked first, HTML exported, account ids masked when asked),
and writes ``summary.json`` and ``index.html``; :func:`notify` tells people about the run. Inside a
notebook, :func:`checked` checks the parameters papermill injected (by the rules
:func:`check_values` applies to ``opsbook report run -p`` too) and :func:`record` keeps a named
result and its kind (money, percent, count, ...) in the outputs, or a whole
:class:`~opsbook.present.Report` (:func:`read_records` and :func:`read_kinds` read them back); the published page never shows them (:mod:`opsbook.runner._export`), and
:func:`record_costs` records what its queries cost (the sources' :mod:`opsbook.queries.ledger`).

Examples
--------
>>> from opsbook import runner
>>> runner.redact_text("account 334455667788")
'account ********7788'
>>> run = runner.run_suite("daily", jobs=2)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsbook._lazy import lazy_attributes

# What a notebook's kernel imports (``from opsbook import record``, the cost cell) is imported
# now and is light; the rest (nbformat, papermill, nbconvert) only when first used.
from opsbook.runner._record import read_kinds, read_records, record, record_costs

if TYPE_CHECKING:
    from opsbook.runner._execute import (
        NotebookRun,
        Parameter,
        declared_parameters,
        execute_notebook,
        stop_kernels,
    )
    from opsbook.runner._kernel import KERNEL_NAME, ensure_kernel
    from opsbook.runner._notify import Message, NotificationError, notify
    from opsbook.runner._parameters import (
        check_values,
        checked,
        checks_arguments,
        parse_parameter,
    )
    from opsbook.runner._redact import redact_notebook, redact_text
    from opsbook.runner._reports import SuiteRun, run_notebook_once, run_suite
    from opsbook.runner._suites import Entry, Suite, load_suites

__all__ = [
    "KERNEL_NAME",
    "Entry",
    "Message",
    "NotebookRun",
    "NotificationError",
    "Parameter",
    "Suite",
    "SuiteRun",
    "check_values",
    "checked",
    "checks_arguments",
    "declared_parameters",
    "ensure_kernel",
    "execute_notebook",
    "load_suites",
    "notify",
    "parse_parameter",
    "read_kinds",
    "read_records",
    "record",
    "record_costs",
    "redact_notebook",
    "redact_text",
    "run_notebook_once",
    "run_suite",
    "stop_kernels",
]

__getattr__ = lazy_attributes(
    __name__,
    {
        "_execute": (
            "NotebookRun",
            "Parameter",
            "declared_parameters",
            "execute_notebook",
            "stop_kernels",
        ),
        "_kernel": ("KERNEL_NAME", "ensure_kernel"),
        "_notify": ("Message", "NotificationError", "notify"),
        "_parameters": ("check_values", "checked", "checks_arguments", "parse_parameter"),
        "_redact": ("redact_notebook", "redact_text"),
        "_reports": ("SuiteRun", "run_notebook_once", "run_suite"),
        "_suites": ("Entry", "Suite", "load_suites"),
    },
)


def __dir__() -> list[str]:
    return __all__
