"""Time the incident drill-downs on the sample org against their plain raw queries.

Prints medians of ``drill_lambda`` (orders-worker, 2 days), ``drill_latency`` (checkout-api,
90 min, change point detected) and ``drill_cost_spike`` (23 days of CUR), each with the ratio to
the raw source calls it makes without analysis; then ``snapshot`` of the incident hour and the
first triage findings replayed from the snapshot against the same on the full sample.

Usage: python bench/incident_drilldowns.py [--data-dir DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from opsbook import athena, logs
from opsbook.incident import (
    FIRST_CHECKS,
    drill_cost_spike,
    drill_lambda,
    drill_latency,
    snapshot,
    triage,
)
from opsbook.incident.triage import load_query
from opsbook.settings import resolve
from timing import median_seconds  # bench/timing.py: scripts run from bench/


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = resolve(backend="local", data_dir=args.data_dir or None)
    n = args.repeat

    def raw_lambda() -> None:
        for name in ("lambda_by_version", "lambda_failed_invocations"):
            logs.query(load_query(name), ["/aws/lambda/orders-worker"], "2026-11-13T00:00Z",
                       "2026-11-14T23:59:59.999Z", settings=settings)  # fmt: skip

    def raw_latency() -> None:
        logs.query(load_query("request_latencies"), ["/ecs/checkout-api"], "2026-11-14T13:30Z",
                   "2026-11-14T14:59:59.999Z", settings=settings)  # fmt: skip

    def raw_cost() -> None:
        athena.query("cur/usage_cost_daily", {"start_period": "2026-08", "end_period": "2026-11",
                     "accounts": "", "start_date": "2026-08-28", "end_date": "2026-11-15"},
                     settings=settings)  # fmt: skip

    rows = [
        ("drill_lambda", lambda: drill_lambda("orders-worker", "2026-11-13T00:00Z", "2026-11-15T00:00Z",
                                              settings=settings), raw_lambda),
        ("drill_latency", lambda: drill_latency("checkout-api", "2026-11-14T13:30Z", "2026-11-14T15:00Z",
                                                settings=settings), raw_latency),
        ("drill_cost_spike", lambda: drill_cost_spike("2026-10-23", "2026-11-15", settings=settings), raw_cost),
    ]  # fmt: skip
    for name, call, plain in rows:
        call()  # warm: imports and file listings, as in an open kernel
        t_call, t_plain = median_seconds(call, n), median_seconds(plain, n)
        print(
            f"{name:17} median {t_call:.2f} s; raw queries {t_plain:.2f} s ({t_call / t_plain:.1f}x)"
        )

    with tempfile.TemporaryDirectory() as scratch:
        made: list[Path] = []

        def take() -> None:
            dest = Path(scratch) / f"snap{len(made)}"
            snapshot(
                "checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z", dest, settings=settings
            )
            made.append(dest)

        t_snap = median_seconds(take, max(1, n // 2))
        replay = settings.replace(data_dir=str(made[0]))

        def first(where) -> None:
            triage("checkout-api", "2026-11-14T14:00Z", "2026-11-14T15:00Z", checks=FIRST_CHECKS,
                   settings=where).found()  # fmt: skip

        first(replay)
        t_full, t_replay = (
            median_seconds(lambda: first(settings), n),
            median_seconds(lambda: first(replay), n),
        )
        print(f"snapshot (1 h)    median {t_snap:.2f} s")
        print(f"first findings    median {t_full:.2f} s on the sample, {t_replay:.2f} s on the snapshot "
              f"({t_full / t_replay:.1f}x faster)")  # fmt: skip


if __name__ == "__main__":
    main()
