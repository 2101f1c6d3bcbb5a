"""The sample's CloudWatch Synthetics canaries: their runs and their metrics.

Two canaries watch the customer-facing paths: ``checkout-flow`` (every minute: open-home,
add-to-cart, place-order) and ``catalog-browse`` (every 5 minutes: search, product-page). Their
runs over the logs window are saved as GetCanaryRuns returns them, one file per canary and day
(:func:`opsbook.backends.layout.canary_runs`), with DescribeCanaries beside them; their
``CloudWatchSynthetics`` metrics (SuccessPercent and Duration per canary and per step) go out
through a second metric stream, as Metric Streams JSON.

While the bad checkout-api deployment hurts (the traffic model's incident strength), the
place-order step of ``checkout-flow`` fails: from the first minute of the errors, a few minutes
before the ALB target 5XX alarm evaluates to ALARM.

Examples
--------
>>> import datetime as dt
>>> from opsbook.sample.org import timeline
>>> runs = build_runs(timeline(dt.date(2026, 11, 15)), seed=7)
>>> first = next(r for r in runs["checkout-flow"] if r["Status"]["State"] == "FAILED"
...              and r["Timeline"]["Started"] >= "2026-11-14")
>>> first["Timeline"]["Started"][:16], first["Status"]["StateReason"][:27]
('2026-11-14T14:02', 'Step place-order failed: Re')
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.incident.formats import cli_time, write_json
from opsbook.sample.traffic import MINUTE_MS, epoch_ms, random_uuids, traffic_model

__all__ = ["CANARIES", "SYNTHETICS_STREAM", "Canary", "build_runs", "write_canaries"]

SYNTHETICS_STREAM = "northpeak-synthetics-stream"
_NAMESPACE = "CloudWatchSynthetics"


@dataclass(frozen=True)
class Canary:
    """A canary: its schedule (minutes between runs) and its steps with their median seconds."""

    name: str
    every: int
    steps: tuple[tuple[str, float], ...]
    url: str


CANARIES = (
    Canary("checkout-flow", 1, (("open-home", 1.1), ("add-to-cart", 0.9), ("place-order", 1.4)),
           "https://shop.northpeak.example/api/checkout"),
    Canary("catalog-browse", 5, (("search", 0.8), ("product-page", 0.7)),
           "https://shop.northpeak.example/api/catalog/search"),
)  # fmt: skip


def _failure(canary: Canary) -> tuple[str, str]:
    step = canary.steps[-1][0]
    return step, f"Step {step} failed: Request failed with status code 500 (POST {canary.url})"


def build_runs(story: org.Timeline, *, seed: int = 7) -> dict[str, list[dict[str, Any]]]:
    """Return each canary's GetCanaryRuns ``CanaryRuns`` over the logs window, oldest first.

    Each run also carries ``_steps`` (step name, seconds, passed), which the metrics are made of
    and :func:`write_canaries` leaves out of the saved runs.
    """
    model = traffic_model(story, seed=seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for number, canary in enumerate(CANARIES):
        rng = np.random.default_rng([seed, 7070, number])
        first = epoch_ms(story.logs_start)
        starts = np.arange(first, epoch_ms(story.end), canary.every * MINUTE_MS)
        count = starts.size
        minute = np.clip((starts - model.start_ms) // MINUTE_MS, 0, model.minutes - 1)
        strength = model.incident[minute] if canary.name == "checkout-flow" else np.zeros(count)
        failed = rng.uniform(size=count) < np.clip(0.0005 + 3 * strength, 0, 1)
        offsets = rng.integers(1500, 6000, count)
        seconds = np.exp(rng.normal(0, 0.12, (count, len(canary.steps))))
        ids = random_uuids(rng, count)
        failing_step, reason = _failure(canary)
        runs = []
        for n in range(count):
            started = starts[n] + offsets[n]
            steps = []
            for k, (step, median) in enumerate(canary.steps):
                took = median * float(seconds[n, k]) * (1 + 2 * float(strength[n]))
                broken = bool(failed[n]) and step == failing_step
                steps.append((step, round(took + (2.0 if broken else 0.0), 3), not broken))
            completed = started + int(sum(s[1] for s in steps) * 1000) + 900
            when = dt.datetime.fromtimestamp(started / 1000, tz=dt.UTC)
            runs.append({
                "Id": ids[n], "Name": canary.name,
                "Status": {"State": "FAILED", "StateReason": reason, "StateReasonCode": "CANARY_FAILURE"}
                if failed[n] else {"State": "PASSED"},
                "Timeline": {"Started": cli_time(when),
                             "Completed": cli_time(dt.datetime.fromtimestamp(completed / 1000, tz=dt.UTC)),
                             "MetricTimestampForRunAndRetries": cli_time(when.replace(second=0, microsecond=0))},
                "ArtifactS3Location": f"cw-syn-results-{org.SHOP_PROD.id}-{org.REGION}/canary/{org.REGION}/"
                                      f"{canary.name}/{when:%Y/%m/%d/%H/%M-%S}",
                "_steps": steps,
            })  # fmt: skip
        out[canary.name] = runs
    return out


def write_canaries(root: Path, story: org.Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write DescribeCanaries, GetCanaryRuns per canary and day, and the metric stream; return facts."""
    runs = build_runs(story, seed=seed)
    described = [
        {"Name": c.name, "Status": {"State": "RUNNING"},
         "Schedule": {"Expression": f"rate({c.every} minute{'s' if c.every > 1 else ''})"},
         "RuntimeVersion": "syn-nodejs-puppeteer-9.1",
         "ArtifactS3Location": f"cw-syn-results-{org.SHOP_PROD.id}-{org.REGION}/canary/{org.REGION}/{c.name}"}
        for c in CANARIES
    ]  # fmt: skip
    write_json(root / layout.DESCRIBE_CANARIES, {"Canaries": described})
    records: dict[int, list[str]] = {}
    for name, items in runs.items():
        by_day: dict[str, list[dict[str, Any]]] = {}
        for run in items:
            saved = {k: v for k, v in run.items() if k != "_steps"}
            by_day.setdefault(run["Timeline"]["Started"][:10], []).append(saved)
            minute = int(
                dt.datetime.fromisoformat(
                    run["Timeline"]["MetricTimestampForRunAndRetries"]
                ).timestamp()
                * 1000
            )
            passed = run["Status"]["State"] == "PASSED"
            total = sum(s[1] for s in run["_steps"]) * 1000
            lines = records.setdefault(minute // 3_600_000, [])
            lines += [_record(minute, "SuccessPercent", {"CanaryName": name}, 100.0 * passed, "Percent"),
                      _record(minute, "Duration", {"CanaryName": name}, round(total, 1), "Milliseconds")]  # fmt: skip
            for step, seconds, ok in run["_steps"]:
                dims = {"CanaryName": name, "StepName": step}
                lines += [_record(minute, "SuccessPercent", dims, 100.0 * ok, "Percent"),
                          _record(minute, "Duration", dims, round(seconds * 1000, 1), "Milliseconds")]  # fmt: skip
        for day, saved_runs in by_day.items():
            write_json(root / layout.canary_runs(name, day), {"CanaryRuns": saved_runs})
    rng = np.random.default_rng([seed, 7071])
    for hour, lines in sorted(records.items()):
        opened = dt.datetime.fromtimestamp(hour * 3600 + int(rng.integers(60, 240)), tz=dt.UTC)
        path = root / layout.metric_stream_object(
            SYNTHETICS_STREAM, opened, random_uuids(rng, 1)[0]
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress("".join(sorted(lines)).encode(), compresslevel=6, mtime=0))
    failures = [r for r in runs["checkout-flow"] if r["Status"]["State"] == "FAILED"
                and r["Timeline"]["Started"] >= cli_time(story.deploy_at)]  # fmt: skip
    return {
        "format": "CloudWatch Synthetics GetCanaryRuns output per canary and day, DescribeCanaries, "
        f"and the {_NAMESPACE} metrics through the metric stream {SYNTHETICS_STREAM}",
        "canaries": {
            c.name: f"every {c.every} min: {', '.join(s for s, _ in c.steps)}" for c in CANARIES
        },
        "runs": {name: len(items) for name, items in runs.items()},
        "checkout_flow_first_failure": failures[0]["Timeline"]["Started"] if failures else None,
        "checkout_flow_failed_runs": len(failures),
    }


def _record(
    minute_ms: int, metric: str, dimensions: dict[str, str], value: float, unit: str
) -> str:
    return json.dumps({
        "metric_stream_name": SYNTHETICS_STREAM, "account_id": org.SHOP_PROD.id, "region": org.REGION,
        "namespace": _NAMESPACE, "metric_name": metric, "dimensions": dimensions, "timestamp": minute_ms,
        "value": {"max": value, "min": value, "sum": value, "count": 1.0}, "unit": unit,
    }, separators=(",", ":")) + "\n"  # fmt: skip
