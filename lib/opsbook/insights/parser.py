"""Parse Logs Insights query text into an :mod:`~opsbook.insights.ast` tree.

A hand-written recursive-descent parser, chosen over a grammar library for two reasons: the
language's lexical grammar depends on context (``/`` divides after a value but opens a regex
where an expression or a ``parse`` pattern starts; ``5m`` is a period only directly after a
number), and every error must say precisely what was expected where, like AWS's
``MalformedQueryException``. The tokenizer is therefore driven by the parser, one token at a time.

Grammar (keywords are case-insensitive, field names are case-sensitive)::

    query    := command ("|" command)*
    command  := ("fields" | "display") items | ("filter" | "where") expr
              | "stats" items ["by" items] | "sort" expr ["asc"|"desc"] ("," ...)*
              | "limit" ["any"] INT
              | "parse" [field] (STRING "as" names | REGEX | "logfmt" "as" name | "csv" "as" names)
              | "dedup" field ("," field)* | "unnest" expr "into" name | "pattern" [field]
    items    := expr ["as" name] ("," expr ["as" name])*
    expr     := and ("or" and)* ;  and := not ("and" not)* ;  not := "not" not | compare
    compare  := sum [("=" | "!=" | "<" | "<=" | ">" | ">=") sum
                     | ["not"] ("like" | "=~") (STRING | REGEX) | ["not"] "in" "[" list "]"]
    sum      := product (("+" | "-") product)* ;  product := power (("*" | "/" | "%") power)*
    power    := unary ["^" power] ;  unary := "-" unary | postfix
    postfix  := primary ("." name | "[" INT "]")*
    primary  := NUMBER | PERIOD | STRING | REGEX | "(" expr ")" | name "(" [args | "*"] ")" | name

Lines starting with ``#`` (after optional blanks) are comments, as are ``#`` tails outside strings.

Examples
--------
>>> query = parse_query("filter status >= 500 | stats count(*) by bin(5m)")
>>> [type(c).__name__ for c in query.commands]
['Filter', 'Stats']
>>> query.commands[1].items[0].name
'count(*)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from opsbook.insights import ast
from opsbook.insights._command_parsers import parse_extension
from opsbook.insights.errors import MalformedQueryError

__all__ = ["COMMANDS", "MAX_NESTING", "UNSUPPORTED_COMMANDS", "parse_query", "query_language"]

_T = TypeVar("_T")

#: The boolean operators, loosest first.
_BOOLEAN = ("or", "and")
#: The left-associative arithmetic operators, loosest first.
_ARITHMETIC = (("+", "-"), ("*", "/", "%"))

#: Parentheses, unary minus and ``not`` nest at most this deep (recursive descent has a stack).
MAX_NESTING = 100

COMMANDS = (
    "fields",
    "display",
    "filter",
    "where",
    "stats",
    "sort",
    "limit",
    "parse",
    "dedup",
    "unnest",
    "pattern",
    "source",
    "filterindex",
    "unmask",
    "lookup",
    "join",
    "diff",
    "anomaly",
)
#: Documented commands the offline engine does not run, and why.
UNSUPPORTED_COMMANDS = {
    "addtotals": "its output shape is not documented precisely enough to reproduce",
    "logcompare": "it needs SOURCE with relative start=/end= times; use diff (same comparison)",
}
_EXTENSIONS = ("source", "filterindex", "unmask", "lookup", "join", "diff", "anomaly")
_RESERVED = {"and", "or", "not", "in", "like", "as", "by"}
_UNITS = {
    "ms": "ms", "msec": "ms", "msecs": "ms", "millisecond": "ms", "milliseconds": "ms",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "week": "w", "weeks": "w",
    "mo": "mo", "mon": "mo", "mons": "mo", "month": "mo", "months": "mo",
    "q": "q", "qtr": "q", "qtrs": "q", "quarter": "q", "quarters": "q",
    "y": "y", "yr": "y", "yrs": "y", "year": "y", "years": "y",
}  # fmt: skip
_OPERATORS = ("=~", "!=", "<=", ">=", "|", ",", "(", ")", "[", "]", "=", "<", ">", "+", "-", "*",
              "/", "%", "^", ".", ":")  # fmt: skip
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$.\-]*")
_SEGMENT = re.compile(r"[A-Za-z0-9_@$]+")
_UNIT = re.compile(r"[A-Za-z]+")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


@dataclass(frozen=True)
class _Token:
    kind: str  # name, string, number, period, op, eof
    text: str  # the source text
    value: object
    start: int
    end: int
    quoted: bool = False  # a name written with backticks is never a keyword


def parse_query(text: str) -> ast.Query:
    """Parse ``text`` into a :class:`~opsbook.insights.ast.Query`.

    Raises
    ------
    MalformedQueryError
        With the line, column and what was expected, for any text that is not a query.

    Examples
    --------
    >>> parse_query("fields @timestamp, @message").commands[0].items[1].name
    '@message'
    """
    if not isinstance(text, str):
        raise MalformedQueryError("", 0, "the query as text", found=type(text).__name__)
    try:
        return _Parser(text).query()
    except RecursionError:
        raise MalformedQueryError(
            text, 0, f"expressions nested at most {MAX_NESTING} levels deep", "deeper nesting"
        ) from None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._peeked: _Token | None = None
        self.depth = 0
        self.in_subquery = False

    # -- tokens -------------------------------------------------------------------------------

    def fail(self, expected: str, token: _Token | None = None) -> MalformedQueryError:
        token = token or self.peek()
        found = "the end of the query" if token.kind == "eof" else repr(token.text)
        return MalformedQueryError(self.text, token.start, expected, found)

    def _skip_blank(self, pos: int) -> int:
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char.isspace():
                pos += 1
            elif char == "#":
                newline = text.find("\n", pos)
                pos = len(text) if newline < 0 else newline + 1
            else:
                break
        return pos

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = self._lex(self._skip_blank(self.pos))
        return self._peeked

    def take(self) -> _Token:
        token = self.peek()
        self.pos = token.end
        self._peeked = None
        return token

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in ops

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "name" and not token.quoted and token.text.lower() in words

    def expect_op(self, op: str, expected: str | None = None) -> _Token:
        if not self.at_op(op):
            raise self.fail(expected or f"'{op}'")
        return self.take()

    def expect_word(self, word: str, expected: str) -> _Token:
        if not self.at_word(word):
            raise self.fail(expected)
        return self.take()

    def listed(self, read: Callable[[], _T], word: str = "") -> list[_T]:
        """Read with ``read`` once, then again after each ``,`` (or keyword ``word``)."""
        values = [read()]
        while self.at_word(word) if word else self.at_op(","):
            self.take()
            values.append(read())
        return values

    def _lex(self, pos: int) -> _Token:
        text = self.text
        if pos >= len(text):
            return _Token("eof", "", None, len(text), len(text))
        char = text[pos]
        if char in "'\"":
            return self._lex_string(pos)
        number = _NUMBER.match(text, pos)
        if number:
            end = number.end()
            literal = number.group()
            unit = _UNIT.match(text, end)
            if unit:
                name = unit.group().lower()
                if name not in _UNITS or "." in literal:
                    raise MalformedQueryError(
                        text, end, "a time unit (ms, s, m, h, d, w, mo, q, y)", repr(unit.group())
                    )
                return _Token(
                    "period", text[pos : unit.end()], (int(literal), _UNITS[name]), pos, unit.end()
                )
            value = float(literal) if "." in literal else int(literal)
            return _Token("number", literal, value, pos, end)
        if char == "`" or _WORD.match(text, pos):
            return self._lex_name(pos)
        for op in _OPERATORS:
            if text.startswith(op, pos):
                return _Token("op", op, op, pos, pos + len(op))
        raise MalformedQueryError(text, pos, "a field, a value or an operator", repr(char))

    def _lex_string(self, pos: int) -> _Token:
        text, quote = self.text, self.text[pos]
        out: list[str] = []
        i = pos + 1
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                out.append(_ESCAPES.get(text[i + 1], "\\" + text[i + 1]))
                i += 2
                continue
            if char == quote:
                return _Token("string", text[pos : i + 1], "".join(out), pos, i + 1)
            out.append(char)
            i += 1
        raise MalformedQueryError(text, pos, f"a closing {quote} for this string", "none")

    def lex_regex(self, token: _Token) -> _Token:
        """Re-read the ``/`` at ``token`` as the start of a ``/regex/`` literal."""
        text = self.text
        i = token.start + 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == "/":
                body = text[token.start + 1 : i]
                self.pos, self._peeked = i + 1, None
                return _Token("regex", text[token.start : i + 1], body, token.start, i + 1)
            i += 1
        raise MalformedQueryError(text, token.start, "a closing / for this regex", "none")

    def _lex_name(self, pos: int) -> _Token:
        text = self.text
        parts: list[str] = []
        quoted = False
        i = pos
        while True:
            if i < len(text) and text[i] == "`":
                close = text.find("`", i + 1)
                if close < 0:
                    raise MalformedQueryError(text, i, "a closing ` for this field name", "none")
                parts.append(text[i + 1 : close])
                quoted = True
                i = close + 1
            else:
                word = (_WORD if not parts else _SEGMENT).match(text, i)
                if not word:
                    raise MalformedQueryError(text, i, "a field name", repr(text[i : i + 1]))
                chunk = word.group()
                # A hyphen belongs to a name only when letters follow (x-request-id needs
                # backticks on AWS, but a-b is subtraction): stop at any hyphen.
                chunk = chunk.split("-", 1)[0]
                parts.append(chunk.rstrip("."))
                i += len(chunk.rstrip("."))
            if (
                i + 1 < len(text)
                and text[i] == "."
                and (text[i + 1] == "`" or text[i + 1].isalnum() or text[i + 1] in "_@$")
            ):
                i += 1
                continue
            break
        name = ".".join(parts)
        return _Token("name", text[pos:i], name, pos, i, quoted)

    # -- commands -----------------------------------------------------------------------------

    def query(self) -> ast.Query:
        _refuse_other_languages(self.text)
        commands = self.commands()
        if self.peek().kind != "eof":
            raise self.fail("'|' before the next command, or the end of the query")
        return ast.Query(tuple(commands), self.text)

    def commands(self) -> list[ast.Command]:
        commands = [self.command()]
        while self.at_op("|"):
            self.take()
            commands.append(self.command())
        for command in commands[1:]:
            if isinstance(command, ast.Source):
                raise MalformedQueryError(
                    self.text, command.start, "SOURCE only as the first command of a query"
                )
        return commands

    def subquery(self) -> ast.Query:
        """Read a query up to its closing ``)`` (the ``(`` is taken); no nested subqueries."""
        if self.in_subquery:
            raise self.fail("a field or a value (subqueries do not nest)")
        self.in_subquery = True
        commands = self.commands()
        self.in_subquery = False
        self.expect_op(")", "'|' before the next command, or ')' closing the subquery")
        return ast.Query(tuple(commands), self.text)

    def command(self) -> ast.Command:
        token = self.peek()
        word = token.text.lower() if token.kind == "name" and not token.quoted else ""
        if word in UNSUPPORTED_COMMANDS:
            raise self.fail(
                f"a command the offline engine runs ({', '.join(COMMANDS)}); {token.text!r} is "
                f"not run offline: {UNSUPPORTED_COMMANDS[word]} (the aws backend runs it)"
            )
        if word not in COMMANDS:
            raise self.fail(f"a command ({', '.join(COMMANDS)})")
        self.take()
        start = token.start
        if word in _EXTENSIONS:
            return parse_extension(self, word, start)
        if word in ("fields", "display"):
            items = self.items()
            cls = ast.Fields if word == "fields" else ast.Display
            return cls(items, start=start)
        if word in ("filter", "where"):
            return ast.Filter(self.expr(), start=start)
        if word == "stats":
            items = self.items()
            by: tuple[ast.Item, ...] = ()
            if self.at_word("by"):
                self.take()
                by = self.items()
            return ast.Stats(items, by, start=start)
        if word == "sort":
            return ast.Sort(tuple(self.listed(self.sort_key)), start=start)
        if word == "limit":
            any_ = False
            if self.at_word("any"):
                self.take()
                any_ = True
            count = self.peek()
            if count.kind != "number" or not isinstance(count.value, int) or count.value < 1:
                raise self.fail("a positive whole number of rows")
            self.take()
            return ast.Limit(int(count.value), any_, start=start)
        if word == "parse":
            return self.parse_command(start)
        if word == "dedup":
            return ast.Dedup(tuple(self.listed(self.field)), start=start)
        if word == "unnest":
            source = self.expr()
            self.expect_word("into", "'into' and the name of the new field")
            return ast.Unnest(source, self.name(), start=start)
        # pattern
        source = self.field() if self.peek().kind == "name" else None
        return ast.Pattern(source, start=start)

    def parse_command(self, start: int) -> ast.Parse:
        source: ast.Expr | None = None
        if self.peek().kind == "name" and not self.at_word("as") and not self.at_mode():
            source = self.field()
        if self.at_mode():
            mode = self.take().text.lower()
            self.expect_word(
                "as",
                f"'as' and {'one name for the map' if mode == 'logfmt' else 'one name per column'}",
            )
            names = self.listed(self.name) if mode == "csv" else [self.name()]
            return ast.Parse(source, "", False, tuple(names), mode, start=start)
        token = self.peek()
        if token.kind == "op" and token.text == "/":
            regex = self.lex_regex(token)
            names = tuple(re.findall(r"\(\?P?<([A-Za-z_@][A-Za-z0-9_@.]*)>", str(regex.value)))
            if not names:
                raise MalformedQueryError(
                    self.text, token.start, "a regex with named groups such as (?<name>...)",
                    repr(regex.text),
                )  # fmt: skip
            return ast.Parse(source, str(regex.value), True, names, start=start)
        if token.kind != "string":
            raise self.fail(
                'a "glob * pattern" in quotes, a /regex/ with named groups, '
                "'logfmt as name' or 'csv as names'"
            )
        self.take()
        pattern = str(token.value)
        self.expect_word("as", "'as' and one field name per * in the pattern")
        names = self.listed(self.name)
        stars = pattern.count("*")
        if stars != len(names):
            raise MalformedQueryError(
                self.text, token.start, f"as many names after 'as' as * in the pattern ({stars})",
                f"{len(names)} name(s)",
            )  # fmt: skip
        return ast.Parse(source, pattern, False, tuple(names), start=start)

    def at_mode(self) -> bool:
        """Return whether a ``logfmt``/``csv`` mode keyword (followed by ``as``) is next.

        The lookahead keeps ``parse csv "*,*" as a, b`` parsing a field named ``csv``.
        """
        if not self.at_word("logfmt", "csv"):
            return False
        saved = self.pos, self._peeked
        self.take()
        followed_by_as = self.at_word("as")
        self.pos, self._peeked = saved
        return followed_by_as

    def items(self) -> tuple[ast.Item, ...]:
        return tuple(self.listed(self.item))

    def item(self) -> ast.Item:
        expr = self.expr()
        # A field is named by its name (backticks dropped), an expression by its text.
        text = expr.name if isinstance(expr, ast.Field) else self.text[expr.start : expr.end]
        alias = None
        if self.at_word("as"):
            self.take()
            alias = self.name()
        return ast.Item(expr, alias, text)

    def sort_key(self) -> ast.SortKey:
        expr = self.expr()
        descending = None
        if self.at_word("asc", "desc"):
            descending = self.take().text.lower() == "desc"
        return ast.SortKey(expr, descending)

    def name(self) -> str:
        token = self.peek()
        if token.kind != "name" or (not token.quoted and token.text.lower() in _RESERVED):
            raise self.fail("a field name")
        self.take()
        return str(token.value)

    def field(self) -> ast.Field:
        token = self.peek()
        name = self.name()
        return ast.Field(name, start=token.start, end=token.end)

    # -- expressions --------------------------------------------------------------------------

    def expr(self, level: int = 0) -> ast.Expr:
        """Read ``or`` of ``and`` of ``not`` expressions, from the operator ``level`` names on."""
        # One frame per operator, not per helper: the stack bounds the nesting a query may use.
        deeper = level + 1 < len(_BOOLEAN)
        operands = [self.expr(level + 1) if deeper else self.not_expr()]
        while self.at_word(_BOOLEAN[level]):
            self.take()
            operands.append(self.expr(level + 1) if deeper else self.not_expr())
        return _balanced(_BOOLEAN[level], operands)

    def not_expr(self) -> ast.Expr:
        if self.at_word("not"):
            token = self.take()
            operand = self.not_expr()
            return ast.Unary("not", operand, start=token.start, end=operand.end)
        return self.compare()

    def compare(self) -> ast.Expr:
        left = self.sum()
        negated = False
        if self.at_word("not"):
            self.take()
            negated = True
            if not (self.at_word("like", "in") or self.at_op("=~")):
                raise self.fail("'like', '=~' or 'in' after 'not'")
        if self.at_word("like") or self.at_op("=~"):
            self.take()
            token = self.peek()
            if token.kind == "op" and token.text == "/":
                regex = self.lex_regex(token)
                pattern: ast.Expr = ast.Regex(str(regex.value), start=regex.start, end=regex.end)
            elif token.kind == "string":
                self.take()
                pattern = ast.Literal(str(token.value), start=token.start, end=token.end)
            else:
                raise self.fail('a "string" (substring match) or a /regex/')
            return ast.Like(left, pattern, negated, start=left.start, end=pattern.end)
        if self.at_word("in"):
            self.take()
            if self.at_op("("):
                self.take()
                query = self.subquery()
                return ast.InQuery(left, query, negated, start=left.start, end=self.pos)
            self.expect_op("[", "'[' opening a list of values or '(' opening a subquery")
            values = [] if self.at_op("]") else self.listed(self.sum)
            close = self.expect_op("]", "',' or ']' closing the list")
            return ast.InList(left, tuple(values), negated, start=left.start, end=close.end)
        if self.at_op("=", "!=", "<", "<=", ">", ">="):
            op = self.take().text
            right = self.sum()
            return ast.Binary(op, left, right, start=left.start, end=right.end)
        return left

    def sum(self, level: int = 0) -> ast.Expr:
        """Read sums of products of powers, from the operators ``level`` names on."""
        deeper = level + 1 < len(_ARITHMETIC)
        left = self.sum(level + 1) if deeper else self.power()
        while self.at_op(*_ARITHMETIC[level]):
            op = self.take().text
            right = self.sum(level + 1) if deeper else self.power()
            left = ast.Binary(op, left, right, start=left.start, end=right.end)
        return left

    def power(self) -> ast.Expr:
        left = self.unary()
        if self.at_op("^"):
            self.take()
            right = self.power()
            return ast.Binary("^", left, right, start=left.start, end=right.end)
        return left

    def unary(self) -> ast.Expr:
        if self.at_op("-"):
            token = self.take()
            operand = self.unary()
            if isinstance(operand, ast.Literal) and isinstance(operand.value, int | float):
                return ast.Literal(-operand.value, start=token.start, end=operand.end)
            return ast.Unary("-", operand, start=token.start, end=operand.end)
        return self.postfix()

    def postfix(self) -> ast.Expr:
        expr = self.primary()
        while isinstance(expr, ast.Call | ast.Access) and self.at_op(".", "["):
            if self.take().text == ".":
                key = self.peek()
                name = self.name()
                for part in name.split(".") if not key.quoted else [name]:
                    index: str | int = int(part) if part.isdigit() else part
                    expr = ast.Access(expr, index, start=expr.start, end=key.end)
            else:
                subscript = self.peek()
                if subscript.kind not in ("number", "string") or isinstance(subscript.value, float):
                    raise self.fail("a list index or a quoted key")
                self.take()
                close = self.expect_op("]", "']'")
                expr = ast.Access(expr, subscript.value, start=expr.start, end=close.end)  # type: ignore[arg-type]
        return expr

    def primary(self) -> ast.Expr:
        token = self.peek()
        if token.kind == "number":
            self.take()
            return ast.Literal(token.value, start=token.start, end=token.end)  # type: ignore[arg-type]
        if token.kind == "string":
            self.take()
            return ast.Literal(str(token.value), start=token.start, end=token.end)
        if token.kind == "period":
            self.take()
            amount, unit = token.value  # type: ignore[misc]
            return ast.Duration(amount, unit, start=token.start, end=token.end)
        if token.kind == "op" and token.text == "/":
            regex = self.lex_regex(token)
            return ast.Regex(str(regex.value), start=regex.start, end=regex.end)
        if token.kind == "op" and token.text == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.fail(f"expressions nested at most {MAX_NESTING} levels deep")
            inner = self.expr()
            self.depth -= 1
            close = self.expect_op(")", "')' closing the parenthesis")
            return _respan(inner, token.start, close.end)
        if token.kind == "name" and not (token.quoted or token.text.lower() not in _RESERVED):
            raise self.fail("a field, a value or a function call")
        if token.kind == "name":
            self.take()
            if self.at_op("(") and not token.quoted and "." not in token.text:
                return self.call(token)
            return ast.Field(str(token.value), start=token.start, end=token.end)
        raise self.fail("a field, a value or a function call")

    def call(self, name: _Token) -> ast.Call:
        self.take()  # (
        args: list[ast.Expr] = []
        star = False
        if self.at_op("*"):
            self.take()
            star = True
        elif not self.at_op(")"):
            args = self.listed(self.expr)
        close = self.expect_op(")", "',' or ')' closing the function call")
        return ast.Call(name.text.lower(), tuple(args), star, start=name.start, end=close.end)


#: OpenSearch SQL and PPL, which CloudWatch also runs (queryLanguage SQL / PPL), start so.
_OTHER_LANGUAGES = (
    (re.compile(r"(?is)^\s*select\b"), "OpenSearch SQL"),
    (re.compile(r"(?is)^\s*(search\s+)?source\s*=\s*"), "OpenSearch PPL"),
)


def query_language(text: str) -> str:
    """Return StartQuery's ``queryLanguage`` for ``text``: ``CWLI``, ``SQL`` or ``PPL``.

    Examples
    --------
    >>> query_language("SELECT * FROM `g`"), query_language("source=g | head 1")
    ('SQL', 'PPL')
    >>> query_language("fields @message")
    'CWLI'
    """
    for pattern, language in _OTHER_LANGUAGES:
        if pattern.match(text):
            return language.split()[-1]
    return "CWLI"


def _refuse_other_languages(text: str) -> None:
    """Refuse OpenSearch SQL and PPL by name: the offline engine runs Logs Insights QL only."""
    for pattern, language in _OTHER_LANGUAGES:
        if pattern.match(text):
            raise MalformedQueryError(
                text, 0,
                f"a Logs Insights QL query: {language} is not run offline (the aws backend "
                f"runs it with queryLanguage); offline commands: {', '.join(COMMANDS)}",
                language,
            )  # fmt: skip


def _balanced(op: str, operands: list[ast.Expr]) -> ast.Expr:
    """Join ``a or b or c ...`` as a balanced tree: a 500-term chain nests 9 deep, not 500."""
    if len(operands) == 1:
        return operands[0]
    middle = len(operands) // 2
    left, right = _balanced(op, operands[:middle]), _balanced(op, operands[middle:])
    return ast.Binary(op, left, right, start=left.start, end=right.end)


def _respan(expr: ast.Expr, start: int, end: int) -> ast.Expr:
    """Return ``expr`` with its span widened to include the surrounding parentheses."""
    import dataclasses

    return dataclasses.replace(expr, start=start, end=end)
