"""Where an account's spans are: X-Ray, or CloudWatch Logs' ``aws/spans`` (Transaction Search).

GetTraceSegmentDestination answers ``Destination`` (``XRay`` or ``CloudWatchLogs``) and
``Status`` (``PENDING`` or ``ACTIVE``). The traces reads and ``opsbook doctor`` ask it; a caller
it is denied to, or an endpoint that does not serve it (an emulator), reads X-Ray's APIs.

Examples
--------
>>> from opsbook.backends.aws import client
>>> from opsbook.settings import resolve
>>> trace_destination(client(resolve(backend="aws"), "xray"))  # doctest: +SKIP
{'source': 'aws/spans', 'reason': 'Transaction Search: segment destination CloudWatchLogs (ACTIVE)'}
"""

from __future__ import annotations

import weakref
from typing import Any

from botocore.exceptions import ClientError

from opsbook.backends import layout
from opsbook.backends.aws import aws_errors
from opsbook.errors import AccessDeniedError

__all__ = ["DESTINATION", "SPANS", "XRAY", "trace_destination"]

#: Where the traces are read from (``attrs["read_from"]["source"]``).
XRAY, SPANS = "xray", layout.SPANS_GROUP
#: The IAM action (and API) that says where the spans are.
DESTINATION = "xray:GetTraceSegmentDestination"
#: Error codes of an endpoint that does not know an operation.
_UNKNOWN_OPERATION = frozenset(
    {"UnknownOperationException", "UnknownOperation", "InvalidAction", "NotImplemented"}
)


#: Each client's answer, asked once: the process's clients live as long as their settings, and
#: an endpoint that does not serve the call would otherwise be retried on every read.
_ANSWERS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def trace_destination(xray: Any) -> dict[str, str]:
    """Return where the traces are read from: ``source`` (``aws/spans`` or ``xray``), ``reason``.

    ``xray`` is the backend's X-Ray client; its answer is kept for the client's life.

    ``aws/spans`` when GetTraceSegmentDestination answers ``CloudWatchLogs``; ``xray`` when it
    answers ``XRay``, is denied, or the endpoint does not serve it. Other failures (expired
    credentials, throttling, the network) raise as every call's do.
    """
    try:
        return _ANSWERS[xray]
    except (KeyError, TypeError):  # TypeError: a stand-in that cannot be weakly referenced
        pass
    answer = _ask(xray)
    try:
        _ANSWERS[xray] = answer
    except TypeError:
        pass
    return answer


def _ask(xray: Any) -> dict[str, str]:
    try:
        with aws_errors(DESTINATION):
            try:
                answer = xray.get_trace_segment_destination()
            except ClientError as error:
                if not _unknown_operation(error):
                    raise
                code = error.response.get("Error", {}).get("Code", "")
                return {"source": XRAY,
                        "reason": f"{DESTINATION} is not served by the endpoint ({code}): X-Ray's APIs"}  # fmt: skip
    except AccessDeniedError:
        return {"source": XRAY, "reason": f"{DESTINATION} is denied (grant it to read "
                f"Transaction Search spans in {SPANS}): X-Ray's APIs"}  # fmt: skip
    where, status = answer.get("Destination"), answer.get("Status")
    if where == "CloudWatchLogs":
        return {"source": SPANS, "reason": f"Transaction Search: segment destination CloudWatchLogs ({status})"}  # fmt: skip
    return {"source": XRAY, "reason": f"segment destination {where} ({status})"}


def _unknown_operation(error: ClientError) -> bool:
    """Whether the endpoint does not know the operation (an emulator answers an HTML page)."""
    found = error.response.get("Error", {})
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return (
        found.get("Code") in _UNKNOWN_OPERATION
        or status in (404, 501)
        or str(found.get("Message", "")).lstrip().startswith("<")
    )
