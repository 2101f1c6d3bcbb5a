"""Bad arguments through the Python API fail as bad notebook parameters do: named, before a query.

The entry points notebooks call (``review_*``) check the arguments the parameter rules know
(:data:`opsbook.runner.RULES`), so a caller in Python gets the message ``-p`` gives, never a
pandas or DuckDB traceback from deep inside.
"""

from __future__ import annotations

import pytest
from opsbook import cost, logs, ops, slo
from opsbook.errors import ConfigurationError

CASES = [
    ("top", lambda s: cost.review_month("2026-10", top="ten", settings=s)),
    ("top", lambda s: cost.review_month("2026-10", top=-1, settings=s)),
    ("month", lambda s: cost.review_month("2026-13", settings=s)),
    ("accounts", lambda s: cost.review_month("2026-10", accounts="12345", settings=s)),
    ("min_score", lambda s: cost.review_anomalies("2026-10-01", "2026-11-01", min_score="high",
                                                  settings=s)),
    ("end", lambda s: cost.review_anomalies("2026-11-10", "2026-11-01", settings=s)),
    ("start", lambda s: cost.review_unit_cost(1700000000, "2026-11-01", settings=s)),
    ("grain", lambda s: cost.review_unit_cost("2026-10-01", "2026-11-01", grain="week",
                                              settings=s)),
    ("required", lambda s: cost.review_allocation("2026-10", required=5, settings=s)),
    ("basis", lambda s: cost.review_storage("2026-10", basis="blended", settings=s)),
    ("as_of", lambda s: cost.review_commitments("2026-10", as_of="yesterday", settings=s)),
    ("top", lambda s: ops.review_brief("2026-11-14", top=0, settings=s)),
    ("days", lambda s: ops.review_hygiene(None, None, days=100_000, settings=s)),
    ("end", lambda s: ops.review_delivery("2026-11-14", "2026-11-01", settings=s)),
    ("as_of", lambda s: slo.review_slos("slos.yaml", "tomorrow", settings=s)),
    ("log_groups", lambda s: logs.query("fields @message", 5, "2026-11-14", "2026-11-15",
                                        settings=s)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "call"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)]
)
def test_a_bad_argument_is_named(name, call, tmp_path) -> None:
    from opsbook.settings import resolve

    # An empty data folder: a check that let the value through would fail on the data instead.
    settings = resolve(backend="local", data_dir=str(tmp_path), cache_dir="off")
    with pytest.raises(ConfigurationError, match=rf"\b{name}\b"):
        call(settings)


def test_an_account_id_given_as_a_number_keeps_its_leading_zero() -> None:
    assert cost.spend.accounts_param(12345678901) == "012345678901"
