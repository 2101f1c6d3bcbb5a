"""X-Ray traces: which downstream call broke, and the traces that show it.

Three questions, each one call on either backend (on ``aws`` the Transaction Search spans of the
``aws/spans`` log group when the account sends its spans there, else X-Ray's APIs; on ``local``
saved BatchGetTraces output, or an export of ``aws/spans``):

- :func:`read_service_graph`: the service graph's edges (caller -> callee) with their requests,
  errors, faults, throttles and latency percentiles, over one window or per ``period``;
- :func:`read_trace_summaries`: the traces started in a window, optionally narrowed by an X-Ray
  filter expression (``fault``, ``service("payments-api") { fault }``, ``responsetime > 1``);
- :func:`read_traces`: the segments and subsegments of given traces, with their causes.

Examples
--------
>>> edges = read_service_graph("2026-11-14T14:00Z", "2026-11-14T15:00Z")  # doctest: +SKIP
>>> edges[["caller", "callee", "requests", "faults", "p99_ms"]]  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from opsbook import clock
from opsbook._docs import shared_params
from opsbook.backends import backend
from opsbook.backends.frames import service_edges_frame
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings, resolve

__all__ = ["read_service_graph", "read_trace_summaries", "read_traces"]

_TRACE_ID = re.compile(r"1-[0-9a-f]{8}-[0-9a-f]{24}")


@shared_params
def read_service_graph(
    start: clock.Moment,
    end: clock.Moment,
    *,
    period: clock.Duration | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the service graph's edges over ``[start, end)``, whole or per ``period``.

    Parameters
    ----------
    period
        Cut the window into windows this long (``"5min"``, ``"1h"``), an edge per window; None:
        one window.

    Returns
    -------
    pandas.DataFrame
        ``start``, ``end`` (the window), ``caller``, ``callee`` (``client`` calls the entry
        services), ``callee_type``, ``requests``, ``ok``, ``errors`` (4xx, throttles included),
        ``throttles``, ``faults`` (5xx), ``mean_ms``, ``p50_ms``, ``p90_ms``, ``p99_ms``.
        ``attrs["read_from"]`` says where the traces were read (``source``: ``xray``, saved
        BatchGetTraces files, or the ``aws/spans`` log group) and why (``reason``).

    Examples
    --------
    >>> read_service_graph("2026-11-14T14:00Z", "2026-11-14T15:00Z", period="15min")  # doctest: +SKIP
    """
    start_at, end_at = clock.window(start, end)
    settings = settings or resolve()
    step = end_at - start_at if period is None else clock.to_duration(period, "period")
    source = backend(settings).traces
    cuts = pd.date_range(start_at, end_at, freq=step, inclusive="left")
    frames = [source.read_service_graph(settings, a, min(a + step, end_at)) for a in cuts]
    edges = pd.concat(frames, ignore_index=True) if frames else service_edges_frame([])
    if frames and "read_from" in frames[0].attrs:
        edges.attrs["read_from"] = frames[0].attrs["read_from"]
    for key in ("skipped", "notes"):  # what each window could not read
        found = [s for f in frames for s in f.attrs.get(key, [])]
        if found:
            edges.attrs[key] = found
    return edges


@shared_params
def read_trace_summaries(
    start: clock.Moment,
    end: clock.Moment,
    *,
    filter_expression: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the summaries of the traces started in ``[start, end)``, oldest first.

    Parameters
    ----------
    filter_expression
        An X-Ray filter expression, e.g. ``service("payments-api") { fault }``. The local backend
        reads ``fault``/``error``/``throttle``, ``responsetime``/``duration``/``http.status``
        comparisons, ``service("name")`` and ``annotation.key = "value"`` joined by ``AND``.

    Returns
    -------
    pandas.DataFrame
        ``trace_id`` (open it in the X-Ray console), ``start``, ``root_service``,
        ``duration_s``, ``response_time_s``, ``fault``, ``error``, ``throttle``,
        ``http_status``, ``url``, ``services`` (traced and called), ``root_cause`` (the
        service X-Ray blames for a fault or error), ``annotations`` (JSON).
    """
    start_at, end_at = clock.window(start, end)
    settings = settings or resolve()
    return backend(settings).traces.read_trace_summaries(
        settings, start_at, end_at, filter_expression
    )


def read_traces(trace_ids: Sequence[str], *, settings: Settings | None = None) -> pd.DataFrame:
    """Return every segment and subsegment of the traces, in trace and segment order.

    Returns
    -------
    pandas.DataFrame
        ``trace_id``, ``segment_id``, ``parent_id``, ``service``, ``name``, ``namespace``
        (``remote``/``aws`` for downstream calls), ``depth``, ``start``, ``end``,
        ``duration_ms``, ``http_status``, ``fault``, ``error``, ``throttle``, ``cause``, ``url``.
        ``attrs["unprocessed"]`` lists ids that were not found.

    Raises
    ------
    ConfigurationError
        For an id that is not an X-Ray trace id (``1-<8 hex>-<24 hex>``).
    """
    ids = [str(i) for i in trace_ids]
    bad = [i for i in ids if not _TRACE_ID.fullmatch(i)]
    if bad:
        raise ConfigurationError(
            f"not an X-Ray trace id: {', '.join(bad[:3])} (expected 1-<8 hex digits>-<24 hex digits>)"
        )
    settings = settings or resolve()
    return backend(settings).traces.read_traces(settings, ids)
