"""What a query run cost and did: the facts attached to every result as ``df.attrs["query"]``.

Athena bills $5 per TB scanned, rounded up to the next megabyte, with a 10 MB minimum per query
(failed and DDL queries are free). Binary units are used throughout (1 MB = 2**20 bytes,
1 TB = 2**40 bytes), which is how Athena reports and rounds scanned data.

Examples
--------
>>> athena_cost_usd(0)
4.76837158203125e-05
>>> round(athena_cost_usd(2**40), 2)
5.0
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["ATHENA_USD_PER_TB", "QueryRun", "athena_cost_usd", "bytes_for_usd", "conform_frame"]

ATHENA_USD_PER_TB = 5.0
_MB = 2**20
_TB = 2**40
_MIN_MB = 10


def athena_cost_usd(bytes_scanned: int) -> float:
    """Return what Athena charges for scanning ``bytes_scanned`` bytes in one query."""
    megabytes = max(_MIN_MB, math.ceil(max(0, bytes_scanned) / _MB))
    return megabytes * _MB / _TB * ATHENA_USD_PER_TB


def bytes_for_usd(usd: float) -> int:
    """Return how many bytes Athena scans for ``usd`` dollars (the inverse of the price).

    Examples
    --------
    >>> bytes_for_usd(5.0) == 2**40
    True
    """
    return int(usd / ATHENA_USD_PER_TB * _TB)


@dataclass
class QueryRun:
    """Facts about one query run, the same keys on both engines.

    Attributes
    ----------
    name
        Shipped query name, or ``ad-hoc``.
    engine
        ``athena`` or ``duckdb``.
    query_id
        Athena's QueryExecutionId, or the local run's cache key.
    bytes_scanned
        Athena's DataScannedInBytes; locally the compressed Parquet bytes of the columns and
        files actually read (from the files' metadata).
    cost_usd
        What the run cost on Athena, or what the same scan would cost there.
    elapsed_s
        Wall time of the call, in seconds.
    cache_hit
        True when the result came from Athena result reuse or opsbook's local result cache.
    flavour
        ``cur2``, ``legacy`` or ``focus``.
    partitions
        Billing periods read (local engine; empty on Athena, which does not report them).
    files
        Number of data files read (local engine).
    """

    name: str
    engine: str
    query_id: str = ""
    bytes_scanned: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    cache_hit: bool = False
    flavour: str = "cur2"
    partitions: list[str] = field(default_factory=list)
    files: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the facts as a plain dict (what ``df.attrs["query"]`` holds)."""
        return dataclasses.asdict(self)


def conform_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with the dtypes both engines agree on, so results compare equal.

    Text becomes ``string``, integers ``Int64``, floating point ``float64``, booleans
    ``boolean`` and timestamps ``datetime64[ns]`` (naive, UTC as the CUR writes them).

    Examples
    --------
    >>> conform_frame(pd.DataFrame({"a": ["x"], "n": [1]})).dtypes.astype(str).tolist()
    ['string', 'Int64']
    """
    out = {}
    for name in frame.columns:
        column = frame[name]
        kind = column.dtype
        if pd.api.types.is_bool_dtype(kind):
            out[name] = column.astype("boolean")
        elif pd.api.types.is_integer_dtype(kind):
            out[name] = column.astype("Int64")
        elif pd.api.types.is_float_dtype(kind):
            out[name] = column.astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(kind):
            if getattr(kind, "tz", None) is not None:
                column = column.dt.tz_convert("UTC").dt.tz_localize(None)
            out[name] = column.astype("datetime64[ns]")
        elif pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind):
            out[name] = column.astype("string")
        else:
            out[name] = column
    return pd.DataFrame(out, index=frame.index)
