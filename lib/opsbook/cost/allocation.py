"""Tag allocation and compliance: how much spend carries each required tag, and where it does not.

Examples
--------
>>> cur_tag_key("CostCenter")
'user_cost_center'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import accounts_param, check_basis, check_month, no_data_message
from opsbook.settings import Settings, resolve

__all__ = [
    "DEFAULT_REQUIRED_TAGS",
    "cur_tag_key",
    "findings",
    "required_tags",
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
                 "empty": totals.empty, "month": month, "accounts": accounts_param(accounts)}  # fmt: skip
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


def findings(compliance: pd.DataFrame) -> list[str]:
    """Return one finding per required tag below full coverage, least covered first.

    A month (or accounts filter) without line items gives the no-data message instead.
    """
    if compliance.attrs.get("empty"):
        return [no_data_message(compliance.attrs["month"], compliance.attrs["accounts"])]
    short = compliance[compliance["share"] < 0.999].sort_values("share")
    return [
        f"{row.tag}: {row.share:.0%} of spend tagged, ${row.untagged_cost:,.0f} untagged"
        for row in short.itertuples()
    ]
