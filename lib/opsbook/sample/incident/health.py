"""AWS Health for the sample: an RDS issue days before the incident, and an upcoming maintenance.

The issue (closed) is unrelated to the incident, the kind of event triage must rule out; the
maintenance is scheduled after the data ends. Both affect the orders database.

Examples
--------
>>> import datetime as dt, random
>>> from opsbook.sample.org import timeline
>>> events, details, entities, facts = health_events(timeline(dt.date(2026, 11, 15)), random.Random(1))
>>> [e["statusCode"] for e in events["events"]], facts["issue"]["start"]
(['closed', 'upcoming'], '2026-11-11T02:00:00+00:00')
"""

from __future__ import annotations

import datetime as dt
import random
import string
from typing import Any

from opsbook.sample.incident.formats import cli_time, jitter, random_token
from opsbook.sample.org import DB_INSTANCE, REGION, SHOP_PROD, Timeline

__all__ = ["health_events"]

_ACCT = SHOP_PROD.id


def health_events(story: Timeline, rng: random.Random) -> tuple[dict, dict, dict, dict[str, Any]]:
    """Build an RDS issue (closed, days before the incident) and an upcoming maintenance.

    Returns DescribeEvents, DescribeEventDetails and DescribeAffectedEntities output, and the
    facts for the README.
    """
    issue_code, maint_code = "AWS_RDS_OPERATIONAL_ISSUE", "AWS_RDS_MAINTENANCE_SCHEDULED"
    issue_arn = (
        f"arn:aws:health:{REGION}::event/RDS/{issue_code}/"
        f"{issue_code}_{random_token(rng, 5, string.ascii_uppercase)}_{random_token(rng, 12, string.digits)}"
    )
    maint_arn = f"arn:aws:health:{REGION}::event/RDS/{maint_code}/{maint_code}_{random_token(rng, 24, '0123456789abcdef')}"
    issue_updated = jitter(rng, story.health_end + dt.timedelta(minutes=17), 0, 59)
    maint_start = story.end + dt.timedelta(days=9, hours=6)
    maint_updated = jitter(rng, story.end - dt.timedelta(days=6, hours=-18, minutes=-22), 0, 59)
    issue = {
        "arn": issue_arn,
        "service": "RDS",
        "eventTypeCode": issue_code,
        "eventTypeCategory": "issue",
        "region": REGION,
        "availabilityZone": f"{REGION}b",
        "startTime": cli_time(story.health_start),
        "endTime": cli_time(story.health_end),
        "lastUpdatedTime": cli_time(issue_updated),
        "statusCode": "closed",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
        "actionability": "INFORMATIONAL",
        "personas": ["OPERATIONS"],
    }
    maintenance = {
        "arn": maint_arn,
        "service": "RDS",
        "eventTypeCode": maint_code,
        "eventTypeCategory": "scheduledChange",
        "region": REGION,
        "startTime": cli_time(maint_start),
        "endTime": cli_time(maint_start + dt.timedelta(minutes=30)),
        "lastUpdatedTime": cli_time(maint_updated),
        "statusCode": "upcoming",
        "eventScopeCode": "ACCOUNT_SPECIFIC",
        "actionability": "ACTION_MAY_BE_REQUIRED",
        "personas": ["OPERATIONS"],
    }

    def when(t: dt.datetime) -> str:
        return f"{t:%b} {t.day} {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"

    issue_text = (
        "[RESOLVED] Increased storage latency\n\n"
        f"Between {when(story.health_start)} and {when(story.health_end)} UTC, a small number of "
        f"Amazon RDS database instances in a single Availability Zone ({REGION}b) in the "
        f"{REGION.upper()} Region experienced elevated storage I/O latency. Your DB instance "
        f"{DB_INSTANCE} was among the affected instances and may have seen higher read and write "
        "latency during this period. The issue has been resolved and the service is operating "
        "normally. No action is required."
    )
    maint_text = (
        f"A required operating system update is scheduled for your Amazon RDS DB instance "
        f"{DB_INSTANCE} in the {REGION.upper()} Region. It will be applied during the instance's "
        f"maintenance window starting {when(maint_start)} UTC. A Multi-AZ instance fails over to "
        "its standby during the update, which usually takes 60 to 120 seconds. To apply the "
        "update at a time of your choosing, use the apply-pending-maintenance-action command."
    )
    events = {"events": [issue, maintenance]}
    details = {
        "successfulSet": [
            {"event": issue, "eventDescription": {"latestDescription": issue_text}},
            {"event": maintenance, "eventDescription": {"latestDescription": maint_text}},
        ],
        "failedSet": [],
    }

    def entity(event_arn: str, status: str, updated: dt.datetime) -> dict[str, Any]:
        return {
            "entityArn": f"arn:aws:health:{REGION}:{_ACCT}:entity/g1{random_token(rng, 30)}",
            "eventArn": event_arn,
            "entityValue": DB_INSTANCE,
            "awsAccountId": _ACCT,
            "lastUpdatedTime": cli_time(updated),
            "statusCode": status,
        }

    entities = {
        "entities": [
            entity(issue_arn, "RESOLVED", issue_updated),
            entity(maint_arn, "PENDING", maint_updated),
        ]
    }
    facts = {
        "issue": {
            "arn": issue_arn,
            "eventTypeCode": issue_code,
            "start": issue["startTime"],
            "end": issue["endTime"],
            "affected": DB_INSTANCE,
        },
        "scheduled": {
            "arn": maint_arn,
            "eventTypeCode": maint_code,
            "start": maintenance["startTime"],
            "statusCode": "upcoming",
            "affected": DB_INSTANCE,
        },
    }
    return events, details, entities, facts
