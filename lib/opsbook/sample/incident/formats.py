"""How AWS spells things in the incident files: timestamps, key case, and the sample's random IDs.

The same instant appears in several spellings, each where the real API or file puts it.

Examples
--------
>>> import datetime as dt
>>> t = dt.datetime(2026, 11, 14, 14, 5, 41, 205000, tzinfo=dt.UTC)
>>> cli_time(t), cloudwatch_time(t), trail_time(t)
('2026-11-14T14:05:41.205000+00:00', '2026-11-14T14:05:41.205+0000', '2026-11-14T14:05:41Z')
>>> java_time(t), cli_seconds(t)
('Nov 14, 2026, 2:05:41 PM', '2026-11-14T14:05:41+00:00')
"""

from __future__ import annotations

import datetime as dt
import json
import random
import string
import uuid
from pathlib import Path
from typing import Any

__all__ = [
    "camel_keys",
    "cli_seconds",
    "cli_time",
    "cloudwatch_time",
    "floor_time",
    "java_time",
    "jitter",
    "random_token",
    "random_uuid",
    "trail_time",
    "write_json",
]

_ALNUM = string.ascii_letters + string.digits


def cli_time(t: dt.datetime) -> str:
    """Timestamp as the AWS CLI prints a botocore datetime: ``2026-11-14T14:05:41.205000+00:00``."""
    return t.isoformat()


def cloudwatch_time(t: dt.datetime) -> str:
    """Timestamp inside CloudWatch's JSON strings (StateReasonData, HistoryData)."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def trail_time(t: dt.datetime) -> str:
    """CloudTrail eventTime: second precision, ``Z``."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def java_time(t: dt.datetime) -> str:
    """Java-style date some services (ECS, CloudWatch) put into CloudTrail responseElements."""
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {hour}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def cli_seconds(t: dt.datetime) -> str:
    """CLI-style timestamp truncated to the second, as CloudTrail records API calls."""
    return cli_time(t.replace(microsecond=0))


def camel_keys(value: Any) -> Any:
    """Lower-case the first letter of every key (``MetricStat`` -> ``metricStat``)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def floor_time(t: dt.datetime, seconds: int) -> dt.datetime:
    """Return ``t`` rounded down to a multiple of ``seconds`` since the epoch, in UTC."""
    epoch = int(t.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def jitter(rng: random.Random, t: dt.datetime, lo: int = 20, hi: int = 55) -> dt.datetime:
    """``t`` plus a few seconds and milliseconds: alarm evaluation and API calls are not on the minute."""
    return t + dt.timedelta(seconds=rng.randint(lo, hi), milliseconds=rng.randint(0, 999))


def random_uuid(rng: random.Random) -> str:
    """Return a version-4 UUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_token(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    """Return ``n`` characters of ``alphabet`` drawn from ``rng``."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as the AWS CLI prints JSON (4-space indent), creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=4) + "\n", encoding="utf-8")
