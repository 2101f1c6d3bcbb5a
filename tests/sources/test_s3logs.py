"""S3 log formats as Logs Insights sources: each written in AWS's key layout and record format.

Every format has one fixture object per 5 minutes (or per hour, as the service writes it) over
three hours, under the key AWS gives it, holding records shaped as the format's documentation
shows them. Field discovery is checked against the documented field list (``s3formats``); time
pruning by counting the files a one-hour query opens.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from opsbook import logs
from opsbook.backends import layout, s3formats
from opsbook.backends.local import s3logs
from opsbook.errors import ConfigurationError, NoDataError, UnreadableFileError
from opsbook.settings import resolve

ACCOUNT, REGION = "123456789012", "us-east-1"
BUCKET = "shop-logs"
FIRST = dt.datetime(2026, 11, 14, 12, 0, tzinfo=dt.UTC)  # three hours of objects from here
HOUR = dt.timedelta(hours=1)
STEP = dt.timedelta(minutes=5)


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _alb(at: dt.datetime, status: int = 200) -> str:
    # The documentation's full entry (30 fields), at ``at``.
    return (
        f"https {_iso(at)} app/shop-public/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 "
        f"0.086 0.048 0.037 {status} {status} 0 57 "
        '"GET https://www.example.com:443/cart?id=7 HTTP/1.1" "curl/7.46.0" '
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
        f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/checkout/73e2d6bc24d8a067 "
        '"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" '
        f'"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012" '
        f'1 {_iso(at - dt.timedelta(seconds=1))} "authenticate,forward" "-" "-" "10.0.0.1:80" '
        f'"{status}" "-" "-" TID_1234abcd5678ef90'
    )


def _nlb(at: dt.datetime) -> str:
    return (
        f"tls 2.0 {at:%Y-%m-%dT%H:%M:%S} net/shop-tls/c6e77e28c25b2234 g3d4b5e8bb8464cd "
        "72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - "
        f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - "
        "ECDHE-RSA-AES128-SHA tlsv12 - shop-tls-c6e77e28c25b2234.elb.us-east-1.amazonaws.com "
        f'h2 h2 "h2","http/1.1" {at - dt.timedelta(seconds=2):%Y-%m-%dT%H:%M:%S}'
    )


def _vpc(at: dt.datetime, action: str = "ACCEPT") -> str:
    first = int(at.timestamp())
    return (
        f"2 {ACCOUNT} eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
        f"{first} {first + 60} {action} OK"
    )


VPC_CUSTOM = (
    "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport "
    "dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status"
).split()


def _vpc_custom(at: dt.datetime) -> str:
    first = int(at.timestamp())
    return (
        f"5 vpc-0a1b2c3d subnet-0a1b2c3d i-0123456789abcdef0 eni-1235b8ca123456789 {ACCOUNT} "
        f"IPv4 10.0.1.5 10.0.2.9 43418 5432 10.0.1.5 10.0.2.9 6 5060 12 {first} {first + 60} "
        "REJECT 2 OK"
    )


def _cloudfront(at: dt.datetime) -> str:
    values = [
        f"{at:%Y-%m-%d}", f"{at:%H:%M:%S}", "IAD89-C3", "335", "192.0.2.100", "GET",
        "d111111abcdef8.cloudfront.net", "/index.html", "200", "-", "Mozilla/5.0%20(Windows)",
        "-", "-", "Hit", "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
        "d111111abcdef8.cloudfront.net", "https", "23", "0.001", "-", "TLSv1.2",
        "ECDHE-RSA-AES128-GCM-SHA256", "Hit", "HTTP/2.0", "-", "-", "11040", "0.001", "Hit",
        "text/html", "78", "-", "-",
    ]  # fmt: skip
    return "\t".join(values)


def _s3access(at: dt.datetime) -> str:
    owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    return (
        f"{owner} amzn-s3-demo-bucket1 [{at:%d/%b/%Y:%H:%M:%S} +0000] 192.0.2.3 {owner} "
        '3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" '
        '200 - 113 - 7 - "-" "S3Console/0.4" - '
        "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 "
        "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com "
        f"TLSV1.2 arn:aws:s3:us-west-1:{ACCOUNT}:accesspoint/example-AP Yes"
    )


def _waf(at: dt.datetime) -> str:
    return json.dumps(
        {
            "timestamp": int(at.timestamp() * 1000),
            "formatVersion": 1,
            "webaclId": f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/shop/a1b2",
            "terminatingRuleId": "RateLimit",
            "terminatingRuleType": "RATE_BASED",
            "action": "BLOCK",
            "terminatingRuleMatchDetails": [],
            "httpSourceName": "ALB",
            "httpSourceId": f"{ACCOUNT}-app/shop-public/50dc6c495c0c9188",
            "ruleGroupList": [],
            "rateBasedRuleList": [],
            "nonTerminatingMatchingRules": [],
            "requestHeadersInserted": None,
            "responseCodeSent": None,
            "httpRequest": {
                "clientIp": "1.1.1.1",
                "country": "AU",
                "headers": [{"name": "Host", "value": "shop.example.com"}],
                "uri": "/cart",
                "args": "",
                "httpVersion": "HTTP/1.1",
                "httpMethod": "POST",
                "requestId": "rid-1",
            },
            "labels": [{"name": "awswaf:clientip:geo:country:AU"}],
        }
    )


def _trail(at: dt.datetime) -> dict:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deploy/ci",
        },
        "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "ecs.amazonaws.com",
        "eventName": "UpdateService",
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "aws-cli/2.15",
        "requestParameters": {"service": "checkout-api"},
        "responseElements": None,
        "requestID": "9f6f4a0e-1111-2222-3333-444455556666",
        "eventID": "0a1b2c3d-1111-2222-3333-444455556666",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }


APIGW_FIELDS = (
    "requestId ip httpMethod resourcePath status protocol responseLength requestTime".split()
)


def _apigw(at: dt.datetime) -> str:
    values = ["c0ffee", "198.51.100.7", "POST", "/cart", "502", "HTTP/1.1", "35"]
    record = dict(zip(APIGW_FIELDS, values, strict=False))
    record["requestTime"] = f"{at:%d/%b/%Y:%H:%M:%S} +0000"
    return json.dumps(record)


def _write(path: Path, text: str, *, compress: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)


def _bucket(root: Path) -> Path:
    return root / layout.S3_BUCKETS / BUCKET


def _every(step: dt.timedelta, hours: int = 3) -> list[dt.datetime]:
    return [FIRST + step * i for i in range(int(hours * HOUR / step))]


def _write_alb(root: Path) -> None:
    for end in _every(STEP):
        end = end + STEP  # named for the interval's end: events in [end - 5m, end)
        key = layout.elb_object(
            ACCOUNT, REGION, "shop-public.50dc6c495c0c9188", end, "10.0.1.17", "2f1k7q9x"
        )
        lines = [
            _alb(end - STEP + dt.timedelta(seconds=s), 503 if s == 30 else 200) for s in (10, 30)
        ]
        _write(_bucket(root) / key, "\n".join(lines) + "\n")


def _write_nlb(root: Path) -> None:
    for end in _every(STEP):
        end = end + STEP
        key = layout.elb_object(
            ACCOUNT, REGION, "shop-tls.c6e77e28c25b2234", end, "", "7z8y", kind="net"
        )
        _write(_bucket(root) / key, _nlb(end - dt.timedelta(minutes=2)) + "\n")


def _write_vpc(root: Path, *, custom: bool = False) -> None:
    header = " ".join(VPC_CUSTOM if custom else s3formats.VPC_DEFAULT_FIELDS)
    for at in _every(STEP):
        key = layout.vpc_flow_object(
            ACCOUNT, REGION, "fl-0a1b2c3d" if not custom else "fl-9z8y7x6w", at + STEP, "9f8e"
        )
        line = _vpc_custom(at) if custom else _vpc(at)
        _write(
            _bucket(root) / key, f"{header}\n{line}\n{_vpc(at, 'REJECT') if not custom else line}\n"
        )


def _write_cloudfront(root: Path) -> None:
    for at in _every(HOUR):
        key = f"cdn/EMLARXS9EXAMPLE.{at:%Y-%m-%d-%H}.a1b2c3d4.gz"
        fields = " ".join(s3formats.CLOUDFRONT_FIELDS)
        _write(_bucket(root) / key, f"#Version: 1.0\n#Fields: {fields}\n{_cloudfront(at + STEP)}\n")


def _write_s3access(root: Path) -> None:
    for at in _every(STEP):
        delivered = at + STEP
        key = f"access/{delivered:%Y-%m-%d-%H-%M-%S}-0A1B2C3D4E5F6A7B"
        _write(_bucket(root) / key, _s3access(at) + "\n", compress=False)


def _write_waf(root: Path) -> None:
    for at in _every(STEP):
        delivered = at + STEP
        key = (
            f"AWSLogs/{ACCOUNT}/WAFLogs/{REGION}/shop-acl/{delivered:%Y/%m/%d/%H/%M}/"
            f"{ACCOUNT}_waflogs_{REGION}_shop-acl_{delivered:%Y%m%dT%H%MZ}_a1b2c3d4.log.gz"
        )
        _write(_bucket(root) / key, _waf(at) + "\n")


def _write_trail(root: Path) -> None:
    for at in _every(STEP):
        delivered = at + STEP
        key = (
            f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{delivered:%Y/%m/%d}/"
            f"{ACCOUNT}_CloudTrail_{REGION}_{delivered:%Y%m%dT%H%MZ}_AbCdEf123456.json.gz"
        )
        _write(_bucket(root) / key, json.dumps({"Records": [_trail(at)]}))


def _write_apigw(root: Path) -> None:
    stream = "amazon-apigateway-shop-access"
    for at in _every(STEP):
        key = f"apigw/{at:%Y/%m/%d/%H}/{stream}-1-{at:%Y-%m-%d-%H-%M-%S}-0e6f7a8b-1c2d-4e5f-8a9b-0c1d2e3f4a5b.gz"
        _write(_bucket(root) / key, _apigw(at + dt.timedelta(seconds=3)) + "\n")


# format, writer, the prefix queried, the documented fields every record has
CASES: dict[str, tuple[Callable[[Path], None], str, list[str]]] = {
    "alb": (_write_alb, f"AWSLogs/{ACCOUNT}/elasticloadbalancing/", s3formats.ALB_FIELDS),
    "nlb": (_write_nlb, f"AWSLogs/{ACCOUNT}/elasticloadbalancing/", s3formats.NLB_FIELDS),
    "vpcflow": (_write_vpc, f"AWSLogs/{ACCOUNT}/vpcflowlogs/", s3formats.VPC_DEFAULT_FIELDS),
    "cloudfront": (_write_cloudfront, "cdn/", s3formats.CLOUDFRONT_FIELDS),
    "s3access": (_write_s3access, "access/", s3formats.S3ACCESS_FIELDS),
    "waf": (_write_waf, f"AWSLogs/{ACCOUNT}/WAFLogs/", s3formats.WAF_FIELDS),
    "cloudtrail": (_write_trail, f"AWSLogs/{ACCOUNT}/CloudTrail/", s3formats.CLOUDTRAIL_FIELDS),
    "apigateway": (_write_apigw, "apigw/", APIGW_FIELDS),
}


def _source(prefix: str) -> str:
    return f"s3://{BUCKET}/{prefix}"


def _query(root: Path, text: str, prefix: str, start: dt.datetime, end: dt.datetime, **kw):
    settings = resolve(backend="local", data_dir=str(root), **kw)
    return logs.query(text, [_source(prefix)], start, end, settings=settings)


def _quoted(name: str) -> str:
    return name if name.replace("_", "").isalnum() else f"`{name}`"


@pytest.mark.parametrize("name", list(CASES))
def test_every_documented_field_is_discovered(tmp_path: Path, name: str) -> None:
    write, prefix, documented = CASES[name]
    write(tmp_path)
    wanted = [f for f in documented if name != "alb" or f != "redirect_url"]
    text = f"fields {', '.join(_quoted(f) for f in wanted)} | limit 1"
    frame = _query(tmp_path, text, prefix, FIRST, FIRST + 3 * HOUR)
    assert len(frame) == 1
    rows = frame.attrs["results"][0]
    present = {cell["field"] for cell in rows if cell["value"] not in (None, "")}
    missing = [f for f in wanted if f not in present]
    # Values AWS writes as "-" are still values; a JSON null (WAF, CloudTrail) is no value.
    nulls = {
        "waf": {"requestHeadersInserted", "responseCodeSent"},
        "cloudtrail": {"responseElements"},
    }
    assert set(missing) <= nulls.get(name, set()), missing


def test_records_keep_the_documented_names_and_order(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    read = s3logs.read_source(tmp_path, _source("AWSLogs/"), FIRST, FIRST + STEP)
    record = json.loads(read.events["message"][0].as_py())
    assert list(record) == s3formats.ALB_FIELDS
    assert record["request"] == "GET https://www.example.com:443/cart?id=7 HTTP/1.1"
    assert record["client:port"] == "192.168.131.39:2817"
    assert (
        read.events["log_stream"][0].as_py().startswith(f"AWSLogs/{ACCOUNT}/elasticloadbalancing/")
    )


def test_nlb_keeps_the_alpn_list_as_written(tmp_path: Path) -> None:
    _write_nlb(tmp_path)
    frame = _query(tmp_path, "fields alpn_client_preference_list as alpn, @timestamp as at | limit 1",
                   f"AWSLogs/{ACCOUNT}/elasticloadbalancing/", FIRST, FIRST + HOUR)  # fmt: skip
    assert frame.alpn.iloc[0] == '"h2","http/1.1"'


def test_vpc_custom_format_takes_its_fields_from_the_header(tmp_path: Path) -> None:
    _write_vpc(tmp_path, custom=True)
    frame = _query(
        tmp_path,
        "filter action = 'REJECT' | stats count(*) as n by `pkt-srcaddr`, `tcp-flags`, `vpc-id`",
        f"AWSLogs/{ACCOUNT}/vpcflowlogs/", FIRST, FIRST + HOUR,
    )  # fmt: skip
    assert frame.to_dict("records") == [
        {"pkt-srcaddr": "10.0.1.5", "tcp-flags": 2, "vpc-id": "vpc-0a1b2c3d", "n": 24}
    ]


def test_alb_5xx_by_target_over_one_hour(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    frame = _query(
        tmp_path,
        "filter elb_status_code >= 500 | stats count(*) as errors by `target:port`, elb_status_code",
        "AWSLogs/", FIRST + HOUR, FIRST + 2 * HOUR,
    )  # fmt: skip
    assert frame.to_dict("records") == [
        {"target:port": "10.0.0.1:80", "elb_status_code": 503, "errors": 12}
    ]


@pytest.mark.parametrize("name", list(CASES))
def test_a_one_hour_query_opens_only_that_hours_files(tmp_path: Path, name: str) -> None:
    write, prefix, _ = CASES[name]
    write(tmp_path)
    kind = s3formats.by_name(name)
    start, end = FIRST + HOUR, FIRST + 2 * HOUR
    read = s3logs.read_source(tmp_path, _source(prefix), start, end)
    every = s3logs.read_source(tmp_path, _source(prefix))
    # An object stamped T holds events in [T - before, T + after): read it only if that meets
    # the hour. Everything else stays closed.
    expected = []
    for path in every.opened:
        key = path.relative_to(_bucket(tmp_path)).as_posix()
        stamp = s3formats.stamp_of(kind, key)
        if stamp - kind.before < end and stamp + kind.after > start:
            expected.append(path)
    assert read.opened == expected
    assert len(read.opened) < len(every.opened)
    hour = len(every.opened) / 3
    assert len(read.opened) <= hour + (kind.before + kind.after) / STEP + 1


def test_one_hour_of_alb_logs_is_twelve_files(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    read = s3logs.read_source(tmp_path, _source("AWSLogs/"), FIRST + HOUR, FIRST + 2 * HOUR)
    assert len(read.opened) == 12
    assert read.events.num_rows == 24


def test_date_folders_outside_the_range_are_not_listed(tmp_path: Path, monkeypatch) -> None:
    _write_alb(tmp_path)
    later = (
        tmp_path
        / layout.S3_BUCKETS
        / BUCKET
        / f"AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/2026/12/01"
    )
    later.mkdir(parents=True)
    later.chmod(0)  # unreadable: listing it would fail
    try:
        read = s3logs.read_source(tmp_path, _source("AWSLogs/"), FIRST, FIRST + HOUR)
    finally:
        later.chmod(0o755)
    assert len(read.opened) == 12


def test_malformed_lines_are_left_out_with_a_note(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    end = FIRST + STEP
    key = layout.elb_object(
        ACCOUNT, REGION, "shop-public.50dc6c495c0c9188", end, "10.0.1.17", "2f1k7q9x"
    )
    good = _alb(FIRST + dt.timedelta(seconds=10))
    _write(_bucket(tmp_path) / key, f"{good}\nhttps 2026-11-14T12:00:01Z truncated\n{good}\n")
    frame = _query(tmp_path, "stats count(*) as n", "AWSLogs/", FIRST, FIRST + STEP)
    assert frame.n.iloc[0] == 2
    (note,) = [n for n in frame.attrs["notes"] if "malformed" in n]
    assert key in note and "1 malformed line(s) left out (line 2: 3 fields" in note


@pytest.mark.parametrize("skip", [False, True])
def test_a_corrupt_file_is_an_error_naming_it_or_a_recorded_skip(
    tmp_path: Path, skip: bool
) -> None:
    _write_alb(tmp_path)
    end = FIRST + STEP
    key = layout.elb_object(
        ACCOUNT, REGION, "shop-public.50dc6c495c0c9188", end, "10.0.1.17", "2f1k7q9x"
    )
    path = _bucket(tmp_path) / key
    path.write_bytes(path.read_bytes()[:20])  # truncated gzip
    if not skip:
        with pytest.raises(UnreadableFileError, match=key.replace(".", r"\.")):
            _query(tmp_path, "stats count(*) as n", "AWSLogs/", FIRST, FIRST + HOUR)
        return
    frame = _query(
        tmp_path, "stats count(*) as n", "AWSLogs/", FIRST, FIRST + HOUR, skip_unreadable=True
    )
    assert frame.n.iloc[0] == 22
    assert [s["file"] for s in frame.attrs["skipped"]] == [str(path)]


def test_a_file_with_no_well_formed_line_is_a_bad_file(tmp_path: Path) -> None:
    _write_vpc(tmp_path)
    key = layout.vpc_flow_object(ACCOUNT, REGION, "fl-0a1b2c3d", FIRST + STEP, "9f8e")
    _write(_bucket(tmp_path) / key, "version account-id\nnot a flow record at all\n")
    with pytest.raises(UnreadableFileError, match="no well-formed VPC flow logs line"):
        _query(tmp_path, "stats count(*)", f"AWSLogs/{ACCOUNT}/vpcflowlogs/", FIRST, FIRST + HOUR)


def test_objects_in_no_aws_layout_are_named_not_read(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    _write(_bucket(tmp_path) / f"AWSLogs/{ACCOUNT}/ELBAccessLogTestFile", "test", compress=False)
    frame = _query(tmp_path, "stats count(*) as n", "AWSLogs/", FIRST, FIRST + HOUR)
    assert any("ELBAccessLogTestFile" in n and "not read" in n for n in frame.attrs["notes"])


def test_an_empty_prefix_and_a_bad_spelling_are_errors(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    with pytest.raises(NoDataError, match="no S3 log objects under s3://shop-logs/nothing/"):
        _query(tmp_path, "stats count(*)", "nothing/", FIRST, FIRST + HOUR)
    settings = resolve(backend="local", data_dir=str(tmp_path))
    with pytest.raises(ConfigurationError, match="names no bucket"):
        logs.query("stats count(*)", ["s3:///AWSLogs/"], FIRST, FIRST + HOUR, settings=settings)


def test_sources_are_listed_by_prefix_and_format(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    _write_nlb(tmp_path)
    _write_vpc(tmp_path)
    listed = s3logs.list_sources(tmp_path)
    elb = f"s3://{BUCKET}/AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/"
    assert listed[["source", "format", "objects"]].values.tolist() == [
        [elb, "alb", 36],
        [elb, "nlb", 36],
        [f"s3://{BUCKET}/AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/", "vpcflow", 36],
    ]


def test_the_aws_backend_names_what_it_cannot_read_yet(tmp_path: Path) -> None:
    settings = resolve(backend="aws", data_dir=str(tmp_path))
    with pytest.raises(ConfigurationError, match="is an S3 log archive: the aws backend"):
        logs.query("stats count(*)", [_source("AWSLogs/")], FIRST, FIRST + HOUR, settings=settings)


def test_hive_compatible_flow_log_prefixes_are_read_and_pruned(tmp_path: Path) -> None:
    header = " ".join(s3formats.VPC_DEFAULT_FIELDS)
    for at in _every(STEP):
        stamp = at + STEP
        key = (
            f"AWSLogs/aws-account-id={ACCOUNT}/aws-service=vpcflowlogs/aws-region={REGION}/"
            f"year={stamp:%Y}/month={stamp:%m}/day={stamp:%d}/hour={stamp:%H}/"
            f"{ACCOUNT}_vpcflowlogs_{REGION}_fl-0a1b2c3d_{stamp:%Y%m%dT%H%MZ}_9f8e.log.gz"
        )
        _write(_bucket(tmp_path) / key, f"{header}\n{_vpc(at, 'REJECT')}\n")
    read = s3logs.read_source(tmp_path, _source("AWSLogs/"), FIRST + HOUR, FIRST + 2 * HOUR)
    assert len(read.opened) < 36 and read.events.num_rows == 12
    frame = _query(tmp_path, "stats count(*) as n by action", "AWSLogs/", FIRST, FIRST + HOUR)
    assert frame.to_dict("records") == [{"action": "REJECT", "n": 12}]


def test_bytes_scanned_are_the_objects_read_as_athena_bills_them(tmp_path: Path) -> None:
    _write_alb(tmp_path)
    frame = _query(tmp_path, "stats count(*) as n", "AWSLogs/", FIRST, FIRST + HOUR)
    read = s3logs.read_source(tmp_path, _source("AWSLogs/"), FIRST, FIRST + HOUR)
    stored = sum(p.stat().st_size for p in read.opened)
    assert frame.attrs["statistics"]["bytesScanned"] == stored
    assert frame.attrs["statistics"]["recordsScanned"] == 24 == frame.n.iloc[0]
