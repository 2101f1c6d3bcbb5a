from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import boto3
import pytest
from opsbook.runner import NotebookRun, NotificationError, SuiteRun, notify
from opsbook.runner._notify import message
from opsbook.settings import resolve


def _run(*notebooks: NotebookRun) -> SuiteRun:
    return SuiteRun(
        "daily", "2026-11-15", Path("/reports/daily/2026-11-15.failed"), list(notebooks)
    )


OK = NotebookRun("overview.ipynb", "ok", 1.0, {}, "overview.ipynb", "overview.html", {"n": 1})
FAILED = NotebookRun(
    "cost.ipynb", "failed", 2.0, {}, "cost.ipynb", "cost.html", {}, "cell 3: NoDataError: no CUR"
)
FOUND = NotebookRun(
    "slo.ipynb", "ok", 1.0, {}, "slo.ipynb", "slo.html",
    {"findings": ["catalog-api burn rate 2.6x (ticket)", {"service": "checkout", "p99_ms": 2900}]},
)  # fmt: skip


@pytest.fixture
def webhook():
    """A Slack-like incoming webhook on 127.0.0.1 that keeps what it receives."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            status = 500 if self.path == "/broken" else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass  # keep the test output clean

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_message_puts_failures_first_and_links_their_log() -> None:
    note = message(_run(OK, FAILED, FOUND))
    assert note.headline == "opsbook daily 2026-11-15: 2 notebooks ok, 1 failed, 2 findings"
    assert note.items[0].startswith("cost FAILED: cell 3: NoDataError: no CUR (log: /reports/daily")
    assert note.items[0].endswith("cost.ipynb)")
    assert (
        note.items[1]
        == "slo: catalog-api burn rate 2.6x (ticket) (/reports/daily/2026-11-15.failed/slo.html)"
    )
    assert "p99_ms: 2,900 ms" in note.items[2], "values are written for people, not as JSON"
    assert note.attention


def test_a_quiet_run_only_prints(webhook, capsys: pytest.CaptureFixture, clean_env: Path) -> None:
    url, received = webhook
    assert notify(_run(OK), resolve(notify_webhook_url=url)) == ["stdout"]
    assert capsys.readouterr().out.startswith("opsbook daily 2026-11-15: 1 notebook ok")
    assert received == []


def test_findings_are_posted_as_a_slack_payload(webhook, clean_env: Path) -> None:
    url, received = webhook
    assert notify(_run(OK, FAILED), resolve(notify_webhook_url=f"{url}/hook")) == [
        "stdout",
        "webhook",
    ]
    (payload,) = received
    assert payload["text"].endswith("1 notebook ok, 1 failed")
    assert payload["blocks"][0]["type"] == "header"
    assert "cost FAILED" in payload["blocks"][1]["text"]["text"]


def test_an_unreachable_sink_is_an_error_after_the_summary(
    webhook, capsys: pytest.CaptureFixture, clean_env: Path
) -> None:
    url, _ = webhook
    with pytest.raises(NotificationError, match="report was published, but notifying failed"):
        notify(_run(FAILED), resolve(notify_webhook_url=f"{url}/broken"))
    with pytest.raises(NotificationError, match="webhook"):
        notify(_run(FAILED), resolve(notify_webhook_url="http://127.0.0.1:9/closed"))
    assert "cost FAILED" in capsys.readouterr().out


def test_findings_are_published_to_sns(aws_env: str, clean_env: Path) -> None:
    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    topic = sns.create_topic(Name="opsbook-reports")["TopicArn"]
    queue = sqs.create_queue(QueueName="reports")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    settings = resolve(backend="aws", notify_sns_topic_arn=topic)
    assert notify(_run(FOUND), settings) == ["stdout", "sns"]
    (delivered,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    body = json.loads(delivered["Body"])
    assert body["Subject"] == "opsbook daily 2026-11-15: 1 notebook ok, 2 findings"
    assert "catalog-api burn rate" in body["Message"]


def test_webhook_urls_are_not_shown_in_full(clean_env: Path) -> None:
    shown = dict(
        (k, v)
        for k, v, _ in resolve(notify_webhook_url="https://hooks.example/T0/B0/secret").describe()
    )
    assert "secret" not in shown["notify_webhook_url"]
