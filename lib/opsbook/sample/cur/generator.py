"""The driver: compile the catalogue, write each billing period in bounded chunks, sum up facts."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from opsbook.backends import layout
from opsbook.errors import ConfigurationError
from opsbook.sample import org
from opsbook.sample.cur.anomaly_detection import write_anomaly_detection
from opsbook.sample.cur.budget_history import write_budget_history
from opsbook.sample.cur.budgets import write_budgets
from opsbook.sample.cur.catalogue import REGIONS, SERVICE_NAMES, kinds
from opsbook.sample.cur.coh_export import write_coh_export
from opsbook.sample.cur.commitments import reservations, savings_plan
from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.compute_optimizer import write_compute_optimizer
from opsbook.sample.cur.containers import CLUSTER, FLEET, SERVICES, ContainerSplit
from opsbook.sample.cur.ids import digest
from opsbook.sample.cur.monthly import monthly_rows
from opsbook.sample.cur.opportunities import planted_rows
from opsbook.sample.cur.periods import Calendar, Period, add_months
from opsbook.sample.cur.provisioned import PROVISIONED
from opsbook.sample.cur.resources import Resources
from opsbook.sample.cur.rows import DailyRows, PeriodTotals, Stats
from opsbook.sample.cur.untagged import UNTAGGED
from opsbook.sample.cur.writer import PeriodWriter, write_manifest
from opsbook.sample.org import Timeline

#: A new Parquet file is started once the current one holds this many rows.
ROWS_PER_FILE = 4_000_000
_CHUNK_ROWS = 250_000  # rows generated and written at a time; bounds peak memory
_MAX_SCALE = 10_000.0
_SALT = 0xC0512  # keeps the CUR draws apart from other generators fed the same seed


def write_cur(
    root: Path,
    story: Timeline,
    *,
    scale: float = 1.0,
    seed: int = 7,
    closed_months: int | None = None,
) -> dict[str, Any]:
    """Write CUR 2.0 Parquet under ``root/cur/<CUR_EXPORT>/`` and return facts for the README.

    Data goes to ``data/BILLING_PERIOD=YYYY-MM/<CUR_EXPORT>-0000N.snappy.parquet`` (several
    files per period once a file holds ``ROWS_PER_FILE`` rows) and each period's manifest to
    ``metadata/BILLING_PERIOD=YYYY-MM/<CUR_EXPORT>-Manifest.json``: the three closed months from
    ``story.cur_start`` plus the open month up to ``story.as_of`` (none when that is the 1st).
    Rows are daily; the data is generated and written in bounded chunks, so memory stays flat
    (about 0.7 GB peak) whatever the scale.

    Parameters
    ----------
    root
        Folder that receives ``cur/<export>/data/...`` and ``cur/<export>/metadata/...``.
    story
        The sample organisation's timeline: ``cur_start``, ``as_of``, the anomaly day and the
        mover month.
    scale
        Multiplies the number of resources, hence rows, roughly linearly. 1.0 gives about
        200 thousand rows; ~250 gives about 50 million. Must be in (0, 10000].
    seed
        Seed of the random draws; the same seed, scale and timeline give identical files.
    closed_months
        Closed billing periods before the open month; ``None`` keeps the story's (3). 11 gives
        the 12 billing periods of a year, for benchmarks.

    Returns
    -------
    dict
        JSON-serialisable facts: ``rows``, ``files``, ``billing_periods``,
        ``total_unblended_by_period``, ``anomaly``, ``mover``, ``line_item_types``,
        ``untagged_share``, the commitments and the seed/scale used.

    Raises
    ------
    ConfigurationError
        If ``scale`` is not a finite number in (0, 10000].

    Examples
    --------
    >>> import datetime as dt, tempfile
    >>> from opsbook.sample.org import timeline
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     facts = write_cur(Path(tmp), timeline(dt.date(2026, 11, 15)), scale=0.05)
    >>> facts["anomaly"]["usage_type"], facts["mover"]["month"]
    ('USE1-NatGateway-Bytes', '2026-10')
    """
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise ConfigurationError(f"scale must be a number, not {type(scale).__name__}")
    if not math.isfinite(scale) or scale <= 0 or scale > _MAX_SCALE:
        raise ConfigurationError(
            f"scale must be greater than 0 and at most {_MAX_SCALE:g} (got {scale!r}); "
            "1 writes about 200 thousand CUR rows, 250 about 50 million"
        )
    if closed_months is not None:
        if isinstance(closed_months, bool) or not isinstance(closed_months, int):
            raise ConfigurationError(f"closed_months must be an integer, not {closed_months!r}")
        if not 3 <= closed_months <= 36:
            raise ConfigurationError(
                f"closed_months must be from 3 to 36 (got {closed_months}): the sample's "
                "reservations and month-over-month mover need the last three closed months"
            )
        story = dataclasses.replace(story, cur_start=add_months(story.as_of, -closed_months))
    return _Generator(Path(root), story, float(scale), int(seed)).run()


class _Generator:
    """Compiles the catalogue for one (timeline, scale, seed) and writes the export."""

    def __init__(self, root: Path, story: Timeline, scale: float, seed: int) -> None:
        self.root = root
        self.story = story
        self.scale = scale
        self.seed = seed
        self.calendar = Calendar(story, seed)
        shop = next(a for a in org.ACCOUNTS if a.name == "shop-prod")
        self.cat = CompiledCatalogue(
            kinds(),
            scale,
            self.calendar,
            reservations(story.as_of, self.calendar.periods[1].start, shop.id),
            savings_plan(story.as_of),
        )
        seed_key = int.from_bytes(digest("cur", seed, _SALT)[:8], "big")
        self.resources = Resources(self.cat, seed_key)
        self.stats = Stats(self.calendar.n_days)
        self.rows = DailyRows(self.cat, self.calendar, self.resources, self.stats)
        fleet = next(k for k in self.cat.kinds if k.key == FLEET)
        parents = [self.resources.id_of(FLEET, i) for i in range(fleet.count)]
        self.containers = ContainerSplit(self.cat, parents)

    def run(self) -> dict[str, Any]:
        """Write every billing period and its manifest; return the facts."""
        cat = self.cat
        export = self.root / layout.cur_export(org.CUR_EXPORT)
        totals: dict[str, float] = {}
        rows = files = 0
        for p_no, period in enumerate(self.calendar.periods):
            acc = PeriodTotals(len(cat.accounts), len(cat.products), len(cat.reservations))
            folder = export / layout.cur_data(period.label)
            writer = PeriodWriter(folder, ROWS_PER_FILE)
            for c_no, (d0, d1, l0, l1) in enumerate(self._blocks(period)):
                rng = np.random.default_rng([self.seed, _SALT, p_no, c_no])
                chunk = self.rows.chunk(period, d0, d1, l0, l1, acc, rng)
                self.containers.observe(chunk)
                writer.write(chunk)
            writer.write(self._planted(period, acc, p_no))
            writer.write(self._container_rows(period, p_no))
            rng = np.random.default_rng([self.seed, _SALT, p_no, 1_000_000])
            refund = period is self.calendar.periods[1]
            writer.write(
                monthly_rows(cat, period, acc, self.stats, rng, seed=self.seed, refund=refund)
            )
            writer.close()
            write_manifest(export, period, writer, seed=self.seed, as_of=self.story.as_of)
            totals[period.label] = round(float(acc.total), 2)
            rows += writer.rows
            files += len(writer.paths)
        facts = self._facts(rows, files, totals)
        facts["cost_optimization_hub"] = write_coh_export(self.root, self.story.as_of)
        facts["budgets"] = write_budgets(self.root, totals, self.story.as_of)
        facts["budget_history"] = write_budget_history(self.root, totals, self.story.as_of)
        facts["compute_optimizer"] = write_compute_optimizer(self.root, self.story.as_of)
        facts["cost_anomaly_detection"] = write_anomaly_detection(
            self.root, facts["anomaly"], self.story.as_of
        )
        return facts

    def _planted(self, period: Period, acc: PeriodTotals, p_no: int) -> pa.Table:
        """Return the planted opportunities' rows of ``period``, counted in its totals."""
        rng = np.random.default_rng([self.seed, _SALT, p_no, 2_000_000])
        table = planted_rows(self.cat, period, self.story.as_of, rng)
        rng = np.random.default_rng([self.seed, _SALT, p_no, 3_000_000])
        extra = planted_rows(self.cat, period, self.story.as_of, rng, PROVISIONED + UNTAGGED)
        table = pa.concat_tables([table, extra])
        frame = table.select(["line_item_usage_account_name", "line_item_product_code",
                              "line_item_line_item_type", "line_item_unblended_cost"]).to_pandas()  # fmt: skip
        cat = self.cat
        for (account, product), cost in (
            frame.groupby(["line_item_usage_account_name", "line_item_product_code"])[
                "line_item_unblended_cost"
            ]
            .sum()
            .items()
        ):
            acc.base[cat.account_index[account], cat.product_index[product]] += cost
        acc.total += float(frame["line_item_unblended_cost"].sum())
        for kind, rows in frame["line_item_line_item_type"].value_counts().items():
            self.stats.count(str(kind), int(rows))
        usage = frame["line_item_line_item_type"] == "Usage"
        self.stats.usage_cost += float(frame.loc[usage, "line_item_unblended_cost"].sum())
        return table

    def _container_rows(self, period: Period, p_no: int) -> pa.Table:
        """Return the split cost allocation rows of ``period``'s ECS tasks (no unblended cost)."""
        rng = np.random.default_rng([self.seed, _SALT, p_no, 3_000_000])
        table = self.containers.rows(period, rng)
        self.stats.count("Usage", table.num_rows)
        return table

    def _blocks(self, period: Period) -> Iterator[tuple[int, int, int, int]]:
        """Split a period into (day range, line range) chunks of at most _CHUNK_ROWS rows."""
        n_lines = self.cat.n_lines
        per_slice = max(_CHUNK_ROWS, self.cat.n_fixed_lines)
        days_per_chunk = max(1, min(period.d1 - period.d0, _CHUNK_ROWS // max(n_lines, 1)))
        for d0 in range(period.d0, period.d1, days_per_chunk):
            d1 = min(period.d1, d0 + days_per_chunk)
            for l0 in range(0, n_lines, per_slice):
                yield d0, d1, l0, min(n_lines, l0 + per_slice)

    def _facts(self, rows: int, files: int, totals: dict[str, float]) -> dict[str, Any]:
        cat, stats, story = self.cat, self.stats, self.story
        shop = cat.accounts[cat.account_index["shop-prod"]]
        data = cat.accounts[cat.account_index["data-platform"]]
        anomaly_day = self.calendar.anomaly_day
        others = np.delete(stats.nat_daily, anomaly_day)
        typical = float(np.median(others[others > 0])) if (others > 0).any() else 0.0
        actual = float(stats.nat_daily[anomaly_day])
        periods = self.calendar.periods
        labels = [p.label for p in periods]
        previous = labels[labels.index(story.mover_month) - 1]
        before = stats.search_by_period.get(previous, 0.0)
        after = stats.search_by_period.get(story.mover_month, 0.0)
        current = labels[-1] if not periods[-1].closed else None
        return {
            "export": org.CUR_EXPORT,
            "as_of": story.as_of.isoformat(),
            "scale": self.scale,
            "seed": self.seed,
            "rows": rows,
            "files": files,
            "billing_periods": labels,
            "time_granularity": "DAILY",
            "total_unblended_by_period": totals,
            "line_item_types": dict(sorted(stats.type_counts.items())),
            "untagged_share": round(stats.untagged_cost / stats.usage_cost, 4),
            "resource_tag_keys": [
                "user_app",
                "user_cost_center",
                "user_data_class",
                "user_env",
                "user_owner",
            ],
            "anomaly": {
                "day": story.cost_anomaly_day.isoformat(),
                "account_id": shop.id,
                "account_name": shop.name,
                "product_code": "AmazonEC2",
                "usage_type": f"{REGIONS[org.REGION][0]}-NatGateway-Bytes",
                "resource_id": self.resources.id_of("shop-nat", 0),
                "typical_daily_cost_usd": round(typical, 2),
                "cost_usd": round(actual, 2),
                "extra_cost_usd": round(float(stats.anomaly_extra), 2),
                "factor": round(actual / typical, 1) if typical else None,
            },
            "mover": {
                "month": story.mover_month,
                "previous_month": previous,
                "account_id": data.id,
                "account_name": data.name,
                "product_code": "AmazonES",
                "service": SERVICE_NAMES["AmazonES"],
                "previous_cost_usd": round(before, 2),
                "new_cost_usd": round(after, 2),
                "ratio": round(after / before, 2) if before else None,
                "current_month": current,
                "current_month_cost_usd": round(stats.search_by_period.get(current, 0.0), 2)
                if current
                else None,
                "new_resource_id": self.resources.id_of("dp-search-new", 0),
            },
            "containers": {
                "cluster": CLUSTER,
                "account_name": "shop-prod",
                "parent_instances": self.containers.parents,
                "services": [s.name for s in SERVICES],
            },
            "savings_plan": {
                "arn": cat.plan.arn,
                "hourly_commitment_usd": cat.plan.hourly,
                "start": cat.plan.start.isoformat(),
                "end": cat.plan.end.isoformat(),
            },
            "reservations": [
                {
                    "arn": r.arn,
                    "product_code": r.product_code,
                    "instance_type": r.instance_type,
                    "count": r.count,
                    "start": r.start.isoformat(),
                    "end": r.end.isoformat(),
                }
                for r in cat.reservations
            ],
        }
