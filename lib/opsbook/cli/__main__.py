"""``python -m opsbook.cli``: the ``opsbook`` command without its console script."""

from __future__ import annotations

import sys

from opsbook.cli import main

if __name__ == "__main__":
    sys.exit(main())
