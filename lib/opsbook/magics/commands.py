"""The magics themselves: parse the line, run on the session's settings, show the result.

Windows (``--since``, ``--start``/``--end``) are read by :func:`opsbook.clock.window`, ``--param``
by :func:`opsbook.runner.parse_parameter` and checked by :func:`opsbook.runner.check_values`, as
the ``opsbook`` command and the notebooks read them.

Examples
--------
>>> sorted(OpsbookMagics.magics["cell"]), sorted(OpsbookMagics.magics["line"])
(['athena', 'insights'], ['metric', 'opsbook'])
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from opsbook import athena, clock, logs, metrics, present
from opsbook.errors import ConfigurationError, OpsbookError
from opsbook.insights import reads_other_groups
from opsbook.magics import session_settings, use_settings
from opsbook.magics.display import (
    MagicFailure,
    metric_chart,
    summarise_athena,
    summarise_insights,
)
from opsbook.metrics._request import check_statistic
from opsbook.runner import check_values, parse_parameter

__all__ = ["OpsbookMagics"]

_OPSBOOK_USAGE = (
    "usage: %opsbook settings | %opsbook backend local|aws | %opsbook use VARIABLE "
    "(a Settings object, e.g. settings = opsbook.settings.resolve(data_dir=...))"
)


def _window(args: Any, default_since: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return ``[start, end)`` from ``--since`` or ``--start``/``--end`` (not both)."""
    if args.since and (args.start or args.end):
        raise ConfigurationError("give either --since or --start/--end, not both")
    if args.start or args.end:
        if not (args.start and args.end):
            raise ConfigurationError(
                "give both --start and --end (ISO 8601, e.g. 2026-11-14T10:00Z)"
            )
        return clock.window(args.start, args.end, names=("--start", "--end"))
    since = clock.to_duration(args.since or default_since, "--since")
    return clock.window(None, None, length=since)


def _friendly(run: Callable[..., None]) -> Callable[..., None]:
    """Turn an OpsbookError into :class:`MagicFailure` (message only); interrupts pass through."""

    def wrapper(*arguments: Any) -> None:
        try:
            return run(*arguments)
        except OpsbookError as error:
            raise MagicFailure(error) from None

    wrapper.__name__, wrapper.__doc__ = run.__name__, run.__doc__
    wrapper.__wrapped__ = run  # type: ignore[attr-defined]
    return wrapper


@magics_class
class OpsbookMagics(Magics):
    """``%%athena``, ``%%insights``, ``%metric`` and ``%opsbook``; see each one's ``?`` help."""

    def _show(self, frame: pd.DataFrame, output: str | None, summary: Callable) -> None:
        if output:
            if not output.isidentifier():
                raise ConfigurationError(f"-o {output!r} is not a Python variable name")
            self.shell.user_ns[output] = frame
        shown = frame.head(pd.get_option("display.max_rows") or 60)
        display(present.table(shown, rows=len(shown)))
        print(summary(frame, len(shown)) + (f" · stored in {output}" if output else ""))

    @magic_arguments()
    @argument("-o", "--output", metavar="VAR", help="store the DataFrame in this variable")
    @argument(
        "-p", "--param", action="append", default=[], metavar="NAME=VALUE",
        help="bind :NAME in the SQL (repeat for more)",
    )  # fmt: skip
    @argument("--timeout", type=float, help="seconds before the query is cancelled")
    @argument("--allow-full-scan", action="store_true", help="allow reading every billing period")
    @argument("--no-cache", action="store_true", help="do not reuse a cached result")
    @cell_magic
    @_friendly
    def athena(self, line: str, cell: str) -> None:
        """Run the cell as Athena SQL against ``cur`` (or a shipped query's name) and show it.

        Example::

            %%athena --param start_period=2026-09 --param end_period=2026-10 -o by_service
            SELECT line_item_product_code AS service, sum(line_item_unblended_cost) AS cost
            FROM cur WHERE billing_period BETWEEN :start_period AND :end_period
            GROUP BY 1 ORDER BY 2 DESC
        """
        args = parse_argstring(self.athena, line)
        # checked by the notebooks' rules by name: start_period=2026-13 fails as in a notebook
        params = check_values(dict(parse_parameter(p, "--param") for p in args.param), {})
        if not cell.strip():
            raise ConfigurationError("the cell is empty: write SQL against cur below %%athena")
        frame = athena.query(
            cell.strip(),
            params,
            settings=session_settings(),
            timeout=args.timeout,
            allow_full_scan=args.allow_full_scan,
            use_cache=not args.no_cache,
        )
        self._show(frame, args.output, summarise_athena)

    @magic_arguments()
    @argument(
        "-g", "--log-group", action="append", default=[], metavar="NAME",
        help="log group name or alias, or an S3 log prefix s3://<bucket>/<prefix> (repeat for "
        "more); required",
    )  # fmt: skip
    @argument("--since", help="window ending now: 15m, 1h (default), 7d")
    @argument("--start", help="window start, ISO 8601 (with --end)")
    @argument("--end", help="window end, ISO 8601 (with --start)")
    @argument("--limit", type=int, help="at most this many rows")
    @argument(
        "--engine", choices=["athena"],
        help="athena: run the query over the S3 archive with Athena (aws backend; as "
        "logs.query(engine='athena'))",
    )  # fmt: skip
    @argument("-o", "--output", metavar="VAR", help="store the DataFrame in this variable")
    @cell_magic
    @_friendly
    def insights(self, line: str, cell: str) -> None:
        """Run the cell as a Logs Insights query over the log groups and window; show the rows.

        Example::

            %%insights --log-group /ecs/checkout-api --since 1h
            filter level = "ERROR" | stats count(*) by bin(5m)

        ALB access logs in S3 (any format of :mod:`opsbook.backends.s3formats`)::

            %%insights -g s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/ --since 1h
            filter elb_status_code >= 500 | stats count(*) by `target:port`

        The same over years of the archive, on Athena (its Glue table: ``logs.athena_table_ddl``)::

            %%insights -g s3://shop-logs/AWSLogs/123456789012/elasticloadbalancing/ --since 30d --engine athena
            filter elb_status_code >= 500 | stats count(*) by bin(1d)
        """
        args = parse_argstring(self.insights, line)
        if not args.log_group and not reads_other_groups(cell):  # SOURCE picks them itself
            raise ConfigurationError(
                "name a log group: %%insights --log-group /ecs/checkout-api, or start the "
                "query with SOURCE logGroups(namePrefix: [...]) "
                "(see opsbook.logs.describe_log_groups())"
            )
        start, end = _window(args, "1h")
        frame = logs.query(
            cell.strip(), args.log_group, start, end,
            settings=session_settings(), limit=args.limit, engine=args.engine,
        )  # fmt: skip
        self._show(frame, args.output, summarise_insights)

    @magic_arguments()
    @argument("namespace", help="e.g. AWS/Lambda")
    @argument("metric", help="e.g. Errors")
    @argument("dimensions", nargs="*", metavar="DIM=VALUE", help="e.g. FunctionName=orders-worker")
    @argument("--stat", default="Average", help="Average (default), Sum, Maximum, p99, ...")
    @argument("--period", type=int, default=60, help="seconds per point, a multiple of 60")
    @argument("--since", help="window ending now: 3h (default), 1d")
    @argument("--start", help="window start, ISO 8601 (with --end)")
    @argument("--end", help="window end, ISO 8601 (with --start)")
    @argument("-o", "--output", metavar="VAR", help="store the datapoints in this variable")
    @line_magic
    @_friendly
    def metric(self, line: str) -> None:
        """Chart one CloudWatch metric series.

        Example::

            %metric AWS/Lambda Duration FunctionName=orders-worker --stat p99 --since 3h
        """
        args = parse_argstring(self.metric, line)
        for pair in args.dimensions:
            if "=" not in pair:
                raise ConfigurationError(f"dimension {pair!r} is not Name=Value")
        stat = check_statistic(args.stat)
        start, end = _window(args, "3h")
        series = " ".join([args.namespace, args.metric, *args.dimensions, f"stat={stat}"])
        frame = metrics.get([series], start, end, args.period, settings=session_settings())
        if args.output:
            if not args.output.isidentifier():
                raise ConfigurationError(f"-o {args.output!r} is not a Python variable name")
            self.shell.user_ns[args.output] = frame
        if frame.empty:
            print(
                f"no datapoints for {series} between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC"
            )
            return
        dims = ", ".join(args.dimensions)
        display(
            metric_chart(
                frame,
                f"{args.namespace} {args.metric} ({stat}, {args.period} s)"
                + (f" — {dims}" if dims else ""),
            )
        )
        cost = frame.attrs.get("aws_cost_usd")
        print(
            f"{len(frame):,} datapoints · {args.period} s period"
            + (f" · AWS cost ${cost:.2g}" if cost is not None else "")
            + (f" · stored in {args.output}" if args.output else "")
        )

    @line_magic
    @_friendly
    def opsbook(self, line: str) -> None:
        """Show or change the session's settings.

        ``%opsbook settings`` shows each effective value and where it came from;
        ``%opsbook backend local|aws`` switches the backend for this session;
        ``%opsbook use VAR`` makes the Settings object in ``VAR`` the session's.
        """
        words = shlex.split(line)
        if words == ["settings"]:
            display(present.table(session_settings().table()))
        elif len(words) == 2 and words[0] == "backend":
            settings = use_settings(session_settings().replace(backend=words[1]))
            print(f"backend for this session: {settings.backend}")
        elif len(words) == 2 and words[0] == "use":
            if words[1] not in self.shell.user_ns:
                raise ConfigurationError(f"no variable {words[1]!r}: {_OPSBOOK_USAGE}")
            settings = use_settings(self.shell.user_ns[words[1]])
            print(f"this session now uses {words[1]} (backend {settings.backend})")
        else:
            raise ConfigurationError(f"%opsbook {line!r} is not understood: {_OPSBOOK_USAGE}")
