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

from opsbook import athena
from opsbook.cost.spend import accounts_param, check_basis, check_month
from opsbook.settings import Settings

__all__ = ["findings", "DEFAULT_REQUIRED_TAGS", "cur_tag_key", "tag_compliance", "untagged_spend"]

DEFAULT_REQUIRED_TAGS = ("App", "Env", "Owner", "CostCenter", "DataClass")


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


def _coverage_rows(month: str, accounts: object, settings: Settings | None) -> tuple:
    params = {"start_period": check_month(month), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    tagged = athena.query("cur/tag_coverage", params, settings=settings)
    totals = athena.query("cur/spend_by_account_service", params, settings=settings)
    return tagged, totals


def tag_compliance(
    month: str,
    *,
    required: Sequence[str] = DEFAULT_REQUIRED_TAGS,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return, per required tag, the cost carrying it and its share of the month's total.

    Examples
    --------
    >>> tag_compliance("2026-10").set_index("tag").share.between(0, 1).all()  # doctest: +SKIP
    True
    """
    column = check_basis(basis)
    tagged, totals = _coverage_rows(month, accounts, settings)
    total = float(totals[column].sum())
    by_key = tagged.groupby("tag_key")[column].sum()
    rows = [(tag, cur_tag_key(tag), float(by_key.get(cur_tag_key(tag), 0.0))) for tag in required]
    out = pd.DataFrame(rows, columns=["tag", "cur_key", "tagged_cost"])
    out["untagged_cost"] = total - out["tagged_cost"]
    out["share"] = out["tagged_cost"] / total if total else float("nan")
    out.attrs = {"query": tagged.attrs.get("query", {}), "total": total, "basis": basis}
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
    tagged, totals = _coverage_rows(month, accounts, settings)
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
    """Return one finding per required tag below full coverage, least covered first."""
    short = compliance[compliance["share"] < 0.999].sort_values("share")
    return [
        f"{row.tag}: {row.share:.0%} of spend tagged, ${row.untagged_cost:,.0f} untagged"
        for row in short.itertuples()
    ]
