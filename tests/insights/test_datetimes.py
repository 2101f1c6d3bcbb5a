"""Conformance of parseDate, formatDate and strftime.

Expected values are computed with Python's ``datetime``/``zoneinfo`` from the same inputs,
never taken from the engine.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import duckdb
import pandas as pd
import pytest
from opsbook.insights import MalformedQueryError, run_query

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
EVENT = {
    "iso": "2026-11-14T10:00:00.5+05:30",
    "zulu": "2026-11-14T10:00:00.123Z",
    "apache": "14/Nov/2026:10:00:00 -0800",
    "local": "2026-07-01 10:00:00",
    "micros": "2026-03-02 23:59:58.123456",
    "words": "Sat, 14 November 2026 1:05:09 PM",
    "bad": "not a date",
    "ms": 1794630600123,
}
#: @timestamp of the one event: a summer instant, so New York is on daylight time (-04:00).
MS = dt.timedelta(milliseconds=1)
STAMP = dt.datetime(2026, 7, 4, 15, 6, 7, 89000, tzinfo=dt.UTC)


def run(query: str) -> dict[str, str]:
    con = duckdb.connect()
    con.register(
        "events",
        pd.DataFrame(
            {
                "timestamp": [STAMP],
                "message": [json.dumps(EVENT)],
                "log_stream": "s",
                "log_group": "/g",
                "ingestion_time": pd.Series([pd.NaT], dtype="datetime64[ns, UTC]"),
            }
        ),
    )
    rows = run_query(query, con, start=T0, end=T0 + dt.timedelta(days=365)).dicts()
    assert len(rows) == 1
    return rows[0]


def millis(moment: dt.datetime) -> str:
    return str(round(moment.timestamp() * 1000))


def test_parse_date_with_offsets_and_fractions() -> None:
    row = run(
        "fields parseDate(iso, \"yyyy-MM-dd'T'HH:mm:ss.SXXX\") as iso, "
        "parseDate(zulu, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\") as zulu, "
        "parseDate(apache, 'dd/MMM/yyyy:HH:mm:ss Z') as apache, "
        "parseDate(micros, 'yyyy-MM-dd HH:mm:ss.SSSSSS') as micros, "
        "parseDate(words, 'EEE, d MMMM yyyy h:mm:ss a') as words"
    )
    assert row["iso"] == millis(dt.datetime.fromisoformat(EVENT["iso"]))
    assert row["zulu"] == millis(dt.datetime.fromisoformat(EVENT["zulu"].replace("Z", "+00:00")))
    apache = dt.datetime.strptime(EVENT["apache"], "%d/%b/%Y:%H:%M:%S %z")
    assert row["apache"] == millis(apache)
    micros = dt.datetime.strptime(EVENT["micros"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=dt.UTC)
    # epoch ms are whole milliseconds: microseconds are truncated (as Java's toEpochMilli)
    assert row["micros"] == str((micros - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // MS)
    words = dt.datetime.strptime(EVENT["words"], "%a, %d %B %Y %I:%M:%S %p")
    assert row["words"] == millis(words.replace(tzinfo=dt.UTC))


def test_parse_date_time_zone_applies_only_without_an_offset_in_the_text() -> None:
    row = run(
        "fields parseDate(local, 'yyyy-MM-dd HH:mm:ss', 'America/New_York') as ny, "
        "parseDate(local, 'yyyy-MM-dd HH:mm:ss', '+05:30') as fixed, "
        "parseDate(local, 'yyyy-MM-dd HH:mm:ss') as utc, "
        "parseDate(apache, 'dd/MMM/yyyy:HH:mm:ss Z', 'Europe/Paris') as own_offset"
    )
    local = dt.datetime.fromisoformat(EVENT["local"])
    assert row["ny"] == millis(local.replace(tzinfo=NEW_YORK))
    assert row["fixed"] == millis(local.replace(tzinfo=dt.timezone(dt.timedelta(minutes=330))))
    assert row["utc"] == millis(local.replace(tzinfo=dt.UTC))
    apache = dt.datetime.strptime(EVENT["apache"], "%d/%b/%Y:%H:%M:%S %z")
    assert row["own_offset"] == millis(apache)


def test_unparseable_values_are_missing_not_errors() -> None:
    row = run(
        "fields parseDate(bad, 'yyyy-MM-dd') as a, parseDate(nothing, 'yyyy') as b, "
        "formatDate(bad, 'yyyy') as c, strftime(nothing, '%Y') as d, "
        "ispresent(parseDate(bad, 'yyyy-MM-dd')) as present, 1 as one"
    )
    assert row == {"present": "0", "one": "1"}


def test_format_date_java_pattern_in_a_zone() -> None:
    row = run(
        'fields formatDate(@timestamp, "EEEE dd MMMM yyyy h:mm a, ss.SS XXX", '
        "'America/New_York') as ny, "
        "formatDate(@timestamp, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\") as utc, "
        "formatDate(ms, 'd/M/yy H:m:s.SSSSSS xx', '-03:30') as millis"
    )
    ny = STAMP.astimezone(NEW_YORK)
    hour = ny.strftime("%I").lstrip("0")
    fraction = f"{ny.microsecond:06d}"[:2]
    assert row["ny"] == (
        f"{ny:%A %d %B %Y} {hour}:{ny:%M %p}, {ny:%S}.{fraction} {ny:%z}"[:-2]
        + ":"
        + f"{ny:%z}"[-2:]
    )
    assert row["utc"] == f"{STAMP:%Y-%m-%dT%H:%M:%S}.{STAMP.microsecond // 1000:03d}Z"
    at = dt.datetime.fromtimestamp(
        EVENT["ms"] / 1000, dt.timezone(dt.timedelta(hours=-3, minutes=-30))
    )
    expected = (
        f"{at.day}/{at.month}/{at:%y} {at.hour}:{at.minute}:{at.second}.{at.microsecond:06d} -0330"
    )
    assert row["millis"] == expected


def test_strftime_c_directives() -> None:
    directives = "%Y-%m-%d %H:%M:%S|%F %T|%a %A %b %B %j %p %I|%c|%z %Z|%s|%%"
    row = run(
        f"fields strftime(@timestamp, '{directives}') as utc, "
        "strftime(@timestamp, '%Y-%m-%d %H:%M %z', 'America/New_York') as ny"
    )
    naive = STAMP.replace(tzinfo=None)
    c_locale = f"{naive:%a %b} {naive.day:2d} {naive:%H:%M:%S %Y}"
    expected = directives.replace("%c", c_locale).replace("%s", str(int(STAMP.timestamp())))
    expected = expected.replace("%Z", "UTC")
    assert row["utc"] == STAMP.strftime(expected.replace("%%", "%%"))
    assert row["ny"] == STAMP.astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M %z")


def test_round_trip_through_format_and_parse() -> None:
    row = run(
        "fields parseDate(formatDate(@timestamp, 'yyyy-MM-dd HH:mm:ss.SSS Z', 'Asia/Kolkata'), "
        "'yyyy-MM-dd HH:mm:ss.SSS Z') as back, toMillis(@timestamp) as direct"
    )
    assert row["back"] == row["direct"] == millis(STAMP)


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        ("fields parseDate(iso, 'yyyy-QQ')", 29, "supported date pattern letter (not 'QQ'"),
        ("fields formatDate(@timestamp, 'yyyy G')", 37, "supported date pattern letter (not 'G'"),
        ("fields strftime(@timestamp, '%Y %Q')", 33, "supported strftime directive (not '%Q'"),
        ('fields parseDate(iso, "yyyy-\'T")', 29, "a closing ' for the quoted text"),
        ("fields parseDate(iso, 'yyyy', 'Mars/Base')", 31, "a time zone"),
        ("fields parseDate(iso, iso)", 23, "a date pattern as a quoted string"),
        ("fields formatDate(@timestamp)", 8, "2..3 argument(s) for formatdate()"),
    ],
)
def test_bad_patterns_are_malformed_queries_at_the_argument(
    query: str, column: int, expected: str
) -> None:
    with pytest.raises(MalformedQueryError, match=r"line 1, column (\d+)") as error:
        run(query)
    assert expected in str(error.value)
    assert f"column {column}:" in str(error.value)
