"""AWS Cost Anomaly Detection's anomalies next to opsbook's, and why they differ.

An AWS anomaly and an opsbook one are the same when they are in the same linked account and
service and their days overlap. AWS names services as Cost Explorer does (``EC2 - Other``,
``Amazon Relational Database Service``); opsbook by the CUR's product code (``AmazonEC2``):
:data:`CE_SERVICES` maps one to the other. Each anomaly gets a verdict, ``found by both``,
``only AWS`` or ``only opsbook``, and, when only one side found it, the likely reason:

* only AWS: its impact is under opsbook's dollar or percent threshold; or opsbook could not
  judge those days (too little same-weekday history, no CUR data yet); or else opsbook's
  expectation (the median of the same weekday over the previous weeks) already held the rise,
  so its score stayed under ``min_score``;
* only opsbook: the account has no monitor, or none watches that account; AWS had not
  evaluated the day yet, or its monitor was too young (AWS needs about ten days of history);
  or else AWS's model expected the spend or scored it under its own threshold.

Examples
--------
>>> CE_SERVICES["EC2 - Other"], CE_SERVICES["Amazon Relational Database Service"]
('AmazonEC2', 'AmazonRDS')
>>> compare_with_aws(review_anomalies("2026-10-16", "2026-11-15"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd

from opsbook import billing
from opsbook.cost.anomalies import AnomalyReport, anomaly_window
from opsbook.present import (
    ERROR,
    FINDING,
    PASS,
    SectionError,
    annotate,
    attempt,
    read_or_none,
    sections_frame,
)
from opsbook.settings import Settings

__all__ = ["CE_SERVICES", "AnomalyComparison", "compare_anomalies", "compare_with_aws"]

#: Cost Explorer's SERVICE names -> the CUR's ``line_item_product_code``.
CE_SERVICES = {
    "Amazon Elastic Compute Cloud - Compute": "AmazonEC2",
    "EC2 - Other": "AmazonEC2",
    "Amazon Elastic Block Store": "AmazonEC2",
    "Amazon Relational Database Service": "AmazonRDS",
    "Amazon Simple Storage Service": "AmazonS3",
    "AWS Lambda": "AWSLambda",
    "Amazon DynamoDB": "AmazonDynamoDB",
    "Amazon CloudWatch": "AmazonCloudWatch",
    "CloudWatch Events": "AmazonCloudWatch",
    "Amazon Elastic Container Service": "AmazonECS",
    "Amazon Elastic Container Service for Kubernetes": "AmazonEKS",
    "Amazon Elastic Load Balancing": "AWSELB",
    "Elastic Load Balancing": "AWSELB",
    "Amazon Virtual Private Cloud": "AmazonVPC",
    "Amazon OpenSearch Service": "AmazonES",
    "Amazon ElastiCache": "AmazonElastiCache",
    "Amazon Simple Queue Service": "AWSQueueService",
    "Amazon Simple Notification Service": "AmazonSNS",
    "Amazon Kinesis": "AmazonKinesis",
    "Amazon Kinesis Firehose": "AmazonKinesisFirehose",
    "Amazon Athena": "AmazonAthena",
    "AWS Glue": "AWSGlue",
    "Amazon SageMaker": "AmazonSageMaker",
    "Amazon CloudFront": "AmazonCloudFront",
    "Amazon Route 53": "AmazonRoute53",
    "Amazon API Gateway": "AmazonApiGateway",
    "AWS Key Management Service": "awskms",
    "AWS Secrets Manager": "AWSSecretsManager",
    "AWS Step Functions": "AWSStepFunctions",
    "Amazon Elastic File System": "AmazonEFS",
    "AWS Data Transfer": "AWSDataTransfer",
}
_LEARNING_DAYS = 10  # AWS: a new monitor needs about ten days of history before it detects
_COLUMNS = ["verdict", "account_id", "account_name", "service", "aws_service", "start_day",
            "end_day", "opsbook_impact", "aws_impact", "aws_impact_pct", "aws_score", "reason",
            "aws_root_causes"]  # fmt: skip
_ORDER = {"found by both": 0, "only AWS": 1, "only opsbook": 2}
SECTIONS = {
    "aws_anomalies": "Cost Anomaly Detection (ce:GetAnomalies)",
    "aws_monitors": "Cost Anomaly Detection (ce:GetAnomalyMonitors)",
}


def _overlap(a_start: pd.Timestamp, a_end: pd.Timestamp, b_start: object, b_end: object) -> bool:
    return bool(a_start <= pd.Timestamp(b_end) and pd.Timestamp(b_start) <= a_end)


def _days(start: object, end: object) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start).tz_localize(None).normalize(),
                         pd.Timestamp(end).tz_localize(None).normalize(), freq="D")  # fmt: skip


def _only_aws_reason(row: pd.Series, report: AnomalyReport, thresholds: dict[str, float]) -> str:
    if pd.notna(row["total_impact"]) and row["total_impact"] < thresholds["min_impact_usd"]:
        return (f"impact ${row['total_impact']:,.0f} is under opsbook's min_impact_usd "
                f"(${thresholds['min_impact_usd']:,.0f})")  # fmt: skip
    if pd.notna(row["impact_pct"]) and row["impact_pct"] < thresholds["min_impact_pct"]:
        return (f"impact {row['impact_pct']:.1f}% of expected is under opsbook's min_impact_pct "
                f"({thresholds['min_impact_pct']:g}%)")  # fmt: skip
    daily = report.daily
    judged = (pd.DatetimeIndex(daily.loc[daily["expected"].notna(), "usage_day"])
              if len(daily) else pd.DatetimeIndex([]))  # fmt: skip
    if not _days(row["start_day"], row["end_day"]).isin(judged).all():
        return (
            "opsbook could not judge those days: no CUR data, or under two weeks of "
            "same-weekday history"
        )
    if row["service"] not in CE_SERVICES:
        return f"AWS's service {row['service']!r} has no CUR product code opsbook knows to match"
    return (
        f"opsbook's score stayed under min_score ({thresholds['min_score']:g}): its "
        "expectation, the same weekday's median over the weeks before, already held the "
        f"rise, and it judges all of {CE_SERVICES[row['service']]} where AWS judged "
        f"{row['service']!r}"
    )


def _watched(account: str, monitors: pd.DataFrame) -> bool:
    if (monitors["monitor_type"] == "DIMENSIONAL").any():
        return True  # a SERVICE monitor watches every account's services
    for spec in monitors["specification"].dropna():
        if account in json.dumps(json.loads(spec)):
            return True
    return False


def _only_opsbook_reason(row: pd.Series, monitors: pd.DataFrame | None) -> str:
    if monitors is None:
        return "AWS's monitors could not be read (see sections)"
    if monitors.empty:
        return "the account has no Cost Anomaly Detection monitor"
    if not _watched(str(row["account_id"]), monitors):
        return f"no AWS monitor watches account {row['account_id']}"
    evaluated = monitors["last_evaluated"].max()
    if pd.notna(evaluated) and pd.Timestamp(row["start_day"], tz="UTC") > evaluated:
        return (
            f"AWS had not evaluated those days yet (monitors last evaluated {evaluated:%Y-%m-%d})"
        )
    created = monitors["created"].min()
    learning = created + pd.Timedelta(days=_LEARNING_DAYS) if pd.notna(created) else None
    if learning is not None and pd.Timestamp(row["start_day"], tz="UTC") < learning:
        return (
            f"AWS's oldest monitor was created {created:%Y-%m-%d} and needs about "
            f"{_LEARNING_DAYS} days of history before it detects"
        )
    return (
        "AWS did not report it: its model, trained on its own history, expected the spend, "
        "or scored it under its detection threshold"
    )


def compare_anomalies(
    report: AnomalyReport,
    aws: pd.DataFrame,
    monitors: pd.DataFrame | None,
    *,
    min_score: float = 5.0,
    min_impact_usd: float = 100.0,
    min_impact_pct: float = 10.0,
) -> pd.DataFrame:
    """Return one row per anomaly of either side: its verdict and, if one side missed it, why.

    ``aws`` is :func:`opsbook.billing.read_cost_anomalies`' frame, ``monitors``
    :func:`opsbook.billing.read_anomaly_monitors`' (``None``: could not be read); the thresholds
    are those ``report`` was made with.

    Examples
    --------
    >>> from opsbook.backends.frames import anomaly_monitors_frame, cost_anomalies_frame
    >>> ours = pd.DataFrame({"anomaly_id": ["a"], "account_id": ["1"], "account_name": ["shop"],
    ...     "service": ["AmazonEC2"], "start_day": [pd.Timestamp("2026-11-05")],
    ...     "end_day": [pd.Timestamp("2026-11-05")], "total_impact": [550.0], "max_score": [40.0]})
    >>> report = AnomalyReport(ours, pd.DataFrame(), pd.DataFrame({"usage_day": [], "expected": []}))
    >>> theirs = cost_anomalies_frame([{"anomaly_id": "x", "start_day": "2026-11-05",
    ...     "end_day": "2026-11-05", "service": "EC2 - Other", "account_id": "1",
    ...     "total_impact": 540.0, "impact_pct": 800.0}])
    >>> compare_anomalies(report, theirs, anomaly_monitors_frame([]))["verdict"].tolist()
    ['found by both']
    """
    thresholds = {"min_score": min_score, "min_impact_usd": min_impact_usd,
                  "min_impact_pct": min_impact_pct}  # fmt: skip
    ours = report.anomalies
    used: set[int] = set()
    rows = []
    for _, theirs in aws.iterrows():
        code = CE_SERVICES.get(str(theirs["service"]), theirs["service"])
        start, end = (
            pd.Timestamp(theirs["start_day"]).tz_localize(None),
            pd.Timestamp(theirs["end_day"]).tz_localize(None),
        )
        hits = [i for i, mine in ours.iterrows()
                if mine["account_id"] == theirs["account_id"] and mine["service"] == code
                and _overlap(start, end, mine["start_day"], mine["end_day"])]  # fmt: skip
        used.update(hits)
        mine = ours.loc[hits[0]] if hits else None
        rows.append({
            "verdict": "found by both" if hits else "only AWS",
            "account_id": theirs["account_id"],
            "account_name": theirs["account_name"] if mine is None else mine["account_name"],
            "service": code, "aws_service": theirs["service"],
            "start_day": start if mine is None else min(start, mine["start_day"]),
            "end_day": end if mine is None else max(end, mine["end_day"]),
            "opsbook_impact": None if mine is None else mine["total_impact"],
            "aws_impact": theirs["total_impact"], "aws_impact_pct": theirs["impact_pct"],
            "aws_score": theirs["max_score"],
            "reason": "" if hits else _only_aws_reason(theirs, report, thresholds),
            "aws_root_causes": theirs["root_causes"],
        })  # fmt: skip
    for i, mine in ours.iterrows():
        if i in used:
            continue
        rows.append({
            "verdict": "only opsbook", "account_id": mine["account_id"],
            "account_name": mine["account_name"], "service": mine["service"],
            "start_day": mine["start_day"], "end_day": mine["end_day"],
            "opsbook_impact": mine["total_impact"],
            "reason": _only_opsbook_reason(mine, monitors),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out = out.assign(_o=out["verdict"].map(_ORDER)).sort_values(["_o", "start_day"])
    out = out.drop(columns="_o").reset_index(drop=True)
    return annotate(out, kinds={"opsbook_impact": "money", "aws_impact": "money"},
                    missing={"opsbook_impact": "opsbook found no anomaly there",
                             "aws_impact": "AWS reported no anomaly there"},
                    empty="neither AWS nor opsbook found an anomaly in the window")  # fmt: skip


@dataclass(frozen=True)
class AnomalyComparison:
    """AWS's detections next to opsbook's; a :class:`~opsbook.present.Report`.

    Attributes
    ----------
    compared
        One row per anomaly (:func:`compare_anomalies`), or the error AWS's anomalies gave.
    aws
        AWS's anomalies as read, or their error.
    monitors
        AWS's monitors, or their error.
    sections
        Each AWS read and whether it worked (ERROR names the API).
    """

    compared: pd.DataFrame | SectionError
    aws: pd.DataFrame | SectionError
    monitors: pd.DataFrame | SectionError
    sections: pd.DataFrame

    def figures(self) -> dict[str, object]:
        """Return the count of anomalies per verdict."""
        if isinstance(self.compared, SectionError):
            return {"verdicts": {}}
        return {"verdicts": self.compared["verdict"].value_counts().to_dict()}

    def findings(self) -> list[str]:
        """Return how many each side found and one line per anomaly only one side found."""
        if isinstance(self.compared, SectionError):
            return [repr(self.compared)]
        counts = self.compared["verdict"].value_counts()
        lines = [", ".join(f"{counts.get(v, 0)} {v}" for v in _ORDER)]
        for row in self.compared[self.compared["verdict"] != "found by both"].itertuples():
            lines.append(f"{row.verdict}: {row.service} in {row.account_name or row.account_id} "
                         f"from {row.start_day:%Y-%m-%d} - {row.reason}")  # fmt: skip
        return lines

    def status(self) -> str:
        """Return FINDING when the two disagree on an anomaly, else PASS."""
        if isinstance(self.compared, SectionError):
            return ERROR
        return FINDING if (self.compared["verdict"] != "found by both").any() else PASS


def compare_with_aws(
    report: AnomalyReport,
    start: str | dt.date,
    end: str | dt.date,
    *,
    min_score: float = 5.0,
    min_impact_usd: float = 100.0,
    min_impact_pct: float = 10.0,
    settings: Settings | None = None,
) -> AnomalyComparison:
    """Read AWS's anomalies ending in ``[start, end)`` and its monitors; compare with ``report``.

    ``start`` and ``end`` are the window ``report`` judged, as given to
    :func:`~opsbook.cost.review_anomalies` (empty: its defaults); the thresholds those it used. A
    read that fails is an ERROR section naming the API, and the comparison says so.

    Examples
    --------
    >>> report = review_anomalies("2026-10-16", "2026-11-15")  # doctest: +SKIP
    >>> compare_with_aws(report, "2026-10-16", "2026-11-15").findings()[0]  # doctest: +SKIP
    '1 found by both, 2 only AWS, 0 only opsbook'
    """
    first, stop = anomaly_window(start, end)
    errors: dict[str, str] = {}
    aws = attempt("aws_anomalies", errors,
                  lambda: billing.read_cost_anomalies(first, stop, settings=settings))  # fmt: skip
    monitors = attempt("aws_monitors", errors,
                       lambda: billing.read_anomaly_monitors(settings=settings))  # fmt: skip
    if isinstance(aws, SectionError):
        compared: pd.DataFrame | SectionError = aws
    else:
        compared = compare_anomalies(
            report, aws, read_or_none(monitors),
            min_score=min_score, min_impact_usd=min_impact_usd, min_impact_pct=min_impact_pct,
        )  # fmt: skip
    return AnomalyComparison(compared, aws, monitors, sections_frame(SECTIONS, errors))
