"""Time to the first findings table of incident triage on the sample org.

Prints the median of ``triage(..., checks=FIRST_CHECKS).findings()`` (alarms, Health, changes,
golden signals, top errors), the SLO burn check on its own, and the ratio against the plain
alternative: the same raw source calls with no analysis (the floor the triage adds to).

Usage: python bench/incident_triage.py [--data-dir DIR] [--repeat N]
"""

from __future__ import annotations

import argparse

from opsbook import alarms, changes, health, logs, metrics
from opsbook.incident import FIRST_CHECKS, triage
from opsbook.settings import resolve
from timing import median_seconds  # bench/timing.py: scripts run from bench/

START, END = "2026-11-14T14:00Z", "2026-11-14T15:00Z"
LB = "LoadBalancer=app/checkout-alb/50dc6c495c0c9188"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = resolve(backend="local", data_dir=args.data_dir or None)

    def first() -> None:
        triage("checkout-api", START, END, checks=FIRST_CHECKS, settings=settings).findings()

    def plain() -> None:
        alarms.describe_alarms(None, settings=settings)
        alarms.read_alarm_history(START, END, settings=settings)
        health.read_health_events(START, END, settings=settings)
        changes.read_changes("2026-11-14T08:00Z", END, settings=settings)
        metrics.get([f"AWS/ApplicationELB RequestCount {LB} stat=Sum",
                     f"AWS/ApplicationELB HTTPCode_Target_5XX_Count {LB} stat=Sum",
                     f"AWS/ApplicationELB TargetResponseTime {LB} stat=p99"], START, END, settings=settings)  # fmt: skip
        logs.query("logs/top_errors", ["/ecs/checkout-api"], START, END, settings=settings)

    def slo() -> None:
        triage("checkout-api", START, END, checks=("slo_burn",), settings=settings)

    first()  # warm caches (file listings, imports) as an open notebook kernel would have
    t_first, t_plain = median_seconds(first, args.repeat), median_seconds(plain, args.repeat)
    t_slo = median_seconds(slo, max(1, args.repeat // 2))
    print(f"first findings (5 checks): median {t_first:.2f} s over {args.repeat} runs")
    print(
        f"plain raw source calls:    median {t_plain:.2f} s  (triage / plain = {t_first / t_plain:.2f}x)"
    )
    print(f"SLO burn check alone:      median {t_slo:.2f} s")


if __name__ == "__main__":
    main()
