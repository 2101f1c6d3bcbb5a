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
lookup-tables/<table>.csv  Logs Insights lookup tables (the CSV CreateLookupTable takes)
metrics/<metric stream>/YYYY/MM/DD/HH/<metric stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>.gz  Metric Streams (JSON)
metrics/opsbook-pull/<name>.parquet  opsbook metrics pull
alarms/describe-alarms.json  DescribeAlarms
alarms/alarm-history.json  DescribeAlarmHistory
cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_YYYYMMDDTHHMMZ_<unique>.json.gz  trail log files
s3/<bucket>/AWSLogs/<account>/elasticloadbalancing/<region>/YYYY/MM/DD/<account>_elasticloadbalancing_<region>_app.<lb>.<id>_YYYYMMDDTHHMMZ_<ip>_<random>.log.gz  ALB access logs
s3/<bucket>/AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_<region>_<flow log id>_YYYYMMDDTHHMMZ_<hash>.log.gz  VPC flow logs
health/describe-events.json  AWS Health DescribeEvents
health/describe-event-details.json  DescribeEventDetails
health/describe-affected-entities.json  DescribeAffectedEntities
traces/batch-get-traces/YYYY/MM/DD/HH.json  X-Ray BatchGetTraces (traces started in the hour)
canaries/describe-canaries.json  CloudWatch Synthetics DescribeCanaries
canaries/get-canary-runs/<canary>/YYYY-MM-DD.json  GetCanaryRuns (the day's runs)
billing/cost-optimization-hub/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet  Data Exports: COST_OPTIMIZATION_RECOMMENDATIONS
billing/describe-budgets.json  AWS Budgets DescribeBudgets
billing/budget-performance-history/<budget>.json  DescribeBudgetPerformanceHistory
billing/compute-optimizer/<operation>.json  Compute Optimizer GetEC2InstanceRecommendations, GetEBSVolumeRecommendations, GetLambdaFunctionRecommendations
billing/cost-anomaly-detection/get-anomalies.json  Cost Anomaly Detection GetAnomalies
billing/cost-anomaly-detection/get-anomaly-monitors.json  GetAnomalyMonitors
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

from opsbook.backends.s3formats import split_s3_source
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
>>> s3_object("s3://shop-logs/AWSLogs/")
's3/shop-logs/AWSLogs/'
"""

from __future__ import annotations

import datetime as dt

from botocore import xform_name

from opsbook.backends.s3formats import split_s3_source

__all__ = [
    "ALARMS",
    "ALARM_HISTORY",
    "CLOUDTRAIL",
    "CUR",
    "CUR_DATA",
    "CANARIES",
    "CANARY_RUNS",
    "CUR_METADATA",
    "DESCRIBE_ALARMS",
    "DESCRIBE_CANARIES",
    "DESCRIBE_LOG_GROUPS",
    "HEALTH",
    "COST_OPTIMIZATION_HUB",
    "DESCRIBE_BUDGETS",
    "ANOMALIES",
    "ANOMALY_MONITORS",
    "BUDGET_HISTORY",
    "COMPUTE_OPTIMIZER",
    "budget_history",
    "compute_optimizer",
    "HEALTH_AFFECTED_ENTITIES",
    "HEALTH_EVENTS",
    "HEALTH_EVENT_DETAILS",
    "LOGS",
    "LOG_EXPORTS",
    "LOG_FIREHOSE",
    "LOOKUP_TABLES",
    "METRICS",
    "METRICS_PULLED",
    "SAMPLE_FACTS",
    "SAMPLE_MARKER",
    "SAMPLE_README",
    "SLOS",
    "SPANS_GROUP",
    "TRAIL_DAY",
    "TRAIL_DELIVERED",
    "TRACES",
    "TRACE_HOUR",
    "TRAIL_LOGS",
    "canary_runs",
    "cur_data",
    "cur_export",
    "cur_manifest",
    "cur_metadata",
    "cur_object",
    "S3_BUCKETS",
    "elb_object",
    "export_object",
    "export_task",
    "log_delivery_object",
    "metric_stream_object",
    "pulled_metrics",
    "s3_object",
    "trace_batch",
    "trail_file",
    "trail_files",
    "trail_folder",
    "tree",
    "vpc_flow_object",
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
#: Logs Insights lookup tables, one ``<table>.csv`` each (what ``lookup <table>`` reads)
LOOKUP_TABLES = "lookup-tables"

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

# Logs AWS services write straight to S3 buckets (ALB, VPC flow logs, CloudFront, ...): one
# folder per bucket, keys as AWS writes them below it; a source spelled s3://<bucket>/<prefix>
# is read from s3/<bucket>/<prefix> (formats and key layouts: opsbook.backends.s3formats).
S3_BUCKETS = "s3"

# AWS Health: DescribeEvents, DescribeEventDetails and DescribeAffectedEntities output
HEALTH = "health"
#: Data Exports of the COST_OPTIMIZATION_RECOMMENDATIONS table (Parquet, any partitioning below).
COST_OPTIMIZATION_HUB = "billing/cost-optimization-hub"
DESCRIBE_BUDGETS = "billing/describe-budgets.json"
BUDGET_HISTORY = "billing/budget-performance-history"
COMPUTE_OPTIMIZER = "billing/compute-optimizer"
ANOMALIES = "billing/cost-anomaly-detection/get-anomalies.json"
ANOMALY_MONITORS = "billing/cost-anomaly-detection/get-anomaly-monitors.json"
HEALTH_EVENTS = f"{HEALTH}/describe-events.json"
HEALTH_EVENT_DETAILS = f"{HEALTH}/describe-event-details.json"
HEALTH_AFFECTED_ENTITIES = f"{HEALTH}/describe-affected-entities.json"

# Transaction Search: OpenTelemetry spans in this log group (read like any other log group)
SPANS_GROUP = "aws/spans"

# X-Ray: BatchGetTraces output, one file per hour the traces started in
TRACES = "traces"
TRACE_HOUR = "%Y/%m/%d/%H"  # the hour's folders and name (strftime)

# CloudWatch Synthetics: DescribeCanaries, and GetCanaryRuns output per canary and day
CANARIES = "canaries"
DESCRIBE_CANARIES = f"{CANARIES}/describe-canaries.json"
CANARY_RUNS = f"{CANARIES}/get-canary-runs"

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


def s3_object(uri: str) -> str:
    """Return where the object or prefix ``s3://<bucket>/<key>`` lives in a data folder."""
    bucket, key = split_s3_source(uri)
    return f"{S3_BUCKETS}/{bucket}/{key}"


def elb_object(
    account: str, region: str, lb: str, end: dt.datetime, ip: str, unique: str, kind: str = "app"
) -> str:
    """Return the key (below the bucket) of a load balancer's access log file.

    ``lb`` is the load balancer's resource id with its slashes as dots (``shop-public.50dc...``),
    ``end`` the end of the 5-minute interval the file covers, ``kind`` ``app`` or ``net`` (a
    Network Load Balancer's file names no node ``ip``: give ``""``).

    Examples
    --------
    >>> end = dt.datetime(2026, 11, 14, 14, 5, tzinfo=dt.UTC)
    >>> elb_object("123456789012", "us-east-1", "shop.50dc", end, "10.0.1.7", "x1")
    'AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/14/123456789012_elasticloadbalancing_us-east-1_app.shop.50dc_20261114T1405Z_10.0.1.7_x1.log.gz'
    """
    node = f"_{ip}" if ip else ""
    return (
        f"AWSLogs/{account}/elasticloadbalancing/{region}/{end:%Y/%m/%d}/"
        f"{account}_elasticloadbalancing_{region}_{kind}.{lb}_{end:%Y%m%dT%H%MZ}{node}_{unique}.log.gz"
    )


def vpc_flow_object(
    account: str, region: str, flow_log: str, stamp: dt.datetime, unique: str
) -> str:
    """Return the key (below the bucket) of a VPC flow log file delivered to S3 (text, gzip).

    Examples
    --------
    >>> at = dt.datetime(2026, 11, 14, 14, 5, tzinfo=dt.UTC)
    >>> vpc_flow_object("123456789012", "us-east-1", "fl-0a1b2c3d", at, "9f8e")
    'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/14/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d_20261114T1405Z_9f8e.log.gz'
    """
    return (
        f"AWSLogs/{account}/vpcflowlogs/{region}/{stamp:%Y/%m/%d}/"
        f"{account}_vpcflowlogs_{region}_{flow_log}_{stamp:%Y%m%dT%H%MZ}_{unique}.log.gz"
    )


def trace_batch(hour: str) -> str:
    """Return the BatchGetTraces file of the traces started in ``hour`` (:data:`TRACE_HOUR`).

    Examples
    --------
    >>> trace_batch("2026/11/14/14")
    'traces/batch-get-traces/2026/11/14/14.json'
    """
    return f"{TRACES}/batch-get-traces/{hour}.json"


def canary_runs(canary: str, day: str) -> str:
    """Return the GetCanaryRuns file of ``canary``'s runs started on ``day`` (``YYYY-MM-DD``).

    Examples
    --------
    >>> canary_runs("checkout-flow", "2026-11-14")
    'canaries/get-canary-runs/checkout-flow/2026-11-14.json'
    """
    return f"{CANARY_RUNS}/{canary}/{day}.json"


def budget_history(budget: str) -> str:
    """Return the DescribeBudgetPerformanceHistory file of ``budget``.

    Examples
    --------
    >>> budget_history("northpeak-monthly-total")
    'billing/budget-performance-history/northpeak-monthly-total.json'
    """
    return f"{BUDGET_HISTORY}/{budget}.json"


def compute_optimizer(operation: str) -> str:
    """Return the file of a Compute Optimizer operation's answer, named as the AWS CLI names it.

    Examples
    --------
    >>> compute_optimizer("GetEBSVolumeRecommendations")
    'billing/compute-optimizer/get-ebs-volume-recommendations.json'
    """
    if operation.startswith("<"):
        return f"{COMPUTE_OPTIMIZER}/{operation}.json"
    return f"{COMPUTE_OPTIMIZER}/{xform_name(operation, '-')}.json"


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
        (f"{LOOKUP_TABLES}/<table>.csv",
         "Logs Insights lookup tables (the CSV CreateLookupTable takes)"),
        (_firehose_key(f"{METRICS}/<metric stream>", "<metric stream>", *times, "<uuid>") + ".gz",
         "Metric Streams (JSON)"),
        (pulled_metrics("<name>"), "opsbook metrics pull"),
        (DESCRIBE_ALARMS, "DescribeAlarms"),
        (ALARM_HISTORY, "DescribeAlarmHistory"),
        (f"{trail_folder(account, region, 'YYYY/MM/DD')}/"
         f"{trail_file(account, region, 'YYYYMMDDTHHMMZ', '<unique>')}", "trail log files"),
        (f"{S3_BUCKETS}/<bucket>/AWSLogs/{account}/elasticloadbalancing/{region}/YYYY/MM/DD/"
         f"{account}_elasticloadbalancing_{region}_app.<lb>.<id>_YYYYMMDDTHHMMZ_<ip>_<random>"
         ".log.gz", "ALB access logs"),
        (f"{S3_BUCKETS}/<bucket>/AWSLogs/{account}/vpcflowlogs/{region}/YYYY/MM/DD/"
         f"{account}_vpcflowlogs_{region}_<flow log id>_YYYYMMDDTHHMMZ_<hash>.log.gz",
         "VPC flow logs"),
        (HEALTH_EVENTS, "AWS Health DescribeEvents"),
        (HEALTH_EVENT_DETAILS, "DescribeEventDetails"),
        (HEALTH_AFFECTED_ENTITIES, "DescribeAffectedEntities"),
        (trace_batch("YYYY/MM/DD/HH"), "X-Ray BatchGetTraces (traces started in the hour)"),
        (DESCRIBE_CANARIES, "CloudWatch Synthetics DescribeCanaries"),
        (canary_runs("<canary>", "YYYY-MM-DD"), "GetCanaryRuns (the day's runs)"),
        (f"{COST_OPTIMIZATION_HUB}/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet",
         "Data Exports: COST_OPTIMIZATION_RECOMMENDATIONS"),
        (DESCRIBE_BUDGETS, "AWS Budgets DescribeBudgets"),
        (budget_history("<budget>"), "DescribeBudgetPerformanceHistory"),
        (compute_optimizer("<operation>"), "Compute Optimizer GetEC2InstanceRecommendations, "
         "GetEBSVolumeRecommendations, GetLambdaFunctionRecommendations"),
        (ANOMALIES, "Cost Anomaly Detection GetAnomalies"),
        (ANOMALY_MONITORS, "GetAnomalyMonitors"),
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
