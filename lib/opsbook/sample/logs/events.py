"""The events of one log group, and the draws the services' logs share.

:class:`Events` collects a log group's events in batches (times, stream numbers, messages) and
sorts them per stream when they are written. The helpers draw what every service logs the same
way: which requests are logged (:data:`SAMPLE_FRACTIONS`), when in their minute, routes and
statuses by weight, random ids.

Examples
--------
>>> import numpy as np
>>> events = Events(streams=["a", "b"])
>>> events.add(np.array([2, 1]), np.array([1, 1]), ["second", "first"])
>>> events.add(np.array([5]), np.array([0]), ["other stream"])
>>> ts, stream, messages = events.ordered()
>>> messages.tolist(), iso_times(ts[:1])
(['other stream', 'first', 'second'], ['1970-01-01T00:00:00.005Z'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opsbook.sample import org
from opsbook.sample.traffic import MINUTE_MS, Traffic

__all__ = [
    "CATALOG_ROUTES",
    "CHECKOUT_OK_STATUS",
    "CHECKOUT_ROUTES",
    "CLIENT_STATUS",
    "SAMPLE_FRACTIONS",
    "Events",
    "client_statuses",
    "elb_5xx",
    "expand",
    "expand_kinds",
    "incident_masks",
    "iso_times",
    "pick",
    "random_hex",
    "random_order_ids",
    "sampled",
    "share",
    "target_5xx",
]

# Share of the modelled requests each log group holds (1.0: every invocation is logged).
SAMPLE_FRACTIONS: dict[str, float] = {
    org.API_ACCESS_LOG_GROUP: 1 / 500,
    org.CHECKOUT.log_group: 1 / 100,
    org.CATALOG.log_group: 1 / 2000,
    org.ORDERS.log_group: 1.0,
}
CHECKOUT_ROUTES = (
    ("GET", "/cart", 0.38),
    ("POST", "/cart/items", 0.3),
    ("POST", "/checkout", 0.2),
    ("GET", "/orders/{id}", 0.12),
)
CATALOG_ROUTES = (
    ("GET", "/products", 0.35),
    ("GET", "/products/{id}", 0.4),
    ("GET", "/search", 0.15),
    ("GET", "/categories", 0.1),
)
CLIENT_STATUS = ((400, 0.35), (401, 0.1), (404, 0.3), (409, 0.1), (422, 0.15))
#: The status of a successful checkout-api request, per row of CHECKOUT_ROUTES (201 for a POST).
CHECKOUT_OK_STATUS = np.array(
    [201 if method == "POST" else 200 for method, _, _ in CHECKOUT_ROUTES]
)


@dataclass
class Events:
    """Events of one log group, collected in batches, sorted per stream when written."""

    streams: list[str] = field(default_factory=list)
    ts: list[np.ndarray] = field(default_factory=list)
    stream: list[np.ndarray] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, ts: np.ndarray, stream: np.ndarray, messages: list[str]) -> None:
        """Append a batch: epoch-ms times, stream numbers and messages, one each per event."""
        self.ts.append(np.asarray(ts, dtype=np.int64))
        self.stream.append(np.asarray(stream, dtype=np.int64))
        self.messages += messages

    def ordered(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (timestamps, stream index, messages) sorted by stream, time, insertion order."""
        ts, stream = np.concatenate(self.ts), np.concatenate(self.stream)
        order = np.lexsort((np.arange(ts.size), ts, stream))
        return ts[order], stream[order], np.asarray(self.messages, dtype=object)[order]


def iso_times(ts: np.ndarray) -> list[str]:
    """Return epoch-ms times as CloudWatch Logs exports print them (``...T14:02:03.123Z``)."""
    text = np.datetime_as_string(np.asarray(ts, dtype="datetime64[ms]"), unit="ms")
    return [f"{t}Z" for t in text.tolist()]


def pick(rng: np.random.Generator, table: tuple[tuple[Any, ...], ...], count: int) -> np.ndarray:
    """Return ``count`` random row indices of ``table``, whose last column is each row's weight."""
    weights = np.array([row[-1] for row in table], dtype=float)
    return rng.choice(len(table), size=count, p=weights / weights.sum())


def sampled(rng: np.random.Generator, counts: np.ndarray, fraction: float) -> np.ndarray:
    """Return how many of ``counts`` a uniform random ``fraction`` of them keeps (all at 1)."""
    return counts if fraction >= 1 else rng.binomial(counts, fraction)


def expand(
    model: Traffic, window: slice, counts: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (minute index, epoch ms) of one event per count, at a random time in its minute."""
    minute = np.repeat(np.arange(window.start, window.stop), counts)
    return minute, model.minute_ms[minute] + rng.integers(0, MINUTE_MS, minute.size)


def expand_kinds(
    model: Traffic,
    window: slice,
    counts: Sequence[np.ndarray],
    rng: np.random.Generator,
    *,
    fraction: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (minute index, epoch ms, kind) of the logged requests of several kinds.

    ``counts[k]`` holds the requests of kind ``k`` per minute of ``window``; kind by kind, a
    uniform random ``fraction`` of them is logged (:func:`sampled`), each at a random time in its
    minute (:func:`expand`). The events come kind after kind, in time order within a kind.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> model = SimpleNamespace(minute_ms=np.arange(3) * 60_000)
    >>> ok, failed = np.array([2, 0, 1]), np.array([0, 1, 0])
    >>> minute, ms, kind = expand_kinds(model, slice(0, 3), [ok, failed], np.random.default_rng(1))
    >>> minute.tolist(), kind.tolist(), bool(((ms // 60_000) == minute).all())
    ([0, 0, 2, 1], [0, 0, 0, 1], True)
    """
    parts = [expand(model, window, sampled(rng, c, fraction), rng) for c in counts]
    minute = np.concatenate([p[0] for p in parts])
    ms = np.concatenate([p[1] for p in parts])
    kind = np.repeat(np.arange(len(parts)), [p[0].size for p in parts])
    return minute, ms, kind


def incident_masks(model: Traffic, minute: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return which events (by minute index) fall in the incident and on the day before it.

    The day before runs from 24 hours before the errors start to the bad deployment, the
    baseline the README's ``..._previous_day`` facts compare the incident with.

    Examples
    --------
    >>> import datetime as dt
    >>> from opsbook.sample.org import timeline
    >>> from opsbook.sample.traffic import traffic_model
    >>> model = traffic_model(timeline(dt.date(2026, 11, 15)), scale=0.05)
    >>> start, hour = model.index(model.story.errors_start), 60
    >>> in_window, before = incident_masks(model, np.array([start, start - 3 * hour]))
    >>> in_window.tolist(), before.tolist()
    ([True, False], [False, True])
    """
    story = model.story
    inside = model.window(story.errors_start, story.errors_end)
    in_window = (minute >= inside.start) & (minute < inside.stop)
    before = (minute >= inside.start - 1440) & (minute < model.index(story.deploy_at))
    return in_window, before


def client_statuses(rng: np.random.Generator, count: int) -> np.ndarray:
    """Return ``count`` random 4XX statuses, weighted as :data:`CLIENT_STATUS`.

    Examples
    --------
    >>> set(client_statuses(np.random.default_rng(1), 50).tolist()) <= {400, 401, 404, 409, 422}
    True
    """
    return np.array([s for s, _ in CLIENT_STATUS])[pick(rng, CLIENT_STATUS, count)]


def target_5xx(rng: np.random.Generator, incident: np.ndarray) -> np.ndarray:
    """Return the 5XX status of each failed checkout-api request a target answered.

    During the incident (``incident`` true) the bad task set answers 500, 503 or 504 (its
    KeyError, the exhausted connection pool, upstream timeouts); a failure outside it is a 503
    or a 504.

    Examples
    --------
    >>> statuses = target_5xx(np.random.default_rng(1), np.array([True, False] * 20))
    >>> sorted(set(statuses[1::2].tolist()))
    [503, 504]
    """
    n = incident.size
    return np.where(
        incident,
        rng.choice([500, 503, 504], size=n, p=[0.45, 0.3, 0.25]),
        rng.choice([503, 504], size=n),
    )


def elb_5xx(rng: np.random.Generator, count: int) -> np.ndarray:
    """Return ``count`` statuses of requests the load balancer failed itself: 502 or 504.

    Examples
    --------
    >>> sorted(set(elb_5xx(np.random.default_rng(1), 20).tolist()))
    [502, 504]
    """
    return rng.choice([502, 504], size=count, p=[0.7, 0.3])


def share(flags: np.ndarray) -> float | None:
    """Return the share of true values (rounded), or None when there are none to count."""
    return round(float(flags.mean()), 5) if flags.size else None


def random_hex(rng: np.random.Generator, count: int, width: int) -> list[str]:
    """Return ``count`` random lower-case hex strings of ``width`` digits."""
    h = rng.bytes(count * width // 2 + 1).hex()
    return [h[i * width : (i + 1) * width] for i in range(count)]


def random_order_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Return ``count`` random order ids (``ord-<7 digits>``)."""
    return [f"ord-{n}" for n in rng.integers(1_000_000, 9_999_999, count).tolist()]
