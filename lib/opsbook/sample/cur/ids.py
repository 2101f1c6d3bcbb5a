"""Deterministic ids and numbers derived from hashes, and fast fixed-width string arrays."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa

from opsbook.sample.cur.schema import STRING

HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
HEX_UPPER = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)
_SKU_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def digest(*parts: object) -> bytes:
    """Return the SHA-256 of the parts joined with ``|``."""
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def hashed_uuid(*parts: object) -> str:
    """Return a UUID-shaped id derived from ``parts``."""
    h = digest(*parts).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def hashed_sku(*parts: object) -> str:
    """Return a 16-character product SKU derived from ``parts``."""
    return "".join(_SKU_ALPHABET[b % len(_SKU_ALPHABET)] for b in digest("sku", *parts)[:16])


def hashed_number(digits: int, *parts: object) -> str:
    """Return a ``digits``-digit number (no leading zero) derived from ``parts``.

    Examples
    --------
    >>> len(hashed_number(10, "invoice", 7))
    10
    """
    value = int.from_bytes(digest(*parts)[:8], "big") % 10**digits
    return str(10 ** (digits - 1) + value % (9 * 10 ** (digits - 1)))


def splitmix(x: np.ndarray) -> np.ndarray:
    """Splitmix64 finaliser: a fast, well-spread hash of uint64 values."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def fixed_width_strings(matrix: np.ndarray) -> pa.StringArray:
    """Turn an (n, width) uint8 matrix of ASCII codes into a string array without Python loops."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def repeated(value: str, n: int) -> pa.Array:
    """Return a string array of ``n`` times ``value``."""
    return pa.array([value], type=STRING).take(np.zeros(n, dtype=np.int32))


def line_item_ids(n: int, rng: np.random.Generator) -> pa.Array:
    """Return ``n`` random 52-character base32 ``identity_line_item_id`` values."""
    codes = rng.integers(0, 32, size=(n, 52), dtype=np.uint8)
    return fixed_width_strings(_BASE32[codes])
