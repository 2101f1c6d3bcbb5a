"""``opsbook doctor`` on the local backend: the data folder and each source's files.

Each source is read the way the notebooks read it (the CUR's billing periods, the log groups,
the metric namespaces), so a PASS means the notebooks will find data.

Examples
--------
>>> from opsbook.settings import resolve
>>> [c.status for c in checks(resolve(data_dir="/nonexistent"))][:2]
['FAIL', 'SKIPPED']
"""

from __future__ import annotations

from pathlib import Path

from opsbook.backends import layout
from opsbook.backends.checks import FAIL, PASS, SKIPPED, Check, attempt
from opsbook.errors import OpsbookError
from opsbook.settings import Settings

__all__ = ["checks"]


def checks(settings: Settings) -> list[Check]:
    """Return the data folder check, then one check per source (CUR, logs, metrics, incident)."""
    from opsbook import queries
    from opsbook.backends.local import cur, logs, metrics

    folder = Path(settings.data_dir)
    generate = "run `opsbook sample generate`, or set data_dir to a copy of your S3 exports"
    if not folder.is_dir():
        found = Check("data dir", FAIL, f"{folder} does not exist", generate)
        reason = "no data folder"
        return [found] + [
            Check(n, SKIPPED, reason) for n in ("CUR", "logs", "metrics", "incident data")
        ]

    def periods() -> str:
        found = cur.run_cur_query(queries.load("cur/billing_periods"), {}, settings)
        return f"{len(found)} billing periods, latest {found.billing_period.max()}"

    def groups() -> str:
        found = logs.describe_log_groups(settings)
        return f"{len(found)} log groups, {int(found.events.sum()):,} events"

    def namespaces() -> str:
        found = metrics.describe_namespaces(settings)
        return f"{len(found)} namespaces: {', '.join(found.namespace)}"

    def incident() -> str:
        wanted = [layout.DESCRIBE_ALARMS, layout.ALARM_HISTORY, layout.HEALTH, layout.CLOUDTRAIL]
        missing = [w for w in wanted if not (folder / w).exists()]
        if missing:
            raise OpsbookError(f"missing {', '.join(missing)} under {folder}")
        return "alarms, alarm history, CloudTrail and Health files present"

    return [
        Check("data dir", PASS, str(folder)),
        attempt("CUR", periods, "export CUR 2.0 (Parquet) under data_dir/cur/<export>/data/"),
        attempt("logs", groups, "copy CloudWatch Logs exports under data_dir/logs/"),
        attempt("metrics", namespaces, "copy Metric Streams output under data_dir/metrics/"),
        attempt("incident data", incident, "write DescribeAlarms etc. output as the sample does"),
    ]
