from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.canaries import SYNTHETICS_STREAM
from opsbook.sample.metrics import EXTRA_STATISTICS, metric_series, write_metrics
from opsbook.sample.traffic import ORDERS_FUNCTION
from support.sample import pinned_facts

AS_OF = dt.date(2026, 11, 15)
STORY = org.timeline(AS_OF)
SEED = 7  # the pinned sample's
DIMENSIONS = {
    "AWS/ApiGateway": {"ApiName"},
    "AWS/ApplicationELB": {"LoadBalancer"},
    "AWS/Lambda": {"FunctionName"},
    "AWS/ECS": {"ClusterName", "ServiceName"},
    "AWS/RDS": {"DBInstanceIdentifier"},
}
UNITS = {
    "Latency": "Milliseconds",
    "IntegrationLatency": "Milliseconds",
    "Duration": "Milliseconds",
    "TargetResponseTime": "Seconds",
    "CPUUtilization": "Percent",
    "MemoryUtilization": "Percent",
    "FreeableMemory": "Bytes",
}
OBJECT = re.compile(
    rf"^{org.METRIC_STREAM}/(\d{{4}})/(\d\d)/(\d\d)/(\d\d)/"
    rf"{org.METRIC_STREAM}-1-(\d{{4}})-(\d\d)-(\d\d)-(\d\d)-\d\d-\d\d-"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$"
)
STATS = ("max", "min", "sum", "count", "p50", "p90", "p99")
#: A value as Python writes a float (repr): JSON's number syntax, with a fraction or an exponent.
FLOAT = r"-?\d+(?:\.\d+(?:e[-+]?\d+)?|e[-+]?\d+)"


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


class Series:
    """One metric's data points as numpy columns (nan where a statistic is absent)."""

    def __init__(self, stats: tuple[str, ...], table: np.ndarray) -> None:
        table = table[np.argsort(table[:, 0], kind="stable")]
        self.ts = table[:, 0].astype(np.int64)
        for stat in STATS:
            column = table[:, 1 + stats.index(stat)] if stat in stats else np.nan
            setattr(self, stat, np.broadcast_to(column, self.ts.shape))

    def between(self, start: dt.datetime, end: dt.datetime) -> np.ndarray:
        return (self.ts >= _ms(start)) & (self.ts < _ms(end))


def _check_head(head: str) -> tuple[tuple, tuple[str, ...], re.Pattern]:
    """Validate the part of a record before its timestamp, shared by all points of a series;
    return the series' key, statistics and the pattern the rest of each of its records matches."""
    record = json.loads(head + "}")
    assert list(record) == ["metric_stream_name", "account_id", "region", "namespace",
                            "metric_name", "dimensions"]  # fmt: skip
    assert record["metric_stream_name"] == org.METRIC_STREAM
    assert (record["account_id"], record["region"]) == (org.SHOP_PROD.id, org.REGION)
    ns, name, dims = record["namespace"], record["metric_name"], record["dimensions"]
    expected = DIMENSIONS[ns] | ({"TargetGroup"} if name == "UnHealthyHostCount" else set())
    assert set(dims) == expected, record
    stats = ("max", "min", "sum", "count", *EXTRA_STATISTICS.get((ns, name), ()))
    # The rest of a record, whole: an integer timestamp, the declared statistics as floats, the
    # unit; nothing else (a line that does not match all of it is not counted).
    values = ",".join(f'"{stat}":({FLOAT})' for stat in stats)
    unit = UNITS.get(name, "Count")
    body = re.compile(rf'^(\d+),"value":\{{{values}\}},"unit":"{unit}"\}}$', re.MULTILINE)
    return (ns, name, tuple(sorted(dims.items()))), stats, body


def _read(root: Path) -> tuple[dict[tuple, Series], int]:
    base = root / "metrics"
    heads: dict[str, tuple] = {}
    rows: dict[tuple, list] = defaultdict(list)
    files = 0
    for path in sorted(base.rglob("*")):
        if not path.is_file() or path.parent.name == "opsbook-pull":  # planted evidence, Parquet
            continue
        if path.relative_to(base).parts[0] == SYNTHETICS_STREAM:  # the canaries' stream
            continue
        files += 1
        match = OBJECT.match(path.relative_to(base).as_posix())
        assert match, path
        assert match.groups()[:4] == match.groups()[4:]
        hour = _ms(dt.datetime(*map(int, match.groups()[:4]), tzinfo=dt.UTC))
        tails: dict[str, list[str]] = defaultdict(list)  # the records of a file, by series
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            head, sep, tail = line.partition(',"timestamp":')
            assert sep, line
            tails[head].append(tail)
        for head, bodies in tails.items():
            if head not in heads:
                heads[head] = _check_head(head)
            key, stats, body = heads[head]
            # One match for a file's records of one series (a record per line, as written).
            found = body.findall("\n".join(bodies))
            assert len(found) == len(bodies), (head, bodies[:3])
            points = np.array(found, dtype=float).reshape(len(found), 1 + len(stats))
            ts = points[:, 0]
            assert (ts % 60_000 == 0).all(), head
            assert ((ts >= hour) & (ts < hour + 3_600_000)).all(), head
            rows[key].append(points)
    series = {}
    for key, stats, _ in heads.values():
        series[key] = Series(stats, np.concatenate(rows[key]))
    return series, files


@pytest.fixture(scope="module")
def written(sample_dir: Path) -> tuple[Path, dict]:
    """The session's pinned sample and its metrics facts: its ``metrics`` part is what
    ``write_metrics`` writes for this story and seed at scale 1 (each part is written on its own),
    so it is checked as generated, without a second copy. Its logs are ``write_logs``'s."""
    return sample_dir, pinned_facts(sample_dir, AS_OF, SEED, {"metrics", "logs"})["metrics"]


@pytest.fixture(scope="module")
def series(written: tuple[Path, dict]) -> dict[tuple, Series]:
    found, files = _read(written[0])
    assert files == written[1]["files"]
    return found


def _one(series: dict[tuple, Series], metric: str, **dims: str) -> Series:
    (match,) = [
        s
        for (_, name, d), s in series.items()
        if name == metric and all(dict(d).get(k) == v for k, v in dims.items())
    ]
    return match


def test_facts_and_volume(written: tuple[Path, dict], series: dict) -> None:
    _, facts = written
    json.dumps(facts)
    assert facts["series"] == len(series) == 25
    assert facts["files"] == org.METRIC_DAYS * 24
    assert 900_000 <= facts["records"] <= 1_100_000
    assert sum(s.ts.size for s in series.values()) == facts["records"]
    assert facts["namespaces"] == {
        "AWS/ApiGateway": 5,
        "AWS/ApplicationELB": 5,
        "AWS/ECS": 2,
        "AWS/Lambda": 10,
        "AWS/RDS": 3,
    }
    assert facts["incident"]["in_window"]


def test_window_resolution_and_no_duplicates(series: dict) -> None:
    start, end = _ms(STORY.metrics_start), _ms(STORY.end)
    for key, s in series.items():
        assert s.ts.min() >= start and s.ts.max() < end, key
        assert np.unique(s.ts).size == s.ts.size, key
    full = _one(series, "RequestCount")
    assert full.ts.size == org.METRIC_DAYS * 1440  # continuous traffic: a point every minute
    sparse = _one(series, "HTTPCode_ELB_5XX_Count")
    assert (
        0 < sparse.ts.size < org.METRIC_DAYS * 1440 / 4
    )  # no data points for minutes without 5XX, as AWS does


def test_statistics_are_consistent(series: dict) -> None:
    for key, s in series.items():
        assert (s.count > 0).all(), key
        assert (s.min <= s.max).all(), key
        mean = s.sum / s.count
        tolerance = 1e-9 * np.maximum(np.abs(s.max), 1)
        assert (s.min - tolerance <= mean).all() and (mean <= s.max + tolerance).all(), key
        if key[:2] in EXTRA_STATISTICS:
            assert (s.min <= s.p50).all() and (s.p50 <= s.p90).all(), key
            assert (s.p90 <= s.p99).all() and (s.p99 <= s.max).all(), key


def test_count_metrics_follow_cloudwatch_semantics(series: dict) -> None:
    requests = _one(series, "Count", ApiName=org.API_NAME)
    assert (requests.sum == requests.count).all() and (requests.min == 1).all()
    errors = _one(series, "5XXError", ApiName=org.API_NAME)
    assert np.array_equal(errors.count, requests.count)  # one 0/1 sample per request
    assert set(np.unique(errors.max)) <= {0.0, 1.0}
    assert (errors.sum <= errors.count).all()
    alb = _one(series, "RequestCount").sum
    lambda_calls = _one(series, "Invocations", FunctionName="catalog-api-handler").sum
    assert np.array_equal(requests.sum, alb + lambda_calls)  # the API fronts both services


def test_incident_shows_in_metrics(series: dict) -> None:
    inside = (STORY.errors_start, STORY.errors_end)
    before = (STORY.errors_start - dt.timedelta(days=1), STORY.deploy_at)

    target = _one(series, "HTTPCode_Target_5XX_Count")
    minutes_inside = (STORY.errors_end - STORY.errors_start).total_seconds() / 60
    rate_in = target.sum[target.between(*inside)].sum() / minutes_inside
    rate_before = target.sum[target.between(*before)].sum() / (24 * 60)
    assert rate_in > 50 * rate_before

    gateway = _one(series, "5XXError", ApiName=org.API_NAME)
    mask_in, mask_before = gateway.between(*inside), gateway.between(*before)
    share_in = gateway.sum[mask_in].sum() / gateway.count[mask_in].sum()
    share_before = gateway.sum[mask_before].sum() / gateway.count[mask_before].sum()
    assert share_in > 10 * share_before

    trt = _one(series, "TargetResponseTime")
    baseline = np.median(trt.p99[trt.between(*before)])
    assert 0.1 < baseline < 0.35  # about 200 ms
    assert trt.p99[trt.between(*inside)].max() > 8 * baseline  # about 2 s

    cpu = _one(series, "CPUUtilization", ServiceName=org.CHECKOUT.name)
    assert cpu.max[cpu.between(*inside)].max() > 2 * np.mean(cpu.sum / cpu.count)
    connections = _one(series, "DatabaseConnections")
    assert connections.max[connections.between(*inside)].max() > 100


def test_catalog_error_rate_steps_at_the_release(series: dict) -> None:
    errors = _one(series, "Errors", FunctionName="catalog-api-handler")

    def rate(start: dt.datetime, end: dt.datetime) -> float:
        mask = errors.between(start, end)
        return errors.sum[mask].sum() / errors.count[mask].sum()

    flip, day = STORY.slow_burn_start, dt.timedelta(days=1)
    before = rate(STORY.metrics_start, flip)
    first_day, last_day = rate(flip, flip + day), rate(STORY.end - day, STORY.end)
    assert 0.0002 < before < 0.0005
    assert 0.002 < first_day < 0.0035 and 0.002 < last_day < 0.0035  # a step, then steady
    assert abs(first_day - last_day) < 0.0004
    assert rate(flip - dt.timedelta(hours=1), flip) < 0.0008 < rate(flip, flip + 3 * day / 72)


def test_episodes_show_in_metrics(series: dict) -> None:
    from opsbook.sample.episodes import DB_JOB, LOAD_TEST, ORDERS_THROTTLING, episodes

    found = {e.kind: e for e in episodes(STORY, SEED)}
    load = found[LOAD_TEST]
    requests = _one(series, "RequestCount")
    cpu = _one(series, "CPUUtilization", ServiceName=org.CHECKOUT.name)
    inside = requests.between(load.start, load.end)
    hour_before = requests.between(load.start - dt.timedelta(hours=1), load.start)
    assert requests.sum[inside].min() > 3 * requests.sum[hour_before].max()
    assert (cpu.sum / cpu.count)[cpu.between(load.start, load.end)].min() > 80
    db = _one(series, "CPUUtilization", DBInstanceIdentifier=org.DB_INSTANCE)
    job = found[DB_JOB]
    assert db.sum[db.between(job.start, job.end)].min() > 80
    assert db.sum[~db.between(job.start, job.end)].max() < 80
    throttles = _one(series, "Throttles", FunctionName="orders-worker")
    throttled = throttles.ts[throttles.sum > 0]
    episode = found[ORDERS_THROTTLING]
    assert (
        throttled.size == 3
        and (throttles.between(episode.start, episode.end)[throttles.sum > 0]).all()
    )


def test_orders_worker_metrics_match_its_logs(written: tuple[Path, dict], series: dict) -> None:
    root, _ = written
    starts: dict[str, int] = {}
    failed: Counter = Counter()
    invoked: Counter = Counter()
    failure_ids = []
    for path in (root / "logs" / "export" / "aws" / "lambda" / "orders-worker").rglob("*.gz"):
        for line in gzip.decompress(path.read_bytes()).decode().splitlines():
            stamp, _, message = line.partition(" ")
            if message.startswith("START RequestId: "):
                ms = int(dt.datetime.fromisoformat(stamp).timestamp() * 1000)
                starts[message.split()[2]] = ms
                invoked[ms // 60_000 * 60_000] += 1
            elif "Runtime.ExitError" in message:
                failure_ids.append(message.split()[1])
            elif "Task timed out after" in message:
                failure_ids.append(message.split()[1])
    for request in failure_ids:
        failed[starts[request] // 60_000 * 60_000] += 1

    errors = _one(series, "Errors", FunctionName="orders-worker")
    calls = _one(series, "Invocations", FunctionName="orders-worker")
    in_logs = errors.ts >= _ms(STORY.logs_start)
    metric_failed = {
        int(t): int(v) for t, v in zip(errors.ts[in_logs], errors.sum[in_logs], strict=True) if v
    }
    assert metric_failed == dict(failed)
    assert sum(metric_failed.values()) >= 2 * org.LOG_DAYS
    in_logs = calls.ts >= _ms(STORY.logs_start)
    assert {
        int(t): int(v) for t, v in zip(calls.ts[in_logs], calls.sum[in_logs], strict=True)
    } == dict(invoked)
    duration = _one(series, "Duration", FunctionName="orders-worker")
    timeouts = duration.max >= ORDERS_FUNCTION.timeout_s * 1000
    assert timeouts.sum() >= org.METRIC_DAYS  # a time-out shows as Duration max at the timeout


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    json.dumps(write_metrics(tmp_path / "a", STORY, scale=0.05, seed=3))  # JSON-serialisable
    write_metrics(tmp_path / "b", STORY, scale=0.05, seed=3)
    write_metrics(tmp_path / "c", STORY, scale=0.05, seed=4)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")


def _volume(scale: float) -> dict:
    """What ``write_metrics`` would write at ``scale``: a record for each point present."""
    data = metric_series(STORY, scale=scale, seed=SEED)
    return {
        "records": sum(int(s.present.sum()) for s in data.series),
        "series": len(data.series),
        "namespaces": dict(Counter(s.namespace for s in data.series)),
    }


def test_scale_multiplies_volume(tmp_path: Path, written: tuple[Path, dict]) -> None:
    small = write_metrics(tmp_path / "small", STORY, scale=0.1, seed=SEED)
    assert small["end"] == STORY.end.isoformat()  # a shorter window still ends at story.end
    # The writer writes a record for each point present in the series, at any scale (the pinned
    # sample's records are counted as read in test_facts_and_volume): the volume at other scales
    # is counted from the series, without writing a million records again.
    for facts, scale in ((small, 0.1), (written[1], 1)):
        assert {k: facts[k] for k in ("records", "series", "namespaces")} == _volume(scale)
    assert 1.8 < _volume(0.2)["records"] / small["records"] < 2.2
    bigger = _volume(1.2)
    assert bigger["series"] == 30 and bigger["namespaces"]["AWS/Lambda"] == 15
    assert 1.1 < bigger["records"] / written[1]["records"] < 1.3


@pytest.mark.parametrize("scale", [0, -2, float("inf"), None])
def test_bad_scale_raises(tmp_path: Path, scale: object) -> None:
    with pytest.raises(ConfigurationError, match="scale"):
        write_metrics(tmp_path, STORY, scale=scale)  # type: ignore[arg-type]
    assert not (tmp_path / "metrics").exists()
