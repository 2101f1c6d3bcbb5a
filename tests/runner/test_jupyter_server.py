"""The explore notebooks run through a real Jupyter server, the path JupyterLab takes.

A ``jupyter server`` on 127.0.0.1 (random port, token auth) starts an ``opsbook`` kernel through
its REST API (``/api/sessions``); each code cell goes over the kernel websocket
(``/api/kernels/<id>/channels``) as an ``execute_request``, and its ``execute_reply`` must be ok.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import websocket
from opsbook.runner import ensure_kernel

pytestmark = pytest.mark.kernel  # starts notebook kernels

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks" / "explore").glob("*.ipynb"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Iterator[Server]:
    ensure_kernel()
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("jupyter")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home),
        # The notebooks derive months and windows from the data, so any sample will do.
        "OPSBOOK_DATA_DIR": str(sample_dir),
        "OPSBOOK_BACKEND": "local",
    }
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--ip=127.0.0.1",
            f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={ROOT}",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    running = Server(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 120  # a busy machine starts it slowly
        while True:
            try:
                running.call("GET", "/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    # a server still starting is stopped first: its stderr then ends, and the
                    # error shows it (reading the pipe of a running server never returned)
                    process.terminate()
                    _, err = process.communicate(timeout=30)
                    raise RuntimeError(err.decode()[-2000:]) from None
                time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _execute(channel: websocket.WebSocket, code: str) -> tuple[dict, list[dict]]:
    """Send one execute_request; return its execute_reply and the errors it published."""
    msg_id = uuid.uuid4().hex
    channel.send(
        json.dumps(
            {
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }
        )
    )  # fmt: skip
    errors: list[dict] = []
    reply, idle = None, False
    # The reply (shell) and the outputs (iopub) are separate channels with no order between
    # them: done when the reply has come and iopub says the kernel went idle after this request.
    while reply is None or not idle:
        message = json.loads(channel.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "error":
            errors.append(message["content"])
        if message["channel"] == "shell" and message["msg_type"] == "execute_reply":
            reply = message["content"]
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            idle = True
    return reply, errors


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_explore_notebook_runs_in_a_server_kernel(server: Server, notebook: Path) -> None:
    relative = notebook.relative_to(ROOT).as_posix()
    session = server.call(
        "POST", "/api/sessions",
        {"path": relative, "type": "notebook", "name": notebook.name, "kernel": {"name": "opsbook"}},
    )  # fmt: skip
    kernel = session["kernel"]["id"]
    assert server.call("GET", f"/api/kernels/{kernel}")["name"] == "opsbook"
    channel = websocket.create_connection(
        f"{server.url.replace('http', 'ws', 1)}/api/kernels/{kernel}/channels"
        f"?session_id={uuid.uuid4().hex}",
        header=[f"Authorization: token {server.token}"],
        timeout=120,
    )
    try:
        cells = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
        assert len(cells) >= 6
        for number, cell in enumerate(cells, 1):
            reply, errors = _execute(channel, cell.source)
            assert reply["status"] == "ok", f"{relative} code cell {number}: {reply} {errors}"
            assert not errors, f"{relative} code cell {number}: {errors}"
        # A failing magic answers with an error reply (the cell fails; no traceback text).
        reply, errors = _execute(channel, "%%athena\nSELECT count(*) AS n FROM cur")
        assert reply["status"] == "error" and "billing_period" in reply["evalue"]
        assert errors and not any("Traceback" in line for line in errors[0]["traceback"])
    finally:
        channel.close()
        server.call("DELETE", f"/api/sessions/{session['id']}")
