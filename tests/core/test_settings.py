from __future__ import annotations

import os
from pathlib import Path

import pytest
from opsbook.errors import ConfigurationError
from opsbook.settings import Settings, find_project_root, resolve


def test_defaults_are_local_over_the_sample(clean_env: Path) -> None:
    settings = resolve()
    assert settings.backend == "local"
    assert settings.data_dir == clean_env.resolve() / "data" / "sample"
    assert settings.source.get("backend") is None
    assert ("backend", "local", "default") in settings.describe()


def test_precedence_argument_over_env_over_file(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / "opsbook.toml").write_text(
        'backend = "aws"\nregion = "eu-west-1"\nprofile = "x"\n'
    )
    monkeypatch.setenv("OPSBOOK_REGION", "ap-southeast-2")
    settings = resolve(profile="finops")
    assert settings.backend == "aws"
    assert settings.source["backend"] == "opsbook.toml"
    assert settings.region == "ap-southeast-2"
    assert settings.source["region"] == "env OPSBOOK_REGION"
    assert settings.profile == "finops"
    assert settings.source["profile"] == "argument"


def test_none_and_empty_arguments_count_as_not_given(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSBOOK_BACKEND", "aws")
    assert resolve(backend=None).backend == "aws"
    assert resolve(backend="").backend == "aws"


def test_file_is_found_from_a_subfolder_and_paths_are_relative_to_it(clean_env: Path) -> None:
    (clean_env / "opsbook.toml").write_text('data_dir = "exports/acme"\n')
    sub = clean_env / "notebooks" / "cost"
    sub.mkdir(parents=True)
    assert find_project_root(sub) == clean_env.resolve()
    assert resolve(cwd=sub).data_dir == clean_env.resolve() / "exports" / "acme"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"backend": "gcp"}, "allowed values: local, aws", id="backend"),
        pytest.param({"region": "mars-1"}, "AWS region", id="region"),
        pytest.param({"athena_table": "cur; DROP TABLE x"}, "identifier", id="table-injection"),
        pytest.param({"athena_database": "Billing"}, "lower-case identifier", id="database"),
        pytest.param({"athena_output_location": "bucket/x"}, "S3 URL", id="output"),
        pytest.param({"athena_result_reuse_minutes": 20000}, "0 to 10080", id="reuse"),
        pytest.param({"max_query_cost_usd": -1}, "number from", id="guardrail"),
        pytest.param({"cur_flavour": "cur3"}, "cur2, legacy, focus", id="flavour"),
    ],
)
def test_bad_values_name_the_key_and_what_it_accepts(
    clean_env: Path, arguments: dict, message: str
) -> None:
    key = next(iter(arguments))
    with pytest.raises(ConfigurationError, match=key) as caught:
        resolve(**arguments)
    assert message in str(caught.value)


def test_unknown_keys_are_refused_everywhere(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigurationError, match="argument 'bakend'.*known settings: backend"):
        resolve(bakend="aws")
    monkeypatch.setenv("OPSBOOK_DATADIR", "x")
    with pytest.raises(ConfigurationError, match="environment variable OPSBOOK_DATADIR"):
        resolve()
    monkeypatch.delenv("OPSBOOK_DATADIR")
    (clean_env / "opsbook.toml").write_text('regoin = "us-east-1"\n')
    with pytest.raises(ConfigurationError, match="key 'regoin' in opsbook.toml"):
        resolve()


def test_env_values_are_typed_and_bad_ones_name_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSBOOK_ATHENA_RESULT_REUSE_MINUTES", "30")
    monkeypatch.setenv(
        "OPSBOOK_LOG_GROUP_ALIASES", "checkout=/ecs/checkout-api, orders=/aws/lambda/o"
    )
    settings = resolve()
    assert settings.athena_result_reuse_minutes == 30
    assert settings.log_group("checkout") == "/ecs/checkout-api"
    assert settings.log_group("/other") == "/other"
    monkeypatch.setenv("OPSBOOK_ATHENA_RESULT_REUSE_MINUTES", "soon")
    with pytest.raises(ConfigurationError, match="OPSBOOK_ATHENA_RESULT_REUSE_MINUTES"):
        resolve()


def test_invalid_toml_is_a_clear_error(clean_env: Path) -> None:
    (clean_env / "opsbook.toml").write_text("backend = \n")
    with pytest.raises(ConfigurationError, match="opsbook.toml is not valid TOML"):
        resolve()


def test_replace_validates_and_records_the_source(clean_env: Path) -> None:
    settings = resolve().replace(backend="aws")
    assert isinstance(settings, Settings)
    assert settings.backend == "aws" and settings.source["backend"] == "argument"
    with pytest.raises(ConfigurationError):
        settings.replace(backend="azure")
    assert list(settings.table().columns) == ["value", "source"]
    assert settings.table().loc["backend", "value"] == "aws"


def test_the_project_file_resolves_cleanly() -> None:
    root = Path(__file__).resolve().parents[2]
    settings = resolve(cwd=root)
    assert settings.log_group("checkout") == "/ecs/checkout-api"
    assert settings.source["athena_table"] in ("opsbook.toml", "argument") or settings.source[
        "athena_table"
    ].startswith("env")


def test_arguments_become_environment_for_kernels(clean_env: Path) -> None:
    settings = resolve(backend="aws", log_group_aliases={"c": "/ecs/c"})
    env = settings.as_environment()
    assert env == {"OPSBOOK_BACKEND": "aws", "OPSBOOK_LOG_GROUP_ALIASES": '{"c": "/ecs/c"}'}
    for name, value in env.items():
        os.environ[name] = value
    try:
        assert resolve() == settings
    finally:
        for name in env:
            del os.environ[name]


def test_required_tags_default_env_file_and_kernel_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve().required_tags == ("App", "Env", "Owner", "CostCenter", "DataClass")
    (clean_env / "opsbook.toml").write_text('required_tags = ["Team", "aws:createdBy"]\n')
    assert resolve().required_tags == ("Team", "aws:createdBy")
    (clean_env / "opsbook.toml").write_text('required_tags = "Team, Env"\n')
    assert resolve().required_tags == ("Team", "Env")
    monkeypatch.setenv("OPSBOOK_REQUIRED_TAGS", "App, Owner")
    settings = resolve()
    assert settings.required_tags == ("App", "Owner")
    assert settings.source["required_tags"] == "env OPSBOOK_REQUIRED_TAGS"
    assert ("required_tags", "App, Owner", "env OPSBOOK_REQUIRED_TAGS") in settings.describe()
    given = resolve(required_tags=["Team"])
    assert given.as_environment() == {"OPSBOOK_REQUIRED_TAGS": "Team"}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("App,,Env", id="empty-key"),
        pytest.param([], id="empty-list"),
        pytest.param(" ", id="blank"),
        pytest.param(["App", 3], id="not-text"),
        pytest.param("App,Env;Owner", id="bad-character"),
    ],
)
def test_bad_required_tags_say_what_a_tag_key_is(clean_env: Path, value: object) -> None:
    with pytest.raises(ConfigurationError, match="required_tags.*tag keys"):
        resolve(required_tags=value)


def test_bad_required_tags_in_env_name_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSBOOK_REQUIRED_TAGS", "App,")
    with pytest.raises(ConfigurationError, match="OPSBOOK_REQUIRED_TAGS.*non-empty tag keys"):
        resolve()
