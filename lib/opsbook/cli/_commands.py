"""The ``opsbook`` command's parser and one handler per subcommand; :func:`main` runs them.

Examples
--------
>>> main(["settings"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from opsbook import clock
from opsbook.errors import ConfigurationError, OpsbookError
from opsbook.sample import PARTS

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    with _redacted_output(getattr(args, "redact", False)):
        try:
            return int(args.handler(args) or 0)
        except ConfigurationError as error:
            print(f"opsbook: error: {error}", file=sys.stderr)
            return 2
        except OpsbookError as error:
            print(f"opsbook: error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt as interrupt:
            name = str(interrupt) or "SIGINT"
            print(f"opsbook: interrupted ({name})", file=sys.stderr)
            return 128 + getattr(signal, name, signal.SIGINT)


class _Redacting(io.TextIOBase):
    """A text stream that masks account ids, ARNs and IPs in everything written to it."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from opsbook.runner import redact_text

        self._stream.write(redact_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


@contextlib.contextmanager
def _redacted_output(redact: bool) -> Iterator[None]:
    """With ``redact``, mask what the command prints (progress, summary, errors)."""
    if not redact:
        yield
        return
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Redacting(sys.stdout), _Redacting(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _stoppable() -> Iterator[None]:
    """Make SIGINT and SIGTERM stop a run within seconds, and a second one end it at once.

    The first signal raises :class:`KeyboardInterrupt` (named for the signal) in the main thread:
    the runner kills its kernels and removes its work folder. A second one kills the kernels and
    exits the process without waiting (a later run removes what was left).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from opsbook.runner import stop_kernels

    received: list[int] = []

    def first(signum: int, frame: object) -> None:
        received.append(signum)
        name = signal.Signals(signum).name
        print(
            f"opsbook: {name} received: stopping the running notebooks "
            "(Ctrl-C again to quit at once)",
            file=sys.stderr,
            flush=True,
        )
        for each in (signal.SIGINT, signal.SIGTERM):
            signal.signal(each, again)
        raise KeyboardInterrupt(name)

    def again(signum: int, frame: object) -> None:
        stop_kernels()
        print("opsbook: stopped at once", file=sys.stderr, flush=True)
        os._exit(128 + (received[0] if received else signum))

    saved = {each: signal.signal(each, first) for each in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for each, handler in saved.items():
            signal.signal(each, handler)


def _group(
    commands: argparse._SubParsersAction, name: str, help: str
) -> argparse._SubParsersAction:
    """Add the command ``name`` and return what adds its sub-commands (one of them required)."""
    return commands.add_parser(name, help=help).add_subparsers(
        dest=f"{name}_command", required=True, metavar="command"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsbook", description="AWS operations analytics and incident runbooks as notebooks."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    sample_commands = _group(commands, "sample", "the generated sample organisation")
    generate = sample_commands.add_parser(
        "generate", help="write the sample organisation's data in AWS's formats"
    )
    generate.add_argument("--dest", help="folder to write (default: the data_dir setting)")
    generate.add_argument(
        "--as-of", type=_date, help="UTC date that ends the data, YYYY-MM-DD (default: today)"
    )
    generate.add_argument("--scale", type=_number, default=1.0, help="volume multiplier (1)")
    generate.add_argument("--seed", type=_whole, default=7, help="random seed (7)")
    generate.add_argument("--only", default=",".join(PARTS), help="parts to write, comma-separated")
    generate.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the folder already holds a sample",
    )
    generate.set_defaults(handler=_generate)

    report_commands = _group(commands, "report", "scheduled report suites")
    run = report_commands.add_parser("run", help="execute a suite and publish its HTML reports")
    run.add_argument("suite", help="suite name from suites.yaml, e.g. daily")
    run.add_argument("--date", type=_date, help="run date, YYYY-MM-DD (default: today, UTC)")
    run.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter for every notebook of the suite (repeatable)",
    )
    run.add_argument(
        "--jobs", type=_whole, default=None, help="notebooks run in parallel (default: cores)"
    )
    run.add_argument(
        "--redact", action="store_true", help="mask account ids, ARNs and IPs in the outputs"
    )
    run.set_defaults(handler=_run_report)

    one = commands.add_parser("run", help="run one notebook or runbook headless")
    one.add_argument("notebook", help="path of the notebook, e.g. notebooks/sample-overview.ipynb")
    one.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter declared in the notebook's parameters cell (repeatable)",
    )
    one.add_argument(
        "--redact", action="store_true", help="mask account ids, ARNs and IPs in the outputs"
    )
    one.set_defaults(handler=_run_one)

    params = commands.add_parser("params", help="list the parameters a notebook declares")
    params.add_argument("notebook")
    params.set_defaults(handler=_show_params)

    settings = commands.add_parser("settings", help="show the effective settings and their source")
    settings.set_defaults(handler=_show_settings)

    doctor = commands.add_parser("doctor", help="check what the configured backend needs")
    doctor.set_defaults(handler=_doctor)

    _add_logs_commands(commands)
    _add_metrics_commands(commands)
    return parser


def _add_logs_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``opsbook logs ...`` (Logs Insights queries, pulling logs for offline replay)."""
    logs_commands = _group(commands, "logs", "CloudWatch Logs (Logs Insights)")
    run = logs_commands.add_parser(
        "query", help="run a Logs Insights query (locally over --source files, else the backend)"
    )
    run.add_argument("query", help="Logs Insights query text")
    run.add_argument(
        "--source", nargs="+", metavar="PATH", help="log files or folders to query offline"
    )
    run.add_argument(
        "--log-group", action="append", default=[], metavar="NAME",
        help="log group, or an S3 log archive s3://<bucket>/<prefix> (repeatable)",
    )  # fmt: skip
    run.add_argument("--start", help="ISO time (default: all data offline, last hour on AWS)")
    run.add_argument("--end", help="ISO time (default: now, or all data offline)")
    run.add_argument("--limit", type=_whole, help="rows wanted (default: all)")
    run.add_argument("--format", choices=("json", "table", "csv"), default="table")
    run.set_defaults(handler=_logs_query)
    pull = logs_commands.add_parser("pull", help="copy a window of events from AWS to Parquet")
    pull.add_argument("--log-group", action="append", required=True, metavar="NAME")
    pull.add_argument("--start", required=True, help="ISO time")
    pull.add_argument("--end", required=True, help="ISO time")
    pull.add_argument("--dest", required=True, help="folder to write the Parquet files to")
    pull.set_defaults(handler=_logs_pull)


def _logs_query(args: argparse.Namespace) -> int:
    import csv
    import json

    from opsbook.backends import backend
    from opsbook.logs import query
    from opsbook.settings import resolve

    settings = resolve()
    # Files are read whole by default; a live account, where reads are billed, for the last hour.
    offline = bool(args.source) or not backend(settings).live
    start = args.start or ("1970-01-01T00:00:00Z" if offline else None)
    end = args.end or ("2100-01-01T00:00:00Z" if offline and not args.start else None)
    frame = query(
        args.query, args.log_group, start, end,
        settings=settings, limit=args.limit, sources=args.source,
    )  # fmt: skip
    rows = [{c["field"]: c["value"] for c in row} for row in frame.attrs["results"]]
    for note in frame.attrs.get("notes", []):
        print(f"opsbook: note: {note}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    # @ptr (GetLogRecord's pointer, kept in JSON as GetQueryResults has it) is noise in a table.
    rows = [{k: v for k, v in row.items() if k != "@ptr"} for row in rows]
    columns = list(dict.fromkeys(list(frame.columns) + [k for r in rows for k in r]))
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return 0
    widths = {c: min(60, max([len(c)] + [len(r.get(c, "")) for r in rows])) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        cells = (row.get(c, "").replace("\n", " ")[: widths[c]].ljust(widths[c]) for c in columns)
        print("  ".join(cells).rstrip())
    stats = frame.attrs.get("statistics", {})
    print(
        f"{len(rows)} row(s); {stats.get('recordsScanned', 0):,.0f} records and "
        f"{stats.get('bytesScanned', 0):,.0f} bytes scanned",
        file=sys.stderr,
    )
    return 0


def _logs_pull(args: argparse.Namespace) -> int:
    from opsbook.logs import pull

    for path in pull(args.log_group, args.start, args.end, args.dest):
        print(path)
    return 0


def _add_metrics_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``opsbook metrics ...`` (pulling metrics for offline replay)."""
    metrics_commands = _group(commands, "metrics", "CloudWatch metrics")
    pull = metrics_commands.add_parser(
        "pull",
        help="fetch series for a window into Parquet the local backend replays",
        description="Fetch metric series (all basic statistics, plus a percentile given as "
        "stat=pNN) for a window into <dest>/metrics/opsbook-pull/<name>.parquet.",
    )
    pull.add_argument(
        "series",
        nargs="+",
        help="series as '<namespace> <metric> [Dim=value ...] [stat=p99]', one argument each",
    )
    pull.add_argument("--start", required=True, help="window start, ISO 8601 (UTC if naive)")
    pull.add_argument("--end", required=True, help="window end (exclusive), ISO 8601")
    pull.add_argument("--period", type=_whole, default=60, help="seconds per datapoint (60)")
    pull.add_argument("--name", default="pull", help="file name under metrics/opsbook-pull/")
    pull.add_argument("--dest", help="data folder to write into (default: the data_dir setting)")
    pull.add_argument(
        "--backend", choices=("aws", "local"), default="aws", help="where to read from (aws)"
    )
    pull.set_defaults(handler=_pull_metrics)


def _pull_metrics(args: argparse.Namespace) -> int:
    from opsbook.metrics import pull
    from opsbook.settings import resolve

    path = pull(
        args.series,
        args.start,
        args.end,
        args.period,
        name=args.name,
        dest=args.dest,
        settings=resolve(backend=args.backend),
    )
    print(f"pulled {len(args.series)} series into {path}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    from opsbook.sample import FACTS_FILE, generate
    from opsbook.settings import resolve

    dest = Path(args.dest) if args.dest else resolve().data_dir
    if args.if_missing and (dest / FACTS_FILE).is_file():
        print(f"sample data already in {dest}")
        return 0
    print(f"generating the sample organisation in {dest} ...", flush=True)
    generate(
        dest,
        as_of=args.as_of,
        scale=args.scale,
        seed=args.seed,
        parts=args.only,
        progress=lambda line: print(f"  {line}", flush=True),
    )
    print(f"done: {dest / 'README.md'} describes it")
    return 0


def _run_report(args: argparse.Namespace) -> int:
    from opsbook.errors import ReportFailedError
    from opsbook.runner import notify, parse_parameter, run_suite
    from opsbook.settings import resolve

    settings = resolve()
    try:
        with _stoppable():
            run = run_suite(
                args.suite,
                run_date=args.date,
                parameters=dict(parse_parameter(text, "-p") for text in args.parameter),
                jobs=args.jobs,
                redact=args.redact,
                settings=settings,
                progress=_progress(),
            )
    except ReportFailedError as error:
        if error.run is not None:  # a failed notebook is worth telling people about
            try:
                notify(error.run, settings)
            except OpsbookError as problem:
                print(f"opsbook: error: {problem}", file=sys.stderr)
        raise
    notify(run, settings)
    print(f"report index: {run.index}")
    return 0


def _run_one(args: argparse.Namespace) -> int:
    from opsbook.runner import run_notebook_once

    result = run_notebook_once(args.notebook, dict(args.parameter), redact=args.redact)
    folder = Path(args.notebook).stem
    print(f"{result.status}: {result.notebook} in {result.seconds:.1f} s")
    for name, value in result.records.items():
        print(f"  {name}: {value}")
    print(f"output: {result.output} and {result.html} under reports/runs/{folder}/")
    if result.error:
        print(f"opsbook: error: {result.error}", file=sys.stderr)
        return 1
    return 0


def _show_params(args: argparse.Namespace) -> int:
    from opsbook.runner import declared_parameters

    declared = declared_parameters(args.notebook)
    if not declared:
        print(f"{args.notebook} declares no parameters")
    for p in declared.values():
        print(f"{p.name}: {p.type} = {p.default}  # {p.help}")
    return 0


def _progress() -> Callable[[str], None]:
    """Return a progress printer: one live status line on a terminal, log lines otherwise."""
    lock = threading.Lock()
    if not sys.stdout.isatty():

        def log(line: str) -> None:
            with lock:
                stamp = clock.now().to_pydatetime().strftime("%H:%M:%S")
                print(f"{stamp} {line}", flush=True)

        return log
    running: list[str] = []
    done: list[str] = []

    def show(line: str) -> None:
        with lock:
            status, _, rest = line.partition(" ")
            name = rest.strip().split(" in ")[0]
            if status == "start":
                running.append(name)
            else:
                if name in running:
                    running.remove(name)
                done.append(name)
                print(f"\r\033[K{line}", flush=True)  # keep finished notebooks on screen
            width = shutil.get_terminal_size().columns
            status_line = f"{len(done)} done, running: {', '.join(running) or '-'}"
            print(f"\r\033[K{status_line[: width - 1]}", end="", flush=True)
            if not running:
                print("\r\033[K", end="", flush=True)

    return show


def _show_settings(args: argparse.Namespace) -> int:
    from opsbook.settings import resolve

    rows = resolve().describe()
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        print(f"{key:<{width}}  {value}  ({source})")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from opsbook.cli._doctor import FAIL, format_checks, run_checks
    from opsbook.settings import resolve

    settings = resolve()
    print(f"backend: {settings.backend}")
    checks = run_checks(settings)
    print(format_checks(checks))
    return 1 if any(c.status == FAIL for c in checks) else 0


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
