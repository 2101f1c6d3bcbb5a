"""Nothing left running: a remote query is stopped on any failure once it has started.

Athena and Logs Insights bill a query until it ends, whether or not anyone still waits for it.
:func:`stopped_on_failure` wraps the wait for one query: whatever ends the wait early — an
opsbook error (throttling past the client's retries, AccessDenied or a 5xx while polling, the
deadline, the cost cap), a network error, ``KeyboardInterrupt`` (a notebook's stop button) or
``SystemExit`` — the query is stopped first, and the error goes on with a note saying so, or saying
that the stop failed and where to stop the query by hand. The stop never hides the error.

Examples
--------
>>> stopped = []
>>> try:
...     with stopped_on_failure(lambda: stopped.append("q-1"), "Athena query q-1", "the Athena console"):
...         raise TimeoutError("polling timed out")
... except TimeoutError as error:
...     print(error, stopped)
polling timed out (Athena query q-1 was stopped) ['q-1']
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

__all__ = ["stopped_on_failure"]


@contextlib.contextmanager
def stopped_on_failure(stop: Callable[[], object], what: str, console: str) -> Iterator[None]:
    """Run the block; if anything escapes it, call ``stop`` and let the error go on, noted.

    Parameters
    ----------
    stop
        Stops the query (e.g. ``StopQueryExecution``); its own failure is reported in the note.
    what
        The query, as the note names it (``"Athena query <id>"``).
    console
        Where a query that could not be stopped can be stopped by hand.
    """
    try:
        yield
    except BaseException as error:
        try:
            stop()
        except Exception as failure:  # the stop's own failure must not hide the first error
            _note(error, f"{what} could not be stopped ({failure}): stop it in {console}")
        else:
            _note(error, f"{what} was stopped")
        raise


def _note(error: BaseException, note: str) -> None:
    """Add ``note`` to the error's message (what notebooks and the CLI show), in place."""
    if error.args and isinstance(error.args[0], str):
        error.args = (f"{error.args[0]} ({note})", *error.args[1:])
    else:
        error.args = (note, *error.args)
