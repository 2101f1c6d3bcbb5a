"""Amazon S3 cost by storage class and data transfer cost by type (inter-AZ, inter-region, ...).

:func:`review_storage` gathers both for a month as a :class:`~opsbook.present.Report`.

Examples
--------
>>> transfer = data_transfer("2026-10")  # doctest: +SKIP
>>> transfer.transfer_type.tolist()[:2]  # doctest: +SKIP
['CloudFront out', 'NAT gateway']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import accounts_param, check_basis, check_month, last_closed_month
from opsbook.present import PASS, SKIPPED
from opsbook.runner import checks_arguments
from opsbook.settings import Settings

__all__ = ["StorageReview", "data_transfer", "review_storage", "s3_storage_classes"]


def _run(
    name: str, month: str, accounts: object, basis: str, settings: Settings | None
) -> pd.DataFrame:
    params = {"start_period": check_month(month), "end_period": month,
              "accounts": accounts_param(accounts)}  # fmt: skip
    return run_cur_query(name, params, basis=basis, settings=settings)


def s3_storage_classes(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return S3 storage per class: GB-months, cost and cost per GB-month, largest first.

    Examples
    --------
    >>> s3_storage_classes("2026-10").columns.tolist()  # doctest: +SKIP
    ['storage_class', 'gb_months', 'cost', 'usd_per_gb_month', 'share']
    """
    column = check_basis(basis)
    rows = _run("cur/s3_storage_classes", month, accounts, basis, settings)
    out = rows.groupby("storage_class", as_index=False).agg(
        gb_months=("gb_months", "sum"), cost=(column, "sum")
    )
    out["usd_per_gb_month"] = out["cost"] / out["gb_months"].where(out["gb_months"] > 0)
    out["share"] = out["cost"] / out["cost"].sum() if len(out) else 0.0
    out.attrs = rows.attrs
    return out.sort_values("cost", ascending=False, ignore_index=True)


def data_transfer(
    month: str,
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    by_account: bool = False,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return data transfer and network processing per type (and account), GB and cost.

    Examples
    --------
    >>> data_transfer("2026-10", by_account=True).columns.tolist()[:3]  # doctest: +SKIP
    ['transfer_type', 'account_id', 'account_name']
    """
    column = check_basis(basis)
    rows = _run("cur/data_transfer", month, accounts, basis, settings)
    keys = ["transfer_type", "account_id", "account_name"] if by_account else ["transfer_type"]
    out = rows.groupby(keys, as_index=False).agg(gb=("gb", "sum"), cost=(column, "sum"))
    out["usd_per_gb"] = out["cost"] / out["gb"].where(out["gb"] > 0)
    out.attrs = rows.attrs
    return out.sort_values("cost", ascending=False, ignore_index=True)


@dataclass(frozen=True)
class StorageReview:
    """A month's S3 storage by class and data transfer by type (and by account).

    A :class:`~opsbook.present.Report` that informs (PASS), or SKIPPED when the month has
    neither storage nor transfer lines.
    """

    month: str
    classes: pd.DataFrame
    transfer: pd.DataFrame
    by_account: pd.DataFrame

    def figures(self) -> dict[str, object]:
        """Return the cost per storage class and per transfer type."""
        return {
            "s3_storage_cost": self.classes.set_index("storage_class")["cost"].round(2).to_dict(),
            "transfer_cost": self.transfer.set_index("transfer_type")["cost"].round(2).to_dict(),
        }

    def findings(self) -> list[str]:
        """Return the month's S3 storage and data transfer cost, each with its largest part."""
        lines = []
        for frame, key, what in ((self.classes, "storage_class", "S3 storage"),
                                 (self.transfer, "transfer_type", "data transfer")):  # fmt: skip
            if frame.empty:
                lines.append(f"no {what} in {self.month}")
                continue
            top, total = frame.iloc[0], float(frame["cost"].sum())
            lines.append(f"{what} ${total:,.0f} in {self.month}; largest: {top[key]} "
                         f"${top['cost']:,.0f} ({top['cost'] / total:.0%})" if total else
                         f"{what}: no cost in {self.month}")  # fmt: skip
        return lines

    def status(self) -> str:
        """Return SKIPPED when the month has no storage or transfer lines, else PASS."""
        return SKIPPED if self.classes.empty and self.transfer.empty else PASS


@checks_arguments("month", "basis", "accounts")
def review_storage(
    month: str = "",
    *,
    basis: str = "amortized",
    accounts: str | Iterable[str] | None = None,
    settings: Settings | None = None,
) -> StorageReview:
    """Return S3 storage by class and data transfer by type of ``month`` (empty: the last closed).

    Examples
    --------
    >>> review_storage("2026-10").figures()["transfer_cost"]["NAT gateway"]  # doctest: +SKIP
    3345.79
    """
    period = check_month(month or last_closed_month())
    return StorageReview(
        period,
        s3_storage_classes(period, basis=basis, accounts=accounts, settings=settings),
        data_transfer(period, basis=basis, accounts=accounts, settings=settings),
        data_transfer(period, basis=basis, accounts=accounts, by_account=True, settings=settings),
    )
