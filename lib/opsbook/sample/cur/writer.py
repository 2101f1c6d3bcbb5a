"""Writing a billing period like Data Exports does: Parquet files and the period's manifest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from opsbook.backends import layout
from opsbook.sample import org
from opsbook.sample.cur.catalogue import BUCKET
from opsbook.sample.cur.ids import hashed_uuid
from opsbook.sample.cur.periods import Period
from opsbook.sample.cur.schema import CUR2_COLUMNS, CUR2_SCHEMA, athena_type, iso_time

_S3_PREFIX = "cur"


class PeriodWriter:
    """Writes one billing period's files, rolling to a new file every ``max_rows`` rows."""

    def __init__(self, folder: Path, max_rows: int) -> None:
        self.folder = folder
        self.max_rows = max_rows
        self.paths: list[Path] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._in_file = 0
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(layout.cur_object(org.CUR_EXPORT, "*")):
            stale.unlink()  # a re-delivery overwrites the period, like OVERWRITE_REPORT

    def write(self, table: pa.Table) -> None:
        """Append ``table``, starting new files as they fill up."""
        while table.num_rows:
            if self._writer is None or self._in_file >= self.max_rows:
                self._roll()
            assert self._writer is not None
            part = table.slice(0, self.max_rows - self._in_file)
            self._writer.write_table(part)
            self._in_file += part.num_rows
            self.rows += part.num_rows
            table = table.slice(part.num_rows)

    def close(self) -> None:
        """Close the current file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _roll(self) -> None:
        self.close()
        path = self.folder / layout.cur_object(org.CUR_EXPORT, f"{len(self.paths) + 1:05d}")
        self._writer = pq.ParquetWriter(path, CUR2_SCHEMA, compression="snappy")
        self.paths.append(path)
        self._in_file = 0


def write_manifest(
    export: Path, period: Period, writer: PeriodWriter, *, seed: int, as_of: dt.date
) -> None:
    """Write ``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` for a written period."""
    folder = export / layout.cur_metadata(period.label)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"s3://{BUCKET}/{_S3_PREFIX}/{org.CUR_EXPORT}/{layout.cur_data(period.label)}"
    manifest = {
        "executionId": hashed_uuid("execution", seed, period.label, as_of),
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{org.PAYER_ACCOUNT_ID}:export/"
        f"{org.CUR_EXPORT}-{hashed_uuid('export', org.CUR_EXPORT)}",
        "exportName": org.CUR_EXPORT,
        "tableName": "COST_AND_USAGE_REPORT",
        "billingPeriod": {"start": iso_time(period.start), "end": iso_time(period.end)},
        "bucket": BUCKET,
        "reportFormat": "PARQUET",
        "compression": "PARQUET",
        "timeGranularity": "DAILY",
        "columns": [{"name": name, "type": athena_type(typ)} for name, typ in CUR2_COLUMNS.items()],
        "dataFiles": [f"{prefix}/{path.name}" for path in writer.paths],
        "totalRowCount": writer.rows,
    }
    path = folder / layout.cur_manifest(org.CUR_EXPORT)
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
