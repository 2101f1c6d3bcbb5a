"""The syntax tree of a Logs Insights query: a pipeline of commands over expressions.

Every node keeps its ``start``/``end`` offsets in the query text, so results can name an
unaliased expression by the text the user wrote (``count(*)``) and errors can point at it.

Examples
--------
>>> Field("status", start=0, end=6).name
'status'
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Access",
    "Anomaly",
    "Binary",
    "Call",
    "Command",
    "Dedup",
    "Diff",
    "Display",
    "Duration",
    "Expr",
    "Field",
    "Fields",
    "Filter",
    "FilterIndex",
    "InList",
    "InQuery",
    "Join",
    "Item",
    "Like",
    "Limit",
    "Literal",
    "Lookup",
    "Parse",
    "Pattern",
    "Query",
    "Regex",
    "Sort",
    "SortKey",
    "Source",
    "Stats",
    "Unary",
    "Unmask",
    "Unnest",
]


@dataclass(frozen=True)
class Expr:
    """Base of expression nodes: ``start``/``end`` offsets into the query text."""

    start: int = field(default=0, kw_only=True)
    end: int = field(default=0, kw_only=True)


@dataclass(frozen=True)
class Field(Expr):
    """A field reference: ``status``, ``@timestamp``, ``user.id``, `` `x-request-id` ``."""

    name: str


@dataclass(frozen=True)
class Literal(Expr):
    """A string or number constant."""

    value: str | int | float


@dataclass(frozen=True)
class Regex(Expr):
    """A ``/regex/`` literal (RE2 syntax; ``(?<name>...)`` named groups)."""

    pattern: str


@dataclass(frozen=True)
class Duration(Expr):
    """A period such as ``5m`` or ``1h`` (the argument of ``bin``, ``datefloor``...)."""

    amount: int
    unit: str


@dataclass(frozen=True)
class Call(Expr):
    """A function or aggregation call; ``name`` is lower-cased, ``star`` marks ``count(*)``."""

    name: str
    args: tuple[Expr, ...]
    star: bool = False


@dataclass(frozen=True)
class Unary(Expr):
    """``not x`` or ``-x``."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Expr):
    """Arithmetic, comparison and boolean operators: ``+ - * / % ^ = != < <= > >= and or``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Like(Expr):
    """``x like "text"`` (substring) or ``x =~ /re/`` (regex search), optionally negated."""

    operand: Expr
    pattern: Expr
    negated: bool = False


@dataclass(frozen=True)
class InList(Expr):
    """``x in [a, b]`` / ``x not in [...]``: whole-value membership."""

    operand: Expr
    values: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class InQuery(Expr):
    """``x in (SOURCE 'group' | ... | fields x)``: membership in a subquery's result."""

    operand: Expr
    query: Query
    negated: bool = False


@dataclass(frozen=True)
class Access(Expr):
    """``jsonParse(x).key`` or ``list[0]``: a member of a map or list value."""

    base: Expr
    key: str | int


@dataclass(frozen=True)
class Item:
    """An expression with an optional alias, and the text it was written as."""

    expr: Expr
    alias: str | None
    text: str

    @property
    def name(self) -> str:
        """Return the result column name: the alias, else the expression's own text."""
        return self.alias or self.text


@dataclass(frozen=True)
class Command:
    """Base of pipeline commands; ``start`` is the command keyword's offset."""

    start: int = field(default=0, kw_only=True)


@dataclass(frozen=True)
class Fields(Command):
    """``fields a, expr as b``."""

    items: tuple[Item, ...]


@dataclass(frozen=True)
class Display(Command):
    """``display a, b``: the output columns (the last display wins)."""

    items: tuple[Item, ...]


@dataclass(frozen=True)
class Filter(Command):
    """``filter cond`` (or ``where cond``)."""

    condition: Expr


@dataclass(frozen=True)
class Stats(Command):
    """``stats agg(...) as a, ... by key, bin(5m) as t``."""

    items: tuple[Item, ...]
    by: tuple[Item, ...]


@dataclass(frozen=True)
class SortKey:
    """One sort key; ``descending`` is ``None`` when the query gives no direction."""

    expr: Expr
    descending: bool | None


@dataclass(frozen=True)
class Sort(Command):
    """``sort a desc, b``."""

    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class Limit(Command):
    """``limit N`` or ``limit any N``."""

    count: int
    any: bool = False


@dataclass(frozen=True)
class Parse(Command):
    """``parse [field] "glob * pattern" as a, b`` or ``/(?<a>re)/``, ``logfmt as m``, ``csv as a, b``.

    ``mode`` is ``pattern`` (glob or regex, see ``regex``), ``logfmt`` (one map) or ``csv``.
    """

    source: Expr | None
    pattern: str
    regex: bool
    names: tuple[str, ...]
    mode: str = "pattern"  # "pattern" (glob or regex), "logfmt" or "csv"


@dataclass(frozen=True)
class Dedup(Command):
    """``dedup a, b``: the first event per distinct combination (nulls never deduplicated)."""

    fields: tuple[Expr, ...]


@dataclass(frozen=True)
class Unnest(Command):
    """``unnest list into item``."""

    source: Expr
    into: str


@dataclass(frozen=True)
class Pattern(Command):
    """``pattern [field]``: group messages into patterns."""

    source: Expr | None


@dataclass(frozen=True)
class Source(Command):
    """``SOURCE logGroups(namePrefix: [...], class: [...])`` or ``SOURCE 'group'``.

    The log groups a (sub)query reads, chosen inside the query (``accountIdentifiers`` too).
    """

    names: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    selector: bool = False  # written as logGroups(...)


@dataclass(frozen=True)
class FilterIndex(Command):
    """``filterIndex field = value`` or ``filterIndex field in [...]``."""

    condition: Expr


@dataclass(frozen=True)
class Unmask(Command):
    """``unmask [field, ...]``: show content a data-protection policy masked."""

    fields: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Lookup(Command):
    """``lookup table lookupField as logField, ... OUTPUT out1, out2``."""

    table: str
    keys: tuple[tuple[str, str], ...]  # (lookup-table column, log field)
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Diff(Command):
    """``diff [previousDay | previousWeek | previousMonth]``: compare patterns with a period."""

    period: str = "previousPeriod"


@dataclass(frozen=True)
class Anomaly(Command):
    """``anomaly``: the patterns whose frequency is unusual, or that are new."""


@dataclass(frozen=True)
class Join(Command):
    """``join type=inner left=a right=b where a.k = b.k (SOURCE 'group' | ...)``."""

    kind: str
    left: str
    right: str
    keys: tuple[tuple[str, str], ...]  # (left field, right field), aliases removed
    query: Query


@dataclass(frozen=True)
class Query:
    """A parsed query: its commands in pipeline order and the original text."""

    commands: tuple[Command, ...]
    text: str
