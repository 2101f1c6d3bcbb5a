from __future__ import annotations

import pytest
from opsbook.insights import MalformedQueryError, ast, parse_query


def test_pipeline_keywords_are_case_insensitive_and_comments_skipped() -> None:
    text = (
        "# latest errors\nFIELDS @timestamp, @message\n# | filter x = 1\n| FILTER level IN ['E']"
        "\n| STATS count(*) AS n BY bin(1h)\n| SORT n DESC | LIMIT 5"
    )
    query = parse_query(text)
    at = text.index("bin(1h)")
    kinds = [type(c).__name__ for c in query.commands]
    assert kinds == ["Fields", "Filter", "Stats", "Sort", "Limit"]
    stats = query.commands[2]
    assert isinstance(stats, ast.Stats)
    assert stats.items[0].name == "n" and stats.by[0].name == "bin(1h)"
    assert stats.by[0].expr == ast.Call(
        "bin", (ast.Duration(1, "h", start=at + 4, end=at + 6),), start=at, end=at + 7
    )


def test_items_are_named_by_alias_or_their_text() -> None:
    fields = parse_query("fields abs(a - b), concat(x, '-', y) as k, `x-request-id`").commands[0]
    assert isinstance(fields, ast.Fields)
    assert [i.name for i in fields.items] == ["abs(a - b)", "k", "x-request-id"]


def test_backticks_and_dotted_names() -> None:
    fields = parse_query("fields js.`user.id`, a.b.0.c, `detail-type`, @@x.com").commands[0]
    assert isinstance(fields, ast.Fields)
    assert [i.expr.name for i in fields.items] == [
        "js.user.id",
        "a.b.0.c",
        "detail-type",
        "@@x.com",
    ]


def test_operator_precedence() -> None:
    expr = parse_query("filter a + b * c ^ 2 > 1 and not d or e").commands[0].condition  # type: ignore[attr-defined]
    assert isinstance(expr, ast.Binary) and expr.op == "or"
    left = expr.left
    assert isinstance(left, ast.Binary) and left.op == "and"
    compare = left.left
    assert isinstance(compare, ast.Binary) and compare.op == ">"
    total = compare.left
    assert isinstance(total, ast.Binary) and total.op == "+"
    product = total.right
    assert isinstance(product, ast.Binary) and product.op == "*"
    assert isinstance(product.right, ast.Binary) and product.right.op == "^"
    assert isinstance(left.right, ast.Unary) and left.right.op == "not"


def test_slash_is_division_after_a_value_and_a_regex_where_a_value_starts() -> None:
    condition = parse_query("filter a / 2 > 1 and b like /x\\/y/").commands[0].condition  # type: ignore[attr-defined]
    assert condition.left.left.op == "/"
    assert condition.right.pattern == ast.Regex("x\\/y", start=28, end=34)


def test_parse_forms() -> None:
    glob = parse_query('parse @message "[*] *" as a, b').commands[0]
    assert glob == ast.Parse(ast.Field("@message", start=6, end=14), "[*] *", False, ("a", "b"))
    regex = parse_query("parse detail /(?<x>\\d+)-(?<y>\\w+)/").commands[0]
    assert isinstance(regex, ast.Parse) and regex.regex and regex.names == ("x", "y")
    default = parse_query('parse "*" as a').commands[0]
    assert isinstance(default, ast.Parse) and default.source is None


def test_other_commands() -> None:
    commands = parse_query(
        "dedup a, b | limit any 3 | unnest js.list into item | pattern @message | sort a, b asc"
    ).commands
    assert commands[0] == ast.Dedup(
        (ast.Field("a", start=6, end=7), ast.Field("b", start=9, end=10)), start=0
    )
    assert commands[1] == ast.Limit(3, True, start=13)
    assert isinstance(commands[2], ast.Unnest) and commands[2].into == "item"
    assert isinstance(commands[3], ast.Pattern)
    sort = commands[4]
    assert isinstance(sort, ast.Sort) and [k.descending for k in sort.keys] == [None, False]


def test_strings_with_escapes_and_both_quotes() -> None:
    fields = parse_query('fields \'it\\\'s\', "a\\"b", "tab\\t"').commands[0]
    assert [i.expr.value for i in fields.items] == ["it's", 'a"b', "tab\t"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "line", "column", "expected"),
    [
        ("", 1, 1, "a command"),
        ("fields a |", 1, 11, "a command"),
        ("fields", 1, 7, "a field, a value"),
        ("fields a,", 1, 10, "a field, a value"),
        ("fields a b", 1, 10, "'|' before the next command"),
        ("filter a = ", 1, 12, "a field, a value"),
        ("filter (a = 1", 1, 14, "')' closing"),
        ("filter a like 3", 1, 15, '"string"'),
        ("filter a in [1, 2", 1, 18, "',' or ']'"),
        ("filter a not = 1", 1, 14, "'like', '=~' or 'in'"),
        ("fields 'abc", 1, 8, "a closing '"),
        ("filter a like /abc", 1, 15, "a closing /"),
        ("fields `abc", 1, 8, "a closing `"),
        ("stats count(*) by", 1, 18, "a field, a value"),
        ("stats count(* ", 1, 15, "',' or ')'"),
        ("sort", 1, 5, "a field, a value"),
        ("limit x", 1, 7, "a positive whole number"),
        ("limit 1.5", 1, 7, "a positive whole number"),
        ('parse "*" as', 1, 13, "a field name"),
        ('parse "* *" as a', 1, 7, "as many names"),
        ("parse @message /no groups/", 1, 16, "named groups"),
        ("parse @message 42", 1, 16, "glob"),
        ("unnest x", 1, 9, "'into'"),
        ("dedup 1", 1, 7, "a field name"),
        ("addtotals", 1, 1, "aws backend"),
        ("fields a\n| filter b ~ c", 2, 12, "a field, a value or an operator"),
        ("fields 5x", 1, 9, "a time unit"),
        ("fields x.", 1, 9, "'|' before"),
    ],
)
def test_errors_name_line_column_and_what_was_expected(
    text: str, line: int, column: int, expected: str
) -> None:
    with pytest.raises(MalformedQueryError) as caught:
        parse_query(text)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert expected in error.expected
    lines = str(error).splitlines()
    assert lines[0].startswith(f"malformed query at line {line}, column {column}: expected")
    assert lines[-1] == "  " + " " * (column - 1) + "^"


def test_non_text_is_refused_cleanly() -> None:
    with pytest.raises(MalformedQueryError):
        parse_query(None)  # type: ignore[arg-type]


def test_parse_logfmt_and_csv_modes() -> None:
    logfmt, csv_, glob = (
        parse_query(text).commands[0]
        for text in ("parse logfmt as lf", "PARSE line CSV as a, `b-c`", 'parse csv "*,*" as x, y')
    )
    assert logfmt == ast.Parse(None, "", False, ("lf",), "logfmt", start=0)
    assert csv_ == ast.Parse(
        ast.Field("line", start=6, end=10), "", False, ("a", "b-c"), "csv", start=0
    )
    # A field that happens to be named csv still takes a glob pattern.
    assert (
        isinstance(glob, ast.Parse)
        and glob.mode == "pattern"
        and glob.source == ast.Field("csv", start=6, end=9)
    )


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("parse logfmt as a, b", 18, "'|' before"),
        ("parse csv as", 13, "a field name"),
        ("parse logfmt lf", 14, "'logfmt as name'"),
    ],
)
def test_parse_mode_errors(text: str, column: int, expected: str) -> None:
    with pytest.raises(MalformedQueryError) as caught:
        parse_query(text)
    assert caught.value.column == column and expected in caught.value.expected
