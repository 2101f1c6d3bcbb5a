"""CUR queries on Athena through awswrangler.

Examples
--------
>>> from opsbook.settings import resolve
>>> run_cur_query("SELECT 1", {}, resolve(backend="aws"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlglot
from sqlglot import exp

from opsbook.backends.aws import aws_errors, session
from opsbook.errors import QueryFailedError
from opsbook.settings import Settings

__all__ = ["run_cur_query"]


def run_cur_query(sql: str, params: dict[str, Any], settings: Settings) -> pd.DataFrame:
    """Run Athena SQL against the configured CUR table; values go as execution parameters.

    The regular (non-CTAS) approach is used: CUR summaries are small, and it needs no Glue write
    permissions, which read-only FinOps roles usually lack. Values are sent with
    ``paramstyle="qmark"`` so Athena binds them server-side.
    """
    import awswrangler as wr

    tree = sqlglot.parse_one(sql, read="trino")
    for table in tree.find_all(exp.Table):
        if table.name == "cur" and not table.db:
            table.set("this", exp.to_identifier(settings.athena_table, quoted=True))
            table.set("db", exp.to_identifier(settings.athena_database, quoted=True))
    values = []
    for placeholder in list(tree.find_all(exp.Placeholder)):
        values.append(params[placeholder.name])
        placeholder.replace(exp.Placeholder())
    with aws_errors("athena:StartQueryExecution"):
        try:
            return wr.athena.read_sql_query(
                tree.sql(dialect="trino"),
                database=settings.athena_database,
                workgroup=settings.athena_workgroup,
                s3_output=settings.athena_output_location,
                ctas_approach=False,
                params=values or None,
                paramstyle="qmark",
                boto3_session=session(settings),
            )
        except wr.exceptions.QueryFailed as error:
            raise QueryFailedError(f"Athena query failed: {error}") from None
