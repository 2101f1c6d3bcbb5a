"""Generating the sample organisation: orchestration, README and atomic replacement."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from opsbook import sample
from opsbook.errors import ConfigurationError

AS_OF = dt.date(2026, 11, 15)


def test_readme_says_where_the_injected_events_are(sample_dir: Path) -> None:
    readme = (sample_dir / "README.md").read_text()
    assert "as-of 2026-11-15" in readme
    assert "| 2026-11-14 13:58 |" in readme, "the bad deployment"
    assert "2026-11-14 14:02 to 14:47" in readme, "the 5XX burst"
    assert "| 2026-11-05 |" in readme, "the cost anomaly day"
    assert "billing period 2026-10" in readme, "the month-over-month mover"
    facts = json.loads((sample_dir / "sample.json").read_text())
    assert facts["parts"] == [
        "cur", "logs", "metrics", "incident", "slos", "s3logs", "traces", "canaries"
    ]  # fmt: skip
    assert (sample_dir / "slos.yaml").is_file()
    assert all(facts[part]["seconds"] >= 0 for part in facts["parts"])


def test_generation_is_deterministic_for_a_part(tmp_path: Path) -> None:
    first = sample.generate(tmp_path / "a", as_of=AS_OF, parts=("incident",))
    second = sample.generate(tmp_path / "b", as_of=AS_OF, parts=["incident"])
    first["incident"].pop("seconds"), second["incident"].pop("seconds")
    assert first == second
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert files == sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    for path in files:
        if path.name != "sample.json":
            assert (tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes(), (
                path
            )


def test_a_failed_generation_leaves_the_previous_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "sample"
    sample.generate(dest, as_of=AS_OF, parts=("incident",))
    before = (dest / "sample.json").read_text()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("opsbook.sample.incident.write_incident_context", broken)
    with pytest.raises(OSError, match="disk full"):
        sample.generate(dest, as_of=dt.date(2026, 12, 1), parts=("incident",))
    assert (dest / "sample.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample"], "no temporary folder left"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"scale": 0}, "bad scale", id="zero-scale"),
        pytest.param({"scale": float("nan")}, "bad scale", id="nan-scale"),
        pytest.param({"scale": "2"}, "bad scale", id="text-scale"),
        pytest.param({"seed": 1.5}, "bad seed", id="float-seed"),
        pytest.param({"parts": ("cur", "billing")}, "unknown sample part billing", id="part"),
        pytest.param({"parts": ()}, "unknown sample part", id="no-part"),
    ],
)
def test_bad_arguments_are_refused_before_writing(
    tmp_path: Path, kwargs: dict, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        sample.generate(tmp_path / "sample", as_of=AS_OF, **kwargs)
    assert not any(tmp_path.iterdir())
