"""Tag allocation and compliance: how much spend carries each required tag, and where it does not.

:func:`review_allocation` gathers a month's compliance, untagged spend and spend per tag value
as a :class:`~opsbook.present.Report`.

Examples
--------
>>> cur_tag_key("CostCenter")
'user_cost_center'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import (
    accounts_param,
    check_basis,
    check_month,
    last_closed_month,
    no_data_message,
    spend_by,
)
from opsbook.present import FINDING, PASS, SKIPPED
from opsbook.runner import checks_arguments
from opsbook.settings import Settings, resolve

__all__ = [
    "DEFAULT_REQUIRED_TAGS",
    "AllocationReview",
    "cur_tag_key",
    "required_tags",
    "review_allocation",
    "tag_compliance",
    "untagged_spend",
]

#: The ``required_tags`` setting's default.
DEFAULT_REQUIRED_TAGS = Settings().required_tags


def cur_tag_key(tag: str) -> str:
    """Return the CUR 2.0 ``resource_tags`` key of a user tag (``CostCenter`` → ``user_cost_center``).

    Keys already in CUR form (``user_…``, ``aws_…``) are returned unchanged.

    Examples
    --------
    >>> cur_tag_key("App"), cur_tag_key("user_env")
    ('user_app', 'user_env')
    """
    if tag.startswith(("user_", "aws_")):
        return tag
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", tag).replace(":", "_").replace("-", "_")
    return f"user_{snake.lower()}"


def required_tags(given: str | Sequence[str] | None, settings: Settings) -> tuple[str, ...]:
    """Return the tag keys ``given`` (list or comma-separated), else the ``required_tags`` setting.

    Examples
    --------
    >>> required_tags("App, Owner", resolve())
    ('App', 'Owner')
    """
    if isinstance(given, str):
        given = [item for item in given.split(",") if item.strip()]
    if not given:
        return tuple(settings.required_tags)
    return tuple(settings.replace(required_tags=list(given)).required_tags)


def _coverage_rows(month: str, accounts: object, basis: str, settings: Settings | None) -> tuple:
    params = {"start_period": check_month(month), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    tagged = run_cur_query("cur/tag_coverage", params, basis=basis, settings=settings)
    totals = run_cur_query("cur/spend_by_account_service", params, basis=basis, settings=settings)
    return tagged, totals


def tag_compliance(
    month: str,
    *,
    required: str | Sequence[str] | None = None,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return, per required tag, the cost carrying it and its share of the month's total.

    ``required`` lists the tag keys (a list or comma-separated text); empty or ``None`` uses
    the ``required_tags`` setting, so a scheduled report follows the configured policy.

    Examples
    --------
    >>> tag_compliance("2026-10").set_index("tag").share.between(0, 1).all()  # doctest: +SKIP
    True
    """
    column = check_basis(basis)
    settings = settings or resolve()
    required = required_tags(required, settings)
    tagged, totals = _coverage_rows(month, accounts, basis, settings)
    total = float(totals[column].sum())
    by_key = tagged.groupby("tag_key")[column].sum()
    rows = [(tag, cur_tag_key(tag), float(by_key.get(cur_tag_key(tag), 0.0))) for tag in required]
    out = pd.DataFrame(rows, columns=["tag", "cur_key", "tagged_cost"])
    out["untagged_cost"] = total - out["tagged_cost"]
    out["share"] = out["tagged_cost"] / total if total else float("nan")
    out.attrs = {"query": tagged.attrs.get("query", {}), "total": total, "basis": basis,
                 "no_line_items": totals.empty, "month": month,
                 "accounts": accounts_param(accounts), "keys_seen": sorted(by_key.index)}  # fmt: skip
    return out


def untagged_spend(
    month: str,
    tag: str = "App",
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    top: int = 15,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the account/service pairs with the most spend lacking ``tag``, largest first.

    Examples
    --------
    >>> untagged_spend("2026-10", "Owner").columns.tolist()  # doctest: +SKIP
    ['account_id', 'account_name', 'service', 'total_cost', 'untagged_cost', 'untagged_share']
    """
    column = check_basis(basis)
    tagged, totals = _coverage_rows(month, accounts, basis, settings)
    keys = ["account_id", "account_name", "service"]
    total = totals.groupby(keys)[column].sum().rename("total_cost")
    has = tagged[tagged["tag_key"] == cur_tag_key(tag)].groupby(keys)[column].sum()
    out = total.to_frame().join(has.rename("tagged"), how="left").fillna({"tagged": 0.0})
    out["untagged_cost"] = out["total_cost"] - out["tagged"]
    out["untagged_share"] = out["untagged_cost"] / out["total_cost"].where(out["total_cost"] != 0)
    out = out.drop(columns="tagged").reset_index()
    out = out[out["untagged_cost"] > 0.005].sort_values("untagged_cost", ascending=False)
    return out.head(top).reset_index(drop=True)


@dataclass(frozen=True)
class AllocationReview:
    """A month's tag compliance, the spend lacking ``tag`` and the spend per value of ``tag``.

    A :class:`~opsbook.present.Report`: FINDING when a required tag covers less than all the
    spend, SKIPPED when the month (or accounts filter) has no line items, else PASS.
    """

    month: str
    tag: str
    compliance: pd.DataFrame
    untagged: pd.DataFrame
    by_value: pd.DataFrame

    def figures(self) -> dict[str, object]:
        """Return the share of spend carrying each required tag."""
        return {"tag_share": self.compliance.set_index("tag")["share"].round(4).to_dict()}

    def findings(self) -> list[str]:
        """Return one finding per required tag below full coverage, least covered first.

        A month (or accounts filter) without line items gives the no-data message instead.
        """
        compliance = self.compliance
        if compliance.attrs.get("no_line_items"):
            return [no_data_message(compliance.attrs["month"], compliance.attrs["accounts"])]
        short = compliance[compliance["share"] < 0.999].sort_values("share")
        seen = compliance.attrs.get("keys_seen")
        return [
            f"{row.tag}: {row.share:.0%} of spend tagged, ${row.untagged_cost:,.0f} untagged"
            + _absent(row.cur_key, seen, self.month)
            for row in short.itertuples()
        ] or [f"every required tag is on all of {self.month}'s spend"]

    def status(self) -> str:
        """Return SKIPPED without line items, FINDING when a tag misses spend, else PASS."""
        if self.compliance.attrs.get("no_line_items"):
            return SKIPPED
        return FINDING if (self.compliance["share"] < 0.999).any() else PASS


def _absent(cur_key: str, seen: list[str] | None, month: str) -> str:
    """Say that no line item carries ``cur_key`` at all (likely a misspelt key), else nothing."""
    if seen is None or cur_key in seen:
        return ""
    return (f"; no line item of {month} carries the key {cur_key} (keys in the CUR: "
            f"{', '.join(seen) or 'none'}): check its spelling")  # fmt: skip


@checks_arguments("month", "required", "basis", "accounts", "top")
def review_allocation(
    month: str = "",
    *,
    tag: str = "App",
    required: str | Sequence[str] | None = None,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    top: int = 15,
    settings: Settings | None = None,
) -> AllocationReview:
    """Return ``month``'s tag compliance (empty: the last closed month) and where ``tag`` is missing.

    Parameters
    ----------
    month
        Billing period ``YYYY-MM``.
    tag
        The tag whose untagged spend (by account and service) and values are listed.
    required
        Required tag keys (see :func:`tag_compliance`); empty: the ``required_tags`` setting.
    basis, accounts, settings
        Cost basis, linked accounts (empty: all), backend and data location.
    top
        Untagged account/service pairs to list.

    Examples
    --------
    >>> review_allocation("2026-10").findings()[0]  # doctest: +SKIP
    'DataClass: 65% of spend tagged, $31,456 untagged'
    """
    period = check_month(month or last_closed_month())
    compliance = tag_compliance(period, required=required, basis=basis, accounts=accounts,
                                settings=settings)  # fmt: skip
    untagged = untagged_spend(period, tag, basis=basis, accounts=accounts, top=top,
                              settings=settings)  # fmt: skip
    by_value = spend_by("tag", period, basis=basis, accounts=accounts, key=cur_tag_key(tag),
                        settings=settings)  # fmt: skip
    return AllocationReview(period, tag, compliance, untagged, by_value)
