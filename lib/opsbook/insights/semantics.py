"""Where AWS's documentation is silent or ambiguous, the behaviour this engine picks: ONE place.

Each entry of :data:`DECISIONS` names the question (numbered as in the research notes, §8), the
choice and why. Tests in ``tests/insights/test_semantics.py`` pin every one of them, so a change
of mind is a visible, reviewed change. Limits that two documentation revisions disagree on are
constants here, not scattered literals.

Examples
--------
>>> DECISIONS["default_sort_direction"].choice
'desc'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ANOMALY_BUCKETS",
    "ANOMALY_THRESHOLD",
    "DECISIONS",
    "DEFAULT_ROW_LIMIT",
    "LAMBDA_MEMORY_BYTES_PER_MB",
    "MAX_ROW_LIMIT",
    "MAX_STATS_COMMANDS",
    "Decision",
]

#: Rows a query returns without ``limit`` (GetQueryResults' default cap).
DEFAULT_ROW_LIMIT = 10_000
#: Largest ``limit`` accepted (newest docs: 100,000; older: 10,000).
MAX_ROW_LIMIT = 100_000
#: ``stats`` commands allowed in one query (hard quota).
MAX_STATS_COMMANDS = 2
#: anomaly: the query range is split into this many equal buckets per pattern.
ANOMALY_BUCKETS = 12
#: anomaly: robust deviations above the median bucket that make a frequency anomaly.
ANOMALY_THRESHOLD = 3.5
#: Lambda REPORT lines say "MB"; the current docs' sample divides bytes by 1000*1000.
LAMBDA_MEMORY_BYTES_PER_MB = 1_000_000


@dataclass(frozen=True)
class Decision:
    """One documented ambiguity and the behaviour chosen."""

    question: str
    choice: str
    why: str


DECISIONS: dict[str, Decision] = {
    "default_sort_direction": Decision(
        "§8.1 direction of `sort f` without asc/desc",
        "desc",
        "matches the default newest-first event order, dedup's documented default order, and moto",
    ),
    "natural_sort": Decision(
        "§8.2 sort order of mixed values",
        "asc: all non-numbers (digit runs by length then value, other runs by code point), "
        "then numbers by value; desc is the exact reverse; missing values last either way",
        "the sort page's documented example order",
    ),
    "missing_in_comparisons": Decision(
        "§8.4 does `service != 'x'` keep events without `service`",
        "no: any comparison with a missing value is false (SQL-like); use ispresent() or "
        "coalesce() to keep them",
        "AWS samples guard optional fields with ispresent(), which implies missing fails",
    ),
    "null_stats_group": Decision(
        "§8.4 does `stats ... by f` form a group for events without f",
        "yes: one group whose key is absent (omitted from the row)",
        "dropping events silently would under-count totals",
    ),
    "numeric_strings": Decision(
        '§8.5 `"503"` vs `503`',
        "a comparison with a number compares numerically (text that is not a number never "
        "matches); text vs text compares numerically when both sides are numbers, else as text; "
        "'a number' is any text DuckDB reads as a DOUBLE ('42', '1e3', ' 7 ')",
        "documented samples compare parsed strings with numbers",
    ),
    "boolean_rendering": Decision(
        "§8.6 how booleans render",
        "every boolean value (ispresent, comparisons in fields/display, IP checks) renders 1/0",
        "the documented rendering of ispresent/isempty/strcontains, applied uniformly",
    ),
    "pct_method": Decision(
        "§8.7 pct() method",
        "nearest rank: the smallest value with at least p% of values at or below it "
        "(DuckDB quantile_disc)",
        "'the value below which p% of values lie' names an observed value, not an interpolation",
    ),
    "stddev": Decision("§8.7 stddev denominator", "sample (n-1)", "the common default"),
    "count_distinct": Decision(
        "§8.7 count_distinct", "exact", "offline volumes make exact counting affordable"
    ),
    "bin_cap": Decision(
        "§8.8 bin(300s)",
        "the documented cap applies: ms<=1000, s<=60, m<=60, h<=24 (bin(300s) is 60 s)",
        "documented explicitly, surprising or not",
    ),
    "bin_alignment": Decision(
        "bin()/datefloor() bucket origin",
        "fixed-length periods (ms..w) align to the Unix epoch; mo/q/y to calendar starts (UTC)",
        "buckets are labelled by their start; epoch alignment is what a floor on epoch ms gives",
    ),
    "lambda_memory": Decision(
        "§8.9 Lambda memory units",
        "@memorySize/@maxMemoryUsed = MB x 1,000,000 bytes",
        "the current docs divide by 1000*1000 to get MB back exactly",
    ),
    "trim_second_argument": Decision(
        "§8.10 trim's second argument", "a set of characters", "newest documented examples"
    ),
    "substr_base": Decision(
        "§8.11 substr start", "0-based; strlen counts code points", "documented example"
    ),
    "now_unit": Decision("§8.12 now()", "epoch seconds (query end time)", "documented samples"),
    "parse_never_filters": Decision(
        "§8.13 parse on a non-matching event",
        "the event is kept without the new fields; glob * are lazy except a trailing one",
        "documented",
    ),
    "fields_and_display": Decision(
        "§8.14 output columns",
        "last display wins; else every fields item (accumulated, stats outputs first after a "
        "stats); else @timestamp and @message",
        "documented",
    ),
    "log_field": Decision(
        "§8.15 @log without an account id",
        "@log is the log group name, without an account id",
        "export files carry no account id",
    ),
    "event_order": Decision(
        "order without sort",
        "events newest first (@timestamp desc); stats rows by their group keys ascending",
        "console behaviour; stats order is undocumented, so make it deterministic",
    ),
    "ptr": Decision(
        "@ptr in results",
        "rows of event queries end with @ptr in GetQueryResults form (records, response, CLI "
        "JSON): the MD5 hex of log group, stream, timestamp (ms) and message, with .n added to "
        "the n-th repeat of an identical event in one result, so an event has the same pointer "
        "in every query; stats and pattern rows have none; never a column of the typed "
        "DataFrame (the aws backend drops it too) and not a field queries can read",
        "AWS's pointer is opaque and only GetLogRecord reads it; a content key is stable, and "
        "lets merged rows be de-duplicated by @ptr as the aws client does",
    ),
    "records_matched": Decision(
        "statistics.recordsMatched",
        "the event rows that pass the filters before the first stats, pattern, limit, dedup "
        "or unnest (a limit does not shrink it); with no filter, every record scanned",
        "the API: 'log events that matched the query criteria ... the full raw results of the "
        "query', i.e. before limits and aggregation",
    ),
    "time_range": Decision(
        "start/end bounds",
        "half-open [start, end): the start is read, the end is not, as every opsbook window",
        "StartQuery's range is inclusive in whole epoch seconds; the aws backend asks it for "
        "floor(start) to ceil(end) - 1 s, the same events at second resolution",
    ),
    "division_by_zero": Decision("x / 0", "missing value (no row error)", "no documented error"),
    "parse_logfmt": Decision(
        "parse ... logfmt: quoting, bare keys, repeats, text that is not logfmt",
        "one map of strings (read as lf.key); values bare up to a blank or double-quoted with "
        'backslash escapes; a key without "=" is "true"; a repeated key keeps its last value; '
        "text with no key gives no map (the event is kept)",
        "the docs say only 'space-separated key=value pairs' read as a map; these are the rules "
        "of the logfmt format itself",
    ),
    "parse_csv": Decision(
        "parse ... csv: syntax, quoting, short and long records",
        "`parse [field] csv as a, b, c`: comma-separated, RFC 4180 double quotes; names bind "
        "positionally; missing trailing columns are absent, extra columns ignored, an empty "
        'column is ""; only the first record of a multi-line event is read',
        "the reference gives no CSV syntax; positional names mirror glob mode and the CSV "
        "transformer's columns option",
    ),
    "date_patterns": Decision(
        "parseDate/formatDate/strftime: pattern syntax, time zones, bad input",
        "parseDate and formatDate take Java DateTimeFormatter patterns (letters y M d H h a m s "
        "S E Z X x z, 'quoted' text, a bare T), strftime takes C % directives (C locale, plus "
        "%f and %-d); any other letter or directive is a malformed query at that character; "
        "patterns and zones must be quoted strings. parseDate returns epoch ms; the zone "
        "argument (UTC, +05:30 / -0800 / UTC+2, or an IANA name; default UTC) applies only when "
        "the pattern reads no offset; X also reads 'Z'. formatDate/strftime take a timestamp or "
        "epoch ms and render in the zone; z/%Z print the zone as given (UTC, +05:30, or the "
        "IANA name), not an abbreviation. Text that does not match the pattern, or a value that "
        "is not a time, gives a missing value (as fromMillis/datefloor do), never an error",
        "the reference gives only the signatures; Java's and C's own definitions fill in the "
        "rest, and missing-on-bad-input is how every other conversion here behaves",
    ),
    "case_default": Decision(
        "case() without a default",
        "case(c1, v1, c2, v2, ..., [default]): an odd argument count ends with the default; "
        "with none, no true condition gives a missing value; null conditions count as false",
        "SQL CASE semantics; the reference lists case() without its signature",
    ),
    "source": Decision(
        "SOURCE logGroups(namePrefix, class, accountIdentifiers) offline",
        "picks among every log group the local backend reads (the data folder's logs, or the "
        "given sources), whatever groups the caller named; namePrefix keeps groups starting "
        "with any prefix (at most 5); every local log group is Standard class, so class "
        "without STANDARD selects none and no class means Standard, as on AWS; "
        "accountIdentifiers (at most 20) are ignored with a note, since log files carry no "
        "account id; SOURCE 'group' names groups (the form subqueries and join use); SOURCE "
        "only as a (sub)query's first command",
        "the SOURCE page: prefixes, the Standard default and the limits are documented; the "
        "10,000-group error is not reproduced (a folder never holds that many)",
    ),
    "filter_index": Decision(
        "filterIndex offline",
        "a filter: `filterIndex f = v` or `filterIndex f in [...]` keeps the same events "
        "filter would; any other form is a malformed query",
        "indexing is a CloudWatch cost feature (it skips log groups and events not indexed "
        "on the field, so AWS bills fewer bytes scanned); locally nothing is indexed, every "
        "event in range is read, and the rows are those the equality selects",
    ),
    "unmask": Decision(
        "unmask offline",
        "returns every field unchanged (with or without field names after it)",
        "data-protection masking happens at ingestion in CloudWatch; files read locally hold "
        "the text as logged, so nothing is masked and there is nothing to reveal",
    ),
    "lookup": Decision(
        "lookup table key as field, ... OUTPUT a, b",
        "tables are CSV files with a header row, `<data folder>/lookup-tables/<table>.csv` "
        "(every value text); keys match exactly and case-sensitively on the text of the "
        "field; when several rows match, the first in file order wins (one output row per "
        "event); events without a match are kept, their OUTPUT fields absent or, when the "
        "event has a field of that name, unchanged; a matched row's value overwrites it; a "
        "missing file or column is a malformed query naming the file and its columns. On the "
        "aws backend CloudWatch resolves the table itself (tables made with "
        "CreateLookupTable, which botocore has)",
        "the lookup page documents the syntax, exact case-sensitive matching and overwriting; "
        "it does not say which of several matching rows is used nor what happens without a "
        "match: keeping events (an enrichment, not a filter) loses nothing",
    ),
    "join": Decision(
        "join type=inner|left left=a right=b where a.k = b.k (SOURCE ... | ...)",
        "the right side is a full query (SOURCE first) over the same time range; inner keeps "
        "pairs with equal keys (compared as text), left keeps every left event; several "
        "matches give one row per pair (SQL join); after the join a.x reads the left event's "
        "field x, b.x the right's, and unprefixed names the left's; several keys join with "
        "and",
        "the join page documents syntax, aliases and the two types; the row multiplicity of "
        "several matches is SQL's",
    ),
    "subqueries": Decision(
        "filter f in (subquery)",
        "the subquery runs first over the same time range; its values are the output field "
        "of the outer field's name (else its first output field), compared as text; "
        "`not in` keeps events whose value is absent from them; no nesting, no correlation; "
        "no row cap beyond the subquery's own limit",
        "the subqueries page: not nested, not correlated, fields the outer query references; "
        "it names a 30-second limit for the inner query, which offline runs need not impose",
    ),
    "diff": Decision(
        "diff [previousDay | previousWeek | previousMonth]",
        "returns patterns, as comparison queries do on AWS: the commands before diff (only "
        "row-by-row ones: filter, parse, fields, lookup, pattern...) run on the query range "
        "and on a comparison range of equal length - the range just before it, or one day / "
        "week / calendar month earlier (31 March -> 28 February); without a pattern command "
        "diff groups @message. Fields: @pattern, @ratio, @sampleCount (this range), "
        "@previousSampleCount, @sampleCountChange (this - previous), @changePercent (absent "
        "when the previous count is 0), @severityLabel; patterns of either range appear; "
        "biggest absolute change first",
        "the diff and 'Compare (diff) with previous time ranges' pages define the periods and "
        "that results are patterns; the console's column names are not documented, so these "
        "names are opsbook's",
    ),
    "anomaly": Decision(
        "anomaly (after pattern)",
        f"the query range is split into {ANOMALY_BUCKETS} equal buckets; a pattern is a 'new "
        "pattern' when it has no event in the first half and some in the second, a "
        "'frequency' anomaly when its busiest bucket is at least "
        f"{ANOMALY_THRESHOLD} robust deviations above its median bucket (deviation = 1.4826 x "
        "the median absolute deviation, at least 1); only anomalous patterns are returned, "
        "with @anomalyType, @anomalyScore and @anomalyTime (the bucket's start); without a "
        "pattern command anomaly groups @message",
        "AWS's anomaly is machine learning over a learned baseline and also reports token-"
        "variation, numeric-token and HTTP-error-code anomalies; offline there is no history "
        "beyond the range, so a robust outlier test (median/MAD, threshold 3.5 as Iglewicz "
        "and Hoaglin's modified z-score) over the range's own buckets is deterministic and "
        "explainable; token-level anomalies are not detected",
    ),
    "other_languages": Decision(
        "OpenSearch SQL and PPL",
        "refused offline with a malformed-query error naming the language and the Logs "
        "Insights commands that run; the aws backend sends them to CloudWatch",
        "their grammars and function libraries are separate languages; a partial "
        "translation would answer some documented examples wrongly rather than refuse them",
    ),
    "s3_message": Decision(
        "what @message holds for a record read from an S3 log archive",
        "the record as a JSON object of its fields, named as AWS's documentation names them "
        "(the raw line is not kept; `parse @message` over an ALB line finds nothing)",
        "every field is then discovered the one way Logs Insights discovers JSON fields, on "
        "both engines (on Athena the Glue table's columns are rebuilt into the same object), "
        "so `filter elb_status_code >= 500` needs no parse; keeping the raw line too would "
        "double what each event carries, and its fields are all named already. Load balancer "
        "logs keep their fields as columns (fields.FIELD_COLUMN) and build this object only "
        "for a query that reads @message (or returns events, whose @ptr hashes it): a query "
        "that does not pays nothing for it, so the raw line would not be cheaper, only a "
        "second copy of every record in the Parquet cache and an @message Athena's Glue "
        "tables (which have no raw-line column) could not give",
    ),
    "athena": Decision(
        "which queries run on Athena (engine='athena')",
        "every query whose compiled SQL sqlglot renders for Trino; IP functions, parse "
        "logfmt/csv, pattern, anomaly, lookup, sortsFirst/sortsLast over text, JSON paths with "
        "wildcards and SOURCE are refused before anything is sent (trino.DUCKDB_ONLY); pct() is "
        "approx_percentile; bound values are SQL literals",
        "the refused ones run on local UDFs, DuckDB lambdas or session state Athena does not "
        "have; Athena binds parameters only in WHERE and the compiled query uses constants in "
        "SELECT lists too; pct() is an estimate on CloudWatch as well",
    ),
    "still_refused": Decision(
        "addtotals, logcompare",
        "refused offline with the reason (parser.UNSUPPORTED_COMMANDS); logcompare's "
        "comparison is diff's",
        "addtotals' output shape is undocumented; logcompare needs SOURCE's relative "
        "start=/end= times, which StartQuery's own range replaces",
    ),
}
