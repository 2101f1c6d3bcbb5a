"""Generate the sample organisation: AWS data in AWS's own formats, for the local backend.

The data tells one story across sources (see :mod:`opsbook.sample.org`): CUR 2.0 Parquet, CloudWatch
Logs exports and Firehose subscription records, Metric Streams JSON, alarms and their history,
CloudTrail log files, AWS Health events, and ALB access logs and VPC flow logs in S3. It is deterministic for a given ``as_of``, ``scale``
and ``seed``, and written to a temporary folder that replaces the destination only when complete.

The generator never writes over data it did not write: the destination must be absent, empty, or
a sample it generated before (marked by ``.opsbook-sample``, which lists what it wrote). A folder
holding anything else -- a user's own exports, say, with ``data_dir`` pointed at them -- is
refused with an error naming it, and nothing in it is touched.

Examples
--------
>>> import datetime as dt, tempfile
>>> facts = generate(tempfile.mkdtemp() + "/sample", as_of=dt.date(2026, 11, 15), parts=("incident",))
>>> facts["as_of"]
'2026-11-15'
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from opsbook import clock
from opsbook.backends import layout
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.readme import render_readme

__all__ = ["EXTRA_PARTS", "PARTS", "check_destination", "generate", "parse_parts"]

PARTS = ("cur", "logs", "metrics", "incident", "slos", "s3logs", "traces", "canaries")
#: Parts written only when asked for: the traces as Transaction Search spans instead of X-Ray's.
EXTRA_PARTS = ("spans",)
MAX_SCALE = 10_000.0
FACTS_FILE = layout.SAMPLE_FACTS
#: Top-level entries of samples written before the marker existed (recognised by content).
_UNMARKED_SAMPLE = frozenset(
    {"cur", "logs", "metrics", "alarms", "cloudtrail", "health", layout.SLOS, FACTS_FILE,
     layout.SAMPLE_README}
)  # fmt: skip


def generate(
    dest: str | Path,
    *,
    as_of: dt.date | None = None,
    scale: float = 1.0,
    seed: int = 7,
    parts: Iterable[str] = PARTS,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> dict[str, Any]:
    """Write the sample organisation to ``dest`` and return what was written.

    Parameters
    ----------
    dest
        Folder to (re)create, e.g. ``data/sample``. It is replaced only once every part is written.
    as_of
        UTC date that ends the data (exclusive); defaults to today in UTC.
    scale
        Volume multiplier (rows, events, series), for benchmarks; 1 is a few hundred thousand rows.
    seed
        Random seed; the same inputs give the same data.
    parts
        Which parts to write: any of ``cur``, ``logs``, ``metrics``, ``incident``, ``slos``,
        ``s3logs`` (ALB access logs and VPC flow logs in the S3 keys AWS writes), ``traces``
        (X-Ray), ``canaries`` (CloudWatch Synthetics); and, only when named, ``spans`` (the
        traces as Transaction Search spans in the ``aws/spans`` log group).
    progress
        Called with a line of text as each part finishes.
    jobs
        Parts written at once, each in a process of its own (the parts are independent, and the
        same whichever process writes them). Default: the number of cores at scale 1 or less,
        one at a time above it (to bound memory).

    Returns
    -------
    dict
        The facts per part (counts, files, injected events), also saved as ``sample.json``.

    Raises
    ------
    ConfigurationError
        For a bad scale, seed, date or part name.
    """
    as_of = as_of or clock.today()
    chosen = parse_parts(parts)
    _check_scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigurationError(f"bad seed {seed!r}: expected a whole number >= 0")
    story = org.timeline(as_of)
    dest = Path(dest)
    check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A folder of our own beside the destination (never a fixed name a user's folder could have).
    work = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.tmp"
    work.mkdir()
    facts: dict[str, Any] = {
        "company": org.COMPANY,
        "as_of": as_of.isoformat(),
        "scale": scale,
        "seed": seed,
        "parts": list(chosen),
    }
    jobs = jobs or ((os.cpu_count() or 1) if scale <= 1 else 1)
    try:
        for part, written in _write_parts(chosen, work, story, scale, seed, jobs):
            facts[part] = written
            if progress:
                progress(f"{part}: written in {written['seconds']:.1f} s")
        parts = {part: facts.pop(part) for part in chosen}
        facts |= parts  # the parts in write order, whichever finished first
        (work / FACTS_FILE).write_text(json.dumps(facts, indent=2, default=str) + "\n")
        (work / layout.SAMPLE_README).write_text(render_readme(facts, story))
        written = sorted(entry.name for entry in work.iterdir())
        marker = {"written_by": "opsbook sample generate", "entries": written}
        (work / layout.SAMPLE_MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _replace(work, dest)
    return facts


def parse_parts(parts: Iterable[str] | str) -> tuple[str, ...]:
    """Return the parts named in ``parts`` (a list or a comma-separated string), in write order.

    Examples
    --------
    >>> parse_parts("metrics,cur")
    ('cur', 'metrics')
    """
    names = [p.strip() for p in (parts.split(",") if isinstance(parts, str) else parts)]
    unknown = sorted(set(names) - set(PARTS) - set(EXTRA_PARTS))
    if unknown or not names:
        raise ConfigurationError(
            f"unknown sample part {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join((*PARTS, *EXTRA_PARTS))}"
        )
    return tuple(p for p in (*PARTS, *EXTRA_PARTS) if p in names)


def _check_scale(scale: float) -> None:
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
        raise ConfigurationError(
            f"bad scale {scale!r}: expected a number above 0 and at most {MAX_SCALE:g} "
            "(1 is the default size; about 170 gives 50 million CUR rows)"
        )


def check_destination(dest: Path) -> None:
    """Raise unless ``dest`` is absent, empty, or a sample this generator wrote (and only that).

    Examples
    --------
    >>> import tempfile
    >>> mine = Path(tempfile.mkdtemp())
    >>> _ = (mine / "invoices.csv").write_text("my own data")
    >>> check_destination(mine)
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: refusing to write the sample into ... it holds invoices.csv, which opsbook did not write. Give an empty or new folder (opsbook sample generate --dest data/sample)
    """
    if not dest.exists():
        return
    if not dest.is_dir():
        raise ConfigurationError(
            f"refusing to write the sample into {dest}: it is a file, not a folder. "
            "Give a new folder (opsbook sample generate --dest data/sample)"
        )
    foreign = sorted(set(_entries(dest)) - _ours(dest))
    if foreign:
        shown = ", ".join(foreign[:5]) + (
            f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        )
        raise ConfigurationError(
            f"refusing to write the sample into {dest}: it holds {shown}, which opsbook did not "
            "write. Give an empty or new folder (opsbook sample generate --dest data/sample)"
        )


def _entries(folder: Path) -> list[str]:
    try:
        return [entry.name for entry in folder.iterdir()]
    except OSError as error:
        raise ConfigurationError(
            f"cannot read {folder} ({error.strerror}): give a folder opsbook may read and write"
        ) from None


def _ours(dest: Path) -> set[str]:
    """Return what a previous generation wrote into ``dest``: its marker's list, or by content."""
    marker = dest / layout.SAMPLE_MARKER
    try:
        if marker.is_file():
            return {*json.loads(marker.read_text())["entries"], layout.SAMPLE_MARKER}
        facts = json.loads((dest / FACTS_FILE).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return set(_UNMARKED_SAMPLE) if facts.get("company") == org.COMPANY else set()


def _replace(work: Path, dest: Path) -> None:
    """Swap the finished folder in, so a failed generation never leaves half a sample behind.

    Only a destination :func:`check_destination` accepted is moved aside and removed.
    """
    old = work.with_name(work.name[: -len(".tmp")] + ".old")
    if dest.exists():
        dest.rename(old)
    work.rename(dest)
    shutil.rmtree(old, ignore_errors=True)


# Per part: its writer in ``opsbook.sample.<part>`` (imported when used, so generating one part
# does not load the others' dependencies) and the options it takes. The SLO spec of the sample's
# services is the same at any scale or seed; one incident's alarms, changes, health events, traces
# and canary runs have nothing to scale (alarm thresholds are absolute, so the history is
# evaluated on the scale 1 metrics).
_WRITERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "cur": ("write_cur", ("scale", "seed")),
    "logs": ("write_logs", ("scale", "seed")),
    "metrics": ("write_metrics", ("scale", "seed")),
    "incident": ("write_incident_context", ("seed",)),
    "slos": ("write_slos", ()),
    "s3logs": ("write_s3_logs", ("scale", "seed")),
    "traces": ("write_traces", ("seed",)),
    "canaries": ("write_canaries", ("seed",)),
    "spans": ("write_spans", ("seed",)),
}


#: The parts that take longest at scale 1, started first when parts are written in parallel.
_LONGEST = ("logs", "metrics", "canaries", "s3logs", "cur")


def _write_parts(
    chosen: tuple[str, ...], root: Path, story: org.Timeline, scale: float, seed: int, jobs: int
) -> Iterator[tuple[str, Any]]:
    """Yield each part and its facts (with the seconds it took) as it is written."""
    if jobs <= 1 or len(chosen) <= 1:
        for part in chosen:
            yield part, _timed_part(part, root, story, scale=scale, seed=seed)
        return
    order = sorted(chosen, key=lambda part: _LONGEST.index(part) if part in _LONGEST else 99)
    with ProcessPoolExecutor(max_workers=min(jobs, len(chosen))) as pool:
        futures = {
            pool.submit(_timed_part, part, root, story, scale=scale, seed=seed): part
            for part in order
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


def _timed_part(part: str, root: Path, story: org.Timeline, *, scale: float, seed: int) -> Any:
    started = time.perf_counter()
    facts = _write_part(part, root, story, scale=scale, seed=seed)
    facts["seconds"] = round(time.perf_counter() - started, 2)
    return facts


def _write_part(part: str, root: Path, story: org.Timeline, *, scale: float, seed: int) -> Any:
    name, takes = _WRITERS[part]
    writer = getattr(importlib.import_module(f"{__name__}.{part}"), name)
    options = {"scale": scale, "seed": seed}
    return writer(root, story, **{option: options[option] for option in takes})
