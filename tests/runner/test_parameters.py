"""The parameter checker over every parameter every notebook declares, without a kernel.

Wrong types, non-dates, epochs, Unicode digits, zero and negative counts, unknown choices,
reversed windows and periods: each is refused with a message naming the parameter and what it
accepts, by the one set of rules notebooks (``checked(globals())``), ``opsbook report run -p``,
suites and the magics share. ``test_parameter_sweep.py`` runs the notebooks under papermill.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import nbformat
import pytest
from opsbook import checked
from opsbook.errors import ConfigurationError
from opsbook.runner._execute import check_parameters
from opsbook.runner._parameters import RULES, TYPES, check_value, check_values, parse_parameter

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    str(Path(p).relative_to(ROOT))
    for pattern in ("notebooks/**/*.ipynb", "runbooks/*.ipynb")
    for p in glob.glob(str(ROOT / pattern), recursive=True)
)
#: Parameters that are free text (names, paths, series): checked as text, no rule of their own.
FREE_TEXT = {"data_dir", "service", "spec", "slo", "tag", "tag_key", "tag_value", "series",
             "log_group", "namespace", "slo_spec"}  # fmt: skip


def _parameters(notebook: str) -> dict[str, tuple[str, Any]]:
    """The notebook's declared parameters: name -> (type name, default), read as IPython does."""
    cells = nbformat.read(ROOT / notebook, as_version=4).cells
    cell = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
    namespace: dict[str, Any] = {}
    exec(_compiled(cell.source), namespace)  # annotated assignments only
    return {
        name: (kind.__name__, namespace[name])
        for name, kind in namespace["__annotations__"].items()
    }


def _compiled(source: str) -> Any:
    """``source`` compiled as a kernel compiles it (annotations evaluated, not kept as text)."""
    return compile(source, "<cell>", "exec", dont_inherit=True)


def test_every_declared_parameter_has_a_rule_or_is_free_text() -> None:
    for notebook in NOTEBOOKS:
        for name, (kind, _) in _parameters(notebook).items():
            known = name in RULES or name in FREE_TEXT or kind == "bool"  # a bool's type says all
            assert known, f"{notebook}: {name} has no rule"
            assert name in RULES or kind in TYPES, f"{notebook}: {name}: {kind}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[Path(n).stem for n in NOTEBOOKS])
def test_every_default_is_accepted_as_it_is(notebook: str) -> None:
    declared = _parameters(notebook)
    defaults = {name: default for name, (_, default) in declared.items()}
    assert check_values(defaults, {n: k for n, (k, _) in declared.items()}) == defaults


#: Values no parameter of the type accepts (whatever its rule): type name -> bad values.
WRONG_TYPE: dict[str, list[Any]] = {
    "str": [2.5, True, {"a": 1}],
    "int": ["ten", 2.5, True, "٣", 0, -1, "", [3]],
    "float": ["ten", -1.0, float("nan"), float("inf"), True, "٣"],
    "bool": ["yes", 1, 0.0, ""],
    "list": [7, 2.5, True, [1, 2]],
}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[Path(n).stem for n in NOTEBOOKS])
def test_every_parameter_refuses_values_of_the_wrong_type_naming_itself(notebook: str) -> None:
    for name, (kind, _) in _parameters(notebook).items():
        for value in WRONG_TYPE[kind]:
            with pytest.raises(ConfigurationError, match=rf"\bparameter {name}\b"):
                check_value(name, value, kind)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("month", "2026-13"), ("month", "2026-9"), ("month", "October"), ("month", 202610),
        ("start_period", "2026/10"), ("as_of", "tomorrow"), ("as_of", 1764547200),
        ("as_of", 1764547200.0), ("start", "11/10/2026"), ("end", "2026-11-14 25:00"),
        ("change_at", True), ("tier", "urgent"), ("basis", "blended"), ("backend", "azure"),
        ("grain", "week"), ("accounts", "12345"), ("accounts", "123456789012,abc"),
        ("accounts", -123456789012), ("accounts", 10**12), ("account", "1234567890123"),
        ("slo_account", 12.0), ("top", 1001), ("days", 456), ("hours", 455 * 24 + 1),
        ("window", 0), ("lookback", "6"), ("lookback", 6), ("baseline", "-1d"),
        ("bucket", "0m"), ("min_score", "-3"), ("functions", 7), ("event_names", 3),
    ],
)  # fmt: skip
def test_semantic_rules_refuse_naming_the_parameter_and_what_it_accepts(
    name: str, value: Any
) -> None:
    with pytest.raises(ConfigurationError, match=rf"^parameter {name}\b") as failure:
        check_value(name, value)
    assert repr(value) in str(failure.value) or str(value) in str(failure.value)


@pytest.mark.parametrize(
    ("name", "value", "declared", "expected"),
    [
        ("accounts", 12345678901, "str", "012345678901"),  # papermill: -p accounts 012345678901
        ("accounts", "111111111111, 222222222222", "str", "111111111111,222222222222"),
        ("accounts", ["111111111111", 222222222222], "str", "111111111111,222222222222"),
        ("account", 12345678901, "str", "012345678901"),
        ("functions", "orders-worker", "list", ["orders-worker"]),  # not its characters
        ("functions", "a, b", "list", ["a", "b"]),
        ("functions", "", "list", []),
        ("event_names", ["UpdateService", "PutFunction"], "str", "UpdateService,PutFunction"),
        ("top", "7", "int", 7),  # papermill -r top 7
        ("top", 7.0, "int", 7),
        ("slo_pages", "true", "bool", True),  # papermill -p reads only "True" as a boolean
        ("min_score", 5, "float", 5.0),
        ("min_score", "2.5", "float", 2.5),
        ("tier", " slow ", "str", "slow"),
        ("as_of", "2026-11-14T14:00Z", "str", "2026-11-14T14:00Z"),
        ("month", "", "str", ""),
    ],
)
def test_values_are_converted_only_where_that_is_exact(
    name: str, value: Any, declared: str, expected: Any
) -> None:
    assert check_value(name, value, declared) == expected


def test_reversed_windows_and_periods_name_both_ends() -> None:
    with pytest.raises(ConfigurationError, match="end_period '2026-09' is before start_period"):
        check_values({"start_period": "2026-10", "end_period": "2026-09"}, {})
    with pytest.raises(ConfigurationError, match="parameter end .* is not after start"):
        check_values({"start": "2026-11-02", "end": "2026-11-01"}, {})
    with pytest.raises(ConfigurationError, match="not after start"):
        check_values({"start": "2026-11-01", "end": "2026-11-01"}, {})
    assert check_values({"start_period": "2026-10", "end_period": "2026-10"}, {})
    assert check_values({"start": "", "end": "2026-11-01"}, {})


def test_checked_reads_the_annotations_and_updates_the_namespace() -> None:
    namespace: dict[str, Any] = {}
    exec(_compiled('functions: list = []\ntop: int = 10\naccounts: str = ""'), namespace)
    namespace.update(functions="orders-worker", top="7", accounts=12345678901)  # injected
    assert checked(namespace) == {
        "functions": ["orders-worker"], "top": 7, "accounts": "012345678901"
    }  # fmt: skip
    assert namespace["functions"] == ["orders-worker"]
    namespace["top"] = "ten"
    with pytest.raises(ConfigurationError, match="parameter top must be a whole number"):
        checked(namespace)


def test_the_runner_and_the_magics_give_the_notebooks_messages() -> None:
    notebook = ROOT / "notebooks/cost/monthly-review.ipynb"
    with pytest.raises(ConfigurationError) as failure:
        check_parameters(notebook, {"top": "ten"}, from_text=True)
    assert str(failure.value) == (
        "monthly-review.ipynb: parameter top must be a whole number from 1 to 1000, got 'ten' (str)"
    )
    assert check_parameters(notebook, {"top": "7", "accounts": 12345678901}) == {
        "top": 7, "accounts": "012345678901"
    }  # fmt: skip
    assert parse_parameter("top=٣") == ("top", "٣")  # Unicode digits stay text, to be refused
    with pytest.raises(ConfigurationError, match="parameter top must be a whole number"):
        check_value(*parse_parameter("top=٣"))


def test_a_metrics_window_longer_than_cloudwatch_keeps_is_refused_before_reading(
    sample_dir: Path,
) -> None:
    from opsbook import metrics
    from opsbook.metrics._request import MAX_WINDOW
    from opsbook.runner._parameters import RETENTION_DAYS
    from opsbook.settings import resolve

    assert MAX_WINDOW.days == RETENTION_DAYS  # the `hours` and `days` rules stop there too
    settings = resolve(backend="local", data_dir=str(sample_dir))
    series = "AWS/Lambda Errors FunctionName=orders-worker stat=Sum"
    with pytest.raises(ConfigurationError, match="spans 47482 days: CloudWatch keeps metrics 455"):
        metrics.get([series], "1970-01-01", "2100-01-01", settings=settings)
    with pytest.raises(ConfigurationError, match="at most 455 days"):
        metrics.get([series], "2025-01-01", "2026-04-02", 3600,
                    expressions={"e": "m1 * 2"}, settings=settings)  # fmt: skip
    frame = metrics.get([series], "2025-08-09", "2026-11-07", 86400, settings=settings)
    assert frame.attrs["start"] == "2025-08-09T00:00:00+00:00"  # 455 days: accepted whole
