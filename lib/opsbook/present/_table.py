"""Tables people read: values formatted by meaning, nothing cut, wide and long detail folded.

:func:`table` turns a frame into a :class:`Table` that notebooks show as a cell's last
expression. Each column is formatted by its kind (:mod:`opsbook.present._kinds`: from the call's
``kinds``, then the frame's ``attrs["kinds"]``, then the name rules, then the dtype); text is
never truncated and wraps instead of running off the page; the index is not shown (a named index
becomes the first column); missing values read ``—`` and, where the frame or the call says why,
the reason. The columns that matter come first (``first``, ``attrs["first"]``, status columns);
past ``columns`` columns the rest are folded under the table (HTML ``<details>``, repeating the
first column so rows can be matched), past ``rows`` rows likewise. pandas' ``Styler`` renders
the HTML (escaped, no index, a class per cell), so JupyterLab and the exported report look alike.

Examples
--------
>>> frame = pd.DataFrame({"service": ["AmazonEC2"], "cost": [1234.5], "requests": [2.0e6]})
>>> print(table(frame))
  service      cost  requests
AmazonEC2 $1,234.50 2,000,000
>>> print(table(SectionError("changes", "cloudtrail:LookupEvents denied")))
ERROR changes: cloudtrail:LookupEvents denied
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd

from opsbook.present._kinds import MISSING, Kind, is_missing, kind_of
from opsbook.present._report import SectionError

__all__ = ["Table", "annotate", "table"]

F = TypeVar("F")

#: Columns moved to the front whatever the frame's order: the state a row is in.
_LEADING = ("status", "severity", "state")
_LONG_TOKEN = 28
#: Rows a table's HTML holds at most (shown and folded); the text form holds all.
MAX_ROWS = 500
#: Cell classes for status values, so ERROR reads red and PASS green in every table.
_STATES = {
    "ERROR": "error", "FAILED": "error", "page": "error", "exhausted": "error",
    "FINDING": "finding", "ticket": "finding", "abnormal": "finding", "unavailable": "finding",
    "SKIPPED": "skipped", "no data": "skipped", "off": "skipped",
    "PASS": "pass", "ok": "pass", "evaluated": "pass", "normal": "pass",
}  # fmt: skip
CSS = """<style>
.opsbook-table { margin: .4rem 0 1rem; max-width: 100%; }
.opsbook-table table { border-collapse: collapse; max-width: 100%; font-size: 13px; }
.opsbook-table th, .opsbook-table td { padding: .25rem .6rem; border-bottom: 1px solid #d0d7de;
  text-align: left; vertical-align: top; white-space: pre-line; overflow-wrap: break-word; }
.opsbook-table td.long { overflow-wrap: anywhere; min-width: 12rem; }
.opsbook-table th { border-bottom: 2px solid #8c959f; font-weight: 600; }
.opsbook-table td.num, .opsbook-table th.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.opsbook-table td.error { color: #cf222e; font-weight: 600; }
.opsbook-table td.finding { color: #9a6700; font-weight: 600; }
.opsbook-table td.pass { color: #1a7f37; }
.opsbook-table td.skipped { color: #57606a; }
.opsbook-table .why { color: #57606a; font-size: 12px; }
.opsbook-table details { margin: .3rem 0; }
.opsbook-table summary, .opsbook-table .note, .opsbook-empty { color: #57606a; font-size: 13px; }
.opsbook-table .title { font-weight: 600; margin: 0 0 .3rem; }
.opsbook-error { color: #cf222e; }
</style>"""


class Table:
    """A formatted table: ``_repr_html_`` for notebooks and reports, ``str`` for plain text.

    Attributes
    ----------
    frame
        The data as given (index reset when it carried names).
    text
        Every cell as the text people read.
    kinds
        Each column's :class:`~opsbook.present._kinds.Kind`.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        kinds: Mapping[str, Kind],
        *,
        missing: Mapping[str, str],
        columns: int,
        rows: int,
        title: str = "",
        note: str = "",
        empty: str = "",
        folded: str = "",
    ) -> None:
        self.frame = frame
        self.kinds = dict(kinds)
        self.missing = dict(missing)
        self.text = pd.DataFrame(
            {name: [_cell(v, self.kinds[name], missing.get(name, "")) for v in frame[name]]
             for name in frame.columns},
            index=range(len(frame)), columns=frame.columns,
        )  # fmt: skip
        self.columns, self.rows = columns, rows
        self.title, self.note, self.empty, self.folded = title, note, empty, folded

    def __repr__(self) -> str:
        head = [self.title] if self.title else []
        if self.text.empty:
            return "\n".join([*head, self.empty or "No rows."])
        body = self.text.to_string(index=False, max_colwidth=None)
        return "\n".join([*head, body, *([self.note] if self.note else [])])

    def _repr_html_(self) -> str:
        title = f'<p class="title">{html.escape(self.title)}</p>' if self.title else ""
        if self.text.empty:
            body = f'<p class="opsbook-empty">{html.escape(self.empty or "No rows.")}</p>'
        else:
            shown = list(self.text.columns[: self.columns])
            hidden = list(self.text.columns[self.columns :])
            body = self._html(self.text.iloc[: self.rows], shown)
            rest = len(self.text) - self.rows
            # a page stays light: past MAX_ROWS rows the table says how many it leaves out
            kept = self.text.iloc[self.rows : MAX_ROWS]
            if rest > 0:
                left = len(self.text) - MAX_ROWS
                more = f" ({len(kept):,} shown here, {left:,} left out)" if left > 0 else ""
                body += _fold(f"{rest:,} more rows{more}", self._html(kept, shown))
            if hidden:
                # the first column again, so rows can be matched; as many columns as above
                step = max(self.columns - 1, 1)
                parts = [self._html(self.text.iloc[:MAX_ROWS], shown[:1] + hidden[i : i + step])
                         for i in range(0, len(hidden), step)]  # fmt: skip
                body += _fold(
                    f"{len(hidden)} more column{'s' * (len(hidden) != 1)}: {', '.join(hidden)}",
                    "".join(parts),
                )
        note = f'<p class="note">{html.escape(self.note)}</p>' if self.note else ""
        inner = title + body + note
        if self.folded:
            inner = _fold(self.folded, inner)
        return f'{CSS}<div class="opsbook-table">{inner}</div>'

    def _html(self, text: pd.DataFrame, columns: list[str]) -> str:
        from pandas.io.formats.style import Styler

        part = text[columns]
        numeric = [i for i, c in enumerate(columns) if self.kinds[c].numeric]
        classes = pd.DataFrame(
            [[_class(value, i in numeric) for i, value in enumerate(row)]
             for row in part.itertuples(index=False)],
            index=part.index, columns=part.columns,
        )  # fmt: skip
        # a table id from its content, so the same report renders the same HTML
        digest = hashlib.sha1(part.to_csv().encode()).hexdigest()[:8]
        out = (
            Styler(part, uuid=digest, cell_ids=False)
            .hide(axis="index")
            .format(escape="html")
            .set_td_classes(classes)
            .set_table_attributes('class="opsbook"')
            .to_html(doctype_html=False)
        )
        out = out.replace('<style type="text/css">\n</style>\n', "")
        # a heading may break after an underscore (``restore_minutes``), not inside a word
        out = re.sub(r"(<th [^>]*>)([^<]*)(</th>)",
                     lambda m: m[1] + m[2].replace("_", "_<wbr>") + m[3], out)  # fmt: skip
        for i in numeric:  # numbers' headings align with their numbers
            out = out.replace(
                f'class="col_heading level0 col{i}"', f'class="col_heading level0 col{i} num"'
            )
        for column in columns:  # the reason a value is missing, in small print after the dash
            why = self.missing.get(column)
            if why:
                plain = html.escape(f"{MISSING} ({why})")
                out = out.replace(plain, f'{MISSING} <span class="why">({html.escape(why)})</span>')
        return out


def table(
    frame: pd.DataFrame | pd.Series | SectionError,
    *,
    kinds: Mapping[str, str | Kind] | None = None,
    first: Sequence[str] = (),
    missing: Mapping[str, str] | None = None,
    columns: int = 8,
    rows: int = 25,
    title: str = "",
    note: str = "",
    empty: str = "",
    folded: str = "",
) -> Table | SectionError:
    """Return ``frame`` as a table people read (a :class:`SectionError` is shown as itself).

    Parameters
    ----------
    frame
        The data; a Series becomes a two-column table, a named index becomes columns.
    kinds
        Column name -> kind spec (``"money"``, ``"duration:min"``, ...), over the frame's
        ``attrs["kinds"]`` and the rules of :data:`~opsbook.present._kinds.RULES`.
    first
        Columns to show first (after them: ``attrs["first"]``, then status columns, then the
        rest in the frame's order).
    missing
        Column name -> why its values may be missing (over ``attrs["missing"]``), shown after ``—``.
    columns, rows
        How many columns and rows show before the rest are folded under the table.
    title, note
        A line above and below the table (times are UTC: the note says so when there are any);
        an analysis's own note (``attrs["note"]``) follows ``note``.
    empty
        What an empty table says instead (default: ``attrs["empty"]``, else "No rows.").
    folded
        Fold the whole table under this line (e.g. the settings a run used).

    Examples
    --------
    >>> shown = table(pd.DataFrame({"slo": ["a"], "end": [pd.NaT]}),
    ...               missing={"end": "still firing"})
    >>> shown.text.end.item()
    '— (still firing)'
    """
    if isinstance(frame, SectionError):
        return frame
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(frame.name if frame.name is not None else "value")
    attrs = dict(frame.attrs)
    if not isinstance(frame.index, pd.RangeIndex) or any(frame.index.names):
        frame = frame.reset_index(drop=not any(frame.index.names))
    frame = frame.rename(columns=str)
    chosen = {**attrs.get("kinds", {}), **(kinds or {})}
    order = _order(list(frame.columns), [*first, *attrs.get("first", ())])
    frame = frame[order]
    found = {
        name: Kind.parse(chosen[name]) if name in chosen else _column_kind(name, frame[name])
        for name in order
    }
    times = any(kind.name == "datetime" for kind in found.values())
    notes = [text for text in (note, attrs.get("note", "")) if text]
    if times and "UTC" not in note:
        notes.append("Times are UTC.")
    return Table(
        frame,
        found,
        missing={**attrs.get("missing", {}), **(missing or {})},
        columns=columns,
        rows=rows,
        title=title,
        note=" ".join(notes),
        empty=empty or attrs.get("empty", ""),
        folded=folded,
    )


def annotate(
    frame: F,
    *,
    first: Sequence[str] = (),
    kinds: Mapping[str, str] | None = None,
    missing: Mapping[str, str] | None = None,
    empty: str = "",
) -> F:
    """Return ``frame`` noting, for :func:`table`, what its columns mean (a SectionError as is).

    Analyses say what their frames mean, :func:`table` decides how that looks: the columns
    that matter (``first``), kinds the name rules cannot tell (``kinds``), why a value may be
    missing (``missing``) and what an empty frame means (``empty``). The notes live in
    ``frame.attrs`` and are added to what is there.

    Examples
    --------
    >>> frame = annotate(pd.DataFrame({"a": [1.0], "OnDemand": [2.0]}), kinds={"OnDemand": "money"})
    >>> print(table(frame))
    a OnDemand
    1    $2.00
    """
    if isinstance(frame, pd.DataFrame):
        attrs = frame.attrs
        if first:
            attrs["first"] = list(first)
        for key, value in (("kinds", kinds), ("missing", missing)):
            if value:
                attrs[key] = {**attrs.get(key, {}), **value}
        if empty:
            attrs["empty"] = empty
    return frame


def _order(names: list[str], first: Sequence[str]) -> list[str]:
    leading = [n for n in first if n in names]
    leading += [n for n in names if n in _LEADING and n not in leading]
    return list(dict.fromkeys([*leading, *names]))


def _column_kind(name: str, values: pd.Series) -> Kind:
    kind = kind_of(name, values)
    if kind.name == "datetime":
        # a column of whole days reads as dates, whatever its type
        stamps = pd.to_datetime(values.dropna(), utc=True, errors="coerce").dropna()
        if len(stamps) and (stamps == stamps.dt.normalize()).all():
            return Kind("date")
    return kind


def _cell(value: Any, kind: Kind, why: str) -> str:
    if is_missing(value):
        return f"{MISSING} ({why})" if why else MISSING
    return kind.format(value)


def _class(value: str, numeric: bool) -> str:
    state = _STATES.get(value, "")
    # a token too long for a column (an ARN, a URL) may break anywhere; words break at spaces
    long = "long" if any(len(token) > _LONG_TOKEN for token in value.split()) else ""
    return " ".join(part for part in ("num" if numeric else "", state, long) if part)


def _fold(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"
