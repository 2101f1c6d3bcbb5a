"""One place that decides how opsbook runs: backend, AWS coordinates, data and output folders.

Values are resolved in this order, first match wins:

1. explicit arguments to :func:`resolve` (notebook parameters pass through here; ``None`` means
   "not given");
2. ``OPSBOOK_<KEY>`` environment variables;
3. ``opsbook.toml`` in the working directory or the nearest folder above it that has one (top-level
   keys, plus a ``[log_group_aliases]`` table); relative paths are taken from that folder, so a
   notebook opened in ``notebooks/`` finds the same data as the CLI run at the project root;
4. defaults: the ``local`` backend over the generated sample organisation in ``data/sample``.

Unknown keys and bad values raise :class:`~opsbook.errors.ConfigurationError` naming the key and
what it accepts. AWS credentials never pass through here: the aws backend uses the standard boto3
chain (``profile`` only names which profile of that chain to use).

Examples
--------
>>> from opsbook.settings import resolve
>>> settings = resolve(backend="local", data_dir="data/sample")
>>> settings.backend, settings.source["backend"]
('local', 'argument')
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from opsbook import clock
from opsbook.errors import ConfigurationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENV_PREFIX", "SETTINGS_FILE", "Settings", "find_project_root", "resolve"]

SETTINGS_FILE = "opsbook.toml"
ENV_PREFIX = "OPSBOOK_"
#: ``OPSBOOK_*`` variables opsbook reads that are not settings (the clock's pin).
_NOT_SETTINGS = frozenset({clock.PIN_VARIABLE})

Backend = Literal["local", "aws"]
CurFlavour = Literal["cur2", "legacy", "focus", "auto"]

_BACKENDS = ("local", "aws")
_CUR_FLAVOURS = ("cur2", "legacy", "focus", "auto")
# Athena/Glue identifiers: lower-case letters, digits and underscores (Glue lower-cases names).
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,254}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
_WORKGROUP = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build one with :func:`resolve`, change one with :meth:`replace`.

    Attributes
    ----------
    backend
        ``local`` (DuckDB over files in ``data_dir``) or ``aws`` (boto3 / awswrangler).
    region
        AWS region for the aws backend.
    profile
        Named profile of the standard boto3 credential chain; ``None`` uses the chain's default.
    athena_workgroup, athena_database, athena_table, athena_output_location
        Where CUR queries run on Athena; database and table are checked as identifiers.
    athena_result_reuse_minutes
        Maximum age of an Athena result that may be reused (0 turns reuse off, at most 10080).
    cur_flavour
        ``cur2`` (Data Exports CUR 2.0), ``legacy`` (CUR 1), ``focus``, or ``auto`` (detected
        from the columns; an explicit flavour the data contradicts is an error).
    cache_dir
        Folder of the local engine's CUR result cache; ``off`` turns the cache off.
    cur_export
        Name of the export folder under ``data_dir/cur``; ``None`` picks the only one there.
    log_group_aliases
        Short names for log groups, e.g. ``{"checkout": "/ecs/checkout-api"}``.
    data_dir
        Folder the local backend reads (the layouts AWS writes to S3).
    output_dir
        Folder reports are written to.
    notify_webhook_url
        Where report findings and failures are posted (a Slack-compatible incoming webhook).
    notify_sns_topic_arn
        SNS topic report findings and failures are published to (aws credentials chain).
    max_query_cost_usd
        Guardrail: a query whose estimated cost exceeds this is refused before it runs; on
        Athena, one whose scanned bytes pass this cost while running is stopped.
    local_memory_limit
        Memory DuckDB may use for one CUR query on the local backend, in DuckDB's form: a share
        of the machine's memory (``50%``) or a size (``8GB``); past it DuckDB spills to disk or
        fails the query instead of the machine killing the process.
    local_query_timeout_s
        Seconds after which a CUR query on the local backend is interrupted when the call gives
        no timeout of its own; 0 turns the default off.
    skip_unreadable
        A data file or folder the local backend cannot read (truncated, corrupt, wrong schema,
        permission denied) is an error naming it (``False``, the default), or is skipped with a
        note carried on the result (``df.attrs["skipped"]``) and recorded in the report's
        ``summary.json`` (``True``).
    required_tags
        Tag keys every resource should carry (tag compliance reports on each): a list, or
        comma-separated text in ``OPSBOOK_REQUIRED_TAGS``.
    source
        Where each value came from: ``argument``, ``env OPSBOOK_…``, ``opsbook.toml`` or ``default``.
    """

    backend: Backend = "local"
    region: str = "us-east-1"
    profile: str | None = None
    athena_workgroup: str = "primary"
    athena_database: str = "cid_data_export"
    athena_table: str = "cur2"
    athena_output_location: str | None = None
    athena_result_reuse_minutes: int = 60
    cur_flavour: CurFlavour = "auto"
    cur_export: str | None = None
    log_group_aliases: Mapping[str, str] = field(default_factory=dict)
    data_dir: Path = Path("data/sample")
    cache_dir: Path | None = Path("data/cache")
    output_dir: Path = Path("reports")
    max_query_cost_usd: float = 1.0
    local_memory_limit: str = "50%"
    local_query_timeout_s: float = 900.0
    notify_webhook_url: str | None = None
    notify_sns_topic_arn: str | None = None
    skip_unreadable: bool = False
    required_tags: tuple[str, ...] = ("App", "Env", "Owner", "CostCenter", "DataClass")
    source: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with ``changes`` applied and validated, recorded as arguments.

        Examples
        --------
        >>> resolve().replace(backend="aws").backend
        'aws'
        """
        values = {key: _check(key, value) for key, value in changes.items() if value is not None}
        _reject_unknown(values, "argument")
        source = {**self.source, **dict.fromkeys(values, "argument")}
        return dataclasses.replace(self, **values, source=source)

    def table(self) -> pd.DataFrame:
        """Return :meth:`describe` as a DataFrame (setting, value, source), for notebooks."""
        import pandas as pd

        frame = pd.DataFrame(self.describe(), columns=["setting", "value", "source"])
        return frame.set_index("setting")

    def as_environment(self) -> dict[str, str]:
        """Return ``OPSBOOK_*`` variables for the values given as arguments.

        Kernels started for a report run inherit them, so a notebook resolves the same settings
        the runner was given, without parameters for each of them.
        """
        given = [key for key in _KEYS if self.source.get(key) == "argument"]
        return {
            f"{ENV_PREFIX}{key.upper()}": _environment_value(getattr(self, key)) for key in given
        }

    def log_group(self, name_or_alias: str) -> str:
        """Return the log group an alias stands for, or the name itself when it is no alias."""
        return self.log_group_aliases.get(name_or_alias, name_or_alias)

    def describe(self) -> list[tuple[str, str, str]]:
        """Return ``(key, value, source)`` rows for display, e.g. by ``opsbook settings``."""
        return [
            (key, _show(getattr(self, key), secret=key in _SECRET), self.source.get(key, "default"))
            for key in _KEYS
        ]


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "source"}
_KEYS = tuple(_FIELDS)


def resolve(cwd: str | Path | None = None, **arguments: Any) -> Settings:
    """Resolve settings from arguments, ``OPSBOOK_*`` variables, ``opsbook.toml`` and defaults.

    Parameters
    ----------
    cwd
        Where to start looking for ``opsbook.toml`` (see :func:`find_project_root`); defaults to
        the working directory.
    **arguments
        Explicit values; ``None`` and ``""`` count as not given, so notebook parameters can
        default to them.

    Returns
    -------
    Settings
        Validated settings, with ``source`` telling where each value came from.

    Raises
    ------
    ConfigurationError
        For an unknown key or a value the key does not accept.

    Examples
    --------
    >>> resolve(backend="local", data_dir="data/sample").data_dir.name
    'sample'
    """
    base = find_project_root(cwd)
    layers = [
        ("argument", {k: v for k, v in arguments.items() if v is not None and v != ""}),
        *_env_layer(),
        *_file_layer(base / SETTINGS_FILE),
    ]
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    for origin, layer in layers:
        _reject_unknown(layer, origin)
        for key, value in layer.items():
            if key not in values:
                values[key] = _check(key, value, origin)
                source[key] = origin if origin != "env" else f"env {ENV_PREFIX}{key.upper()}"
    for key in ("data_dir", "output_dir", "cache_dir"):
        if values.get(key) is not None and not values[key].is_absolute():
            values[key] = base / values[key]
    settings = Settings(**values, source=source)
    for key in ("data_dir", "output_dir", "cache_dir"):
        if key not in values:
            settings = dataclasses.replace(settings, **{key: base / getattr(settings, key)})
    return settings


def find_project_root(start: str | Path | None = None) -> Path:
    """Return the nearest folder at or above ``start`` holding ``opsbook.toml``, else ``start``.

    Examples
    --------
    >>> find_project_root("/").is_dir()
    True
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return here


def _env_layer() -> list[tuple[str, dict[str, Any]]]:
    found = {
        name[len(ENV_PREFIX) :].lower(): value
        for name, value in os.environ.items()
        if name.startswith(ENV_PREFIX) and value != "" and name not in _NOT_SETTINGS
    }
    return [("env", found)] if found else []


def _file_layer(path: Path) -> list[tuple[str, dict[str, Any]]]:
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path.name} is not valid TOML: {error}") from None
    return [(SETTINGS_FILE, data)]


def _reject_unknown(layer: Mapping[str, Any], origin: str) -> None:
    unknown = sorted(set(layer) - set(_FIELDS))
    if unknown:
        where = {
            "env": f"environment variable {ENV_PREFIX}{unknown[0].upper()}",
            "argument": f"argument {unknown[0]!r}",
        }.get(origin, f"key {unknown[0]!r} in {origin}")
        raise ConfigurationError(f"unknown setting: {where}; known settings: {', '.join(_KEYS)}")


def _check(key: str, value: Any, origin: str = "argument") -> Any:
    """Coerce a raw value (env strings included) to the key's type and validate it."""
    where = f"{ENV_PREFIX}{key.upper()}" if origin == "env" else key
    try:
        return _CHECKS[key](value)
    except (ValueError, TypeError) as error:
        raise ConfigurationError(f"bad value for setting {where}: {value!r}; {error}") from None


def _choice(options: tuple[str, ...]) -> Any:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"allowed values: {', '.join(options)}")
        return str(value)

    return check


def _matching(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"expected {what}")
        return value

    return check


def _optional(check: Any) -> Any:
    return lambda value: None if value in (None, "") else check(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value


def _s3_url(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("s3://") or len(value) < 6:
        raise ValueError("expected an S3 URL such as s3://my-athena-results/opsbook/")
    return value


def _path(value: Any) -> Path:
    if not isinstance(value, str | Path) or str(value) == "":
        raise ValueError("expected a folder path")
    return Path(value).expanduser()


def _number(kind: type, low: float, high: float) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected a number from {low} to {high}")
        number = kind(value)
        if not low <= number <= high:
            raise ValueError(f"expected a number from {low} to {high}")
        return number

    return check


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _aliases(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:  # "alias=/log/group,other=/other/group"
            pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError("expected alias=/log/group pairs separated by commas, or JSON")
            value = {alias.strip(): group.strip() for alias, group in pairs}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()
    ):
        raise ValueError("expected a table of alias = log group name")
    return dict(value)


# A tag key: 1-128 characters of letters, digits, spaces and _ . : / = + - @ (AWS's rule).
_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


def _tag_keys(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError("expected tag keys: a list, or text separated by commas")
    keys = tuple(item.strip() for item in items)
    bad = [key for key in keys if not _TAG_KEY.match(key)]
    if not keys or bad:
        raise ValueError(
            f"expected non-empty tag keys (letters, digits, spaces, _ . : / = + - @), got "
            f"{', '.join(map(repr, bad)) or 'none'}; e.g. App,Env,Owner"
        )
    return keys


_CHECKS: dict[str, Any] = {
    "backend": _choice(_BACKENDS),
    "region": _matching(_REGION, "an AWS region such as us-east-1"),
    "profile": _optional(_text),
    "athena_workgroup": _matching(_WORKGROUP, "a workgroup name (letters, digits, . _ -)"),
    "athena_database": _matching(_IDENTIFIER, "a lower-case identifier [a-z_][a-z0-9_]*"),
    "athena_table": _matching(_IDENTIFIER, "a lower-case identifier [a-z_][a-z0-9_]*"),
    "athena_output_location": _optional(_s3_url),
    "athena_result_reuse_minutes": _number(int, 0, 10080),
    "cur_flavour": _choice(_CUR_FLAVOURS),
    "cur_export": _optional(_matching(re.compile(r"^[A-Za-z0-9_.-]+$"), "an export folder name")),
    "log_group_aliases": _aliases,
    "data_dir": _path,
    "cache_dir": lambda value: None if value in ("off", "none") else _path(value),
    "output_dir": _path,
    "max_query_cost_usd": _number(float, 0.0, 1_000_000.0),
    "local_memory_limit": _matching(
        re.compile(r"^(100|[1-9]\d?)%$|^\d+(\.\d+)?\s*[KMGT]i?B$", re.IGNORECASE),
        "a share of memory such as 50% or a size such as 8GB",
    ),
    "local_query_timeout_s": _number(float, 0.0, 86_400.0),
    "notify_webhook_url": _optional(
        _matching(re.compile(r"^https?://\S+$"), "an http(s) URL of an incoming webhook")
    ),
    "notify_sns_topic_arn": _optional(
        _matching(re.compile(r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$"), "an SNS topic ARN")
    ),
    "skip_unreadable": _flag,
    "required_tags": _tag_keys,
}


def _environment_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return json.dumps(dict(value))
    if isinstance(value, tuple):
        return ",".join(value)
    return "" if value is None else str(value)


# Webhook URLs carry their token in the path: show where they point, never the whole URL.
_SECRET = ("notify_webhook_url",)


def _show(value: Any, *, secret: bool = False) -> str:
    if secret and isinstance(value, str):
        scheme, _, rest = value.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/… (hidden)"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
    if isinstance(value, tuple):
        return ", ".join(value)
    return "(unset)" if value is None else str(value)
