"""The doctor's checks of a data folder, run once per pytest session and shared by its workers.

On the local backend ``opsbook doctor`` reads every file of the data folder (seconds of CPU), and
several test files check the pinned sample with the same settings (the contract's parity test,
the command line's). :func:`checks` returns ``backend(settings).doctor.checks(settings)``: the
first call of the session for these settings runs it, while xdist workers wait for one another on
a file lock in the session's folder (as :mod:`support.reports`); later calls, from any worker,
read its checks.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
from pathlib import Path

from opsbook.backends import backend
from opsbook.backends.checks import Check
from opsbook.settings import Settings

from support.reports import SESSION


def checks(settings: Settings) -> list[Check]:
    """``backend(settings).doctor.checks(settings)``, run once a session for these settings.

    Settings are the same when every value but ``output_dir`` is (where a value came from does
    not matter): the doctor writes no report, and ``output_dir`` defaults to a folder of the
    working directory, each test's own.
    """
    values = [(key, value) for key, value, _ in settings.describe() if key != "output_dir"]
    key = hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()[:12]
    home = Path(os.environ[SESSION]) / "doctor-runs"
    home.mkdir(parents=True, exist_ok=True)
    done = home / f"{key}.json"
    with open(home / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            found = backend(settings).doctor.checks(settings)
            done.write_text(json.dumps([dataclasses.asdict(check) for check in found]))
    return [Check(**check) for check in json.loads(done.read_text())]
