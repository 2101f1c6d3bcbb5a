"""The newer Logs Insights commands offline: SOURCE, filterIndex, unmask, lookup, join, subqueries,
diff and anomaly; OpenSearch SQL/PPL refused by name.

Every expected row set is computed by plain Python / pandas from the same events (an
independent oracle), never by the engine itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from opsbook.errors import OpsbookError
from opsbook.insights import MalformedQueryError, run_query
from opsbook.insights.semantics import ANOMALY_BUCKETS, ANOMALY_THRESHOLD

T0 = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def frame(events: list[tuple[dt.datetime, str, object]]) -> pd.DataFrame:
    """(time, log group, message) rows as the events view's columns."""
    return pd.DataFrame(
        {
            "timestamp": pd.to_datetime([t for t, _, _ in events], utc=True),
            "message": [m if isinstance(m, str) else json.dumps(m) for _, _, m in events],
            "log_stream": "s",
            "log_group": [g for _, g, _ in events],
            "ingestion_time": pd.Series([pd.NaT] * len(events), dtype="datetime64[ns, UTC]"),
        }
    )


def run(
    query: str,
    events: list[tuple[dt.datetime, str, object]],
    *,
    selected: tuple[str, ...] | None = None,
    start: dt.datetime = T0,
    end: dt.datetime = T0 + 12 * HOUR,
    **kwargs: object,
) -> list[dict[str, str]]:
    """Run ``query``; ``selected`` groups form ``events``, every group ``all_events``."""
    con = duckdb.connect()
    every = frame(events)
    con.register("all_events", every)
    chosen = every if selected is None else every[every.log_group.isin(selected)]
    con.register("events", chosen)
    return run_query(query, con, start=start, end=end, **kwargs).dicts()  # type: ignore[arg-type]


API = [(T0 + i * HOUR, "/api", {"requestId": f"r{i}", "status": 500 if i % 3 == 0 else 200,
                                "latency": 10 * i}) for i in range(9)]  # fmt: skip
LAMBDA = [(T0 + i * HOUR, "/aws/lambda/f", {"requestId": f"r{i}", "duration": i, "errorType":
          "Timeout" if i % 4 == 0 else "none"}) for i in range(0, 12, 2)]  # fmt: skip
OTHER = [(T0 + HOUR, "/ecs/web", {"requestId": "r1", "level": "INFO"}),
         (T0 + 2 * HOUR, "/ecs/worker", {"requestId": "r2", "level": "WARN"})]  # fmt: skip
EVERYTHING = API + LAMBDA + OTHER


def messages(rows: list[tuple[dt.datetime, str, object]]) -> list[dict]:
    return [m for _, _, m in rows]  # type: ignore[misc]


# -- SOURCE, filterIndex, unmask --------------------------------------------------------------


def test_source_log_groups_selects_by_name_prefix_among_every_group() -> None:
    rows = run(
        "SOURCE logGroups(namePrefix: ['/ecs/', '/aws/']) | fields @log, requestId",
        EVERYTHING, selected=("/api",),
    )  # fmt: skip
    expected = sorted(
        (g, m["requestId"]) for _, g, m in EVERYTHING if g.startswith(("/ecs/", "/aws/"))
    )
    assert sorted((r["@log"], r["requestId"]) for r in rows) == expected


def test_source_classes_and_accounts() -> None:
    standard = run("SOURCE logGroups(class: ['STANDARD']) | stats count(*) as n", EVERYTHING)
    assert standard == [{"n": str(len(EVERYTHING))}]
    assert run("SOURCE logGroups() | stats count(*) as n", EVERYTHING) == standard
    infrequent = run("SOURCE logGroups(class: ['INFREQUENT_ACCESS']) | stats count(*) as n",
                     EVERYTHING)  # fmt: skip
    assert infrequent == [{"n": "0"}]
    con = duckdb.connect()
    con.register("events", frame(EVERYTHING))
    result = run_query(
        "SOURCE logGroups(accountIdentifiers: ['111122223333']) | stats count(*) as n",
        con, start=T0, end=T0 + 12 * HOUR,
    )  # fmt: skip
    assert result.dicts() == standard
    assert any("accountIdentifiers" in note for note in result.notes)


def test_source_is_refused_past_its_documented_limits_and_off_the_first_command() -> None:
    prefixes = ", ".join(f"'/p{i}'" for i in range(6))
    with pytest.raises(MalformedQueryError, match="at most 5 name prefixes"):
        run(f"SOURCE logGroups(namePrefix: [{prefixes}])", EVERYTHING)
    with pytest.raises(MalformedQueryError, match="SOURCE only as the first command"):
        run("fields @message | SOURCE '/api'", EVERYTHING)


def test_filter_index_filters_like_filter() -> None:
    rows = run('filterIndex requestId = "r3" | fields requestId, status', API)
    assert rows == [{"requestId": m["requestId"], "status": str(m["status"])}
                    for m in messages(API) if m["requestId"] == "r3"]  # fmt: skip
    rows = run("filterIndex requestId in ['r1', 'r2', 'nope'] | fields requestId", API)
    assert sorted(r["requestId"] for r in rows) == ["r1", "r2"]
    for condition in ("status > 300", "0", "not status"):
        with pytest.raises(MalformedQueryError, match="indexed field"):
            run(f"filterIndex {condition}", API)


def test_unmask_returns_the_fields_unchanged() -> None:
    plain = run("fields @timestamp, @message | sort @timestamp asc", API)
    assert run("fields @timestamp, @message | unmask | sort @timestamp asc", API) == plain
    assert run("fields @timestamp, @message | unmask @message | sort @timestamp asc", API) == plain
    assert [r["@message"] for r in plain] == [json.dumps(m) for m in messages(API)]


# -- lookup -----------------------------------------------------------------------------------


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    (tmp_path / "users.csv").write_text(
        "id,name,team\nr1,Ana,core\nr2,Bo,edge\nr2,Duplicate,late\nr9,Zed,none\n", encoding="utf-8"
    )
    return tmp_path


def test_lookup_enriches_with_the_first_matching_row(tables: Path) -> None:
    rows = run(
        "lookup users id as requestId OUTPUT name, team | fields requestId, name, team",
        API, lookup_tables=tables,
    )  # fmt: skip
    table = pd.read_csv(tables / "users.csv", dtype=str).drop_duplicates("id", keep="first")
    oracle = pd.DataFrame(messages(API))[["requestId"]].merge(
        table, left_on="requestId", right_on="id", how="left"
    )
    expected = [
        {k: v for k, v in row.items() if isinstance(v, str)}
        for row in oracle[["requestId", "name", "team"]].to_dict("records")
    ]
    key = lambda r: r["requestId"]  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)


def test_lookup_overwrites_a_field_only_where_a_row_matches(tables: Path) -> None:
    events = [(T0, "/g", {"requestId": "r1", "name": "own"}),
              (T0 + HOUR, "/g", {"requestId": "r5", "name": "own"})]  # fmt: skip
    rows = run("lookup users id as requestId OUTPUT name | fields requestId, name", events,
               lookup_tables=tables)  # fmt: skip
    assert {r["requestId"]: r["name"] for r in rows} == {"r1": "Ana", "r5": "own"}


def test_lookup_errors_name_the_file_and_columns(tables: Path) -> None:
    with pytest.raises(MalformedQueryError, match="lookup table named 'nope'") as error:
        run("lookup nope id as requestId OUTPUT name", API, lookup_tables=tables)
    assert "nope.csv" in str(error.value)
    with pytest.raises(MalformedQueryError, match="id, name, team"):
        run("lookup users id as requestId OUTPUT email", API, lookup_tables=tables)
    with pytest.raises(MalformedQueryError, match="OUTPUT"):
        run("lookup users id as requestId", API, lookup_tables=tables)


# -- join and subqueries ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["inner", "left"])
def test_join_combines_events_of_another_group(kind: str) -> None:
    rows = run(
        f"filter status >= 200 | join type={kind} left=api right=lambda "
        "where api.requestId=lambda.requestId (SOURCE '/aws/lambda/f') "
        "| fields api.requestId, api.status, lambda.duration",
        EVERYTHING, selected=("/api",),
    )  # fmt: skip
    left = pd.DataFrame(messages(API))
    right = pd.DataFrame(messages(LAMBDA))
    merged = left.merge(right, on="requestId", how=kind)
    expected = [
        {"api.requestId": r["requestId"], "api.status": str(r["status"])}
        | ({"lambda.duration": str(int(r["duration"]))} if pd.notna(r["duration"]) else {})
        for r in merged.to_dict("records")
    ]
    key = lambda r: r["api.requestId"]  # noqa: E731
    assert sorted(rows, key=key) == sorted(expected, key=key)


def test_join_right_side_runs_its_own_pipeline() -> None:
    rows = run(
        "join left=a right=b where a.requestId = b.requestId "
        "(SOURCE '/aws/lambda/f' | filter errorType = 'Timeout') | stats count(*) as n",
        EVERYTHING, selected=("/api",),
    )  # fmt: skip
    timeouts = {m["requestId"] for m in messages(LAMBDA) if m["errorType"] == "Timeout"}
    assert rows == [{"n": str(sum(m["requestId"] in timeouts for m in messages(API)))}]
    assert rows == [{"n": "3"}]


def test_subquery_in_filter_as_documented() -> None:
    rows = run(
        "filter requestId in (SOURCE '/aws/lambda/f' | filter errorType = \"Timeout\" "
        "| fields requestId) | fields @timestamp, requestId, status | sort @timestamp desc",
        EVERYTHING, selected=("/api",),
    )  # fmt: skip
    wanted = {m["requestId"] for m in messages(LAMBDA) if m["errorType"] == "Timeout"}
    expected = [m["requestId"] for m in reversed(messages(API)) if m["requestId"] in wanted]
    assert [r["requestId"] for r in rows] == expected == ["r8", "r4", "r0"]
    rows = run(
        "filter requestId not in (SOURCE '/aws/lambda/f' | stats count(*) as n by requestId "
        "| filter n >= 1 | fields requestId) | fields requestId",
        EVERYTHING, selected=("/api",),
    )  # fmt: skip
    seen = {m["requestId"] for m in messages(LAMBDA)}
    assert sorted(r["requestId"] for r in rows) == sorted(
        m["requestId"] for m in messages(API) if m["requestId"] not in seen
    )
    with pytest.raises(MalformedQueryError, match="subqueries do not nest"):
        run("filter a in (filter b in (fields c) | fields a)", API)


# -- diff ---------------------------------------------------------------------------------------


def _pattern_counts(events: list[tuple[dt.datetime, str, object]], first: dt.datetime,
                    last: dt.datetime) -> dict[str, int]:  # fmt: skip
    """Oracle: messages with digit runs replaced, counted in [first, last)."""
    counts: dict[str, int] = {}
    for t, _, m in events:
        if first <= t < last:
            key = re.sub(r"[0-9]+", "#", str(m))
            counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.parametrize(
    ("period", "shift"),
    [("", None), ("previousDay", dt.timedelta(days=1)), ("previousWeek", dt.timedelta(weeks=1)),
     ("previousMonth", T0 - dt.datetime(2026, 2, 10, tzinfo=dt.UTC))],
)  # fmt: skip
def test_diff_compares_pattern_counts_with_the_previous_period(
    period: str, shift: dt.timedelta | None
) -> None:
    start, end = T0, T0 + 6 * HOUR
    before = start - (shift if shift is not None else end - start)
    texts = {"login ok user 1": (3, 1), "disk full on vol 2": (0, 2), "timeout after 30 ms": (4, 4),
             "cache miss key 9": (5, 0)}  # fmt: skip
    events = []
    for text, (now, then) in texts.items():
        events += [(start + i * HOUR, "/g", text.replace("1", str(i))) for i in range(now)]
        events += [(before + i * HOUR, "/g", text) for i in range(then)]
    events.append((before - HOUR, "/g", "outside both windows 7"))
    rows = run(f"pattern @message | diff {period}", events, start=start, end=end)
    current = _pattern_counts(events, start, end)
    previous = _pattern_counts(events, before, before + (end - start))
    expected = sorted(
        (current.get(k, 0), previous.get(k, 0), current.get(k, 0) - previous.get(k, 0))
        for k in set(current) | set(previous)
    )
    got = sorted(
        (int(r["@sampleCount"]), int(r["@previousSampleCount"]), int(r["@sampleCountChange"]))
        for r in rows
    )
    assert got == expected
    for row in rows:
        if int(row["@previousSampleCount"]):
            change = int(row["@sampleCountChange"]) * 100 / int(row["@previousSampleCount"])
            assert float(row["@changePercent"]) == pytest.approx(change)
        else:
            assert "@changePercent" not in row


def test_diff_runs_the_commands_before_it_on_both_periods_and_refuses_stats() -> None:
    start, end = T0, T0 + 2 * HOUR
    events = [(start, "/g", "error a 1"), (start, "/g", "info b 1"),
              (start - HOUR, "/g", "error a 2"), (start - HOUR, "/g", "error a 3")]  # fmt: skip
    rows = run("filter @message like 'error' | diff", events, start=start, end=end)
    assert [(r["@sampleCount"], r["@previousSampleCount"]) for r in rows] == [("1", "2")]
    with pytest.raises(MalformedQueryError, match="before diff"):
        run("stats count(*) by @message | diff", events, start=start, end=end)


# -- anomaly ------------------------------------------------------------------------------------


def test_anomaly_flags_frequency_spikes_and_new_patterns_as_the_oracle_does() -> None:
    start, end = T0, T0 + 12 * HOUR
    events = []
    for hour in range(12):  # steady: 2 an hour; spike: 2 an hour, 30 in hour 7; new: hours 9-11
        events += [(start + hour * HOUR + dt.timedelta(minutes=m), "/g", f"steady tick {m}")
                   for m in range(2)]  # fmt: skip
        events += [(start + hour * HOUR + dt.timedelta(minutes=m), "/g", f"spike burst {m}")
                   for m in range(30 if hour == 7 else 2)]  # fmt: skip
        if hour >= 9:
            events.append((start + hour * HOUR, "/g", "brand new failure 1"))
    rows = run("pattern @message | anomaly", events, start=start, end=end)
    # Oracle: pandas buckets, then the documented rule (median + MAD; new = empty first half).
    data = pd.DataFrame({"t": [t for t, _, _ in events], "m": [str(m) for _, _, m in events]})
    data["pattern"] = data.m.str.replace(r"[0-9]+", "#", regex=True)
    data["bucket"] = ((data.t - start) / (end - start) * ANOMALY_BUCKETS).astype(int)
    expected = {}
    for _, group in data.groupby("pattern"):
        counts = group.bucket.value_counts().reindex(range(ANOMALY_BUCKETS), fill_value=0)
        if counts[: ANOMALY_BUCKETS // 2].sum() == 0:
            expected[len(group)] = "new pattern"
            continue
        median = statistics.median(counts)
        spread = max(1.4826 * statistics.median((counts - median).abs()), 1.0)
        if (counts.max() - median) / spread >= ANOMALY_THRESHOLD:
            expected[len(group)] = "frequency"
    assert {int(r["@sampleCount"]): r["@anomalyType"] for r in rows} == expected
    assert set(expected.values()) == {"frequency", "new pattern"}
    spike = next(r for r in rows if r["@anomalyType"] == "frequency")
    assert spike["@anomalyTime"].startswith("2026-03-10 07:00:00")


# -- other languages and commands refused -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [("SELECT `@message` FROM `LogGroupA` LIMIT 10", "OpenSearch SQL"),
     ("fields `@message` | head 5", None),
     ("source = `LogGroupA` | where status = 500 | head 10", "OpenSearch PPL")],
)  # fmt: skip
def test_opensearch_sql_and_ppl_are_refused_naming_what_runs(text: str, language: str) -> None:
    with pytest.raises(OpsbookError) as error:
        run(text, API)
    if language:
        assert language in str(error.value) and "filterindex" in str(error.value)


@pytest.mark.parametrize("command", ["addtotals", "logcompare timeshift 7d"])
def test_commands_still_refused_say_why(command: str) -> None:
    with pytest.raises(MalformedQueryError, match="not run offline: .+aws backend"):
        run(f"fields a | {command}", API)


def test_every_new_command_has_its_decision_in_semantics() -> None:
    from opsbook.insights import DECISIONS
    from opsbook.insights.parser import UNSUPPORTED_COMMANDS

    for key in ("source", "filter_index", "unmask", "lookup", "join", "subqueries", "diff",
                "anomaly", "other_languages", "still_refused"):  # fmt: skip
        assert DECISIONS[key].choice and DECISIONS[key].why
    assert str(ANOMALY_BUCKETS) in DECISIONS["anomaly"].choice
    assert set(UNSUPPORTED_COMMANDS) == {"addtotals", "logcompare"}
