"""Shared fixtures: one generated sample organisation per test session, pinned to a date.

The sample is generated when first needed (by a test, or before notebooks run under nbval, whose
kernels read it through ``OPSBOOK_DATA_DIR``) and cached under ``.pytest_cache`` keyed by the
generator's source, so a second run does not pay for it again. Reports go to a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 15)
SEED = 7


def _sample_key() -> str:
    digest = hashlib.sha256(f"{AS_OF}:{SEED}".encode())
    for path in sorted((ROOT / "lib" / "opsbook" / "sample").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_sample() -> Path:
    """Generate (or reuse) the session's sample and point ``OPSBOOK_DATA_DIR`` at it."""
    from opsbook.sample import FACTS_FILE, generate

    cache = ROOT / ".pytest_cache" / "opsbook-sample" / _sample_key()
    cache.parent.mkdir(parents=True, exist_ok=True)
    # Sessions running side by side wait for one another instead of regenerating at once.
    with open(cache.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / FACTS_FILE).is_file():
            for stale in cache.parent.iterdir():
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
            generate(cache, as_of=AS_OF, seed=SEED)
    os.environ["OPSBOOK_DATA_DIR"] = str(cache)
    return cache


def pytest_configure(config: pytest.Config) -> None:
    from opsbook.kernel import ensure_kernel

    ensure_kernel()  # notebooks name the "opsbook" kernel; nbval starts it
    os.environ["OPSBOOK_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="opsbook-reports-")
    os.environ["OPSBOOK_BACKEND"] = "local"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if any(str(item.fspath).endswith(".ipynb") for item in items):
        ensure_sample()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The session's generated sample organisation (as of 2026-11-15, seed 7)."""
    return ensure_sample()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OPSBOOK_* variables and an empty working directory: settings see only defaults."""
    for name in list(os.environ):
        if name.startswith("OPSBOOK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 speaking the AWS APIs; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the standard boto3 chain at the moto server with throwaway credentials."""
    import requests

    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return moto_server
