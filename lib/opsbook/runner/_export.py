"""Export an executed notebook as the page people read: no code, no records, charts drawn offline.

A notebook keeps its charts as plotly JSON (``application/vnd.plotly.v1+json``, what JupyterLab
renders) and never plotly.js itself, so a saved notebook stays small. The exported page:

- leaves out input cells, the cells the runner added and every ``record(...)`` output (those
  stay in the notebook and ``summary.json``);
- turns each chart into a ``<div>`` and its JSON, and adds plotly.js **once**, gzip-compressed,
  written in base 85 (an alphabet without a character HTML or a JavaScript string would read
  specially) and unpacked by the browser (``DecompressionStream``): a page with charts opens
  offline from ``file://`` at under 40% of the size of plotly.js itself;
- uses the ``opsbook`` nbconvert template (``templates/opsbook``): JupyterLab's page structure,
  a small stylesheet, nothing loaded from a CDN.

Examples
--------
>>> import nbformat
>>> page = export_html(nbformat.v4.new_notebook())
>>> "<html" in page and "opsbook-plotly" not in page
True
"""

from __future__ import annotations

import base64
import copy
import functools
import gzip
import json
from pathlib import Path
from typing import Any

import nbformat

from opsbook.runner._record import MIME_TYPE

__all__ = ["HIDDEN_TAG", "PLOTLY_MIME", "export_html", "figure_html"]

_B85 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
HIDDEN_TAG = "opsbook-hidden"  # cells the runner adds; left out of the HTML
PLOTLY_MIME = "application/vnd.plotly.v1+json"
_CONFIG = {"responsive": True, "displaylogo": False}
#: Base 85 digits: printable ASCII without " & ' < > \\ (nothing an HTML page or a JS string reads).
_DIGITS = bytes(c for c in range(33, 127) if chr(c) not in "\"&'<>\\")[:85]
_LOADER = """<script id="opsbook-plotly">
/* plotly.js %(version)s, gzip-compressed in base 85: unpacked here, then every chart drawn. */
(function () {
  var packed = "%(packed)s", digits = "%(digits)s";
  function bytes() {
    var value = new Uint8Array(128), pad = (5 - packed.length %% 5) %% 5, text = packed;
    for (var d = 0; d < 85; d++) { value[digits.charCodeAt(d)] = d; }
    for (var p = 0; p < pad; p++) { text += digits[84]; }
    var out = new Uint8Array(text.length / 5 * 4), o = 0;
    for (var i = 0; i < text.length; i += 5) {
      var n = 0;
      for (var j = 0; j < 5; j++) { n = n * 85 + value[text.charCodeAt(i + j)]; }
      out[o++] = n >>> 24; out[o++] = (n >>> 16) & 255; out[o++] = (n >>> 8) & 255; out[o++] = n & 255;
    }
    return out.subarray(0, out.length - pad);
  }
  function unpack() {
    if (!window.DecompressionStream) {
      return Promise.reject(new Error("this browser cannot unpack plotly.js to draw the charts"));
    }
    var stream = new Blob([bytes()]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(function (code) {
      var script = document.createElement("script");
      script.textContent = code;
      document.head.appendChild(script);
      return window.Plotly;
    });
  }
  unpack().then(function (Plotly) {
    document.querySelectorAll("script.opsbook-figure").forEach(function (node) {
      var figure = JSON.parse(node.textContent);
      Plotly.newPlot(document.getElementById(node.dataset.target),
                     figure.data, figure.layout, figure.config);
    });
  }).catch(function (error) {
    document.querySelectorAll(".opsbook-chart").forEach(function (node) {
      node.textContent = "Chart not drawn: " + error.message;
    });
    console.error(error);
  });
})();
</script>"""


def export_html(notebook: nbformat.NotebookNode) -> str:
    """Return a notebook as a standalone page: outputs only, charts drawn offline.

    The notebook itself is left unchanged.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    shown = _for_people(notebook)
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {HIDDEN_TAG}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config,
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        template_name="opsbook",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(shown)
    if 'class="opsbook-figure"' in body:
        at = body.rindex("</body>")
        body = body[:at] + _loader() + "\n" + body[at:]
    return body


def _for_people(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy without record outputs, each chart's JSON turned into a page fragment."""
    shown = copy.deepcopy(notebook)
    number = 0
    for cell in shown.cells:
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if MIME_TYPE in data:
                continue
            if PLOTLY_MIME in data:
                number += 1
                output["data"] = {
                    "text/html": figure_html(data[PLOTLY_MIME], f"opsbook-chart-{number}")
                }
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return shown


def figure_html(figure: dict[str, Any], target: str) -> str:
    """Return the ``<div>`` a chart is drawn in and its JSON, for the page's loader to draw.

    Examples
    --------
    >>> figure_html({"data": [], "layout": {"height": 300}}, "c1")[:79]
    '<div id="c1" class="plotly-graph-div opsbook-chart" style="height:300px; width:'
    """
    layout = figure.get("layout", {})
    height = int(layout.get("height") or 450)
    payload = {"data": figure.get("data", []), "layout": layout,
               "config": {**_CONFIG, **figure.get("config", {})}}  # fmt: skip
    # "</" would end the script element early; "<\/" is the same JSON string
    text = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div id="{target}" class="plotly-graph-div opsbook-chart" '
        f'style="height:{height}px; width:100%;"></div>'
        f'<script type="application/json" class="opsbook-figure" data-target="{target}">'
        f"{text}</script>"
    )


@functools.cache
def _loader() -> str:
    """Return the page's plotly.js loader (compressed once per process)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    packed = gzip.compress(get_plotlyjs().encode(), compresslevel=9, mtime=0)
    text = base64.b85encode(packed).translate(bytes.maketrans(_B85, _DIGITS)).decode()
    return _LOADER % {"version": get_plotlyjs_version(), "packed": text, "digits": _DIGITS.decode()}
