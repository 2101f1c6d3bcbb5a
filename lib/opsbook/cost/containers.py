"""Container cost: what each ECS service and task, or EKS namespace and pod, cost on its EC2 hosts.

The figures come from CUR 2.0 split cost allocation data (the export's
``INCLUDE_SPLIT_COST_ALLOCATION_DATA`` setting): for every task or pod on an EC2 instance the CUR
carries its share of the instance's cost (``split_line_item_split_cost``) and its share of the
capacity no task used (``split_line_item_unused_cost``), per vCPU and memory. Those rows have no
unblended cost of their own (the instance's line items still carry the bill), so container cost
is priced from the instance's amortized cost, never invoiced twice. Per instance, the tasks'
split plus unused cost is the instance's cost: :func:`spend_by_container` with ``by="instance"``
shows each instance's idle (unused) cost apart from what its tasks used.

One shipped query, ``cur/container_costs``, returns every task; the levels only group it:

* ``task``: one row per ECS task or EKS pod (``task`` is its ARN), with its parent instance;
* ``workload``: per ECS service (the ``aws:ecs:serviceName`` tag, which must be an active cost
  allocation tag) or EKS namespace (from the pod's ARN);
* ``cluster``: per ECS or EKS cluster;
* ``instance``: per parent EC2 instance: ``used_cost`` by its tasks, ``unused_cost`` idle.

Examples
--------
>>> frame = spend_by_container("2026-10", by="workload")  # doctest: +SKIP
>>> frame.columns.tolist()  # doctest: +SKIP
['billing_period', 'platform', 'cluster', 'workload', 'used_cost', 'unused_cost', 'cost']
>>> sorted(LEVELS)
['cluster', 'instance', 'task', 'workload']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from opsbook import athena
from opsbook.cost.spend import (
    check_month,
    cost_params,
    last_closed_month,
    no_data_message,
    period_params,
)
from opsbook.errors import ConfigurationError, MissingColumnError
from opsbook.present import FINDING, PASS, SKIPPED
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = [
    "CONTAINER_BASES",
    "LEVELS",
    "ContainerReview",
    "review_containers",
    "spend_by_container",
]

#: Level -> the columns of ``cur/container_costs`` it groups by.
LEVELS = {
    "task": ["account_id", "platform", "cluster", "workload", "task", "parent_resource_id"],
    "workload": ["platform", "cluster", "workload"],
    "cluster": ["account_id", "platform", "cluster"],
    "instance": ["account_id", "parent_resource_id"],
}
#: Cost basis -> the query's (used, unused) columns. Split cost is amortized by definition.
CONTAINER_BASES = {
    "amortized": ("split_cost", "unused_cost"),
    "net_amortized": ("net_split_cost", "net_unused_cost"),
    "public": ("public_split_cost", "public_unused_cost"),
}


@cost_params
def spend_by_container(
    start_period: str,
    end_period: str | None = None,
    *,
    by: str = "workload",
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the cost of containers on EC2 per billing period and ``by`` level, idle apart.

    Parameters
    ----------
    start_period, end_period
        Billing periods ``YYYY-MM`` (``end_period`` defaults to ``start_period``).
    by
        ``task``, ``workload`` (ECS service or EKS namespace), ``cluster`` or ``instance`` (the
        parent EC2 instance; its ``unused_cost`` is its idle cost).
    basis
        ``amortized`` (split cost allocation data's own basis), ``net_amortized`` or ``public``
        (public on-demand). ``unblended`` is refused: the split rows carry no unblended cost.

    Returns
    -------
    pandas.DataFrame
        ``billing_period``, the level's columns, ``used_cost`` (the tasks' share of their
        instances), ``unused_cost`` (the share of capacity no task used) and ``cost`` (their
        sum), largest first within each period. ``attrs["query"]`` names the query;
        ``attrs["empty"]`` says why there are no rows.

    Raises
    ------
    ConfigurationError
        For an unknown level or basis, and when the CUR lacks the split cost allocation
        columns: the message names ``INCLUDE_SPLIT_COST_ALLOCATION_DATA``, the export setting
        that adds them.

    Examples
    --------
    >>> spend_by_container("2026-10", by="container")
    Traceback (most recent call last):
    ...
    opsbook.errors.ConfigurationError: unknown level 'container'; choose one of task, workload, cluster, instance
    """
    if by not in LEVELS:
        raise ConfigurationError(f"unknown level {by!r}; choose one of {', '.join(LEVELS)}")
    if basis not in CONTAINER_BASES:
        raise ConfigurationError(
            f"cost basis {basis!r} does not apply to container cost: split cost allocation "
            "data prices tasks and pods from their instance's amortized cost (their rows carry "
            f"no unblended cost); choose one of {', '.join(CONTAINER_BASES)}"
        )
    params = period_params(start_period, end_period, accounts)
    rows = athena.query("cur/container_costs", params, settings=settings)
    used, unused = CONTAINER_BASES[basis]
    keys = ["billing_period", *LEVELS[by]]
    out = rows.groupby(keys, as_index=False, dropna=False)[[used, unused]].sum()
    out = out.rename(columns={used: "used_cost", unused: "unused_cost"})
    out["cost"] = out["used_cost"] + out["unused_cost"]
    out = out.sort_values(["billing_period", "cost"], ascending=[True, False], ignore_index=True)
    out.attrs["query"] = rows.attrs.get("query", {})
    out.attrs["basis"] = basis
    if out.empty:
        out.attrs["empty"] = (
            no_data_message(params["start_period"], accounts).split(":")[0]
            + " with split cost allocation data: no ECS task or EKS pod ran on an EC2 "
            "instance, or split cost allocation data is not enabled in the Billing console's "
            "Cost Management preferences"
        )
    return out


@dataclass
class ContainerReview:
    """A month's container cost per ECS service or EKS namespace, and its instances' idle cost.

    A :class:`~opsbook.present.Report`: SKIPPED when the CUR has no split cost allocation data
    (the reason is the finding), FINDING when an instance's unused share reaches
    ``idle_share``, else PASS.
    """

    month: str
    idle_share: float
    by_workload: pd.DataFrame
    by_instance: pd.DataFrame

    def figures(self) -> dict[str, object]:
        """Return the month's container cost and the part of it no task used."""
        return {
            "container_cost": round(float(self.by_instance["cost"].sum()), 2),
            "container_unused_cost": round(float(self.by_instance["unused_cost"].sum()), 2),
        }

    def findings(self) -> list[str]:
        """Return the instances whose unused share reaches ``idle_share``, most idle first."""
        if self.by_instance.empty:
            return [self.by_instance.attrs.get("empty", f"no container cost in {self.month}")]
        idle = self._idle()
        return [
            f"{row.parent_resource_id}: {row.share:.0%} of its ${row.cost:,.2f} unused by its "
            "tasks (idle capacity)"
            for row in idle.itertuples()
        ] or [f"no instance is {self.idle_share:.0%} or more idle in {self.month}"]

    def status(self) -> str:
        """Return SKIPPED without split rows, FINDING with an idle instance, else PASS."""
        if self.by_instance.empty:
            return SKIPPED
        return FINDING if len(self._idle()) else PASS

    def _idle(self) -> pd.DataFrame:
        frame = self.by_instance.assign(share=self.by_instance.eval("unused_cost / cost"))
        return frame[frame["share"] >= self.idle_share].sort_values("share", ascending=False)


@checks_arguments("month", "basis", "accounts")
def review_containers(
    month: str = "",
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    idle_share: float = 0.5,
    settings: Settings | None = None,
) -> ContainerReview:
    """Return ``month``'s container cost (empty: the last closed month), idle instances flagged.

    A CUR without split cost allocation data gives an empty review whose finding names the
    export setting that adds it, so a notebook section never fails on such an export.

    Parameters
    ----------
    month
        Billing period ``YYYY-MM``.
    basis, accounts, settings
        Cost basis (see :func:`spend_by_container`; ``unblended``, which split rows lack, is
        read as ``amortized``), linked accounts (empty: all), backend and data location.
    idle_share
        Unused share of an instance's cost from which it is flagged (default 0.5).

    Examples
    --------
    >>> review_containers("2026-10").findings()[0]  # doctest: +SKIP
    'i-068867f99982a3a80: 77% of its $102.82 unused by its tasks (idle capacity)'
    """
    period = check_month(month or last_closed_month())
    basis = "amortized" if basis == "unblended" else basis  # the split rows' own basis
    try:
        frames = [
            spend_by_container(period, by=by, basis=basis, accounts=accounts, settings=settings)
            for by in ("workload", "instance")
        ]
    except MissingColumnError as error:
        frames = [_empty(by, f"no container cost: {error}") for by in ("workload", "instance")]
    return ContainerReview(period, idle_share, *frames)


def _empty(by: str, reason: str) -> pd.DataFrame:
    """Return an empty frame of level ``by`` that says ``reason`` instead of its rows."""
    columns = ["billing_period", *LEVELS[by], "used_cost", "unused_cost", "cost"]
    frame = pd.DataFrame(
        {c: pd.Series(dtype=float if c.endswith("cost") else object) for c in columns}
    )
    frame.attrs["empty"] = reason
    return frame
