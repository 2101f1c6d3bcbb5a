from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from opsbook import logs
from opsbook.backends.aws import insights_run
from opsbook.backends.local.logfiles import read_events
from opsbook.cli import main
from opsbook.errors import ConfigurationError, NoDataError, QueryCancelledError, QueryFailedError
from opsbook.insights import MalformedQueryError
from opsbook.settings import resolve

START, END = "2026-11-08T00:00:00Z", "2026-11-15T00:00:00Z"


@pytest.fixture(scope="module")
def sample_events(sample_dir: Path) -> pd.DataFrame:
    return read_events(sample_dir).to_pandas()


# -- local backend over the sample org ---------------------------------------------------------


def test_counts_per_log_group_match_the_files(
    sample_dir: Path, sample_events: pd.DataFrame
) -> None:
    settings = resolve(data_dir=str(sample_dir))
    frame = logs.query("stats count(*) as n by @log", [], START, END, settings=settings)
    inside = sample_events[
        (sample_events.timestamp >= pd.Timestamp(START))
        & (sample_events.timestamp <= pd.Timestamp(END))
    ]
    expected = inside.groupby("log_group").size()
    assert dict(zip(frame["@log"], frame["n"], strict=True)) == expected.to_dict()
    assert frame.attrs["statistics"]["recordsScanned"] == len(inside)
    assert frame.attrs["results"][0][0]["field"] == "@log"


def test_lambda_report_lines_via_alias_and_prefix(
    sample_dir: Path, sample_events: pd.DataFrame
) -> None:
    settings = resolve(
        data_dir=str(sample_dir), log_group_aliases={"orders": "/aws/lambda/orders-worker"}
    )
    query = 'filter @type = "REPORT" | stats count(*) as n, max(@maxMemoryUsed / 1000 / 1000) as mb'
    frame = logs.query(query, "orders", START, END, settings=settings)
    group = sample_events[sample_events.log_group == "/aws/lambda/orders-worker"]
    reports = group[group.message.str.startswith("REPORT ")]
    used = reports.message.str.extract(r"Max Memory Used: (\d+) MB")[0].astype(int)
    assert frame["n"].tolist() == [len(reports)] and frame["mb"].tolist() == [used.max()]
    both = logs.query("stats count(*) as n", ["/aws/lambda/*"], START, END, settings=settings)
    assert both["n"][0] == (sample_events.log_group.str.startswith("/aws/lambda/")).sum()


def test_bad_input_gives_clear_errors(sample_dir: Path) -> None:
    settings = resolve(data_dir=str(sample_dir))
    with pytest.raises(NoDataError, match="'/nope' is in none of the log files"):
        logs.query("fields @message", ["/nope"], START, END, settings=settings)
    with pytest.raises(ConfigurationError, match="before the start"):
        logs.query("fields @message", [], END, START, settings=settings)
    with pytest.raises(MalformedQueryError, match="line 1, column 8"):
        logs.query("fields nosuch(x)", [], START, END, settings=settings)
    with pytest.raises(ConfigurationError, match="not a time"):
        logs.query("fields @message", [], "yesterday-ish", END, settings=settings)


def test_stored_bytes_count_utf8_bytes_as_aws_does(tmp_path: Path) -> None:
    messages = ["caf\u00e9 \U0001f986", "plain"]  # 6 characters in 10 bytes, then 5
    _export(tmp_path / "logs" / "export", "/app/utf8", "s1",
            [f"2026-11-14T10:00:0{i}.000Z {m}" for i, m in enumerate(messages)])  # fmt: skip
    groups = logs.describe_log_groups(settings=resolve(backend="local", data_dir=str(tmp_path)))
    assert groups.stored_bytes.tolist() == [sum(len(m.encode()) for m in messages)] == [15]


# -- command line ------------------------------------------------------------------------------


def _export(root: Path, group: str, stream: str, lines: list[str], name: str = "000000.gz") -> Path:
    folder = root / group.lstrip("/") / "cda45419-90ea-4db5-9833-aade86253e66" / stream
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with gzip.open(path, "wt") as out:
        out.write("".join(f"{line}\n" for line in lines))
    return path


def test_cli_json_rows_are_get_query_results_strings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(tmp_path / "exp", "/app/api", "s1", [
        '2026-11-14T10:00:00.100Z {"status": 500, "path": "/a"}',
        '2026-11-14T10:03:00.000Z {"status": 200, "path": "/b"}',
        '2026-11-14T10:07:00.000Z {"status": 502, "path": "/a"}',
    ])  # fmt: skip
    code = main(["logs", "query", "filter status >= 500 | stats count(*) by bin(5m), path",
                 "--source", str(tmp_path / "exp"), "--format", "json"])  # fmt: skip
    assert code == 0
    assert json.loads(capsys.readouterr().out) == [
        {"bin(5m)": "2026-11-14 10:00:00.000", "path": "/a", "count(*)": "1"},
        {"bin(5m)": "2026-11-14 10:05:00.000", "path": "/a", "count(*)": "1"},
    ]
    code = main(["logs", "query", "fields status, path | sort status asc", "--source",
                 str(tmp_path / "exp"), "--log-group", "/app/api", "--format", "csv",
                 "--start", "2026-11-14T10:01:00Z", "--end", "2026-11-14T10:10:00Z"])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["status,path", "200,/b", "502,/a"]
    assert main(["logs", "query", "fields @message", "--source", str(tmp_path / "exp")]) == 0
    assert "2026-11-14T10:07" not in capsys.readouterr().out  # table shows messages only


def test_cli_errors_are_one_line_with_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _export(tmp_path, "/g", "s", ["2026-11-14T10:00:00.000Z x"])
    assert main(["logs", "query", "stats count(* by x", "--source", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "malformed query at line 1, column 15" in err and "Traceback" not in err
    assert main(["logs", "query", "fields x", "--source", str(tmp_path / "missing")]) == 1
    assert "no such log file or folder" in capsys.readouterr().err


def test_corrupt_gzip_is_reported_by_name_and_the_rest_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _export(tmp_path, "/g", "s", ["2026-11-14T10:00:00.000Z good"])
    bad = _export(tmp_path, "/g", "s", ["2026-11-14T10:00:01.000Z lost"], name="000001.gz")
    bad.write_bytes(bad.read_bytes()[:20])
    assert main(["logs", "query", "fields @message", "--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "000001.gz: truncated" in err and "Traceback" not in err
    monkeypatch.setenv("OPSBOOK_SKIP_UNREADABLE", "true")
    assert (
        main(["logs", "query", "fields @message", "--source", str(tmp_path), "--format", "json"])
        == 0
    )
    captured = capsys.readouterr()
    (row,) = json.loads(captured.out)
    assert row.pop("@ptr") and row == {"@message": "good"}  # event rows carry @ptr, as on AWS
    assert "000001.gz" in captured.err


# -- aws backend: moto server for the protocol, Stubber for caps and faults ---------------------


def _seed_moto(group: str, count: int) -> list[dict]:
    client = boto3.client("logs", region_name="us-east-1")
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="s1")
    base = int(dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC).timestamp() * 1000)
    events = [{"timestamp": base + i * 1000, "message": f'{{"n": {i}}}'} for i in range(count)]
    client.put_log_events(logGroupName=group, logStreamName="s1", logEvents=events)
    return events


def test_moto_query_protocol_and_pull_replay_gives_the_same_rows(
    aws_env: str, tmp_path: Path
) -> None:
    _seed_moto("/app/api", 30)
    settings = resolve(backend="aws", region="us-east-1")
    query = "fields @timestamp, @message | sort @timestamp desc | limit 5"
    window = ("2026-11-14T10:00:00Z", "2026-11-14T11:00:00Z")
    remote = logs.query(query, ["/app/api"], *window, settings=settings)
    assert len(remote) == 5 and remote.attrs["query_ids"]
    paths = logs.pull(["/app/api"], *window, tmp_path / "pulled", settings=settings)
    assert paths == [tmp_path / "pulled" / "app_api.parquet"]
    assert pd.read_parquet(paths[0]).shape[0] == 30
    local = logs.query(
        query, ["/app/api"], *window, settings=resolve(), sources=[tmp_path / "pulled"]
    )

    # moto renders @timestamp as epoch ms where AWS writes "YYYY-MM-DD HH:MM:SS.mmm"
    def aws_form(cell: dict) -> dict:
        if cell["field"] == "@timestamp" and cell["value"].isdigit():
            stamp = pd.Timestamp(int(cell["value"]), unit="ms")
            return {"field": "@timestamp", "value": stamp.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]}
        return cell

    def strip(results: list) -> list:
        return [[aws_form(c) for c in row if c["field"] != "@ptr"] for row in results]

    assert strip(remote.attrs["results"]) == strip(local.attrs["results"])
    assert all(row[-1]["field"] == "@ptr" for row in local.attrs["results"])
    assert remote["@timestamp"].tolist() == local["@timestamp"].tolist()


def test_cli_pull(
    aws_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed_moto("/app/pull", 3)
    monkeypatch.setenv("OPSBOOK_REGION", "us-east-1")
    code = main(["logs", "pull", "--log-group", "/app/pull", "--start", "2026-11-14T10:00:00Z",
                 "--end", "2026-11-14T11:00:00Z", "--dest", str(tmp_path)])  # fmt: skip
    assert code == 0 and capsys.readouterr().out.strip().endswith("app_pull.parquet")


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("logs", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _rows(first: int, count: int) -> list[list[dict[str, str]]]:
    return [
        [{"field": "@timestamp", "value": f"2026-11-14 10:{(first + i) // 60000 % 60:02d}:{(first + i) // 1000 % 60:02d}.{(first + i) % 1000:03d}"},
         {"field": "@ptr", "value": f"p{first + i}"}]
        for i in range(count)
    ]  # fmt: skip


def _complete(rows: list, scanned: float = 1000.0) -> dict:
    return {"results": rows, "status": "Complete",
            "statistics": {"recordsMatched": float(len(rows)), "recordsScanned": scanned, "bytesScanned": scanned}}  # fmt: skip


S0 = dt.datetime(2026, 11, 14, 10, tzinfo=dt.UTC)
S1 = S0 + dt.timedelta(seconds=100)


def test_cap_splits_the_time_range_recursively_and_merges(stubbed) -> None:
    client, stub = stubbed
    # [S0, S1) is StartQuery's inclusive range of whole seconds S0 .. S1 - 1 s.
    first, last = int(S0.timestamp()), int(S1.timestamp()) - 1
    middle = (first + last) // 2
    text = "fields @timestamp | sort @timestamp desc"
    stub.add_response(
        "start_query",
        {"queryId": "q1"},
        {
            "logGroupNames": ["/g"],
            "startTime": first,
            "endTime": last,
            "queryString": text,
            "limit": 10_000,
        },
    )
    stub.add_response("get_query_results", _complete(_rows(0, 10_000)), {"queryId": "q1"})
    stub.add_response(
        "start_query",
        {"queryId": "q2"},
        {
            "logGroupNames": ["/g"],
            "startTime": first,
            "endTime": middle,
            "queryString": text,
            "limit": 10_000,
        },
    )
    stub.add_response("get_query_results", _complete(_rows(0, 6_000)), {"queryId": "q2"})
    stub.add_response(
        "start_query",
        {"queryId": "q3"},
        {
            "logGroupNames": ["/g"],
            "startTime": middle + 1,
            "endTime": last,
            "queryString": text,
            "limit": 10_000,
        },
    )
    stub.add_response(
        "get_query_results", _complete(_rows(5_990, 6_000)), {"queryId": "q3"}
    )  # 10 overlap
    result = insights_run.run_query(
        resolve(backend="aws"), text, ["/g"], S0, S1, limit=None, client=client
    )
    assert len(result.records) == 11_990  # de-duplicated by @ptr
    stamps = [row[0]["value"] for row in result.records]
    assert stamps == sorted(stamps, reverse=True)
    assert result.statistics["bytesScanned"] == 3000.0
    assert result.query_ids == ["q1", "q2", "q3"]


def test_stats_at_the_cap_is_reported_not_split(stubbed) -> None:
    client, stub = stubbed
    stub.add_response("start_query", {"queryId": "q1"})
    stub.add_response(
        "get_query_results", _complete([[{"field": "k", "value": str(i)}] for i in range(10_000)])
    )
    result = insights_run.run_query(
        resolve(backend="aws"), "stats count(*) by k", ["/g"], S0, S1, limit=None, client=client
    )
    assert len(result.records) == 10_000
    assert any("cannot be merged exactly" in note for note in result.notes)


def test_more_than_50_groups_are_batched(stubbed) -> None:
    client, stub = stubbed
    groups = [f"/g{i}" for i in range(120)]
    for index, batch in enumerate((groups[:50], groups[50:100], groups[100:])):
        stub.add_response(
            "start_query",
            {"queryId": f"q{batch[0]}"},
            {
                "logGroupNames": batch,
                "startTime": int(S0.timestamp()),
                "endTime": int(S1.timestamp()) - 1,
                "queryString": "fields @message",
                "limit": 10_000,
            },
        )
        stub.add_response("get_query_results", _complete(_rows(index, 1)))
    result = insights_run.run_query(
        resolve(backend="aws"), "fields @message", groups, S0, S1, limit=None, client=client
    )
    assert len(result.records) == 3


def test_polling_and_cost(stubbed) -> None:
    client, stub = stubbed
    clock = FakeClock()
    stub.add_response("start_query", {"queryId": "q1"})
    stub.add_response("get_query_results", {"results": [], "status": "Scheduled"})
    stub.add_response("get_query_results", {"results": [], "status": "Running"})
    stub.add_response("get_query_results", _complete(_rows(0, 2), scanned=float(2**30)))
    result = insights_run.run_query(resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None,
                            client=client, sleep=clock.sleep, clock=clock, poll_seconds=2.0)  # fmt: skip
    assert clock.sleeps == [2.0, 2.0]
    assert result.statistics["costUsd"] == pytest.approx(0.005)


def test_limit_exceeded_past_the_retries_is_explained(stubbed) -> None:
    """LimitExceededException is retried by the client (backends/test_aws_clients.py), then said."""
    client, stub = stubbed
    stub.add_client_error("start_query", "LimitExceededException", "too many queries")
    with pytest.raises(QueryFailedError, match="kept throttling logs:StartQuery.*wait for some"):
        insights_run.run_query(resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None,
                       client=client)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        ("Failed", QueryFailedError, "ended with status Failed"),
        ("Unknown", QueryFailedError, "ended with status Unknown"),
        ("Timeout", QueryFailedError, "timed out on CloudWatch"),
        ("Cancelled", QueryCancelledError, "was cancelled"),
    ],
)
def test_every_terminal_status(stubbed, status: str, error: type, match: str) -> None:
    client, stub = stubbed
    stub.add_response("start_query", {"queryId": "q1"})
    stub.add_response("get_query_results", {"results": [], "status": status})
    with pytest.raises(error, match=match):
        insights_run.run_query(
            resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None, client=client
        )


def test_deadline_stops_the_query(stubbed) -> None:
    client, stub = stubbed
    clock = FakeClock()
    stub.add_response("start_query", {"queryId": "q1"})
    for _ in range(3):
        stub.add_response("get_query_results", {"results": [], "status": "Running"})
    stub.add_response("stop_query", {"success": True}, {"queryId": "q1"})
    with pytest.raises(QueryCancelledError, match="was stopped") as caught:
        insights_run.run_query(resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None,
                       client=client, sleep=clock.sleep, clock=clock, deadline_seconds=2.5)  # fmt: skip
    assert caught.value.query_id == "q1"


def test_interrupt_stops_the_query(stubbed) -> None:
    client, stub = stubbed
    stub.add_response("start_query", {"queryId": "q1"})
    stub.add_response("get_query_results", {"results": [], "status": "Running"})
    stub.add_response("stop_query", {"success": True}, {"queryId": "q1"})

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        insights_run.run_query(resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None,
                       client=client, sleep=interrupt)  # fmt: skip


def test_malformed_and_missing_group_errors_from_aws(stubbed) -> None:
    client, stub = stubbed
    stub.add_client_error("start_query", "MalformedQueryException", "unexpected symbol at 1:7")
    with pytest.raises(ConfigurationError, match="CloudWatch rejected the query: unexpected"):
        insights_run.run_query(
            resolve(backend="aws"), "fields (", ["/g"], S0, S1, limit=None, client=client
        )
    stub.add_client_error(
        "start_query", "ResourceNotFoundException", "Log group '/g' does not exist"
    )
    with pytest.raises(ConfigurationError, match="check the log group names"):
        insights_run.run_query(
            resolve(backend="aws"), "fields @message", ["/g"], S0, S1, limit=None, client=client
        )


def test_shipped_insights_queries_run_on_the_sample(
    sample_dir: Path, sample_events: pd.DataFrame
) -> None:
    from opsbook.queries import load_insights

    settings = resolve(data_dir=str(sample_dir))
    latency = logs.query(
        "logs/lambda_latency", ["/aws/lambda/orders-worker"], START, END, settings=settings
    )
    group = sample_events[sample_events.log_group == "/aws/lambda/orders-worker"]
    inside = group[
        (group.timestamp >= pd.Timestamp(START)) & (group.timestamp <= pd.Timestamp(END))
    ]
    assert latency["invocations"].sum() == inside.message.str.startswith("REPORT ").sum()
    assert latency["period"].is_monotonic_increasing
    errors = logs.query(
        "logs/http_5xx_by_path",
        ["/aws/apigateway/shop-public-api/access"],
        START,
        END,
        settings=settings,
    )
    assert len(errors) >= 1 and errors["errors"].is_monotonic_decreasing
    assert "first_seen" in logs.query(
        "logs/top_errors", ["/ecs/checkout-api"], START, END, settings=settings
    )
    assert load_insights("logs/lambda_failures").sql.startswith("filter @message like")
    with pytest.raises(ConfigurationError, match="shipped: logs/"):
        load_insights("logs/nope")


# -- aws frames are typed from the query ---------------------------------------------------


def test_aws_frames_take_their_columns_from_the_query(
    stubbed, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stub = stubbed
    monkeypatch.setattr(insights_run, "aws_client", lambda settings, service: client)
    text = "stats min(@timestamp) as first, count(*) as n by path"
    answers = {
        "typed": [[{"field": "first", "value": "2026-11-14 10:00:00.000"},
                   {"field": "n", "value": "3"}]],
        "empty": [],
        "emulator": [[{"field": "@ptr", "value": "p1"}]],  # moto's answer to a stats query
    }  # fmt: skip
    frames = {}
    for name, rows in answers.items():
        stub.add_response("start_query", {"queryId": name})
        stub.add_response("get_query_results", _complete(rows), {"queryId": name})
        frames[name] = logs.query(text, ["/g"], S0, S1, settings=resolve(backend="aws"))
    typed = frames["typed"]
    assert list(typed.columns) == ["path", "first", "n"]  # query order; path all missing
    assert str(typed["first"].dtype) == "datetime64[ms, UTC]" and typed["path"].isna().all()
    assert list(frames["empty"].columns) == ["path", "first", "n"] and frames["empty"].empty
    assert list(frames["emulator"].columns) == [] and len(frames["emulator"]) == 1


# -- list_log_groups: the names describe_log_groups lists, cheaper ------------------------------


def test_list_log_groups_names_what_describe_lists_on_both_backends(
    sample_dir: Path, aws_env: str, tmp_path: Path
) -> None:
    local = resolve(backend="local", data_dir=str(sample_dir))
    names = logs.list_log_groups(settings=local)
    assert names == logs.describe_log_groups(settings=local).log_group.tolist()
    assert "/ecs/checkout-api" in names and "/aws/lambda/inventory-sync" not in names  # no events
    _seed_moto("/app/listed", 1)
    remote = resolve(backend="aws", region="us-east-1")
    assert logs.list_log_groups(settings=remote) == (
        logs.describe_log_groups(settings=remote).log_group.tolist()
    )
    with pytest.raises(NoDataError, match="no CloudWatch Logs files"):
        logs.list_log_groups(settings=resolve(backend="local", data_dir=str(tmp_path)))
