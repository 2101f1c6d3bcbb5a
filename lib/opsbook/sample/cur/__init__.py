"""CUR 2.0 sample data: what AWS Data Exports writes for the fictional Northpeak organisation.

The generator writes daily-granularity CUR 2.0 Parquet for three closed billing periods plus the
open month, laid out like a Data Exports delivery::

    root/cur/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.snappy.parquet
    root/cur/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json

Rows come from a catalogue of resource kinds (EC2 fleets, S3 buckets, Lambda functions, NAT
gateways, ...), each with usage components priced at public on-demand rates. Every resource gets
its properties (id, size, zone, tags, lifetime) from a hash of its index, so nothing is stored per
resource and ``scale`` can grow to tens of millions of rows while memory stays flat: the data is
generated and written in chunks of at most 250,000 rows.

Conventions chosen (and why):

* ``resource_tags`` keys are ``user_<snake_case key>`` (``user:CostCenter`` becomes
  ``user_cost_center``), the normalised form CUR 2.0 delivers and that CID, the CUR query
  library and public CUR 2.0 queries use (``resource_tags['user_cost_center']``). Rows without
  activated tags carry an empty map, never NULL.
* ``tags`` carries only account tags (``accountTag/Environment``, ``accountTag/CostCenter``),
  the part of that newer column CID reads; resource tags live in ``resource_tags``.
* ``cost_category`` holds ``BusinessUnit`` (Retail, Data, Platform) and ``Environment``.
* The 3 % EDP discount appears both as ``EdpDiscount`` line items (per day, account and service)
  and on each discounted ``Usage`` row in ``discount['edp_discount']``,
  ``discount_total_discount`` and the ``*_net_*`` columns; ``EdpDiscount`` rows have a net cost
  of 0 so that net and gross totals both reconcile.
* Product codes are the ones CUR uses: NAT gateways bill under ``AmazonEC2`` (product family
  ``NAT Gateway``), SQS is ``AWSQueueService`` and KMS is ``awskms``.
* ``RIFee`` rows of the open month cover the elapsed hours only, so utilisation mid-month is not
  shown as waste.
* Strings that do not apply are ``''`` and doubles are ``0.0``, as in CUR Parquet.

The package's modules, in the order the data flows:

* :mod:`~opsbook.sample.cur.schema`: the CUR 2.0 columns and their types;
* :mod:`~opsbook.sample.cur.usage` and :mod:`~opsbook.sample.cur.catalogue`: usage components
  and the resource kinds that use them;
* :mod:`~opsbook.sample.cur.periods` and :mod:`~opsbook.sample.cur.commitments`: the billing
  periods, the reservations and the Savings Plan;
* :mod:`~opsbook.sample.cur.compiled`, :mod:`~opsbook.sample.cur.variants` and
  :mod:`~opsbook.sample.cur.resources`: the catalogue as arrays, its pricing variants and the
  per-resource properties derived from hashes (:mod:`~opsbook.sample.cur.ids`);
* :mod:`~opsbook.sample.cur.rows` and :mod:`~opsbook.sample.cur.monthly`: the daily and the
  monthly rows;
* :mod:`~opsbook.sample.cur.writer` and :mod:`~opsbook.sample.cur.generator`: the files and
  manifests, and the driver, :func:`write_cur`.

Examples
--------
>>> import datetime as dt, tempfile
>>> from pathlib import Path
>>> from opsbook.sample.org import timeline
>>> with tempfile.TemporaryDirectory() as tmp:
...     facts = write_cur(Path(tmp), timeline(dt.date(2026, 11, 15)), scale=0.05)
>>> facts["billing_periods"]
['2026-08', '2026-09', '2026-10', '2026-11']
"""

from __future__ import annotations

from opsbook.sample.cur.generator import ROWS_PER_FILE, write_cur
from opsbook.sample.cur.schema import CUR2_COLUMNS, CUR2_SCHEMA

__all__ = ["CUR2_COLUMNS", "CUR2_SCHEMA", "ROWS_PER_FILE", "write_cur"]
