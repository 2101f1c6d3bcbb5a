"""Shared fixtures: the generated sample organisation, moto on loopback, a clean environment.

Two samples are generated when first needed and cached under ``.pytest_cache``, keyed by the
generator's source and date: one pinned to 2026-11-15 for tests that assert exact figures
(``sample_dir``), and one ending today for the notebooks nbval runs with default parameters
(their kernels read it through ``OPSBOOK_DATA_DIR``). Reports go to a temporary folder.
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


def _sample_key(as_of: dt.date) -> str:
    digest = hashlib.sha256(f"{as_of}:{SEED}".encode())
    for path in sorted((ROOT / "lib" / "opsbook" / "sample").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_sample(as_of: dt.date = AS_OF) -> Path:
    """Generate (or reuse) the sample organisation as of ``as_of`` and return its folder."""
    from opsbook.sample import FACTS_FILE, generate

    home = ROOT / ".pytest_cache" / "opsbook-sample"
    cache = home / _sample_key(as_of)
    home.mkdir(parents=True, exist_ok=True)
    # Sessions running side by side wait for one another instead of regenerating at once.
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / FACTS_FILE).is_file():
            keep = {_sample_key(AS_OF), _sample_key(_today())}
            for stale in home.iterdir():
                if stale.is_dir() and stale.name not in keep:
                    shutil.rmtree(stale, ignore_errors=True)
            generate(cache, as_of=as_of, seed=SEED)
    return cache


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def pytest_configure(config: pytest.Config) -> None:
    from opsbook.kernel import ensure_kernel

    ensure_kernel()  # notebooks name the "opsbook" kernel; nbval starts it
    os.environ["OPSBOOK_OUTPUT_DIR"] = tempfile.mkdtemp(prefix="opsbook-reports-")
    os.environ["OPSBOOK_BACKEND"] = "local"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Notebooks collected by nbval run with their default parameters ("the last closed month",
    # "the last hour"), so their data ends today, as `make report`'s does; tests that assert exact
    # figures use the pinned sample (the `sample_dir` fixture) instead.
    if any(str(item.fspath).endswith(".ipynb") for item in items):
        os.environ["OPSBOOK_DATA_DIR"] = str(ensure_sample(_today()))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The session's pinned sample organisation (as of 2026-11-15, seed 7)."""
    return ensure_sample(AS_OF)


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
