"""Per-resource properties (id, zone, tags, lifetime, size) derived from a hash of its index.

Nothing is stored per resource: a resource's global index and a salt per property give the same
draw every time, so any chunk can rebuild the properties of the resources it holds.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from opsbook.sample.cur.compiled import CompiledCatalogue
from opsbook.sample.cur.ids import HEX, HEX_UPPER, fixed_width_strings, repeated, splitmix
from opsbook.sample.cur.schema import STRING

_TOKEN = re.compile(r"\{(name|uuid|hex\d+|HEX\d+)\}")
_UUID_SPANS = ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))


class Resources:
    """Derives resource properties from global resource indices (``res``) for one seed."""

    def __init__(self, cat: CompiledCatalogue, seed_key: int) -> None:
        self.cat = cat
        self.seed_key = seed_key
        self.templates = [self._template(kind) for kind in range(len(cat.kinds))]

    def hash(self, res: np.ndarray, salt: int) -> np.ndarray:
        """Return a uint64 hash of each resource for the property numbered ``salt``."""
        salted = np.uint64((self.seed_key + salt * 0xD1B54A32D192ED03) % 2**64)
        return splitmix(res.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ salted)

    def unit(self, res: np.ndarray, salt: int) -> np.ndarray:
        """Return a uniform draw in [0, 1) for each resource."""
        return (self.hash(res, salt) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def ids(self, kind: int, res: np.ndarray, local: np.ndarray) -> pa.Array:
        """Return the ``line_item_resource_id`` of resources of one kind.

        ``local`` numbers the resources within the kind: it picks their ``{name}``.
        """
        names = self.cat.kinds[kind].names or (self.cat.kinds[kind].key,)
        parts: list[Any] = []
        for i, piece in enumerate(self.templates[kind]):
            if i % 2 == 0:
                if piece:
                    parts.append(piece)
            elif piece == "name":
                base = pa.array(list(names), type=STRING).take(local % len(names))
                copies = pc.cast(pa.array(local // len(names) + 1), STRING)
                suffixed = pc.binary_join_element_wise(base, copies, "-")
                parts.append(pc.if_else(pa.array(local >= len(names)), suffixed, base))
            elif piece == "uuid":
                parts.append(self._uuids(res, 7))
            else:
                parts.append(self._hex(res, int(piece[3:]), 11, upper=piece[0] == "H"))
        if not any(isinstance(p, pa.Array) for p in parts):
            return repeated("".join(parts), len(res))
        return pc.binary_join_element_wise(*parts, "")

    def id_of(self, kind_key: str, local: int = 0) -> str:
        """Return the resource id of one resource (used for the README facts)."""
        kind = next(i for i, k in enumerate(self.cat.kinds) if k.key == kind_key)
        res = np.array([self.cat.res_off[kind] + local], dtype=np.int64)
        return self.ids(kind, res, np.array([local]))[0].as_py()

    def zones(self, kind: np.ndarray, res: np.ndarray) -> pa.Array:
        """Return the availability zone of each resource ('' for regional and global kinds)."""
        zone0 = self.cat.kind_zone0[kind]
        zone = np.where(zone0 > 0, zone0 + (self.hash(res, 8) % np.uint64(3)).astype(np.int64), 0)
        return self.cat.zones.take(zone)

    def tagsets(self, kind: np.ndarray, res: np.ndarray) -> np.ndarray:
        """Return the index into ``cat.tagsets`` of each resource's ``resource_tags``."""
        u_tag, u_which = self.unit(res, 9), self.unit(res, 10)
        untagged = self.cat.kind_untagged[kind]
        partial = self.cat.kind_partial[kind]
        variant = np.where(
            u_tag < untagged + partial,
            2 + np.minimum((u_which * 3).astype(np.int64), 2),
            np.where(u_which < 0.04, 1, 0),
        )
        tagset = self.cat.kind_tagsets[kind, variant]
        return np.where(u_tag < untagged, 0, tagset)

    def _template(self, kind: int) -> list[str]:
        k = self.cat.kinds[kind]
        account = self.cat.accounts[self.cat.account_index[k.account]]
        text = k.resource.replace("{region}", k.region).replace("{account}", account.id)
        return _TOKEN.split(text)  # literal, token, literal, token, ..., literal

    def _hex(self, res: np.ndarray, width: int, salt: int, upper: bool = False) -> pa.Array:
        alphabet = HEX_UPPER if upper else HEX
        matrix = np.empty((len(res), width), dtype=np.uint8)
        for start in range(0, width, 16):
            h = self.hash(res, salt + start)
            span = min(16, width - start)
            shifts = np.arange(span, dtype=np.uint64) * np.uint64(4)
            digits = (h[:, None] >> shifts) & np.uint64(15)
            matrix[:, start : start + span] = alphabet[digits.astype(np.intp)]
        return fixed_width_strings(matrix)

    def _uuids(self, res: np.ndarray, salt: int) -> pa.Array:
        hexes = self._hex(res, 32, salt)
        parts = [pc.utf8_slice_codeunits(hexes, a, b) for a, b in _UUID_SPANS]
        return pc.binary_join_element_wise(*parts, "-")
