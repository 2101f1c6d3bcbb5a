"""The published HTML renders for real: headless Chromium opens each report from a local file.

No network: Chromium runs with background networking off and a fresh profile, from ``file://``.
Every plotly chart must be drawn (plotly marks a drawn chart ``js-plotly-plot`` and adds its SVG),
plotly.js must be embedded once per page, and the page must log no console errors. Screenshots
are kept in ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from opsbook.runner import run_suite
from opsbook.settings import resolve

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=15000",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed: apt-get install chromium (`make test` does it)"
    return found


def _open(page: Path, *action: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )


# Chromium's stderr log does not give a console message's level, so the page is opened through
# a copy whose first script records console.error calls, uncaught errors and failed resource loads.
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
})();</script>"""


def _render(page: Path, workdir: Path) -> tuple[str, list[str]]:
    """Return the DOM after scripts ran, and the console errors the page produced."""
    text = page.read_text()
    head = re.search(r"<head[^>]*>", text)
    at = head.end() if head else 0
    copy = workdir / f"rendered-{page.name}"
    copy.write_text(text[:at] + _RECORDER + text[at:])
    result = _open(copy, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-console-errors="([^"]*)"', result.stdout)
    errors = json.loads(html.unescape(found.group(1))) if found else []
    return result.stdout, errors


@pytest.fixture(scope="module")
def daily_run(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    settings = resolve(output_dir=str(out))
    return run_suite("daily", settings=settings, jobs=2).folder


def test_the_harness_sees_console_errors_and_undrawn_charts(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        '<html><head></head><body><div class="plotly-graph-div"></div>'
        '<script src="https://cdn.example/plotly.min.js"></script>'
        '<script>console.error("boom"); undefinedFunction();</script></body></html>'
    )
    dom, errors = _render(page, tmp_path)
    assert "boom" in errors
    assert any("undefinedFunction" in e for e in errors)
    assert any("cdn.example" in e for e in errors), "a CDN fetch fails offline and is seen"
    assert "js-plotly-plot" not in dom


def test_every_report_of_the_daily_run_renders_offline(daily_run: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    summary = json.loads((daily_run / "summary.json").read_text())
    pages = [daily_run / n["html"] for n in summary["notebooks"]]
    assert pages, "the daily suite produced no HTML"
    for page in [*pages, daily_run / "index.html"]:
        text = page.read_text()
        charts = text.count('class="plotly-graph-div')
        assert len(re.findall(r"plotly\.js v\d", text)) == (1 if charts else 0), page.name
        dom, errors = _render(page, tmp_path)
        drawn = len(re.findall(r'class="[^"]*js-plotly-plot', dom))
        assert drawn == charts, f"{page.name}: {drawn} of {charts} charts drawn"
        assert dom.count('class="main-svg"') >= charts
        assert not errors, f"{page.name}: console errors {errors}"
        shot = ARTIFACTS / f"{page.stem}.png"
        _open(page, "--window-size=1280,2400", f"--screenshot={shot}")
        assert shot.stat().st_size > 10_000
