"""CloudWatch Logs on the local backend: log events read from export and Firehose files.

Examples
--------
>>> from opsbook.settings import resolve
>>> describe_log_groups(resolve()).columns[0]  # doctest: +SKIP
'log_group'
"""

from __future__ import annotations

import pandas as pd

from opsbook.backends.frames import log_groups_frame
from opsbook.backends.local import HINT, connect, data_dir, logfiles
from opsbook.errors import NoDataError
from opsbook.settings import Settings

__all__ = ["describe_log_groups"]


def describe_log_groups(settings: Settings) -> pd.DataFrame:
    """Return each log group found in the data folder with its format, streams, events and span."""
    events = logfiles.read_events(data_dir(settings))
    if events.num_rows == 0:
        raise NoDataError(f"no CloudWatch Logs files under {data_dir(settings) / 'logs'}: {HINT}")
    con = connect()
    con.register("events", events)
    frame = con.sql(
        """
        SELECT log_group, any_value(format) AS format, count(DISTINCT log_stream) AS streams,
               count(*) AS events, sum(strlen(message)) AS stored_bytes,
               min(timestamp) AS first_event, max(timestamp) AS last_event
        FROM events GROUP BY log_group ORDER BY log_group
        """
    ).df()
    return log_groups_frame(frame)
