"""Where each file of a data folder lives: the folders and files AWS writes, named once.

A data folder (the generated sample, an incident snapshot, or a copy of an account's own S3
exports) holds any of these, each in the layout the AWS service itself writes to S3, or the JSON
the API returns, saved as the AWS CLI prints it. This is not a backend: the sample writes these
paths, the local backend reads them, ``opsbook doctor`` and incident snapshots use them too.

>>> print(tree())
cur/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-NNNNN.snappy.parquet  CUR 2.0 (Data Exports)
cur/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json  its manifest per period
logs/export/<log group>/<task id>/<log stream>/NNNNNN.gz  CloudWatch Logs CreateExportTask output
logs/firehose/<delivery stream>/YYYY/MM/DD/HH/<delivery stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>  subscription filter to Firehose
logs/describe-log-groups.json  DescribeLogGroups
metrics/<metric stream>/YYYY/MM/DD/HH/<metric stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>.gz  Metric Streams (JSON)
metrics/opsbook-pull/<name>.parquet  opsbook metrics pull
alarms/describe-alarms.json  DescribeAlarms
alarms/alarm-history.json  DescribeAlarmHistory
cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<unique>.json.gz  trail log files
health/describe-events.json  AWS Health DescribeEvents
health/describe-event-details.json  DescribeEventDetails
health/describe-affected-entities.json  DescribeAffectedEntities
billing/cost-optimization-hub/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet  Data Exports: COST_OPTIMIZATION_RECOMMENDATIONS
billing/describe-budgets.json  AWS Budgets DescribeBudgets
slos.yaml  the services' SLOs (OpenSLO)
sample.json  what opsbook sample generate wrote
README.md  the sample's description
.opsbook-sample  marks a folder opsbook sample generate wrote, listing what it wrote

Names are POSIX paths relative to the data folder (``data_dir / DESCRIBE_ALARMS``), except the CUR
export's inner paths, which are relative to its folder (``cur/<export>``), since a reader finds
the export first. Functions fill in the parts that vary.

Examples
--------
>>> import datetime as dt
>>> from pathlib import Path
>>> Path("data/sample") / DESCRIBE_ALARMS
PosixPath('data/sample/alarms/describe-alarms.json')
>>> cur_export("northpeak-cur2"), cur_data("2026-11")
('cur/northpeak-cur2', 'data/BILLING_PERIOD=2026-11')
>>> opened = dt.datetime(2026, 11, 14, 13, 2, 5, tzinfo=dt.UTC)
>>> metric_stream_object("northpeak-ops-stream", opened, "0e6f")
'metrics/northpeak-ops-stream/2026/11/14/13/northpeak-ops-stream-1-2026-11-14-13-02-05-0e6f.gz'
>>> trail_folder("334455667788", "us-east-1", opened.strftime(TRAIL_DAY))
'cloudtrail/AWSLogs/334455667788/CloudTrail/us-east-1/2026/11/14'
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "ALARMS",
    "ALARM_HISTORY",
    "CLOUDTRAIL",
    "CUR",
    "CUR_DATA",
    "CUR_METADATA",
    "DESCRIBE_ALARMS",
    "DESCRIBE_LOG_GROUPS",
    "HEALTH",
    "COST_OPTIMIZATION_HUB",
    "DESCRIBE_BUDGETS",
    "HEALTH_AFFECTED_ENTITIES",
    "HEALTH_EVENTS",
    "HEALTH_EVENT_DETAILS",
    "LOGS",
    "LOG_EXPORTS",
    "LOG_FIREHOSE",
    "METRICS",
    "METRICS_PULLED",
    "SAMPLE_FACTS",
    "SAMPLE_MARKER",
    "SAMPLE_README",
    "SLOS",
    "TRAIL_DAY",
    "TRAIL_DELIVERED",
    "TRAIL_LOGS",
    "cur_data",
    "cur_export",
    "cur_manifest",
    "cur_metadata",
    "cur_object",
    "export_object",
    "export_task",
    "log_delivery_object",
    "metric_stream_object",
    "pulled_metrics",
    "trail_file",
    "trail_files",
    "trail_folder",
    "tree",
]

# CUR 2.0 from Data Exports: cur/<export>/{data,metadata}/BILLING_PERIOD=YYYY-MM/
CUR = "cur"
CUR_DATA = "data"
CUR_METADATA = "metadata"

# CloudWatch Logs: export task output, subscription records via Firehose, DescribeLogGroups
LOGS = "logs"
LOG_EXPORTS = f"{LOGS}/export"
LOG_FIREHOSE = f"{LOGS}/firehose"
DESCRIBE_LOG_GROUPS = f"{LOGS}/describe-log-groups.json"

# CloudWatch metrics: one folder per metric stream (Firehose objects), and pulled Parquet
METRICS = "metrics"
METRICS_PULLED = f"{METRICS}/opsbook-pull"

# CloudWatch alarms: DescribeAlarms and DescribeAlarmHistory output
ALARMS = "alarms"
DESCRIBE_ALARMS = f"{ALARMS}/describe-alarms.json"
ALARM_HISTORY = f"{ALARMS}/alarm-history.json"

# CloudTrail: a trail's S3 prefix, then AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
CLOUDTRAIL = "cloudtrail"
TRAIL_LOGS = f"{CLOUDTRAIL}/AWSLogs"
TRAIL_DAY = "%Y/%m/%d"  # the delivery day's folders (strftime)
TRAIL_DELIVERED = "%Y%m%dT%H%MZ"  # the delivery time in a log file's name (strftime)

# AWS Health: DescribeEvents, DescribeEventDetails and DescribeAffectedEntities output
HEALTH = "health"
#: Data Exports of the COST_OPTIMIZATION_RECOMMENDATIONS table (Parquet, any partitioning below).
COST_OPTIMIZATION_HUB = "billing/cost-optimization-hub"
DESCRIBE_BUDGETS = "billing/describe-budgets.json"
HEALTH_EVENTS = f"{HEALTH}/describe-events.json"
HEALTH_EVENT_DETAILS = f"{HEALTH}/describe-event-details.json"
HEALTH_AFFECTED_ENTITIES = f"{HEALTH}/describe-affected-entities.json"

# Beside the data
SLOS = "slos.yaml"
SAMPLE_FACTS = "sample.json"
SAMPLE_README = "README.md"
SAMPLE_MARKER = ".opsbook-sample"


def cur_export(export: str) -> str:
    """Return the folder of the Data Export named ``export``."""
    return f"{CUR}/{export}"


def cur_data(period: str) -> str:
    """Return a billing period's data folder in an export (``*`` for every period)."""
    return f"{CUR_DATA}/BILLING_PERIOD={period}"


def cur_metadata(period: str) -> str:
    """Return a billing period's metadata folder in an export, where its manifest is."""
    return f"{CUR_METADATA}/BILLING_PERIOD={period}"


def cur_object(export: str, number: str) -> str:
    """Return the name of a data file (``number`` is ``00001``, ``00002``, ... or ``*``)."""
    return f"{export}-{number}.snappy.parquet"


def cur_manifest(export: str) -> str:
    """Return the name of a billing period's manifest file."""
    return f"{export}-Manifest.json"


def export_task(group: str, task: str) -> str:
    """Return the folder of an export task's output for ``group``; its log streams are below it.

    Examples
    --------
    >>> export_task("/ecs/checkout-api", "1c9e...") + "/" + export_object(0)
    'logs/export/ecs/checkout-api/1c9e.../000000.gz'
    """
    return f"{LOG_EXPORTS}/{group.strip('/')}/{task}"


def export_object(part: int) -> str:
    """Return the name of a log stream's ``part``-th exported object (``000000.gz``, ...)."""
    return f"{part:06d}.gz"


def log_delivery_object(stream: str, opened: dt.datetime, unique: str) -> str:
    """Return the key of an object the Firehose delivery ``stream`` of log records wrote.

    ``opened`` is when its buffer opened (UTC); CloudWatch Logs gzips each record itself, so the
    stream does not compress and the name has no extension.
    """
    return _firehose_key(f"{LOG_FIREHOSE}/{stream}", stream, *_firehose_times(opened), unique)


def metric_stream_object(stream: str, opened: dt.datetime, unique: str) -> str:
    """Return the key of an object the metric stream ``stream`` delivered (GZIP) through Firehose."""
    return _firehose_key(f"{METRICS}/{stream}", stream, *_firehose_times(opened), unique) + ".gz"


def pulled_metrics(name: str) -> str:
    """Return the Parquet file ``opsbook metrics pull`` writes for ``name``."""
    return f"{METRICS_PULLED}/{name}.parquet"


def trail_folder(account: str, region: str, day: str) -> str:
    """Return the folder of the log files delivered on ``day`` (:data:`TRAIL_DAY`; ``*/*/*``: any)."""
    return f"{TRAIL_LOGS}/{account}/CloudTrail/{region}/{day}"


def trail_file(account: str, region: str, delivered: str, unique: str) -> str:
    """Return the name of a log file delivered at ``delivered`` (:data:`TRAIL_DELIVERED`)."""
    return f"{account}_CloudTrail_{region}_{delivered}_{unique}.json.gz"


def trail_files(region: str) -> str:
    """Return the glob of every account's log files of ``region``.

    Examples
    --------
    >>> trail_files("us-east-1")
    'cloudtrail/AWSLogs/*/CloudTrail/us-east-1/*/*/*/*.json.gz'
    """
    return f"{trail_folder('*', region, '*/*/*')}/*.json.gz"


def tree() -> str:
    """Return every path of the layout, one a line, with what it holds (the module's docstring)."""
    export, period = "<export>", "YYYY-MM"
    times = ("YYYY/MM/DD/HH", "YYYY-MM-DD-HH-MM-SS")
    account, region = "<account>", "<region>"
    rows = (
        (f"{cur_export(export)}/{cur_data(period)}/{cur_object(export, 'NNNNN')}",
         "CUR 2.0 (Data Exports)"),
        (f"{cur_export(export)}/{cur_metadata(period)}/{cur_manifest(export)}",
         "its manifest per period"),
        (f"{export_task('<log group>', '<task id>')}/<log stream>/NNNNNN.gz",
         "CloudWatch Logs CreateExportTask output"),
        (_firehose_key(f"{LOG_FIREHOSE}/<delivery stream>", "<delivery stream>", *times, "<uuid>"),
         "subscription filter to Firehose"),
        (DESCRIBE_LOG_GROUPS, "DescribeLogGroups"),
        (_firehose_key(f"{METRICS}/<metric stream>", "<metric stream>", *times, "<uuid>") + ".gz",
         "Metric Streams (JSON)"),
        (pulled_metrics("<name>"), "opsbook metrics pull"),
        (DESCRIBE_ALARMS, "DescribeAlarms"),
        (ALARM_HISTORY, "DescribeAlarmHistory"),
        (f"{trail_folder(account, region, 'YYYY/MM/DD')}/"
         f"{trail_file(account, region, 'YYYYMMDDTHHMMZ', '<unique>')}", "trail log files"),
        (HEALTH_EVENTS, "AWS Health DescribeEvents"),
        (HEALTH_EVENT_DETAILS, "DescribeEventDetails"),
        (HEALTH_AFFECTED_ENTITIES, "DescribeAffectedEntities"),
        (f"{COST_OPTIMIZATION_HUB}/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet",
         "Data Exports: COST_OPTIMIZATION_RECOMMENDATIONS"),
        (DESCRIBE_BUDGETS, "AWS Budgets DescribeBudgets"),
        (SLOS, "the services' SLOs (OpenSLO)"),
        (SAMPLE_FACTS, "what opsbook sample generate wrote"),
        (SAMPLE_README, "the sample's description"),
        (SAMPLE_MARKER, "marks a folder opsbook sample generate wrote, listing what it wrote"),
    )  # fmt: skip
    return "\n".join(f"{path}  {what}" for path, what in rows)


def _firehose_times(opened: dt.datetime) -> tuple[str, str]:
    return f"{opened:%Y/%m/%d/%H}", f"{opened:%Y-%m-%d-%H-%M-%S}"


def _firehose_key(folder: str, stream: str, hour: str, stamp: str, unique: str) -> str:
    """Firehose's default key: the buffer's UTC hour as folders, then stream, version and time."""
    return f"{folder}/{hour}/{stream}-1-{stamp}-{unique}"
