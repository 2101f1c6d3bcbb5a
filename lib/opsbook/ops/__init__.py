"""Operations health: DORA-style delivery metrics and CloudWatch hygiene, from data opsbook reads.

:mod:`opsbook.ops.delivery` turns CloudTrail deployments and alarm history into deployment
frequency, change failure rate and time to restore; :mod:`opsbook.ops.hygiene` lists log groups
that never expire, silent alarms and CloudWatch's own spend; :mod:`opsbook.ops.charts` draws them.

Examples
--------
>>> from opsbook.ops import delivery, hygiene  # doctest: +SKIP
"""
