"""The test session's shared fixtures and hooks: the generated sample organisation, moto on
loopback, a clean environment. The root ``conftest.py`` loads it for every run, whatever paths it
is given.

The sample is generated when first needed and cached under ``.pytest_cache``, keyed by the
generator's source and date: it is pinned to 2026-11-15 (``sample_dir``), so no test depends on
today's date. The notebooks nbval runs with their default parameters ("the last closed month",
"the last hour") read it too (``OPSBOOK_DATA_DIR``), at :data:`PINNED_NOW` (``OPSBOOK_NOW`` in the
kernels nbval starts). ``--notebooks-today`` (``make test-dates``, under faketime) runs them as
`make report` does on the date the clock gives instead: on a second sample ending that day.
Reports go to a temporary folder that is removed at the end of the session.

Tests that reach moto (``aws_env``) run at :data:`PINNED_NOW`, the morning after the pinned
sample's last day: time-machine moves this process's clock, so the in-process moto server accepts
the sample's events as recent (CloudWatch refuses log events older than 14 days), and
``OPSBOOK_NOW`` pins the clock of the kernels those tests start, so all three agree.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 15)
SEED = 7
#: The moment tests that need a fixed "now" run at: the morning after the pinned sample ends.
PINNED_NOW = "2026-11-15T06:00:00Z"


def _sample_key(as_of: dt.date) -> str:
    digest = hashlib.sha256(f"{as_of}:{SEED}".encode())
    for path in sorted((ROOT / "lib" / "opsbook" / "sample").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_sample(as_of: dt.date = AS_OF, parts: tuple[str, ...] = ()) -> Path:
    """Generate (or reuse) the sample organisation as of ``as_of`` and return its folder.

    ``parts`` names the parts to write, in a folder of their own, when not the default ones.
    """
    from opsbook.sample import FACTS_FILE, generate

    home = ROOT / ".pytest_cache" / "opsbook-sample"
    key = "-".join((_sample_key(as_of), *parts))
    cache = home / key
    home.mkdir(parents=True, exist_ok=True)
    # Processes that need the same sample wait for one another instead of generating it twice;
    # two different samples are generated side by side (a lock each).
    with open(home / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / FACTS_FILE).is_file():
            keep = {_sample_key(AS_OF), _sample_key(_today())}
            for stale in home.iterdir():
                # (a sample being generated is written to ".<key>.<random>.tmp" beside it)
                if stale.is_dir() and not any(name in stale.name for name in keep):
                    shutil.rmtree(stale, ignore_errors=True)
            generate(cache, as_of=as_of, seed=SEED, **({"parts": parts} if parts else {}))
    return cache


def _today() -> dt.date:
    from opsbook import clock

    return clock.today()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--notebooks-today",
        action="store_true",
        help="nbval runs the notebooks at the clock's date on a sample ending that day "
        "(make test-dates), not at the pinned moment on the pinned sample",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    from opsbook.runner import ensure_kernel

    ensure_kernel()  # notebooks name the "opsbook" kernel; nbval starts it
    if not hasattr(config, "workerinput"):
        # One folder for the session's tmp_path folders (xdist gives each worker one below) and
        # its reports, outside the project (settings look for opsbook.toml upwards) and removed
        # when the session ends: the suite leaves nothing in the system temp folder.
        session = Path(tempfile.mkdtemp(prefix="opsbook-tests-"))
        config._opsbook_session_dir = session  # type: ignore[attr-defined]
        if config.option.basetemp is None:
            config.option.basetemp = str(session / "tmp")
        os.environ["OPSBOOK_OUTPUT_DIR"] = str(session / "reports")
        # what the workers share: report runs (support.reports)
        os.environ["PYTEST_OPSBOOK_SESSION"] = str(session)
        # and one cache_dir (``sample_cache``): the kernels, report runs and tests that resolve
        # their settings decode the sample into it once, not into the project's data/cache too
        os.environ["OPSBOOK_CACHE_DIR"] = str(session / "sample-cache")
    os.environ["OPSBOOK_BACKEND"] = "local"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The kernels support.notebooks keeps for the next run (each worker its own).
    notebooks = sys.modules.get("support.notebooks")
    if notebooks is not None:
        notebooks.shutdown()


def pytest_unconfigure(config: pytest.Config) -> None:
    session = getattr(config, "_opsbook_session_dir", None)
    if session is not None:
        shutil.rmtree(session, ignore_errors=True)


MOTO_FIXTURES = frozenset({"aws_env", "moto_server"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Markers (pyproject.toml lists them), so a developer can run a fast subset (`-m "not kernel"`):
    # a test module that starts kernels or Chromium says so with `pytestmark`; notebooks collected
    # by nbval start a kernel; `moto` and `slow` follow from what a test uses.
    for item in items:
        if str(item.fspath).endswith(".ipynb"):
            item.add_marker(pytest.mark.kernel)
        if item.get_closest_marker("kernel") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        if MOTO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.moto)
    items.sort(key=_file_order(items))
    # Notebooks collected by nbval run with their default parameters ("the last closed month",
    # "the last hour") on the pinned sample at the pinned moment (_with_pinned_clock), or, with
    # --notebooks-today, on a sample ending today as `make report`'s does.
    notebooks = any(str(item.fspath).endswith(".ipynb") for item in items)
    pinned = any("sample_dir" in getattr(item, "fixturenames", ()) for item in items)
    today = _today() if config.getoption("notebooks_today") else AS_OF
    # Both samples now, the second worker starting with the other one: with --notebooks-today
    # the two are generated side by side rather than one after the other.
    wanted = [as_of for as_of, needed in ((today, notebooks), (AS_OF, pinned)) if needed]
    if int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 2:
        wanted.reverse()
    for as_of in dict.fromkeys(wanted):
        ensure_sample(as_of)
    if notebooks:
        os.environ["OPSBOOK_DATA_DIR"] = str(ensure_sample(today))
    if notebooks and not config.getoption("notebooks_today"):
        # nbval starts a notebook's kernel in the notebook's setup: the clock is set around it
        for notebook in {item.parent for item in items if str(item.fspath).endswith(".ipynb")}:
            notebook.setup = _with_pinned_clock(notebook.setup)  # type: ignore[union-attr]


def _with_pinned_clock(start: Callable[[], None]) -> Callable[[], None]:
    """Wrap an nbval notebook's setup (where it starts the kernel): the kernel gets
    ``OPSBOOK_NOW`` = :data:`PINNED_NOW` (unless one is set already); this process keeps its own.

    A kernel that dies before its first reply is started once more: one fresh-clone run in three
    lost the first notebook's kernel so. nbval sends a kernel's stderr to /dev/null, so the log
    says only that it died; the likely cause is a port taken between jupyter_client picking it
    and the kernel binding it, while the other workers start kernels and servers of their own. A
    kernel that dies twice fails the notebook.
    """

    def setup() -> None:
        saved = os.environ.get("OPSBOOK_NOW")
        os.environ["OPSBOOK_NOW"] = saved or PINNED_NOW
        try:
            try:
                start()
            except RuntimeError as error:
                if "Kernel died before replying" not in str(error):
                    raise
                start()
        finally:
            if saved is None:
                del os.environ["OPSBOOK_NOW"]

    return setup


def _file_order(items: list[pytest.Item]):
    """Sort key: test files that start kernels first, then notebooks, then the quick files.

    xdist hands out whole files (``--dist loadfile``) in collection order (``--no-loadscope-
    reorder``; by default it sends files with more tests first, which left the kernel files, few
    tests of a minute each, for the end, one worker busy and the other idle). Within a group, files
    with more tests go first. A file's tests stay together and in their order (the sort is stable).
    """
    groups: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for item in items:
        name = str(item.path)
        group = 0 if item.get_closest_marker("kernel") else 2
        if name.endswith(".ipynb"):
            group = 1
        groups[name] = min(groups.get(name, 2), group)
        sizes[name] = sizes.get(name, 0) + 1
    return lambda item: (groups[str(item.path)], -sizes[str(item.path)], str(item.path))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The session's pinned sample organisation (as of 2026-11-15, seed 7)."""
    return ensure_sample(AS_OF)


@pytest.fixture(scope="session")
def sample_spans() -> Path:
    """The pinned sample's traces as Transaction Search spans (an export of the ``aws/spans`` log
    group: the ``spans`` part, written alone). Read only: copy what a test changes."""
    return ensure_sample(AS_OF, parts=("spans",))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No OPSBOOK_* settings and an empty working directory: settings see only defaults.

    The clock's pin (``OPSBOOK_NOW``, set by ``pinned_clock``) is not a setting and stays, so a
    test that runs at a pinned moment keeps it in the kernels it starts.
    """
    for name in list(os.environ):
        if name.startswith("OPSBOOK_") and name != "OPSBOOK_NOW":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def sample_cache() -> Path:
    """The session's ``cache_dir`` for the pinned sample, shared by its workers.

    The sample's Metric Streams, logs and S3 logs are decoded into it once a session, not once a
    test (a test that chdirs to its own folder would otherwise start with an empty ``data/cache``).
    Two processes may write it at once: the columnar copies and the CUR results are written to a
    temporary file renamed into place, so a reader sees a whole entry or none (a miss). It goes
    with the session's folder, so each session starts cold, as CI does. A test of the cache
    itself gives its own ``cache_dir``.
    """
    return Path(os.environ["PYTEST_OPSBOOK_SESSION"]) / "sample-cache"


@pytest.fixture
def local(sample_dir: Path, sample_cache: Path, clean_env: Path):
    """Settings of the local backend over the pinned sample, and nothing else (``clean_env``)
    but the session's cache (``sample_cache``)."""
    from opsbook.settings import resolve

    return resolve(backend="local", data_dir=str(sample_dir), cache_dir=str(sample_cache))


@pytest.fixture
def sample_logs(sample_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """A data folder holding a copy of the pinned sample's logs (a test may change its files),
    with the logs reader's in-process caches cleared before and after."""
    from opsbook.backends import layout
    from opsbook.backends.local import columnar, logfiles

    target = tmp_path / "data"
    shutil.copytree(sample_dir / layout.LOGS, target / layout.LOGS)
    logfiles.clear_cache()
    columnar.clear_memo()
    yield target
    logfiles.clear_cache()
    columnar.clear_memo()


@pytest.fixture
def moto_settings(aws_env: str, clean_env: Path):
    """Settings of the aws backend on the moto server (us-east-1), and nothing else."""
    from opsbook.settings import resolve

    return resolve(backend="aws", region="us-east-1")


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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the process's page checks (:class:`support.browser.Browser`)."""
    from support.browser import Browser

    opened = Browser()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test at :data:`PINNED_NOW`: this process (and its moto server) and its kernels."""
    import time_machine

    monkeypatch.setenv("OPSBOOK_NOW", PINNED_NOW)
    with time_machine.travel(PINNED_NOW, tick=True):
        yield PINNED_NOW


@pytest.fixture
def aws_env(moto_server: str, pinned_clock: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the standard boto3 chain at the moto server with throwaway credentials.

    The test runs at :data:`PINNED_NOW` (``pinned_clock``), the moment the seeded data is recent.
    Each AWS call is made once (``AWS_MAX_ATTEMPTS=1``; kernels inherit it): moto answers an
    operation it does not serve with a server error, which the aws backend's retry policy would
    retry with backoff, seconds of sleep a call. moto never throttles, so no test on it needs a
    retry; the tests of the retry policy (``backends/test_aws_clients.py``) set their own.
    """
    import requests
    from opsbook.backends.aws import reset

    requests.post(f"{moto_server}/moto-api/reset", timeout=10)
    reset()  # and the aws backend's clients, with whatever a test registered on them
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    return moto_server
