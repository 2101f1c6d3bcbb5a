"""Tell people about a report run: a summary on stdout, and findings to a webhook or SNS topic.

Worth attention are failed notebooks and the findings notebooks record under the name
``findings`` (``record(findings=[...])``, or ``record(report)``: an anomaly, a fired SLO alert).
A notebook that records its report's ``status`` counts only when that is ``FINDING`` or
``ERROR``: a report that looked and found nothing (``PASS``, ``SKIPPED``) says so in its page,
not in a chat channel. A run with nothing worth attention is summarised on stdout only. Values
are written for people (``$1,234.50``, ``2,900 ms``), not as raw JSON. When ``notify_webhook_url`` is set, a Slack-compatible JSON payload is
posted there; when ``notify_sns_topic_arn`` is set, the text is published to the topic. A failed
notebook's entry links its saved output, which is the log of the failure. A run made with
``redact`` is masked in every line of its message.

Examples
--------
>>> from pathlib import Path
>>> from opsbook.runner import NotebookRun, SuiteRun
>>> run = SuiteRun("daily", "2026-11-15", Path("reports/daily/2026-11-15"), [
...     NotebookRun("cost.ipynb", "ok", 3.2, {}, "cost.ipynb", "cost.html",
...                 {"findings": ["NAT gateway spend 9.9x its usual level on 2026-11-05"]})])
>>> print(message(run).text)
opsbook daily 2026-11-15: 1 notebook ok, 1 finding
- cost: NAT gateway spend 9.9x its usual level on 2026-11-05 (reports/daily/2026-11-15/cost.html)
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from opsbook.backends import backend
from opsbook.errors import OpsbookError
from opsbook.present import ERROR, FINDING, format_value
from opsbook.runner._redact import redact_text
from opsbook.settings import Settings

if TYPE_CHECKING:
    from opsbook.runner._reports import SuiteRun

__all__ = ["Message", "NotificationError", "message", "notify"]


class NotificationError(OpsbookError):
    """A notification sink could not be reached; the report itself was published."""


@dataclass(frozen=True)
class Message:
    """What a run tells people: a first line, one line per item, and whether it needs attention."""

    headline: str
    items: tuple[str, ...]
    attention: bool

    @property
    def text(self) -> str:
        """The message as plain text."""
        return "\n".join([self.headline, *(f"- {item}" for item in self.items)])

    def slack_payload(self) -> dict[str, Any]:
        """Return the message as a Slack-compatible incoming-webhook payload."""
        body = "\n".join(f"• {item}" for item in self.items) or "nothing to report"
        return {
            "text": self.headline,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": self.headline[:150]}},
                {"type": "section", "text": {"type": "mrkdwn", "text": body[:2900]}},
            ],
        }


def message(run: SuiteRun) -> Message:
    """Build the message for a run: failed notebooks first, then recorded findings."""
    items = []
    for notebook in run.notebooks:
        link = run.folder / (notebook.html or notebook.output)
        name = notebook.notebook.removesuffix(".ipynb")
        if notebook.status != "ok":
            items.append(f"{name} FAILED: {notebook.error} (log: {run.folder / notebook.output})")
        for finding in _findings(notebook.records):
            items.append(f"{name}: {finding} ({link})")
    failed = sum(n.status != "ok" for n in run.notebooks)
    found = sum(len(_findings(n.records)) for n in run.notebooks)
    parts = [f"{len(run.notebooks) - failed} notebook{'s' * (len(run.notebooks) - failed != 1)} ok"]
    if failed:
        parts.append(f"{failed} failed")
    if found:
        parts.append(f"{found} finding{'s' * (found != 1)}")
    headline = f"opsbook {run.suite} {run.run_date}: {', '.join(parts)}"
    if run.redacted:  # the records are masked already; the paths and errors may not be
        headline, items = redact_text(headline), [redact_text(item) for item in items]
    return Message(headline, tuple(items), attention=bool(items))


def notify(run: SuiteRun, settings: Settings, *, out: TextIO | None = None) -> list[str]:
    """Print the run's summary, and send it to the configured sinks when it needs attention.

    Returns
    -------
    list of str
        The sinks the message went to (``stdout``, ``webhook``, ``sns``).

    Raises
    ------
    NotificationError
        When a configured sink refused or could not be reached (after the stdout summary).
    """
    note = message(run)
    print(note.text, file=out or sys.stdout, flush=True)
    sent = ["stdout"]
    if not note.attention:
        return sent
    problems = []
    if settings.notify_webhook_url:
        try:
            _post(settings.notify_webhook_url, note.slack_payload())
            sent.append("webhook")
        except (urllib.error.URLError, OSError) as error:
            problems.append(f"webhook: {getattr(error, 'reason', error)}")
    if settings.notify_sns_topic_arn:
        try:
            sns = backend(settings).notify
            sns.publish(settings, settings.notify_sns_topic_arn, note.headline, note.text)
            sent.append("sns")
        except OpsbookError as error:
            problems.append(f"SNS: {error}")
    if problems:
        raise NotificationError(
            f"the report was published, but notifying failed ({'; '.join(problems)}); "
            "check notify_webhook_url / notify_sns_topic_arn"
        )
    return sent


def _findings(records: dict[str, Any]) -> list[str]:
    if records.get("status", FINDING) not in (FINDING, ERROR):
        return []
    found = records.get("findings") or []
    if not isinstance(found, list):
        found = [found]
    return [f if isinstance(f, str) else format_value(f, "text") for f in found]


def _post(url: str, payload: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured URL)
        if response.status >= 300:
            raise OSError(f"HTTP {response.status}")
