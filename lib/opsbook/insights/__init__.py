"""Logs Insights query language, run offline: parse → AST → DuckDB SQL → GetQueryResults rows.

Modules: :mod:`.parser` (recursive descent, MalformedQuery-style errors), :mod:`.ast`,
:mod:`.compiler` (AST → one SQL statement: the pipeline, with the private
:mod:`._commands` for row-shaping commands, :mod:`._expressions` for expressions and
:mod:`._captures` for parse patterns), :mod:`.functions` (the function library),
:mod:`.datetimes` (Java/C date patterns for parseDate/formatDate/strftime),
:mod:`.fields` (discovered fields), :mod:`.values` (typing of dynamic values),
:mod:`.semantics` (every documented ambiguity decided in one table), :mod:`.results`
(GetQueryResults rows and typed DataFrames) and :mod:`.engine` (running it on DuckDB).

Examples
--------
>>> parse_query("fields @message | limit 5").commands[-1].count
5
"""

from __future__ import annotations

from opsbook.insights._sources import reads_other_groups
from opsbook.insights.compiler import compile_query
from opsbook.insights.engine import prepare_connection, run_query
from opsbook.insights.errors import MalformedQueryError, QueryRuntimeError
from opsbook.insights.fields import FIELD_COLUMN
from opsbook.insights.parser import parse_query
from opsbook.insights.results import Result, frame_from_records
from opsbook.insights.semantics import DECISIONS

__all__ = [
    "DECISIONS",
    "FIELD_COLUMN",
    "MalformedQueryError",
    "QueryRuntimeError",
    "Result",
    "compile_query",
    "frame_from_records",
    "parse_query",
    "prepare_connection",
    "reads_other_groups",
    "run_query",
]
