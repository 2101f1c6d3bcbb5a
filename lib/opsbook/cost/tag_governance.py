"""Tag governance: allowed values per key, prohibited keys, coverage of the spend that can be tagged.

* **Policy** (:class:`TagPolicy`): per tag key the allowed values (``Env=prod|staging|dev``) or
  a SQL ``LIKE`` pattern (``CostCenter=CC-%``, case-sensitive), and keys nobody may use.
* **Coverage** counts only spend that *can* carry a tag: usage line items with a resource id.
  Tax, support and other fees, credits, refunds and discounts, commitment fees and usage billed
  without a resource id (some data transfer, requests billed per account) cannot, and are shown
  apart with their cost (:attr:`TagGovernanceReview.untaggable`) rather than counted as untagged.
* **Violations**: each resource whose tag value is not allowed or whose key is prohibited, with
  the month's cost it carries.
* **Untagged resources**: the resources missing a required key, costliest first, each with an
  owner hint (``created_by``): who created it, from its CloudTrail create event (RunInstances,
  CreateVolume, CreateBucket, CreateDBInstance, CreateFunction...), or "not in CloudTrail's
  window" when the trail holds none (:mod:`opsbook.cost._owner_hints`).

Costs are unblended (as invoiced) and read from ``cur/tag_values``, ``cur/resource_usage`` and
``cur/line_item_types``.

Examples
--------
>>> policy = TagPolicy.parse("Env=prod|staging|dev; CostCenter=CC-%", "Name")
>>> policy.problem("user_env", "production")
'value not allowed (allowed: prod, staging, dev)'
>>> policy.problem("user_cost_center", "CC-210") is None, policy.problem("user_name", "x")
(True, 'prohibited key')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from opsbook import clock
from opsbook.cost._owner_hints import NOT_IN_WINDOW, owner_hints
from opsbook.cost.allocation import cur_tag_key, required_tags
from opsbook.cost.opportunities import resource_usage
from opsbook.cost.query import run_cur_query
from opsbook.cost.spend import accounts_param, check_month, last_closed_month
from opsbook.errors import ConfigurationError, OpsbookError
from opsbook.present import FINDING, PASS, SKIPPED, annotate
from opsbook.runner import checks_arguments
from opsbook.settings import Settings, resolve

__all__ = ["UNTAGGABLE", "TagGovernanceReview", "TagPolicy", "review_tag_governance"]

#: Line item type -> why its spend cannot carry a resource tag.
UNTAGGABLE = {
    "Tax": "tax",
    "Fee": "fees: support, registrations, upfront commitment purchases",
    "Credit": "credits",
    "Refund": "refunds",
    "EdpDiscount": "discounts",
    "BundledDiscount": "discounts",
    "PrivateRateDiscount": "discounts",
    "RIFee": "commitment fees",
    "SavingsPlanRecurringFee": "commitment fees",
    "SavingsPlanUpfrontFee": "commitment fees",
    "SavingsPlanNegation": "Savings Plan negation (offsets covered usage)",
}
_NO_RESOURCE = "usage without a resource id (some data transfer, per-account requests)"
_TAGGABLE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")


def _like(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile("".join(parts))


@dataclass(frozen=True)
class TagPolicy:
    """Allowed values (a tuple) or ``LIKE`` pattern (a text) per CUR tag key; prohibited keys."""

    allowed: Mapping[str, tuple[str, ...] | str] = field(default_factory=dict)
    prohibited: tuple[str, ...] = ()

    @classmethod
    def parse(cls, allowed: str = "", prohibited: str | Sequence[str] = "") -> TagPolicy:
        """Return the policy from ``Key=a|b|c; Key2=pattern-%`` and ``Key3,Key4`` texts.

        Examples
        --------
        >>> TagPolicy.parse("Env=prod|dev").allowed
        {'user_env': ('prod', 'dev')}
        """
        rules: dict[str, tuple[str, ...] | str] = {}
        for entry in (e.strip() for e in allowed.split(";")):
            if not entry:
                continue
            key, sep, spec = entry.partition("=")
            if not sep or not key.strip() or not spec.strip():
                raise ConfigurationError(
                    f"allowed tag values {entry!r}: write Key=value1|value2 or Key=PATTERN-% "
                    "(entries separated by ';')"
                )
            spec = spec.strip()
            rules[cur_tag_key(key.strip())] = (
                spec if "%" in spec else tuple(v.strip() for v in spec.split("|") if v.strip())
            )
        items = prohibited.split(",") if isinstance(prohibited, str) else list(prohibited)
        return cls(rules, tuple(cur_tag_key(k.strip()) for k in items if k.strip()))

    def problem(self, key: str, value: str) -> str | None:
        """Return what is wrong with ``key=value`` under the policy, or ``None``."""
        if key in self.prohibited:
            return "prohibited key"
        rule = self.allowed.get(key)
        if rule is None:
            return None
        if isinstance(rule, str):
            return None if _like(rule).fullmatch(value) else f"does not match {rule}"
        return None if value in rule else f"value not allowed (allowed: {', '.join(rule)})"


@dataclass(frozen=True)
class TagGovernanceReview:
    """A month's tag coverage of taggable spend, policy violations and untagged resources."""

    month: str
    coverage: pd.DataFrame
    untaggable: pd.DataFrame
    violations: pd.DataFrame
    untagged: pd.DataFrame
    taggable_cost: float
    total_cost: float

    def figures(self) -> dict[str, object]:
        """Return coverage per required key, the taggable share and the violations' cost."""
        return {
            "month": self.month,
            "coverage": self.coverage.set_index("tag")["share"].round(4).to_dict(),
            "taggable_cost": round(self.taggable_cost, 2),
            "untaggable_cost": round(self.total_cost - self.taggable_cost, 2),
            "violations": len(self.violations),
            "violation_cost": round(float(self.violations["cost"].sum()), 2),
            "untagged_resources": len(self.untagged),
            "untagged_with_creator": int(
                (~self.untagged["created_by"].astype(str).str.startswith(NOT_IN_WINDOW)
                 & ~self.untagged["created_by"].astype(str).str.startswith("CloudTrail not read")
                 ).sum()
            ) if "created_by" in self.untagged else 0,
        }  # fmt: skip

    def findings(self) -> list[str]:
        """Return the coverage, the spend left out as untaggable, violations and untagged cost."""
        if self.taggable_cost == 0:
            return [f"no taggable spend (usage with a resource id) in {self.month}"]
        worst = self.coverage.sort_values("share").iloc[0]
        lines = [
            f"tag coverage of taggable spend in {self.month}: lowest {worst['tag']} "
            f"{worst['share']:.1%} of ${self.taggable_cost:,.0f}",
            f"${self.total_cost - self.taggable_cost:,.0f} cannot carry tags and is left out "
            "(tax, fees, credits, commitment fees, usage without a resource id)",
        ]
        if len(self.violations):
            lines.append(f"{len(self.violations)} tag values break the policy on "
                         f"${self.violations['cost'].sum():,.0f} of spend")  # fmt: skip
        if len(self.untagged):
            top = self.untagged.iloc[0]
            lines.append(f"{len(self.untagged)} resources miss a required tag; costliest "
                         f"{top['resource_id']} ${top['cost']:,.0f} ({top['missing']}); "
                         f"created by: {top.get('created_by', NOT_IN_WINDOW)}")  # fmt: skip
        return lines

    def status(self) -> str:
        """Return FINDING for violations or untagged resources, SKIPPED without taggable spend."""
        if self.taggable_cost == 0:
            return SKIPPED
        return FINDING if len(self.violations) or len(self.untagged) else PASS


@checks_arguments("month", "required", "accounts", "trail_end")
def review_tag_governance(
    month: str = "",
    *,
    allowed: str = "",
    prohibited: str | Sequence[str] = "",
    required: str | Sequence[str] | None = None,
    accounts: str | Iterable[str] | None = None,
    trail_end: clock.Moment | None = None,
    trail_days: int = 90,
    settings: Settings | None = None,
) -> TagGovernanceReview:
    """Return the month's tag coverage, untaggable spend, violations and untagged resources.

    Parameters
    ----------
    allowed, prohibited
        The policy, as :meth:`TagPolicy.parse` reads it.
    required
        Tag keys every resource must carry; empty: the ``required_tags`` setting.
    trail_end, trail_days
        The CloudTrail window the owner hints read: ``trail_days`` days up to ``trail_end``
        (default: now; CloudTrail's event history holds 90 days).

    Examples
    --------
    >>> review_tag_governance("2026-10", allowed="Env=prod|staging|dev").figures()  # doctest: +SKIP
    """
    period = check_month(month or last_closed_month())
    settings = settings or resolve()
    policy = TagPolicy.parse(allowed, prohibited)
    keys = {tag: cur_tag_key(tag) for tag in required_tags(required, settings)}
    params = {"start_period": period, "end_period": period, "accounts": accounts_param(accounts)}
    values = run_cur_query("cur/tag_values", params, basis="unblended", settings=settings)
    usage = resource_usage(period, basis="unblended", accounts=accounts, history_months=0,
                           settings=settings).lines  # fmt: skip
    types = run_cur_query("cur/line_item_types", params, basis="unblended", settings=settings)
    cost = usage.groupby(["account_id", "account_name", "resource_id", "service"],
                         as_index=False)["cost"].sum()  # fmt: skip
    taggable = float(cost["cost"].sum())
    per_key = values.groupby("tag_key")["unblended_cost"].sum()
    coverage = pd.DataFrame({"tag": list(keys), "cur_key": list(keys.values()),
                             "tagged_cost": [float(per_key.get(k, 0.0)) for k in keys.values()]})  # fmt: skip
    coverage["share"] = coverage["tagged_cost"] / taggable if taggable else float("nan")
    untaggable = types[~types["charge_type"].isin(_TAGGABLE_TYPES)].assign(
        reason=lambda f: f["charge_type"].map(UNTAGGABLE).fillna("not usage")
    )[["charge_type", "reason", "line_items", "unblended_cost"]]
    usage_total = float(
        types.loc[types["charge_type"].isin(_TAGGABLE_TYPES), "unblended_cost"].sum()
    )
    untaggable = pd.concat([untaggable, pd.DataFrame([{
        "charge_type": "Usage", "reason": _NO_RESOURCE, "line_items": pd.NA,
        "unblended_cost": usage_total - taggable}])], ignore_index=True)  # fmt: skip
    problems = [
        policy.problem(k, v) for k, v in zip(values["tag_key"], values["tag_value"], strict=True)
    ]
    violations = values.assign(problem=problems).dropna(subset=["problem"])
    violations = violations.rename(columns={"unblended_cost": "cost"})[
        ["resource_id", "account_name", "service", "tag_key", "tag_value", "problem", "cost"]
    ].sort_values("cost", ascending=False, ignore_index=True)
    pairs = set(zip(values["resource_id"], values["tag_key"], strict=True))
    missing = [
        ", ".join(t for t, k in keys.items() if (r, k) not in pairs) for r in cost["resource_id"]
    ]
    tagged = cost["resource_id"].isin(set(values["resource_id"]))
    untagged = cost.assign(missing=missing, any_tag=tagged)
    untagged = untagged[untagged["missing"] != ""].sort_values("cost", ascending=False,
                                                               ignore_index=True)  # fmt: skip
    try:
        untagged["created_by"] = owner_hints(untagged, trail_end, days=trail_days,
                                             settings=settings)  # fmt: skip
    except OpsbookError as error:  # never blank: say why nobody is named
        untagged["created_by"] = f"CloudTrail not read: {error}"
    annotate(untagged, first=["resource_id", "cost", "missing", "created_by"],
             kinds={"cost": "money"},
             empty="every resource carries every required tag")  # fmt: skip
    annotate(violations, kinds={"cost": "money"}, empty="no tag value breaks the policy")
    annotate(untaggable, kinds={"unblended_cost": "money"},
             missing={"line_items": "counted with the usage line items"})  # fmt: skip
    return TagGovernanceReview(period, coverage, untaggable, violations, untagged, taggable,
                               float(types["unblended_cost"].sum()))  # fmt: skip
