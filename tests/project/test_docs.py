"""Every docstring example in the library runs (sqlglot's tests/test_docs.py is the model).

Each module's doctests run as one test, so an example that rots fails here, naming the module.
Examples that need data or AWS are marked ``# doctest: +SKIP`` where they are written.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tempfile
from pathlib import Path

import opsbook
import pytest

MODULES = sorted(info.name for info in pkgutil.walk_packages(opsbook.__path__, prefix="opsbook."))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_every_module_is_collected() -> None:
    assert len(MODULES) > 100 and "opsbook.clock" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Examples that write (tempfile.mkdtemp()) write into the test's own folder.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
