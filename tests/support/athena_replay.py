"""Replay a notebook's Athena queries on moto: record them on the local engine, queue their results.

moto's Athena runs no SQL; it answers each new query execution with the next result queued at
``POST {moto}/moto-api/static/athena/query-results`` (first in, first out). So an aws-backend run
of a notebook can be checked end to end if the results of the queries it will make are queued in
the order it will make them. :func:`record_run` finds both by running the notebook's code cells in
this process on the local backend, with :func:`opsbook.athena.query`, :func:`opsbook.metrics.get`
and :func:`opsbook.record` wrapped to log each query (name, parameters, result), each
metrics read and each recorded figure; nothing in the library changes. :func:`queue_results` then queues the results,
and the aws run, executed by papermill in a real kernel, must record the same figures.

Typical use (``aws_env``, ``sample_dir`` and ``monkeypatch`` are fixtures)::

    settings = create_cur_table(sample_dir)       # S3 bucket + Glue table with the real columns
    run = record_run(NOTEBOOK, {"month": "2026-10"}, sample_dir)
    queue_results(aws_env, run.queries)
    with immediate_executions(aws_env):
        remote = run_notebook(NOTEBOOK, tmp_path, {"month": "2026-10"}, settings, monkeypatch)
    assert remote == run.records

A notebook that also reads CloudWatch metrics needs them in moto first: the recording run logs
each :func:`opsbook.metrics.get` call too, and :func:`put_metrics` puts what it read into moto. The queue is per moto server and account/region: reset
moto (the ``aws_env`` fixture does) before queueing for a new run, and queue nothing else in
between. Results are rendered as Athena writes them (a header row, text values, Athena column
types); ``NULL`` is an empty cell. The recording run resolves its other settings (policy settings
such as ``required_tags``) from this process's ``OPSBOOK_*`` variables and working directory: set
the same variables for both runs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pyarrow.parquet as pq
import requests
from opsbook.runner._record import payloads

from support.moto_seed import METRIC_BATCH

__all__ = [
    "AWS_SETTINGS",
    "RecordedQuery",
    "RecordedRun",
    "RecordedMetrics",
    "athena_results",
    "create_cur_table",
    "immediate_executions",
    "put_metrics",
    "queue_results",
    "record_run",
    "run_notebook",
]

#: Settings arguments of the aws runs (passed to kernels as ``OPSBOOK_*`` variables).
AWS_SETTINGS = {
    "backend": "aws",
    "region": "us-east-1",
    "athena_output_location": "s3://athena-results/opsbook/",
    "athena_database": "cid_data_export",
    "athena_table": "cur2",
}
_CACHE_DIR = "OPSBOOK_CACHE_DIR"
_ATHENA_TYPES = {"string": "varchar", "Int64": "bigint", "float64": "double",
                 "datetime64[ns]": "timestamp", "boolean": "boolean"}  # fmt: skip
_GLUE_TYPES = {"string": "string", "large_string": "string", "double": "double",
               "float": "float", "int64": "bigint", "int32": "int", "bool": "boolean"}  # fmt: skip


@dataclass(frozen=True)
class RecordedQuery:
    """One :func:`opsbook.athena.query` call of a local run: what was asked and what came back."""

    name: str
    params: dict[str, Any]
    frame: pd.DataFrame


@dataclass(frozen=True)
class RecordedMetrics:
    """One :func:`opsbook.metrics.get` call of a local run: the series read and their datapoints."""

    series: dict[str, Any]  # id -> MetricSeries, as metrics.get names them (m1, m2 ... for a list)
    frame: pd.DataFrame


@dataclass
class RecordedRun:
    """What a notebook did on the local backend: its queries in order and the figures it recorded."""

    queries: list[RecordedQuery] = field(default_factory=list)
    metrics: list[RecordedMetrics] = field(default_factory=list)
    records: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """The query names in the order they ran (ad-hoc SQL shows as ``ad-hoc``)."""
        return [q.name for q in self.queries]


def record_run(
    notebook: Path, parameters: dict[str, Any], data_dir: Path, cache_dir: Path | None = None
) -> RecordedRun:
    """Run ``notebook``'s code cells here on the local backend over ``data_dir``; log queries and records.

    Parameters are applied after the ``parameters`` cell, as papermill injects them; ``backend``
    and ``data_dir`` are forced to the local backend over ``data_dir``. ``cache_dir`` (e.g. the
    session's ``sample_cache``, whose decoded files other tests made) is the run's
    ``OPSBOOK_CACHE_DIR``, for this run only; without it the run resolves its own.

    Examples
    --------
    >>> run = record_run(ROOT / "notebooks/cost/monthly-review.ipynb", {"month": "2026-10"},
    ...                  sample_dir)  # doctest: +SKIP
    >>> run.names[:2]  # doctest: +SKIP
    ['cur/spend_by_service', 'cur/spend_by_service']
    """
    import importlib

    from opsbook.metrics import MetricSeries

    athena = importlib.import_module("opsbook.athena")
    metrics = importlib.import_module("opsbook.metrics")
    recording = importlib.import_module("opsbook")  # notebooks call `from opsbook import record`
    run = RecordedRun()
    real_query, real_get, real_record = athena.query, metrics.get, recording.record

    def query(sql_or_name: str, params: dict | None = None, **kwargs: Any) -> pd.DataFrame:
        frame = real_query(sql_or_name, params, **kwargs)
        name = sql_or_name if not any(c.isspace() for c in sql_or_name.strip()) else "ad-hoc"
        run.queries.append(RecordedQuery(name, dict(params or {}), frame.copy()))
        return frame

    def get(queries: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        frame = real_get(queries, *args, **kwargs)
        named = queries.items() if isinstance(queries, dict) else (
            (f"m{i}", q) for i, q in enumerate(queries if isinstance(queries, list | tuple)
                                                else [queries], start=1))  # fmt: skip
        series = {k: q if isinstance(q, MetricSeries) else MetricSeries.parse(q) for k, q in named}
        run.metrics.append(RecordedMetrics(series, frame.copy()))
        return frame

    def record(report: Any = None, /, *, kinds: Any = None, **values: Any) -> None:
        for payload in payloads(report, kinds=kinds, **values):
            run.records[payload["name"]] = payload["value"]

    local = {"backend": "local", "data_dir": str(data_dir)}
    cells = nbformat.read(notebook, as_version=4).cells
    namespace: dict[str, Any] = {"__name__": "__replay__"}
    from opsbook import backends

    guarded = backends.read_only_enabled()  # a runbook's first cell turns the guard on
    athena.query, metrics.get, recording.record = query, get, record
    saved = os.environ.get(_CACHE_DIR)  # only this variable: the cells may set others
    if cache_dir is not None:
        os.environ[_CACHE_DIR] = str(cache_dir)
    try:
        for cell in cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, str(notebook), "exec"), namespace)  # noqa: S102
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update({**parameters, **local})
    finally:
        athena.query, metrics.get, recording.record = real_query, real_get, real_record
        if cache_dir is not None:
            os.environ.pop(_CACHE_DIR, None)
            os.environ.update({} if saved is None else {_CACHE_DIR: saved})
        if not guarded:
            backends.disable_read_only()
    return run


def athena_results(frame: pd.DataFrame) -> dict[str, Any]:
    """Return one moto queued result for ``frame``: header row, text values, Athena column types.

    Examples
    --------
    >>> payload = athena_results(pd.DataFrame({"n": pd.array([1], "Int64")}))
    >>> payload["rows"][1], payload["column_info"][0]["Type"]
    ({'Data': [{'VarCharValue': '1'}]}, 'bigint')
    """
    header = [{"VarCharValue": c} for c in frame.columns]
    rows = [{"Data": header}]
    for values in frame.itertuples(index=False):
        rows.append({"Data": [_cell(v) for v in values]})
    columns = [_column(c, _ATHENA_TYPES.get(str(t), "varchar")) for c, t in frame.dtypes.items()]
    return {"rows": rows, "column_info": columns}


def queue_results(moto_url: str, queries: list[RecordedQuery]) -> None:
    """Queue the results of ``queries`` in moto's Athena, in order (each query takes the next)."""
    payload = {"results": [athena_results(q.frame) for q in queries]}
    response = requests.post(f"{moto_url}/moto-api/static/athena/query-results", json=payload,
                             timeout=30)  # fmt: skip
    response.raise_for_status()


@contextmanager
def immediate_executions(moto_url: str) -> Iterator[None]:
    """Let moto's Athena executions succeed at once (no QUEUED / RUNNING polls), then restore.

    Without it each query costs the client's poll delays (about half a second on moto).
    """
    api = f"{moto_url}/moto-api/state-manager"
    body = {"model_name": "athena::execution", "transition": {"progression": "immediate"}}
    requests.post(f"{api}/set-transition", json=body, timeout=10).raise_for_status()
    try:
        yield
    finally:
        requests.post(f"{api}/unset-transition", json={"model_name": "athena::execution"},
                      timeout=10)  # fmt: skip


def create_cur_table(data_dir: Path, settings: dict[str, str] = AWS_SETTINGS) -> dict[str, str]:
    """Create the results bucket and a Glue CUR table with the columns of ``data_dir``'s CUR files.

    Call inside the ``aws_env`` fixture (boto3 then talks to moto). Returns ``settings`` so it
    can be handed to :func:`run_notebook`.
    """
    import boto3

    bucket = settings["athena_output_location"].removeprefix("s3://").split("/", 1)[0]
    boto3.client("s3", region_name=settings["region"]).create_bucket(Bucket=bucket)
    glue = boto3.client("glue", region_name=settings["region"])
    glue.create_database(DatabaseInput={"Name": settings["athena_database"]})
    first = next(iter(sorted((data_dir / "cur").rglob("*.parquet"))))
    schema = pq.read_schema(first)
    columns = [{"Name": f.name, "Type": _glue_type(f.type)} for f in schema
               if f.name.lower() != "billing_period"]  # fmt: skip
    glue.create_table(
        DatabaseName=settings["athena_database"],
        TableInput={
            "Name": settings["athena_table"],
            "StorageDescriptor": {"Columns": columns},
            "PartitionKeys": [{"Name": "billing_period", "Type": "string"}],
        },
    )
    return settings


def put_metrics(recorded: list[RecordedMetrics], region: str = "us-east-1") -> int:
    """Put the datapoints a local run read into moto's CloudWatch; return how many.

    Each datapoint goes in as one value at its timestamp, so GetMetricData at the same period
    and statistic (Sum, Average, Minimum, Maximum; not SampleCount) returns it unchanged. Rows
    of metric math expressions are left out: moto computes them from the series. Call inside
    the ``aws_env`` fixture. A series read at several periods (a check's window total and
    another's hourly values) is put once, at its finest period: moto adds up what it holds.
    """
    import boto3

    def name(series: Any) -> tuple:
        return (series.namespace, series.metric, tuple(series.dimensions))

    finest: dict[tuple, float] = {}
    for call in recorded:
        for series in call.series.values():
            period = call.frame.attrs.get("period", 0)
            finest[name(series)] = min(finest.get(name(series), period), period)
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    for call in recorded:
        for key, series in call.series.items():
            if call.frame.attrs.get("period", 0) != finest[name(series)]:
                continue
            rows = call.frame[call.frame["id"] == key]
            by_namespace.setdefault(series.namespace, []).extend(
                {"MetricName": series.metric, "Timestamp": row.timestamp.to_pydatetime(),
                 "Value": float(row.value),
                 "Dimensions": [{"Name": k, "Value": v} for k, v in series.dimensions]}
                for row in rows.itertuples() if pd.notna(row.value)
            )  # fmt: skip
    cloudwatch = boto3.client("cloudwatch", region_name=region)
    for namespace, data in by_namespace.items():  # the series of a namespace in full batches
        for first in range(0, len(data), METRIC_BATCH):
            cloudwatch.put_metric_data(Namespace=namespace,
                                       MetricData=data[first : first + METRIC_BATCH])  # fmt: skip
    return sum(map(len, by_namespace.values()))


def run_notebook(
    notebook: Path,
    output_dir: Path,
    parameters: dict[str, Any],
    settings: dict[str, str] = AWS_SETTINGS,
    monkeypatch: Any = None,
) -> dict[str, Any]:
    """Execute ``notebook`` with papermill on the aws backend; return the figures it recorded.

    Settings reach the kernel as the report runner passes them: ``OPSBOOK_*`` variables from
    :meth:`opsbook.settings.Settings.as_environment` (set with ``monkeypatch`` when given, so
    they are undone after the test).
    """
    from opsbook.settings import resolve

    from support.notebooks import records

    environment = resolve(**settings).as_environment()
    for key, value in environment.items():
        if monkeypatch is not None:
            monkeypatch.setenv(key, value)
        else:
            os.environ[key] = value
    return records(
        notebook, output_dir, {**parameters, "backend": "aws", "data_dir": ""},
        cwd=notebook.parent, name=f"aws-{notebook.name}",
    )  # fmt: skip


def _cell(value: Any) -> dict[str, str]:
    if value is None or value is pd.NA or value is pd.NaT:
        return {}
    if isinstance(value, float):
        return {} if math.isnan(value) else {"VarCharValue": repr(value)}
    if isinstance(value, pd.Timestamp):
        return {"VarCharValue": value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]}
    return {"VarCharValue": str(value)}


def _column(name: str, kind: str) -> dict[str, Any]:
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
            "Type": kind, "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": True}  # fmt: skip


def _glue_type(kind: Any) -> str:
    import pyarrow as pa

    if pa.types.is_map(kind):
        return f"map<{_glue_type(kind.key_type)},{_glue_type(kind.item_type)}>"
    if pa.types.is_timestamp(kind):
        return "timestamp"
    if pa.types.is_date(kind):
        return "date"
    return _GLUE_TYPES.get(str(kind), "string")
