"""Shared fixtures of the magics tests: one IPython shell for the process, with opsbook loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.testing.globalipapp import start_ipython
from opsbook import magics


@pytest.fixture(scope="session")
def shell() -> InteractiveShell:
    """The process's one test shell (IPython allows one; a second ``start_ipython`` is None)."""
    start_ipython()
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "opsbook")
    return ip


@pytest.fixture
def ip(
    shell: InteractiveShell, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("OPSBOOK_DATA_DIR", str(sample_dir))
    monkeypatch.setenv("OPSBOOK_BACKEND", "local")
    monkeypatch.setenv("OPSBOOK_CACHE_DIR", "off")
    magics.reset_session()
    shown: list[object] = []
    monkeypatch.setattr("opsbook.magics.commands.display", shown.append)
    shell.user_ns["shown"] = shown
    yield shell
    magics.reset_session()
