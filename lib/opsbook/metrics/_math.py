"""CloudWatch metric math: parse and check an expression, and evaluate a subset of it locally.

Parsing and checking are shared by both backends, so a bad expression (a syntax error, an unknown
function, a reference to an id the request does not define) fails before any API call. The aws
backend sends the expression text to GetMetricData, which evaluates it; the local backend
evaluates it here with CloudWatch's semantics:

- a time series is the datapoints that exist (missing periods are absent, not NaN);
- arithmetic and comparisons between two series keep the timestamps both have; with a number,
  every datapoint; results that are not finite (``x / 0``) are dropped, as CloudWatch drops them;
- ``FILL(x, value | REPEAT | LINEAR)`` puts a datapoint in every period of the requested window;
- ``SUM``, ``AVG``, ``MIN``, ``MAX``, ``STDDEV`` of an array (``METRICS()``) combine the series
  present at each timestamp; of a single series they return one number;
- ``RATE`` (change per second), ``DIFF``, ``DIFF_TIME``, ``RUNNING_SUM`` use the previous datapoint;
- ``IF(condition, a[, b])`` takes ``a`` where the condition is non-zero, else ``b`` (missing when
  ``b`` is not given); comparisons and ``AND``/``OR`` give 1 or 0.

Examples
--------
>>> import pandas as pd
>>> sorted(references(parse("IF(m2 > 0, m1 / m2 * 100, 0)")))
['m1', 'm2']
>>> m1 = pd.Series([1.0, 2.0], index=[0, 60_000])
>>> m2 = pd.Series([4.0], index=[60_000])
>>> result = evaluate({"e1": "m1 / m2"}, {"m1": ("a", m1), "m2": ("b", m2)}, [0, 60_000], 60)
>>> result["e1"][0][1].to_dict()
{60000: 0.5}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
import pandas as pd

from opsbook.errors import ConfigurationError

__all__ = [
    "AWS_FUNCTIONS",
    "LOCAL_FUNCTIONS",
    "MetricMathError",
    "check",
    "evaluate",
    "parse",
    "references",
]


class MetricMathError(ConfigurationError):
    """A metric math expression is malformed, refers to an unknown id, or cannot run locally."""


# Every function CloudWatch metric math offers (checked before an aws call), and the ones this
# module evaluates (argument counts: minimum, maximum).
AWS_FUNCTIONS = frozenset(
    "ABS ANOMALY_DETECTION_BAND AVG CEIL DATAPOINT_COUNT DB_PERF_INSIGHTS DIFF DIFF_TIME EPOCH "
    "FILL FIRST FLOOR IF INSIGHT_RULE_METRIC LAMBDA LAST LOG LOG10 MAX METRIC_COUNT METRICS MIN "
    "MINUTE HOUR DAY DATE MONTH YEAR PERIOD RATE REMOVE_EMPTY RUNNING_SUM SEARCH SERVICE_QUOTA "
    "SLICE SORT STDDEV SUM TIME_SERIES".split()
)
LOCAL_FUNCTIONS: dict[str, tuple[int, int]] = {
    "ABS": (1, 1),
    "AVG": (1, 1),
    "CEIL": (1, 1),
    "DIFF": (1, 1),
    "DIFF_TIME": (1, 1),
    "FILL": (2, 2),
    "FLOOR": (1, 1),
    "IF": (2, 3),
    "LOG": (1, 1),
    "LOG10": (1, 1),
    "MAX": (1, 1),
    "METRICS": (0, 0),
    "MIN": (1, 1),
    "PERIOD": (1, 1),
    "RATE": (1, 1),
    "RUNNING_SUM": (1, 1),
    "STDDEV": (1, 1),
    "SUM": (1, 1),
}
_KEYWORDS = frozenset({"REPEAT", "LINEAR"})


@dataclass(frozen=True)
class Number:
    """A numeric literal."""

    value: float


@dataclass(frozen=True)
class Ref:
    """A reference to another query's id (``m1``, ``e1``)."""

    name: str


@dataclass(frozen=True)
class Word:
    """A keyword argument such as ``REPEAT`` or ``LINEAR``, or a quoted string."""

    value: str


@dataclass(frozen=True)
class Unary:
    """``-x`` or ``NOT x``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """``a op b`` for arithmetic, comparison and logical operators."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A function call, e.g. ``FILL(m1, 0)``."""

    name: str
    args: tuple[Node, ...]


Node = Union[Number, Ref, Word, Unary, Binary, Call]  # noqa: UP007 (a runtime alias)

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>'[^']*'|\"[^\"]*\")"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/^<>(),]))"
)
# Binding power of infix operators: higher binds tighter.
_INFIX = {
    "OR": 1,
    "||": 1,
    "AND": 2,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "^": 7,
}


def parse(text: str) -> Node:
    """Return the syntax tree of a metric math expression.

    Raises
    ------
    MetricMathError
        When the text is not a well-formed expression or names an unknown function.

    Examples
    --------
    >>> parse("FILL(m1, 0)")
    Call(name='FILL', args=(Ref(name='m1'), Number(value=0.0)))
    """
    tokens = _tokenize(text)
    position = 0

    def fail(message: str) -> MetricMathError:
        where = tokens[position][1] if position < len(tokens) else len(text)
        return MetricMathError(
            f"metric math {text!r}: {message} at character {where + 1}; see the CloudWatch "
            "metric math syntax (e.g. 'm1 / m2 * 100', 'FILL(m1, 0)', 'SUM(METRICS())')"
        )

    def peek() -> str | None:
        return tokens[position][0] if position < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal position
        token = peek()
        if token is None or (expected is not None and token != expected):
            raise fail(f"expected {expected or 'more'}, found {token or 'the end'}")
        position += 1
        return token

    def primary() -> Node:
        token = take()
        if token == "(":
            node = expression(0)
            take(")")
            return node
        if token == "-":
            return Unary("-", expression(6))
        if token.upper() == "NOT":
            return Unary("NOT", expression(3))
        if token[0] in "'\"":
            return Word(token[1:-1])
        if token[0].isdigit() or token[0] == ".":
            return Number(float(token))
        if not (token[0].isalpha() or token[0] == "_"):
            raise fail(f"unexpected {token!r}")
        if peek() == "(":
            name = token.upper()
            if name not in AWS_FUNCTIONS:
                raise fail(f"unknown function {token}")
            take("(")
            args: list[Node] = []
            if peek() != ")":
                args.append(expression(0))
                while peek() == ",":
                    take(",")
                    args.append(expression(0))
            take(")")
            return Call(name, tuple(args))
        if token.upper() in _KEYWORDS:
            return Word(token.upper())
        if not token[0].islower():
            raise fail(f"{token!r} is not a query id (ids start with a lower-case letter)")
        return Ref(token)

    def expression(power: int) -> Node:
        left = primary()
        while True:
            token = peek()
            op = token.upper() if token else None
            if op not in _INFIX or _INFIX[op] <= power:
                return left
            take()
            # ``^`` is right-associative; the others associate to the left.
            right = expression(_INFIX[op] - 1 if op == "^" else _INFIX[op])
            left = Binary({"&&": "AND", "||": "OR"}.get(op, op), left, right)

    if not tokens:
        raise MetricMathError("metric math expression is empty: write e.g. 'm1 / m2 * 100'")
    tree = expression(0)
    if position != len(tokens):
        raise fail(f"unexpected {tokens[position][0]!r}")
    return tree


def references(tree: Node) -> set[str]:
    """Return the query ids an expression refers to."""
    if isinstance(tree, Ref):
        return {tree.name}
    if isinstance(tree, Unary):
        return references(tree.operand)
    if isinstance(tree, Binary):
        return references(tree.left) | references(tree.right)
    if isinstance(tree, Call):
        return set().union(*(references(arg) for arg in tree.args)) if tree.args else set()
    return set()


def check(expressions: Mapping[str, str], metric_ids: Sequence[str]) -> dict[str, Node]:
    """Parse every expression and check its references; return the trees in evaluation order.

    Raises
    ------
    MetricMathError
        On a syntax error, a reference to an id that is neither a metric nor an expression of
        the request, or expressions that refer to each other in a cycle.

    Examples
    --------
    >>> list(check({"e2": "e1 * 2", "e1": "m1 + 1"}, ["m1"]))
    ['e1', 'e2']
    """
    trees = {name: parse(text) for name, text in expressions.items()}
    known = set(metric_ids) | set(trees)
    for name, tree in trees.items():
        unknown = references(tree) - known
        if unknown:
            raise MetricMathError(
                f"expression {name} = {expressions[name]!r} refers to unknown id(s) "
                f"{', '.join(sorted(unknown))}; the request defines {', '.join(sorted(known))}"
            )
    ordered: dict[str, Node] = {}
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name not in trees:
            return
        if name in visiting:
            raise MetricMathError(f"expression {name} refers to itself through other expressions")
        visiting.add(name)
        for used in sorted(references(trees[name])):
            visit(used)
        visiting.discard(name)
        ordered[name] = trees[name]

    for name in trees:
        visit(name)
    return ordered


# A value during evaluation: a number, one series, or an array of labelled series.
Labelled = tuple[str, pd.Series]
Value = Union[float, pd.Series, list[Labelled]]  # noqa: UP007 (a runtime alias)


def evaluate(
    expressions: Mapping[str, str],
    metrics: Mapping[str, Labelled],
    grid: Sequence[int] | np.ndarray,
    period: int,
) -> dict[str, list[Labelled]]:
    """Evaluate ``expressions`` over ``metrics``; return each expression's labelled series.

    Parameters
    ----------
    expressions
        Id to expression text.
    metrics
        Id to ``(label, series)``: the metric queries' datapoints, a float series indexed by
        epoch milliseconds (ascending, present datapoints only).
    grid
        Epoch ms of every period start in the requested window (``FILL`` fills these).
    period
        Seconds per datapoint.

    Returns
    -------
    dict
        Id to a list of ``(label, series)``: one item, or one per series for an array result
        (label ``""`` means "use the expression's label").

    Examples
    --------
    >>> m1 = pd.Series([5.0], index=[60_000])
    >>> evaluate({"f": "FILL(m1, 0)"}, {"m1": ("a", m1)}, [0, 60_000], 60)["f"][0][1].tolist()
    [0.0, 5.0]
    """
    trees = check(expressions, list(metrics))
    grid_index = pd.Index(np.asarray(grid, dtype=np.int64))
    done: dict[str, Value] = {name: series for name, (_, series) in metrics.items()}
    results: dict[str, list[Labelled]] = {}
    for name, tree in trees.items():
        value = _Evaluator(expressions[name], metrics, done, grid_index, period).run(tree)
        done[name] = value if not isinstance(value, float) else _broadcast(value, grid_index)
        results[name] = _as_labelled(done[name])
    return results


def _tokenize(text: str) -> list[tuple[str, int]]:
    tokens: list[tuple[str, int]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match or match.end() == position:
            bad = position + len(stripped[position:]) - len(stripped[position:].lstrip())
            raise MetricMathError(
                f"metric math {text!r}: unexpected character {stripped[bad]!r} at "
                f"character {bad + 1}"
            )
        tokens.append((match.group(match.lastgroup or 0), match.start(match.lastgroup or 0)))
        position = match.end()
    return tokens


def _broadcast(value: float, grid: pd.Index) -> pd.Series:
    return _finite(pd.Series(value, index=grid, dtype=float))


def _finite(series: pd.Series) -> pd.Series:
    series = series.astype(float)
    return series[np.isfinite(series.to_numpy())]


def _as_labelled(value: Value) -> list[Labelled]:
    if isinstance(value, list):
        return value
    assert isinstance(value, pd.Series)
    return [("", value)]


class _Evaluator:
    """Evaluates one expression tree; values are numbers, series or labelled arrays."""

    def __init__(
        self,
        text: str,
        metrics: Mapping[str, Labelled],
        done: Mapping[str, Value],
        grid: pd.Index,
        period: int,
    ) -> None:
        self.text, self.metrics, self.done, self.grid, self.period = (
            text,
            metrics,
            done,
            grid,
            period,
        )

    def fail(self, message: str) -> MetricMathError:
        return MetricMathError(f"metric math {self.text!r}: {message}")

    def run(self, node: Node) -> Value:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Ref):
            return self.done[node.name]
        if isinstance(node, Word):
            raise self.fail(f"{node.value!r} is only meaningful as FILL's second argument")
        if isinstance(node, Unary):
            operand = self.run(node.operand)
            if node.op == "-":
                return self.map(operand, lambda s: -s)
            return self.map(operand, lambda s: (s == 0).astype(float))
        if isinstance(node, Binary):
            return self.binary(node.op, self.run(node.left), self.run(node.right))
        assert isinstance(node, Call)
        return self.call(node)

    @staticmethod
    def map(value: Value, function) -> Value:  # type: ignore[no-untyped-def]
        if isinstance(value, list):
            return [(label, _finite(function(s))) for label, s in value]
        if isinstance(value, pd.Series):
            return _finite(function(value))
        return float(function(pd.Series([value])).iloc[0])

    def binary(self, op: str, left: Value, right: Value) -> Value:
        if isinstance(left, list) or isinstance(right, list):
            if isinstance(left, list) and isinstance(right, list):
                raise self.fail(f"{op} between two arrays of series is not supported")
            if isinstance(left, list):
                return [(label, self.binary(op, s, right)) for label, s in left]  # type: ignore[misc]
            assert isinstance(right, list)
            return [(label, self.binary(op, left, s)) for label, s in right]  # type: ignore[misc]
        if isinstance(left, pd.Series) and isinstance(right, pd.Series):
            left, right = left.align(right, join="inner")
        # numpy scalars divide by zero into inf (dropped), as CloudWatch drops the datapoint
        left = np.float64(left) if isinstance(left, float) else left
        right = np.float64(right) if isinstance(right, float) else right
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            result = _OPERATORS[op](left, right)
        if isinstance(result, pd.Series):
            return _finite(result)
        return float(result)

    def call(self, node: Call) -> Value:
        name = node.name
        if name not in LOCAL_FUNCTIONS:
            raise self.fail(
                f"{name} is evaluated by CloudWatch only; the local backend evaluates "
                f"{', '.join(sorted(LOCAL_FUNCTIONS))}"
            )
        low, high = LOCAL_FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            expected = str(low) if low == high else f"{low} to {high}"
            raise self.fail(f"{name} takes {expected} argument(s), got {len(node.args)}")
        if name == "METRICS":
            return [(label, series) for label, series in self.metrics.values()]
        if name == "FILL":
            return self.fill(self.run(node.args[0]), node.args[1])
        if name == "IF":
            return self.if_(node)
        if name == "PERIOD":
            return float(self.period)
        value = self.run(node.args[0])
        if name in ("SUM", "AVG", "MIN", "MAX", "STDDEV"):
            return self.aggregate(name, value)
        if isinstance(value, float):
            if name in _ELEMENTWISE:
                return self.map(value, _ELEMENTWISE[name])
            raise self.fail(f"{name} needs a time series, not a number")
        return self.map(value, _ELEMENTWISE.get(name) or _SEQUENTIAL[name])

    def aggregate(self, name: str, value: Value) -> Value:
        if isinstance(value, float):
            return value
        if isinstance(value, pd.Series):
            if value.empty:
                return math.nan
            return float(getattr(value, _REDUCERS[name])())
        if not value:
            return pd.Series(dtype=float)
        frame = pd.concat([s for _, s in value], axis=1)
        reduced = getattr(frame, _REDUCERS[name])(axis=1, skipna=True)
        return _finite(reduced.sort_index())

    def fill(self, value: Value, how: Node) -> Value:
        if isinstance(how, Word) and how.value in _KEYWORDS:
            method = how.value

            def filler(series: pd.Series) -> pd.Series:
                full = series.reindex(self.grid.union(series.index))
                if full.notna().sum() == 0:
                    return series
                if method == "REPEAT":
                    full = full.ffill().bfill()
                else:
                    full = full.interpolate(method="index", limit_direction="both")
                return full.reindex(self.grid)

        else:
            fill_with = self.run(how)
            if isinstance(fill_with, list):
                raise self.fail(
                    "FILL's second argument must be a number, a series, REPEAT or LINEAR"
                )

            def filler(series: pd.Series) -> pd.Series:
                full = series.reindex(self.grid)
                if isinstance(fill_with, pd.Series):
                    return full.fillna(fill_with.reindex(self.grid))
                return full.fillna(fill_with)

        if isinstance(value, float):
            return value
        return self.map(value, filler)

    def if_(self, node: Call) -> Value:
        condition = self.run(node.args[0])
        yes = self.run(node.args[1])
        no: Value | None = self.run(node.args[2]) if len(node.args) == 3 else None
        if isinstance(condition, list) or isinstance(yes, list) or isinstance(no, list):
            raise self.fail("IF over arrays of series is not evaluated locally")
        if isinstance(condition, float):
            chosen = yes if condition != 0 else no
            return pd.Series(dtype=float) if chosen is None else chosen

        def at(value: Value | None) -> pd.Series:
            if value is None:
                return pd.Series(np.nan, index=condition.index)
            if isinstance(value, pd.Series):
                return value.reindex(condition.index)
            return pd.Series(float(value), index=condition.index)  # type: ignore[arg-type]

        with np.errstate(invalid="ignore"):
            picked = np.where(condition.to_numpy() != 0, at(yes).to_numpy(), at(no).to_numpy())
        return _finite(pd.Series(picked, index=condition.index))


def _compare(function):  # type: ignore[no-untyped-def]
    return lambda a, b: function(a, b) * 1.0


_OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a**b,
    "==": _compare(lambda a, b: a == b),
    "!=": _compare(lambda a, b: a != b),
    "<": _compare(lambda a, b: a < b),
    "<=": _compare(lambda a, b: a <= b),
    ">": _compare(lambda a, b: a > b),
    ">=": _compare(lambda a, b: a >= b),
    "AND": _compare(lambda a, b: (a != 0) & (b != 0)),
    "OR": _compare(lambda a, b: (a != 0) | (b != 0)),
}
_REDUCERS = {"SUM": "sum", "AVG": "mean", "MIN": "min", "MAX": "max", "STDDEV": "std"}
_ELEMENTWISE = {
    "ABS": np.abs,
    "CEIL": np.ceil,
    "FLOOR": np.floor,
    "LOG": np.log,
    "LOG10": np.log10,
}


def _seconds_between(series: pd.Series) -> pd.Series:
    times = pd.Series(series.index.to_numpy(dtype=np.int64), index=series.index)
    return times.diff() / 1000.0


_SEQUENTIAL = {
    "DIFF": lambda s: s.diff().iloc[1:],
    "RATE": lambda s: (s.diff() / _seconds_between(s)).iloc[1:],
    "DIFF_TIME": lambda s: _seconds_between(s).iloc[1:],
    "RUNNING_SUM": lambda s: s.cumsum(),
}
