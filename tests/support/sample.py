"""The pinned sample's facts, for tests that check a part as the generator wrote it.

Each part of the sample is written on its own, so the session's pinned sample (``sample_dir``)
holds what ``write_cur``, ``write_logs``, ``write_metrics`` … write for its date and seed at scale
1: a test of a part reads it there instead of writing a second copy, once it has checked that the
sample is the one it expects.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from opsbook.sample import FACTS_FILE


def pinned_facts(sample_dir: Path, as_of: dt.date, seed: int, parts: set[str]) -> dict:
    """Return the sample's facts, asserting its date, seed, scale 1 and that it holds ``parts``."""
    facts = json.loads((sample_dir / FACTS_FILE).read_text())
    assert (facts["as_of"], facts["seed"], facts["scale"]) == (as_of.isoformat(), seed, 1)
    assert parts <= set(facts["parts"]), facts["parts"]
    return facts
