from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from opsbook.runner import redact_notebook, redact_text, run_notebook_once
from opsbook.settings import resolve

pytestmark = pytest.mark.kernel  # starts notebook kernels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("334455667788", "********7788", id="account"),
        pytest.param(
            "arn:aws:lambda:us-east-1:334455667788:function:orders-worker:34",
            "arn:aws:lambda:us-east-1:********7788:***",
            id="arn",
        ),
        pytest.param("arn:aws:s3:::northpeak-billing/cur", "arn:aws:s3:::***", id="no-account-arn"),
        pytest.param(
            "from 203.0.113.77 via 10.0.0.1", "from ***.***.***.*** via ***.***.***.***", id="ip"
        ),
        pytest.param(
            "1763128923000 ms, $1234.567890123", "1763128923000 ms, $1234.567890123", id="not-ids"
        ),
        pytest.param("order ord-88121234", "order ord-88121234", id="inside-a-word"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_notebook_masks_every_output_string() -> None:
    cell = new_code_cell("x")
    cell.outputs = [
        new_output("stream", name="stdout", text="account 334455667788\n"),
        new_output(
            "display_data",
            data={
                "text/html": "<td>arn:aws:ecs:us-east-1:334455667788:service/x</td>",
                "application/vnd.plotly.v1+json": {"data": [{"y": ["334455667788"]}]},
            },
        ),
    ]
    notebook = redact_notebook(new_notebook(cells=[cell]))
    text = json.dumps(notebook)
    assert "334455667788" not in text and text.count("********7788") == 3


def test_a_redacted_run_publishes_no_account_ids(sample_dir: Path, tmp_path: Path) -> None:
    # the anomalies report names the anomaly's account in its tables
    parameters = {"data_dir": str(sample_dir), "start": "2026-10-16", "end": "2026-11-15"}
    run = run_notebook_once("notebooks/cost/anomalies.ipynb", parameters, redact=True,
                            settings=resolve(output_dir=str(tmp_path)))  # fmt: skip
    folder = tmp_path / "runs" / "anomalies"
    (stamp,) = folder.iterdir()
    assert run.status == "ok"
    for name in ("anomalies.ipynb", "anomalies.html"):
        published = (stamp / name).read_text()
        assert "334455667788" not in published
    assert "********7788" in (stamp / "anomalies.html").read_text()
