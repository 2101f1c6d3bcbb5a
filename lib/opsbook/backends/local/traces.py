"""X-Ray traces on the local backend: saved BatchGetTraces output, or Transaction Search spans.

``traces/batch-get-traces/YYYY/MM/DD/HH.json`` holds what BatchGetTraces returns for the traces
that started in that hour (``aws xray batch-get-traces`` over the ids GetTraceSummaries listed).
Without that folder, the OpenTelemetry spans of the ``aws/spans`` log group (exported like any
other log group) are read through the Logs Insights engine and turned into the same segments
(:func:`opsbook.backends.xray_answers.traces_of_spans`), as the aws backend reads them when
the account stores its spans in CloudWatch Logs. ``attrs["read_from"]`` says which was read
(``source``, ``reason``).
The service graph and the trace summaries are computed from the traces as X-Ray computes them
(:mod:`opsbook.backends.xray_answers`), so they answer what GetServiceGraph and
GetTraceSummaries answer on AWS.

Examples
--------
>>> from opsbook.settings import resolve
>>> import pandas as pd
>>> read_service_graph(resolve(), pd.Timestamp("2026-11-14T14:00Z"),
...                    pd.Timestamp("2026-11-14T15:00Z"))  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from opsbook.backends import layout
from opsbook.backends.contract import Traces, contract_functions
from opsbook.backends.local import HINT, data_dir, logs, read_json
from opsbook.backends.local._reading import Malformed, Reading
from opsbook.backends.xray_answers import (
    SPANS_QUERY,
    hours_of,
    in_window,
    segments_frame,
    service_graph_frame,
    spans_ranges,
    started,
    summaries_frame,
    traces_of_spans,
)
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = contract_functions(Traces)

#: Where the traces were read from (``attrs["read_from"]``): saved BatchGetTraces, or spans.
FILES, SPANS = f"{layout.TRACES}/batch-get-traces", layout.SPANS_GROUP


def _traces(settings: Settings, hours: Sequence[pd.Timestamp], reading: Reading) -> list[dict]:
    """Return the traces started in ``hours`` (BatchGetTraces items), from files or spans."""
    folder = data_dir(settings)
    wanted = sorted(set(hours))
    if _read_from(settings) == SPANS:
        return _from_spans(settings, wanted, reading)
    traces: list[dict] = []
    for hour in wanted:
        path = folder / layout.trace_batch(f"{hour:{layout.TRACE_HOUR}}")
        if path.exists() or path.is_symlink():
            traces += reading.read(path, _hour) or []
    return traces


def _read_from(settings: Settings) -> str:
    """Return where the traces are: saved BatchGetTraces output first, else exported spans."""
    folder = data_dir(settings)
    if (folder / layout.TRACES).is_dir():
        return FILES
    if (folder / layout.export_task(layout.SPANS_GROUP, "")).is_dir():
        return SPANS
    raise NoDataError(
        f"no {layout.TRACES}/ folder and no {layout.SPANS_GROUP} log group under {folder}: {HINT}"
    )


def _from_spans(settings: Settings, hours: list[pd.Timestamp], reading: Reading) -> list[dict]:
    """Return the traces of the spans logged in ``hours`` (and a little after), as BatchGetTraces."""
    messages: list[str] = []
    for first, last in spans_ranges(hours):
        # An export's folders drop a group's leading slash; the local engine names groups with one.
        found = logs.query(settings, SPANS_QUERY, [f"/{layout.SPANS_GROUP}"], first, last)
        reading.skipped += [s for s in found.attrs.get("skipped", []) if s not in reading.skipped]
        messages += found["@message"].tolist()
    return traces_of_spans(messages, hours)


def _hour(path: Path) -> list[dict]:
    """Return an hour file's traces, parsed once per process while the file is unchanged.

    A triage reads the same hours three times (window and baseline graphs, the faulted traces);
    the traces are shared, never modified.
    """
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=96)
def _parsed(path: str, mtime_ns: int, size: int) -> list[dict]:
    saved = read_json(Path(path))
    if not isinstance(saved, dict) or not isinstance(saved.get("Traces"), list):
        raise Malformed("not a BatchGetTraces answer (no Traces list)")
    return saved["Traces"]


def _in_window(
    settings: Settings, start: pd.Timestamp, end: pd.Timestamp, reading: Reading
) -> list[dict]:
    """Return the saved traces whose id says they started in ``[start, end)``."""
    return in_window(_traces(settings, hours_of(start, end), reading), start, end)


def _marked(settings: Settings, reading: Reading, frame: pd.DataFrame) -> pd.DataFrame:
    source = _read_from(settings)
    reason = ("saved BatchGetTraces output" if source == FILES
              else f"no {layout.TRACES}/ folder: the exported {layout.SPANS_GROUP} log group")  # fmt: skip
    frame.attrs["read_from"] = {"source": source, "reason": reason}
    return reading.mark(frame)


def read_service_graph(settings: Settings, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Return the edges X-Ray's service graph shows for the traces started in the window."""
    reading = Reading.of(settings)
    traces = _in_window(settings, start, end, reading)
    return _marked(settings, reading, service_graph_frame(traces, start, end))


def read_trace_summaries(
    settings: Settings,
    start: pd.Timestamp,
    end: pd.Timestamp,
    filter_expression: str | None,
) -> pd.DataFrame:
    """Return the summaries of the traces started in the window that pass the filter."""
    reading = Reading.of(settings)
    traces = _in_window(settings, start, end, reading)
    return _marked(settings, reading, summaries_frame(traces, filter_expression))


def read_traces(settings: Settings, trace_ids: Sequence[str]) -> pd.DataFrame:
    """Return the segments of the traces (each found in the file of the hour its id names)."""
    reading = Reading.of(settings)
    hours = [started({"Id": i}).floor("h") for i in dict.fromkeys(trace_ids)]
    traces = _traces(settings, hours, reading)
    return _marked(settings, reading, segments_frame(traces, trace_ids))
