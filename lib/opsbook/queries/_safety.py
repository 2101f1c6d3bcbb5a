"""Which SQL may run, judged on sqlglot's tokens and syntax tree, never on the text.

Two questions, asked in two places:

- :func:`statement_problem` — is this one statement that only reads? The read-only guard asks it
  of every query sent to Athena's StartQueryExecution while it is on. Reads are a query
  (``SELECT``, ``WITH``, ``VALUES``, ``TABLE t``, set operations), ``SHOW ...``, ``DESCRIBE`` and
  ``EXPLAIN`` of a read (``EXPLAIN ANALYZE`` runs its statement, so that statement is judged
  too). Everything else is refused: ``CREATE TABLE AS`` (CTAS), ``INSERT``, ``DELETE``,
  ``UPDATE``, ``MERGE``, ``DROP``, ``ALTER``, ``UNLOAD``, ``MSCK REPAIR``, ``VACUUM``,
  ``OPTIMIZE``, ``PREPARE``/``EXECUTE`` (the prepared text is not visible), ``USING EXTERNAL
  FUNCTION`` (a Lambda function runs), ``SELECT ... INTO``, table functions such as
  ``TABLE(system.query(...))`` (a federated pass-through query runs in the source database),
  several statements at once, and text sqlglot cannot parse (it cannot be shown to only read).
- :func:`foreign_tables` — does an opsbook CUR query read anything besides the logical table
  ``cur`` and its own ``WITH`` queries? Qualified names (``main.cur``,
  ``cid_data_export.cur2``), other tables and table functions (``read_text(...)``) are foreign:
  they would dodge the billing-period guard, or read what the query was never meant to.

Examples
--------
>>> statement_problem("SELECT 1") is None, statement_problem("SHOW TABLES") is None
(True, True)
>>> statement_problem("DROP TABLE cur2")
'DROP statements are not reads'
>>> statement_problem("EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1")
'CREATE statements are not reads'
>>> foreign_tables(parse_one("SELECT * FROM main.cur JOIN cur USING (x)", read="trino"))
['main.cur']
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp, parse_one
from sqlglot.tokens import Token, TokenType

__all__ = ["LOGICAL_TABLE", "foreign_tables", "is_logical_table", "statement_problem"]

#: The logical table every opsbook CUR query reads; settings map it to the real one.
LOGICAL_TABLE = "cur"
_METADATA = ("SHOW", "DESCRIBE", "DESC")
_QUERY_STARTS = ("SELECT", "WITH", "VALUES", "(", "TABLE")
_EXPLAIN_OPTIONS = ("TYPE", "FORMAT")
_WRITES = (exp.Insert, exp.Delete, exp.Update, exp.Merge, exp.Create, exp.Drop, exp.Alter,
           exp.Command)  # fmt: skip


def statement_problem(sql: str) -> str | None:
    """Return why ``sql`` is not one Athena statement that only reads, or ``None`` if it is.

    Examples
    --------
    >>> statement_problem("WITH a AS (SELECT 1 AS x) SELECT x FROM a") is None
    True
    >>> statement_problem("SELECT 1; SELECT 2")
    'it holds 2 statements, not one'
    """
    try:
        tokens = sqlglot.tokenize(sql, read="trino")
    except sqlglot.errors.TokenError as error:
        return f"its text cannot be read as SQL ({error})"
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if len(statements) != 1:
        return f"it holds {len(statements)} statements, not one"
    return _problem(sql, statements[0])


def _problem(sql: str, tokens: list[Token]) -> str | None:
    first = tokens[0].text.upper()
    if first in _METADATA:
        return None
    if first == "EXPLAIN":
        # The tokenizer keeps what follows EXPLAIN as one text token: judge that text itself.
        rest = _explained(" ".join(t.text for t in tokens[1:]))
        return statement_problem(rest) if rest.strip() else "it is an EXPLAIN of nothing"
    if first not in _QUERY_STARTS:
        return f"{first} statements are not reads"
    text = sql[tokens[0].start : tokens[-1].end + 1]
    try:
        tree = parse_one(text, read="trino")
    except sqlglot.errors.ParseError:
        return "sqlglot cannot parse it as Athena SQL, so it cannot be shown to only read"
    if tree.find(exp.Into):
        return "SELECT ... INTO statements are not reads (they write a table)"
    if not isinstance(tree, exp.Query | exp.Values):
        return f"{tree.key.upper()} statements are not reads"
    nested = tree.find(*_WRITES)
    if nested is not None:
        return f"it holds a {nested.key.upper()} statement, which is not a read"
    functions = [t for t in tree.find_all(exp.Table) if not isinstance(t.this, exp.Identifier)]
    if functions:
        return (
            f"it reads from the table function {functions[0].this.sql(dialect='trino')}, "
            "which may run statements elsewhere (e.g. a federated pass-through query)"
        )
    return None


def _explained(text: str) -> str:
    """Return the statement an EXPLAIN's text explains: options and ANALYZE/VERBOSE dropped."""
    tokens = sqlglot.tokenize(text, read="trino")
    start = 0
    while start < len(tokens) and tokens[start].text.upper() in ("ANALYZE", "VERBOSE"):
        start += 1
    if (
        start + 1 < len(tokens)
        and tokens[start].token_type == TokenType.L_PAREN
        and tokens[start + 1].text.upper() in _EXPLAIN_OPTIONS
    ):
        depth = 0
        for index in range(start, len(tokens)):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(tokens[index].token_type, 0)
            if depth == 0:
                start = index + 1
                break
    return text[tokens[start].start :] if start < len(tokens) else ""


def is_logical_table(table: exp.Table) -> bool:
    """Return whether ``table`` names the logical table ``cur`` (unqualified, any case).

    Trino and DuckDB both fold unquoted names to lower case, so ``CUR`` is ``cur``.

    Examples
    --------
    >>> is_logical_table(parse_one("SELECT 1 FROM CUR", read="trino").find(exp.Table))
    True
    """
    return (
        isinstance(table.this, exp.Identifier)
        and table.name.lower() == LOGICAL_TABLE
        and not table.db
        and not table.catalog
    )


def foreign_tables(tree: exp.Expression) -> list[str]:
    """Return what the query reads besides ``cur`` and its own visible ``WITH`` queries.

    A ``WITH`` query named ``cur`` is foreign too: it would hide the table from the
    billing-period guard (both engines put their own ``cur`` in front of the query).

    Examples
    --------
    >>> foreign_tables(parse_one("WITH a AS (SELECT 1 AS x FROM cur) SELECT x FROM a", read="trino"))
    []
    >>> foreign_tables(parse_one("SELECT * FROM read_text('/etc/hostname')", read="trino"))
    ["READ_TEXT('/etc/hostname')"]
    """
    found = [
        f"WITH query {cte.alias}"
        for cte in tree.find_all(exp.CTE)
        if cte.alias.lower() == LOGICAL_TABLE
    ]
    for table in tree.find_all(exp.Table):
        if is_logical_table(table) or _names_a_cte(table):
            continue
        if isinstance(table.this, exp.Identifier):
            found.append(".".join(part.sql(dialect="trino") for part in table.parts))
        else:
            found.append(table.this.sql(dialect="trino"))
    return found


def _names_a_cte(table: exp.Table) -> bool:
    """Whether ``table`` refers to a ``WITH`` query visible where it stands (Trino's scoping).

    A WITH query is visible in the body of its statement and in the WITH queries after it
    (before it too, for ``WITH RECURSIVE``); a name it does not cover is a real table.
    """
    if table.db or table.catalog or not isinstance(table.this, exp.Identifier):
        return False
    name = table.name.lower()
    node: exp.Expression = table
    while node.parent is not None:
        parent = node.parent
        if isinstance(parent, exp.With) and isinstance(node, exp.CTE):
            ctes = parent.expressions
            before = next(i for i, cte in enumerate(ctes) if cte is node)
            visible = ctes if parent.args.get("recursive") else ctes[:before]
        elif isinstance(parent.args.get("with_"), exp.With) and node is not parent.args["with_"]:
            visible = parent.args["with_"].expressions
        else:
            visible = []
        if any(cte.alias.lower() == name for cte in visible):
            return True
        node = parent
    return False
