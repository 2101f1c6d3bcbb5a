"""The logs AWS services write straight to S3: each format's fields, key layout and timing, once.

A Logs Insights source is a log group or an S3 prefix spelled ``s3://<bucket>/<prefix>``
(:func:`is_s3_source`). Below the prefix, each object is recognised by the key AWS gives it
(:data:`FORMATS`, first match wins), which also says when its events happened, so a query reads
only the objects of its time range. This module is not a backend: it describes the formats for
the local reader (:mod:`opsbook.backends.local.s3logs`) and for an Athena table per format.

Fields keep the names of the format's own documentation page (:attr:`S3Format.docs`), as written
there (``client:port``, ``log-status``, ``cs(User-Agent)``: such names need backquotes in a
query). Two exceptions: S3 server access logs, whose format page names fields in prose
(``Bucket owner``, ``HTTP status``), take the column names of AWS's Athena table for them
(``bucketowner``, ``httpstatus``); and the formats whose lines are JSON (WAF, CloudTrail, API
Gateway as configured) keep their own keys, nested ones flattened with dots as Logs Insights
does (``httpRequest.clientIp``). VPC flow logs and CloudFront name their fields in a header line
of every file (custom formats included); :attr:`S3Format.fields` is their default layout.

Examples
--------
>>> [f.name for f in FORMATS]
['alb', 'nlb', 'vpcflow', 'cloudfront', 's3access', 'waf', 'cloudtrail', 'apigateway']
>>> key = ("AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/14/123456789012_"
...        "elasticloadbalancing_us-east-1_app.shop-public.50dc6c495c0c9188_20261114T1405Z_"
...        "10.0.1.17_2f1k7q9x.log.gz")
>>> found = recognise(key)
>>> found.name, stamp_of(found, key)
('alb', datetime.datetime(2026, 11, 14, 14, 5, tzinfo=datetime.timezone.utc))
>>> split_s3_source("s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/")
('shop-logs', 'AWSLogs/123456789012/elasticloadbalancing/')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from opsbook.errors import ConfigurationError

__all__ = [
    "ALB_FIELDS",
    "CLOUDFRONT_FIELDS",
    "CLOUDTRAIL_FIELDS",
    "FORMATS",
    "NLB_FIELDS",
    "S3ACCESS_FIELDS",
    "S3Format",
    "VPC_DEFAULT_FIELDS",
    "WAF_FIELDS",
    "by_name",
    "is_s3_source",
    "recognise",
    "split_s3_source",
    "stamp_of",
]

S3_SCHEME = "s3://"

#: Application Load Balancer access log entry, in order (fields AWS may add go at the end).
ALB_FIELDS = (
    "type time elb client:port target:port request_processing_time target_processing_time "
    "response_processing_time elb_status_code target_status_code received_bytes sent_bytes "
    "request user_agent ssl_cipher ssl_protocol target_group_arn trace_id domain_name "
    "chosen_cert_arn matched_rule_priority request_creation_time actions_executed redirect_url "
    "error_reason target:port_list target_status_code_list classification classification_reason "
    "conn_trace_id"
).split()
#: Network Load Balancer access log entry (TLS listeners only), in order.
NLB_FIELDS = (
    "type version time elb listener client:port destination:port connection_time "
    "tls_handshake_time received_bytes sent_bytes incoming_tls_alert chosen_cert_arn "
    "chosen_cert_serial tls_cipher tls_protocol_version tls_named_group domain_name "
    "alpn_fe_protocol alpn_be_protocol alpn_client_preference_list tls_connection_creation_time"
).split()
#: VPC flow log record, default format (version 2); a custom format names its own in the header.
VPC_DEFAULT_FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status"
).split()
#: CloudFront standard log (legacy), the ``#Fields:`` line of every file, in order.
CLOUDFRONT_FIELDS = (
    "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status "
    "cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id "
    "x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher "
    "x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port "
    "time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len "
    "sc-range-start sc-range-end"
).split()
#: S3 server access log record, as AWS's Athena table for it names the columns, in order.
S3ACCESS_FIELDS = (
    "bucketowner bucket_name requestdatetime remoteip requester requestid operation key "
    "request_uri httpstatus errorcode bytessent objectsize totaltime turnaroundtime referrer "
    "useragent versionid hostid sigv ciphersuite authtype endpoint tlsversion accesspointarn "
    "aclrequired"
).split()
#: AWS WAF log record, its top-level keys (``httpRequest`` and the rule lists are nested).
WAF_FIELDS = (
    "timestamp formatVersion webaclId terminatingRuleId terminatingRuleType action "
    "terminatingRuleMatchDetails httpSourceName httpSourceId ruleGroupList rateBasedRuleList "
    "nonTerminatingMatchingRules requestHeadersInserted responseCodeSent httpRequest labels"
).split()
#: CloudTrail record contents every management event has (others appear when they apply).
CLOUDTRAIL_FIELDS = (
    "eventVersion userIdentity eventTime eventSource eventName awsRegion sourceIPAddress "
    "userAgent requestParameters responseElements requestID eventID readOnly eventType "
    "managementEvent recipientAccountId eventCategory"
).split()

_ELB = r"(?:^|/)AWSLogs/(?P<account>\d{12})/elasticloadbalancing/(?P<region>[a-z0-9-]+)/\d{4}/\d{2}/\d{2}/"
_STAMP = r"(?P<stamp>\d{8}T\d{4}Z)"


@dataclass(frozen=True)
class S3Format:
    """One log format AWS writes to S3: its fields, its object keys and when their events happen.

    An object whose key carries the time ``stamp`` holds events from ``stamp - before`` up to
    ``stamp + after``; a query reads the objects whose span meets its range, nothing else.
    """

    name: str
    title: str
    fields: tuple[str, ...]  # documented fields in order; () when only the data names them
    key: re.Pattern[str]  # matches an object's key below the bucket; group ``stamp``
    stamp: str  # strptime format of the ``stamp`` group
    before: dt.timedelta
    after: dt.timedelta
    docs: str  # the AWS documentation page that names the fields


def _format(name, title, fields, key, stamp, before, after, docs) -> S3Format:  # noqa: ANN001
    return S3Format(
        name, title, tuple(fields), re.compile(key), stamp,
        dt.timedelta(minutes=before), dt.timedelta(minutes=after), docs,
    )  # fmt: skip


_MINUTE = "%Y%m%dT%H%MZ"
FORMATS: tuple[S3Format, ...] = (
    # A load balancer node delivers a file every 5 minutes, named for the interval's end.
    _format("alb", "Application Load Balancer access logs", ALB_FIELDS,
            _ELB + r"(?P=account)_elasticloadbalancing_(?P=region)_app\.(?P<lb>[^_/]+)_"
            + _STAMP + r"_[^_/]+_[^_/]+\.log\.gz$", _MINUTE, 5, 0,
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html"),
    _format("nlb", "Network Load Balancer access logs (TLS listeners)", NLB_FIELDS,
            _ELB + r"(?P=account)_elasticloadbalancing_(?P=region)_net\.(?P<lb>[^_/]+)_"
            + _STAMP + r"_[^_/]+\.log\.gz$", _MINUTE, 5, 0,
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html"),
    # Records aggregate up to 10 minutes and reach S3 about 10 minutes after (both documented).
    _format("vpcflow", "VPC flow logs", VPC_DEFAULT_FIELDS,
            # Optional: Hive-compatible prefixes (aws-account-id=..., year=...), hourly folders.
            r"(?:^|/)AWSLogs/(?:aws-account-id=)?(?P<account>\d{12})/(?:aws-service=)?vpcflowlogs/"
            r"(?:aws-region=)?(?P<region>[a-z0-9-]+)/(?:year=)?\d{4}/(?:month=)?\d{2}/"
            r"(?:day=)?\d{2}/(?:(?:hour=)?\d{2}/)?"
            r"(?P=account)_vpcflowlogs_(?P=region)_(?P<flowlog>fl-[0-9a-z]+)_"
            + _STAMP + r"_[0-9a-z]+\.log\.gz$", _MINUTE, 20, 5,
            "https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html"),
    # Named for the hour the requests occurred in, even when delivered late.
    _format("cloudfront", "CloudFront standard logs (legacy)", CLOUDFRONT_FIELDS,
            r"(?:^|/)(?P<distribution>E[A-Z0-9]+)\.(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2})\."
            r"[A-Za-z0-9]+\.gz$", "%Y-%m-%d-%H", 0, 60,
            "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html"),
    # Best effort: most records arrive within a few hours; named for the delivery time.
    _format("s3access", "S3 server access logs", S3ACCESS_FIELDS,
            r"(?:^|/)(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-[0-9A-F]{16}$",
            "%Y-%m-%d-%H-%M-%S", 180, 0,
            "https://docs.aws.amazon.com/athena/latest/ug/querying-s3-access-logs.html"),
    # Delivered every 5 minutes under minute folders.
    _format("waf", "AWS WAF logs", WAF_FIELDS,
            r"(?:^|/)AWSLogs/(?P<account>\d{12})/WAFLogs/(?P<region>[a-z0-9-]+)/(?P<acl>[^/]+)/"
            r"\d{4}/\d{2}/\d{2}/\d{2}/\d{2}/(?P=account)_waflogs_(?P=region)_(?P=acl)_"
            + _STAMP + r"_[0-9a-z]+\.log\.gz$", _MINUTE, 10, 0,
            "https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html"),
    # Delivered about 5 minutes after the call on average, not guaranteed: 15 minutes allowed.
    _format("cloudtrail", "CloudTrail trail log files", CLOUDTRAIL_FIELDS,
            r"(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(?P<account>\d{12})/CloudTrail/(?P<region>[a-z0-9-]+)/"
            r"\d{4}/\d{2}/\d{2}/(?P=account)_CloudTrail_(?P=region)_" + _STAMP
            + r"_[A-Za-z0-9]+\.json\.gz$", _MINUTE, 15, 0,
            "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html"),
    # Access logs reach S3 only through Firehose (streams named amazon-apigateway-*), as JSON
    # lines in the format the stage configures; Firehose names objects for its buffer's opening.
    _format("apigateway", "API Gateway access logs (via Firehose)", (),
            r"(?:^|/)\d{4}/\d{2}/\d{2}/\d{2}/(?P<stream>amazon-apigateway-[^/]+)-\d+-"
            r"(?P<stamp>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})-[0-9a-f-]{36}(?:\.gz)?$",
            "%Y-%m-%d-%H-%M-%S", 0, 20,
            "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html"),
)  # fmt: skip
_BY_NAME = {f.name: f for f in FORMATS}


def by_name(name: str) -> S3Format:
    """Return the format called ``name`` (``alb``, ``vpcflow``, ...).

    Examples
    --------
    >>> by_name("vpcflow").fields[:3]
    ('version', 'account-id', 'interface-id')
    >>> by_name("elb")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: no S3 log format 'elb': known are alb, nlb, vpcflow, cloudfront, s3access, waf, cloudtrail, apigateway
    """
    if name not in _BY_NAME:
        raise ConfigurationError(f"no S3 log format {name!r}: known are {', '.join(_BY_NAME)}")
    return _BY_NAME[name]


def recognise(key: str) -> S3Format | None:
    """Return the format whose key layout ``key`` (below the bucket) follows, or ``None``."""
    for found in FORMATS:
        if found.key.search(key):
            return found
    return None


def stamp_of(found: S3Format, key: str) -> dt.datetime:
    """Return the time in ``key``'s name (UTC), the reference of :attr:`S3Format.before`/``after``."""
    match = found.key.search(key)
    if match is None:
        raise ValueError(f"{key} is not a {found.title} object")
    return dt.datetime.strptime(match["stamp"], found.stamp).replace(tzinfo=dt.UTC)


def is_s3_source(name: str) -> bool:
    """Whether a Logs Insights source names an S3 prefix rather than a log group.

    Examples
    --------
    >>> is_s3_source("s3://shop-logs/AWSLogs/"), is_s3_source("/ecs/checkout-api")
    (True, False)
    """
    return name.startswith(S3_SCHEME)


def split_s3_source(name: str) -> tuple[str, str]:
    """Return the bucket and key prefix of ``s3://<bucket>/<prefix>``.

    Examples
    --------
    >>> split_s3_source("s3://shop-logs")
    ('shop-logs', '')
    >>> split_s3_source("s3:///AWSLogs/")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: S3 log source 's3:///AWSLogs/' names no bucket: write s3://<bucket>/<prefix>, e.g. s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/
    """
    bucket, _, prefix = name[len(S3_SCHEME) :].partition("/")
    if not bucket or ".." in prefix.split("/") or bucket in (".", ".."):
        raise ConfigurationError(
            f"S3 log source {name!r} names no bucket: write s3://<bucket>/<prefix>, "
            "e.g. s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/"
        )
    return bucket, prefix
