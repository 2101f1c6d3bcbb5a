from __future__ import annotations

import json
import sys

from jupyter_client.kernelspec import KernelSpecManager
from opsbook.runner import KERNEL_NAME, ensure_kernel


def test_the_kernel_runs_this_interpreter() -> None:
    assert ensure_kernel() == KERNEL_NAME
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert spec.argv[0] == sys.executable
    assert spec.display_name == "Python (opsbook)"
    assert json.loads(json.dumps(spec.to_dict()))["language"] == "python"
