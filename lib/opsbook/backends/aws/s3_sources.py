"""The S3 log archives an account has, found by listing its buckets folder by folder.

:func:`list_sources` walks each bucket with ``ListObjectsV2`` and ``Delimiter="/"`` (read
only; ``s3:ListAllMyBuckets`` and ``s3:ListBucket``): a folder whose subfolders are years
(``2026/``, or Hive's ``year=2026/``) is a source, as the local backend names them (the prefix
ends where the date folders begin); objects directly in a folder (CloudFront, S3 server access
logs) make that folder a source. A source's format and the times of its first and last objects
come from the keys at the two ends of its date folders, so no archive is listed whole: the
``objects`` count is unknown (``<NA>``) for dated archives, and for an undated folder longer
than one page of keys. The walk stops :data:`MAX_DEPTH` folders deep and after
:data:`MAX_CALLS` listings per bucket; a bucket that cannot be listed is named in a note
(``attrs["notes"]``), not an error, so one locked bucket does not hide the others.

Examples
--------
>>> _is_date_folder("AWSLogs/1/vpcflowlogs/us-east-1/year=2026/"), _is_date_folder("logs/")
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
from botocore.exceptions import ClientError

from opsbook.backends import s3formats
from opsbook.backends.aws import aws_errors
from opsbook.backends.aws import client as aws_client
from opsbook.backends.frames import s3_sources_frame
from opsbook.settings import Settings

__all__ = ["MAX_CALLS", "MAX_DEPTH", "list_sources"]

#: Folders below the bucket the walk goes into (AWSLogs/<account>/<service>/<region>/<acl>/...).
MAX_DEPTH = 8
#: ListObjectsV2 calls per bucket, at most.
MAX_CALLS = 200


def list_sources(settings: Settings) -> pd.DataFrame:
    """Return the S3 log sources of the account's buckets (one row per prefix and format)."""
    s3 = aws_client(settings, "s3")
    with aws_errors("s3:ListAllMyBuckets"):
        buckets = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))
    rows, notes = [], []
    for bucket in buckets:
        walk = _Walk(s3, bucket)
        try:
            rows += list(walk.sources(""))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            notes.append(f"bucket {bucket} not listed ({code}): its log archives are not shown")
        if walk.calls >= MAX_CALLS:
            notes.append(f"bucket {bucket}: listing stopped after {MAX_CALLS} folders")
    rows.sort(key=lambda r: (r["source"], r["format"]))
    frame = s3_sources_frame(rows)
    if notes:
        frame.attrs["notes"] = notes
    return frame


class _Walk:
    """One bucket's walk: the listing calls made so far."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket, self.calls = s3, bucket, 0

    def list(self, prefix: str, token: str | None = None) -> dict:
        self.calls += 1
        extra = {"ContinuationToken": token} if token else {}
        return self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, Delimiter="/", **extra)

    def sources(self, prefix: str, depth: int = 0) -> Iterator[dict]:
        if self.calls >= MAX_CALLS:
            return
        page = self.list(prefix)
        folders = [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        dated = [f for f in folders if _is_date_folder(f)]
        if dated:
            yield from self.dated(prefix, dated[0], dated[-1])
        keys = [o["Key"] for o in page.get("Contents", [])]
        yield from self.undated(prefix, keys, complete=not page.get("IsTruncated"))
        if depth < MAX_DEPTH:
            for folder in folders:
                if folder not in dated:
                    yield from self.sources(folder, depth + 1)

    def dated(self, prefix: str, first: str, last: str) -> Iterator[dict]:
        """Rows of a dated archive: formats of its first day's keys, times from both ends."""
        opening, closing = self.edge(first, last=False), self.edge(last, last=True)
        found: dict[str, dict] = {}
        for key in opening + closing:
            kind = s3formats.recognise(key)
            if kind is None:
                continue
            stamp = s3formats.stamp_of(kind, key)
            row = found.setdefault(kind.name, _row(self.bucket, prefix, kind.name, None, stamp))
            row["first_object"] = min(row["first_object"], stamp)
            row["last_object"] = max(row["last_object"], stamp)
        yield from found.values()

    def edge(self, folder: str, *, last: bool) -> list[str]:
        """Return the keys of the first (or last) leaf folder below ``folder``."""
        while self.calls < MAX_CALLS:
            keys, folders, token = [], [], None
            while True:  # a leaf folder (a day of ALB logs: ~300 keys a node) is read whole
                page = self.list(folder, token)
                keys += [o["Key"] for o in page.get("Contents", [])]
                folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
                token = page.get("NextContinuationToken")
                if not token or (folders and not last) or self.calls >= MAX_CALLS:
                    break
            if not folders:
                return keys
            folder = folders[-1] if last else folders[0]
        return []

    def undated(self, prefix: str, keys: list[str], *, complete: bool) -> Iterator[dict]:
        """Rows of the objects directly in a folder (counted when the page held them all)."""
        found: dict[str, dict] = {}
        for key in keys:
            kind = s3formats.recognise(key)
            if kind is None:
                continue
            stamp = s3formats.stamp_of(kind, key)
            row = found.setdefault(kind.name, _row(self.bucket, prefix, kind.name, 0, stamp))
            row["first_object"] = min(row["first_object"], stamp)
            row["last_object"] = max(row["last_object"], stamp)
            row["objects"] += 1
        for row in found.values():
            if not complete:
                row["objects"] = None
            yield row


def _row(bucket: str, prefix: str, name: str, objects: int | None, stamp: object) -> dict:
    return {"source": f"{s3formats.S3_SCHEME}{bucket}/{prefix}", "format": name,
            "objects": objects, "first_object": stamp, "last_object": stamp}  # fmt: skip


def _is_date_folder(folder: str) -> bool:
    """Whether the last folder of ``folder`` is a year (``2026/`` or ``year=2026/``)."""
    name = folder.rstrip("/").rsplit("/", 1)[-1]
    name = name.partition("=")[2] if "=" in name else name
    return len(name) == 4 and name.isdigit()
