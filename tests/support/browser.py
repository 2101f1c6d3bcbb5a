"""One headless Chromium for every page check of a test process, driven over DevTools.

Starting Chromium costs more than rendering a report page, so the page checks share one browser
(the ``browser`` fixture of :mod:`support.session`): each page opens in a fresh tab, runs on virtual time
(timers fire at once, as ``--virtual-time-budget`` does; then the page stands still), and gives
its DOM after the scripts ran and, from the same tab, a screenshot. No network: background networking is off, the profile is
fresh, pages come from ``file://``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

#: The viewport's width (px): nothing on a page may be wider.
WIDTH = 1280
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
    "about:blank",
]
_DOM = """(() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll("script").forEach((script) => { script.textContent = ""; });
  return root.outerHTML;
})()"""
#: How long (virtual ms) a page may run its timers before its DOM is read.
BUDGET_MS = 15_000


def chromium() -> str:
    """The headless Chromium to run (`make test` installs Debian's)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "headless Chromium is needed: apt-get install chromium (`make test` does it)"
    return found


class Browser:
    """A headless Chromium and a DevTools connection to it; :meth:`close` ends both."""

    def __init__(self, timeout: float = 180) -> None:
        import websocket

        self._profile = tempfile.TemporaryDirectory()
        self._process = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={self._profile.name}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._process.stderr is not None
        address = ""
        for line in self._process.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                address = found.group(1)
                break
        assert address, "Chromium did not open its DevTools port"
        # what Chromium logs later is read and dropped: a full pipe would stall it
        threading.Thread(target=self._process.stderr.read, daemon=True).start()
        self._socket = websocket.create_connection(address, timeout=timeout)
        self._ids = 0
        self._events: list[dict[str, Any]] = []  # events that came while awaiting a reply

    def close(self) -> None:
        """Close the connection, end Chromium and remove its profile."""
        self._socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._profile.cleanup()

    def _send(self, method: str, params: dict | None = None, session: str = "") -> dict[str, Any]:
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = json.loads(self._socket.recv())
            if reply.get("id") == self._ids:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait(self, event: str, session: str) -> None:
        def wanted(message: dict[str, Any]) -> bool:
            return message.get("method") == event and message.get("sessionId") == session

        seen, self._events = self._events, []
        if not any(wanted(message) for message in seen):
            while not wanted(json.loads(self._socket.recv())):
                pass

    def open(self, page: Path, height: int = 2400) -> Tab:
        """Open ``page`` in a new tab ``height`` px tall; return once it has loaded and its
        timers have had :data:`BUDGET_MS` of virtual time."""
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        tab = Tab(self, target, session)
        tab.resize(height)
        self._send("Page.enable", {}, session)
        self._send("Page.navigate", {"url": page.as_uri()}, session)
        self._wait("Page.loadEventFired", session)
        # then the page's timers run on virtual time: a 5 s timeout fires at once
        budget = {"policy": "pauseIfNetworkFetchesPending", "budget": BUDGET_MS}
        self._send("Emulation.setVirtualTimePolicy", budget, session)
        self._wait("Emulation.virtualTimeBudgetExpired", session)
        return tab


class Tab:
    """A page open in :class:`Browser`."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self._browser, self._target, self._session = browser, target, session

    def resize(self, height: int) -> None:
        """Make the viewport :data:`WIDTH` by ``height`` px."""
        metrics = {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self._browser._send("Emulation.setDeviceMetricsOverride", metrics, self._session)

    def dom(self) -> str:
        """The page's DOM as it stands, less the code of its scripts (``chromium --dump-dom``
        prints it whole): a report page embeds plotly.js, which would make it 30 times longer."""
        found = self._browser._send(
            "Runtime.evaluate", {"expression": _DOM, "returnByValue": True}, self._session
        )
        assert "value" in found["result"], found
        return found["result"]["value"]

    def screenshot(self, path: Path, height: int) -> None:
        """Write a PNG of the page's top ``height`` px to ``path``."""
        self.resize(height)
        shot = self._browser._send("Page.captureScreenshot", {"format": "png"}, self._session)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        """Close the tab."""
        self._browser._send("Target.closeTarget", {"targetId": self._target})
