"""The published HTML reads well in a real browser: headless Chromium opens every page of a run.

No network: one Chromium (``support.browser``, the ``browser`` fixture) with background networking
off and a fresh profile opens each page in a tab of its own, from ``file://``.
For every page of the daily, weekly and monthly suites (on the pinned sample, at its morning):

- every plotly chart is drawn (plotly marks a drawn chart ``js-plotly-plot`` and adds its SVG),
  plotly.js is embedded once per page with charts and never in the notebook, and the page logs
  no console error;
- nothing is wider than the 1280 px viewport;
- no table cell is cut (ends in "…") or shows ``nan``, ``NaN``, ``<NA>``, ``NaT`` or a number in
  scientific notation;
- every chart has a unit on its value axes (:mod:`chart_rules`).

A full-page screenshot of each page is kept in ``test-artifacts/<suite>/`` (git-ignored) for a
person to look at.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from support.browser import Browser, Tab
from support.chart_rules import chart_problems
from support.reports import report_run

pytestmark = [pytest.mark.kernel, pytest.mark.browser]  # starts notebook kernels and opens Chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PINNED = "2026-11-15T06:00:00Z"  # the morning after the pinned sample's last day
PLOTLY_MIME = "application/vnd.plotly.v1+json"
# what a table cell must never show: a value pandas could not write, or one written for machines
# (a whole word of the cell, so an id such as 263c2ad7-fd58-46e7-... is no number)
UNREADABLE = re.compile(r"nan|NaN|NaT|<NA>|[+-]?\d+(\.\d+)?[eE][+-]?\d+")


def _unreadable(cell: str) -> list[str]:
    """Return the words of a cell that are missing values or numbers in scientific notation."""
    words = (word.strip(",;:()[]{}'\"") for word in cell.split())
    return [word for word in words if UNREADABLE.fullmatch(word)]


# The browser does not tell a console message's level, so the page is opened through a copy whose first script records console.error calls, uncaught errors and failed resource
# loads, and, once the page has settled, what sticks out past the viewport and how tall it is.
_RECORDER = """<script>(function () {
  var seen = [];
  function note(text) {
    seen.push(String(text));
    document.documentElement.setAttribute("data-console-errors", JSON.stringify(seen));
  }
  var original = console.error;
  console.error = function () { note(Array.from(arguments).join(" ")); original.apply(console, arguments); };
  window.addEventListener("error", function (e) { note(e.message || ("failed to load " + (e.target.src || e.target.href))); }, true);
  window.addEventListener("unhandledrejection", function (e) { note(e.reason); });
  window.addEventListener("load", function () {
    setTimeout(function () {
      var root = document.documentElement, width = root.clientWidth, wide = [];
      if (root.scrollWidth > width) { wide.push("the page is " + root.scrollWidth + " px wide"); }
      document.querySelectorAll("table, pre, .plotly-graph-div, img, p, li").forEach(function (el) {
        var right = el.getBoundingClientRect().right;
        if (right > width + 1) {
          wide.push(el.tagName.toLowerCase() + " to " + Math.round(right) + " px: " +
                    (el.textContent || "").trim().slice(0, 60));
        }
      });
      root.setAttribute("data-too-wide", JSON.stringify(wide));
      root.setAttribute("data-height", String(root.scrollHeight));
    }, 5000);
  });
})();</script>"""


def _render(browser: Browser, page: Path, workdir: Path) -> tuple[Tab, str, dict[str, object]]:
    """Open ``page`` in ``browser``: the tab, its DOM after scripts ran, and what the recorder saw
    (console errors, what is too wide, the page's height)."""
    text = page.read_text()
    head = re.search(r"<head[^>]*>", text)
    at = head.end() if head else 0
    copy = workdir / f"rendered-{page.name}"
    copy.write_text(text[:at] + _RECORDER + text[at:])
    tab = browser.open(copy)
    dom = tab.dom()
    seen = {}
    for name in ("console-errors", "too-wide", "height"):
        found = re.search(rf'data-{name}="([^"]*)"', dom)
        seen[name] = json.loads(html.unescape(found.group(1))) if found else None
    return tab, dom, seen


class _Cells(HTMLParser):
    """The text of every table cell (``td``, ``th``) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("td", "th"):
            self._open += 1
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._open:
            self._open -= 1

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def _cells(page: str) -> list[str]:
    parser = _Cells()
    parser.feed(page)
    return [cell.strip() for cell in parser.cells]


def _figures(page: str) -> list[dict]:
    found = re.findall(r'<script type="application/json" class="opsbook-figure"[^>]*>(.*?)</script>',
                       page, flags=re.S)  # fmt: skip
    return [json.loads(text.replace("<\\/", "</")) for text in found]


@pytest.fixture(scope="module", params=["daily", "weekly", "monthly"])
def published(request: pytest.FixtureRequest, sample_dir: Path) -> Path:
    """Each suite run on the pinned sample, on the morning after its last day (`opsbook report
    run`, shared with the command line's tests: ``support.reports``)."""
    result, out = report_run(request.param, "2026-11-15", sample_dir, PINNED)
    assert result.returncode == 0, result.stderr[-2000:]
    return out / request.param / "2026-11-15"


def test_the_harness_sees_console_errors_undrawn_charts_and_wide_pages(
    browser: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><head></head><body><div class="plotly-graph-div"></div>'
        '<table><tr><td style="white-space: nowrap">' + "wide " * 400 + "</td></tr></table>"
        '<script src="https://cdn.example/plotly.min.js"></script>'
        '<script>console.error("boom"); undefinedFunction();</script></body></html>'
    )
    tab, dom, seen = _render(browser, page, tmp_path)
    tab.close()
    errors = seen["console-errors"]
    assert "boom" in errors
    assert any("undefinedFunction" in e for e in errors)
    assert any("cdn.example" in e for e in errors), "a CDN fetch fails offline and is seen"
    assert "js-plotly-plot" not in dom
    assert seen["too-wide"] and seen["too-wide"][0].startswith("the page is")
    assert _unreadable("NaN") and _unreadable("2.092239e+05 GB") and _unreadable("(<NA>)")
    assert _unreadable("$1,234.50 Nancy 2e; 263c2ad7-fd58-46e7-810f-dd74268fed9b") == []


def test_every_page_reads_well_in_a_browser(
    published: Path, browser: Browser, tmp_path: Path
) -> None:
    suite = published.parent.name
    shots = ARTIFACTS / suite
    shots.mkdir(parents=True, exist_ok=True)
    summary = json.loads((published / "summary.json").read_text())
    pages = [published / n["html"] for n in summary["notebooks"]]
    assert pages, f"the {suite} suite produced no HTML"
    problems: list[str] = []
    for page in [*pages, published / "index.html"]:
        text = page.read_text()
        charts = text.count('class="plotly-graph-div')
        assert text.count('id="opsbook-plotly"') == (1 if charts else 0), page.name
        assert "cdn.plot.ly" not in text and "<script src=" not in text, page.name
        tab, dom, seen = _render(browser, page, tmp_path)
        drawn = len(re.findall(r'class="[^"]*js-plotly-plot', dom))
        assert drawn == charts, f"{page.name}: {drawn} of {charts} charts drawn"
        assert dom.count('class="main-svg"') >= charts
        assert not seen["console-errors"], f"{page.name}: console errors {seen['console-errors']}"
        problems += [f"{page.name}: {wide}" for wide in seen["too-wide"] or []]
        for cell in _cells(dom):
            if cell.endswith(("…", "...")):
                problems.append(f"{page.name}: a cut cell {cell[-60:]!r}")
            if _unreadable(cell):
                problems.append(f"{page.name}: an unreadable cell {cell[:80]!r}")
        problems += [f"{page.name}: {p}" for f in _figures(text) for p in chart_problems(f)]
        shot = shots / f"{page.stem}.png"
        height = min(int(seen["height"] or 2400) + 40, 16000)
        tab.screenshot(shot, height)
        tab.close()
        assert shot.stat().st_size > 10_000
    assert problems == []


def test_notebooks_keep_charts_as_json_and_never_plotly_js(published: Path) -> None:
    for path in sorted(published.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
        assert not any("plotly.js v" in json.dumps(o.get("data", {})) for o in outputs), path.name
        assert path.stat().st_size < 1_000_000, f"{path.name}: {path.stat().st_size:,} bytes"
        assert "records" in notebook.metadata["opsbook"], "records are kept in the metadata"
    for path in published.glob("*.html"):
        assert path.stat().st_size < 5_000_000, f"{path.name}: {path.stat().st_size:,} bytes"
        assert "application/vnd.opsbook.record+json" not in path.read_text()
