"""Incident context for the sample organisation: CloudWatch alarms, CloudTrail and AWS Health.

The files have the JSON shapes the AWS APIs return, so notebooks read them exactly as they would
read ``aws ... --output json`` output or a CloudTrail S3 bucket:

* ``alarms/describe-alarms.json`` and ``alarms/alarm-history.json`` (DescribeAlarms,
  DescribeAlarmHistory),
* ``cloudtrail/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz`` (trail log files),
* ``health/describe-events.json``, ``describe-event-details.json`` and
  ``describe-affected-entities.json``.

They tell the story of :func:`opsbook.sample.org.timeline`: the checkout-api bad deployment and
its rollback, the catalog-api-handler deployment that starts a slow SLO burn, and an unrelated
AWS Health issue a few days earlier, hidden among routine deployments, config changes, read-only
API noise, a flapping alarm and a few neglected alarms.

The alarm history is not made up: every alarm is evaluated (:mod:`.alarmeval`) over the metrics
the metric stream holds (:func:`opsbook.sample.metrics.metric_series`, scale 1, same seed), so
each ALARM span is exactly where its metric crosses the threshold, and the episodes of
:mod:`opsbook.sample.episodes` are where they are because the traffic model puts them there. The
deployments in CloudTrail are :func:`opsbook.sample.episodes.releases`, which the logs and
metrics follow too.

The package's modules:

* :mod:`~opsbook.sample.incident.formats`: how AWS spells times, key case, random IDs;
* :mod:`~opsbook.sample.incident.alarms`: the alarm definitions and their configuration shapes;
* :mod:`~opsbook.sample.incident.alarmeval` and :mod:`~opsbook.sample.incident.history`:
  CloudWatch's evaluation rules, and the DescribeAlarms / DescribeAlarmHistory output they give;
* :mod:`~opsbook.sample.incident.trail`, :mod:`~opsbook.sample.incident.deployments`,
  :mod:`~opsbook.sample.incident.activity` and :mod:`~opsbook.sample.incident.cloudtrail`: who
  calls, the deployments, the other recorded calls, and the trail's log files;
* :mod:`~opsbook.sample.incident.health`: the AWS Health events.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from opsbook.backends import layout
from opsbook.sample.episodes import (
    BURN_ALARM,
    CHECKOUT_5XX_ALARM,
    CHECKOUT_P99_ALARM,
    FLAPPING_ALARM,
    STALE_ALARM,
)
from opsbook.sample.incident.alarms import ALARMS, CATALOG_FUNCTION, ORDERS_FUNCTION
from opsbook.sample.incident.cloudtrail import build_trail, write_trail
from opsbook.sample.incident.creations import merge_file_facts, record_creations
from opsbook.sample.incident.formats import cli_time, write_json
from opsbook.sample.incident.health import health_events
from opsbook.sample.incident.history import build_alarms
from opsbook.sample.incident.trail import Trail
from opsbook.sample.org import Timeline

__all__ = [
    "ALARMS",
    "BURN_ALARM",
    "CATALOG_FUNCTION",
    "CHECKOUT_5XX_ALARM",
    "CHECKOUT_P99_ALARM",
    "FLAPPING_ALARM",
    "ORDERS_FUNCTION",
    "STALE_ALARM",
    "write_incident_context",
]


def write_incident_context(root: Path, story: Timeline, *, seed: int = 7) -> dict[str, Any]:
    """Write alarms, alarm history, CloudTrail log files and AWS Health events under ``root``.

    Parameters
    ----------
    root : Path
        Output directory; ``alarms/``, ``cloudtrail/`` and ``health/`` are created below it.
    story : Timeline
        The injected events (from :func:`opsbook.sample.org.timeline`).
    seed : int, default 7
        Seed for jitter, values and IDs; the same seed gives byte-identical files.

    Returns
    -------
    dict
        JSON-serialisable facts for the generated README: alarm names and ALARM spans,
        deployments and config changes with times, the AWS Health events, file counts.

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from opsbook.sample.org import timeline
    >>> story = timeline(dt.date(2026, 11, 15))
    >>> facts = write_incident_context(Path(tempfile.mkdtemp()), story)
    >>> facts["incident"]["bad_deploy"]["version"], facts["alarms"]["in_alarm_at_end"]
    ('checkout-api:43', ['catalog-api-availability-burn-rate-1h'])
    """
    root = Path(root)
    # separate streams so a change in one section does not reshuffle the others
    alarm_rng, trail_rng, file_rng, health_rng = (random.Random(seed * 1000 + k) for k in range(4))

    metric_alarms, history, alarm_facts = build_alarms(story, alarm_rng, seed)
    write_json(
        root / layout.DESCRIBE_ALARMS, {"MetricAlarms": metric_alarms, "CompositeAlarms": []}
    )
    write_json(root / layout.ALARM_HISTORY, {"AlarmHistoryItems": history})

    trail, trail_facts = build_trail(story, trail_rng, seed)
    file_facts = write_trail(root, trail, file_rng)
    created = Trail(random.Random(seed * 1000 + 4))  # the untagged resources' create events
    record_creations(created, story)
    more = write_trail(root, created, random.Random(seed * 1000 + 5))
    file_facts = merge_file_facts(file_facts, more)

    events, details, entities, health_facts = health_events(story, health_rng)
    write_json(root / layout.HEALTH_EVENTS, events)
    write_json(root / layout.HEALTH_EVENT_DETAILS, details)
    write_json(root / layout.HEALTH_AFFECTED_ENTITIES, entities)

    return {
        "as_of": story.as_of.isoformat(),
        "files": [
            layout.DESCRIBE_ALARMS,
            layout.ALARM_HISTORY,
            f"{layout.TRAIL_LOGS}/",
            layout.HEALTH_EVENTS,
            layout.HEALTH_EVENT_DETAILS,
            layout.HEALTH_AFFECTED_ENTITIES,
        ],
        "alarms": alarm_facts,
        "incident": {
            "deploy_at": cli_time(story.deploy_at),
            "errors_start": cli_time(story.errors_start),
            "rollback_at": cli_time(story.rollback_at),
            "errors_end": cli_time(story.errors_end),
            "slow_burn_start": cli_time(story.slow_burn_start),
            "bad_deploy": trail_facts["bad_deploy"],
            "rollback": trail_facts["rollback"],
            "catalog_deploy": trail_facts["catalog_deploy"],
        },
        "deployments": trail_facts["deployments"],
        "config_changes": trail_facts["config_changes"],
        "cloudtrail": file_facts,
        "health": health_facts,
    }
