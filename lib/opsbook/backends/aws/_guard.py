"""The read-only guard: while it is on, no AWS call from this process may change the account.

Runbooks switch it on first (:func:`enable_read_only`); it then judges every call any botocore
client of the process makes, before the request is built or signed, and refuses what is not a
read with :class:`~opsbook.errors.MutatingCallError`, naming the service, the operation and what
to do instead.

How it reaches every call
-------------------------
botocore copies a session's event handlers into each client when the client is made, so a
``before-call`` handler registered on one session misses clients made earlier, clients of other
sessions (``boto3.Session().client``, ``botocore.session.get_session()``, awswrangler given its own
session) and sessions made later. The guard therefore sits one level lower, on the one method
every botocore client call passes through, ``botocore.client.BaseClient._make_api_call``
(generated operation methods, paginators and waiters all call it), wrapped once per process
(:func:`install`). Pre-signed URLs and POSTs (``generate_presigned_url``, RDS/DSQL auth tokens)
never pass there; they are judged where botocore signs them (``RequestSigner.sign``) and only an
S3 ``GetObject``/``HeadObject`` URL is let through.

What is a read
--------------
An operation is let through when it is one of:

- named as a read: ``Describe*``, ``Get*``, ``List*``, ``Lookup*``, ``Filter*``, ``BatchGet*``,
  ``Search*``, ``Head*`` (:data:`READ_PREFIXES`) — except those that hand out credentials or
  secrets, which are refused (:func:`mints_credentials`): a ``Get*``/``BatchGet*`` whose name
  mentions credentials, a token, a password, a secret value or access details
  (``sts:GetFederationToken``, ``sts:GetSessionToken``, ``sso:GetRoleCredentials``,
  ``ecr:GetAuthorizationToken``, ``secretsmanager:GetSecretValue``, ...) and the names in
  :data:`DENIED` (``cognito-identity:GetId`` creates an identity). ``iam:GetCredentialReport``,
  ``iam:GetAccountPasswordPolicy`` and ``iam:GetLoginProfile`` only describe credentials and stay
  allowed;
- a query whose arguments are checked (:data:`CHECKED`): ``athena:StartQueryExecution`` when its
  SQL is one statement that only reads (:func:`opsbook.queries.analyse.statement_problem`: SELECT,
  WITH, SHOW, DESCRIBE, EXPLAIN; never CTAS, INSERT, DROP, UNLOAD, MSCK, ...),
  ``logs:StartQuery`` (Logs Insights only reads), ``athena:StopQueryExecution`` and
  ``logs:StopQuery`` for a query this process started (others' queries are theirs to stop), and
  ``redshift:GetClusterCredentials`` without ``AutoCreate`` (which would create a database user).

Everything else is refused: ``Create*``, ``Put*``, ``Update*``, ``Delete*``, ``Start*`` (but the
two queries), ``Invoke``, ``AssumeRole``, ``Publish``, ...

What it cannot cover
--------------------
Only botocore clients in this process: not the AWS CLI or other programs a notebook starts, raw
HTTP requests signed by hand (``botocore.auth.SigV4Auth``), async clients that replace
``_make_api_call`` (aiobotocore, s3fs), nor code that unwraps the guard on purpose. Reads still
cost what they cost (Athena bills the scan; the cost cap and timeouts bound it). The boundary AWS
enforces is IAM: run runbooks under a read-only role (e.g. the ``ReadOnlyAccess`` or
``ViewOnlyAccess`` managed policies) and treat this guard as the second line.

Examples
--------
>>> is_read_only("cloudwatch:DescribeAlarms"), is_read_only("ecs:UpdateService")
(True, False)
>>> is_read_only("athena:StartQueryExecution", {"QueryString": "SELECT 1"})
True
>>> print(refusal("athena", "StartQueryExecution", {"QueryString": "DROP TABLE cur2"}))
its SQL cannot be shown to only read: DROP statements are not reads. Run only SELECT, WITH, SHOW, DESCRIBE or EXPLAIN from a read-only runbook; make changes outside it, through your normal change process
>>> is_read_only("sts:GetFederationToken"), is_read_only("sts:GetCallerIdentity")
(False, True)
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from botocore.client import BaseClient
from botocore.signers import RequestSigner

from opsbook.errors import MutatingCallError

__all__ = [
    "CHECKED",
    "DENIED",
    "READ_PREFIXES",
    "disable_read_only",
    "enable_read_only",
    "install",
    "is_read_only",
    "mints_credentials",
    "read_only",
    "read_only_enabled",
    "refusal",
]

READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Filter", "BatchGet", "Search", "Head")
#: Read-named operations refused beyond :func:`mints_credentials`: they create or mint.
DENIED = frozenset({("cognito-identity", "GetId")})
_MINTS = re.compile(r"Credential|Token|Password|SecretValue|AccessDetails|LoginUrl")
_DESCRIBES_CREDENTIALS = frozenset(
    {
        ("iam", "GetCredentialReport"),
        ("iam", "GetAccountPasswordPolicy"),
        ("iam", "GetLoginProfile"),
    }
)
_CHANGE_OUTSIDE = "make changes outside it, through your normal change process"
_STARTED_KEEP = 10_000

_ON = threading.Event()
_LOCK = threading.Lock()
_STARTED: OrderedDict[tuple[str, str], None] = OrderedDict()


def _athena_sql(params: Mapping[str, Any]) -> str | None:
    from opsbook.queries.analyse import statement_problem

    problem = statement_problem(str(params.get("QueryString", "")))
    if problem is None:
        return None
    return (
        f"its SQL cannot be shown to only read: {problem}. Run only SELECT, WITH, SHOW, "
        f"DESCRIBE or EXPLAIN from a read-only runbook; {_CHANGE_OUTSIDE}"
    )


def _own(service: str, key: str, console: str) -> Callable[[Mapping[str, Any]], str | None]:
    def check(params: Mapping[str, Any]) -> str | None:
        with _LOCK:
            if (service, str(params.get(key))) in _STARTED:
                return None
        return (
            f"query {params.get(key)!r} was not started by opsbook in this process, and a "
            f"read-only runbook stops only its own queries: stop it in {console} if you must"
        )

    return check


def _no_auto_create(params: Mapping[str, Any]) -> str | None:
    if not params.get("AutoCreate"):
        return None
    return (
        "AutoCreate would create a database user. Ask for an existing user's credentials "
        "(AutoCreate=False); create users outside the runbook"
    )


#: Operations allowed when their arguments pass a check: (service, operation) -> check, which
#: returns ``None`` or why the call is refused and what to do.
CHECKED: dict[tuple[str, str], Callable[[Mapping[str, Any]], str | None]] = {
    ("athena", "StartQueryExecution"): _athena_sql,
    ("athena", "StopQueryExecution"): _own("athena", "QueryExecutionId", "the Athena console"),
    ("logs", "StartQuery"): lambda params: None,
    ("logs", "StopQuery"): _own("logs", "queryId", "the CloudWatch console (Logs Insights)"),
    ("redshift", "GetClusterCredentials"): _no_auto_create,
    ("redshift", "GetClusterCredentialsWithIAM"): lambda params: None,
}
#: Where the query id of a started query is in the response, to allow stopping it later.
_STARTS = {("athena", "StartQueryExecution"): "QueryExecutionId", ("logs", "StartQuery"): "queryId"}
_PRESIGNABLE = frozenset({("s3", "GetObject"), ("s3", "HeadObject")})


def mints_credentials(service: str, operation: str) -> bool:
    """Return whether a read-named operation hands out credentials or secrets.

    Examples
    --------
    >>> mints_credentials("sts", "GetSessionToken"), mints_credentials("iam", "GetCredentialReport")
    (True, False)
    """
    if (service, operation) in DENIED:
        return True
    if (service, operation) in _DESCRIBES_CREDENTIALS:
        return False
    return operation.startswith(("Get", "BatchGet")) and bool(_MINTS.search(operation))


def refusal(service: str, operation: str, params: Mapping[str, Any] | None = None) -> str | None:
    """Return why the guard refuses ``service:operation`` with ``params``, or ``None`` for a read.

    ``service`` is botocore's service name (``athena``, ``logs``, ``cloudwatch``, ...).
    """
    check = CHECKED.get((service, operation))
    if check is not None:
        return check(params or {})
    if mints_credentials(service, operation):
        return (
            "it hands out credentials or secrets, which a read-only runbook never needs: it reads "
            "with the identity it runs as. Get credentials outside the runbook if you must"
        )
    if operation.startswith(READ_PREFIXES):
        return None
    return f"it is not a read. A read-only runbook never changes the account: {_CHANGE_OUTSIDE}"


def is_read_only(action: str, params: Mapping[str, Any] | None = None) -> bool:
    """Return whether the guard lets ``action`` (``service:Operation``) through with ``params``.

    Examples
    --------
    >>> is_read_only("logs:PutRetentionPolicy"), is_read_only("logs:StartQuery")
    (False, True)
    """
    service, _, operation = action.partition(":")
    return refusal(service, operation, params) is None


def _judge(service: str, operation: str, params: Mapping[str, Any] | None) -> None:
    reason = refusal(service, operation, params)
    if reason is not None:
        raise MutatingCallError(f"refused {service}:{operation}: {reason}")


def _judge_presigned(service: str, operation: str) -> None:
    if (service, operation) not in _PRESIGNABLE:
        raise MutatingCallError(
            f"refused {service}:{operation} (pre-signed): whoever holds a pre-signed request acts "
            "as this identity, and a read-only runbook presigns only S3 GetObject and HeadObject. "
            "Presign outside the runbook if you must"
        )


def _remember(service: str, operation: str, response: Any) -> None:
    key = _STARTS.get((service, operation))
    if key is None or not isinstance(response, Mapping) or key not in response:
        return
    with _LOCK:
        _STARTED[(service, str(response[key]))] = None
        while len(_STARTED) > _STARTED_KEEP:
            _STARTED.popitem(last=False)


def install() -> None:
    """Put the guard in front of every botocore client call of this process (once; idempotent).

    While the guard is off it only notes the ids of the queries the process starts, so that they
    may be stopped once it is on.
    """
    with _LOCK:
        if getattr(BaseClient._make_api_call, "_opsbook_guard", False):
            return
        call, sign = BaseClient._make_api_call, RequestSigner.sign

        def guarded_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            service = client.meta.service_model.service_name
            if _ON.is_set():
                _judge(service, operation, params)
            response = call(client, operation, params)
            _remember(service, operation, response)
            return response

        def guarded_sign(
            signer: RequestSigner,
            operation_name: str,
            request: Any,
            region_name: str | None = None,
            signing_type: str = "standard",
            expires_in: int | None = None,
            signing_name: str | None = None,
        ) -> Any:
            if _ON.is_set() and signing_type != "standard":
                _judge_presigned(signer._service_id.hyphenize(), operation_name)
            return sign(signer, operation_name, request, region_name=region_name,
                        signing_type=signing_type, expires_in=expires_in,
                        signing_name=signing_name)  # fmt: skip

        guarded_call._opsbook_guard = True  # type: ignore[attr-defined]
        BaseClient._make_api_call = guarded_call  # type: ignore[method-assign]
        RequestSigner.sign = guarded_sign  # type: ignore[method-assign]


def enable_read_only() -> None:
    """Refuse every AWS call of this process that is not a read, from now on (see the notes).

    Examples
    --------
    >>> enable_read_only(); read_only_enabled()
    True
    >>> disable_read_only()
    """
    install()
    _ON.set()


def disable_read_only() -> None:
    """Let AWS calls that change the account through again."""
    _ON.clear()


def read_only_enabled() -> bool:
    """Return whether the read-only guard is on."""
    return _ON.is_set()


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """Refuse AWS calls that are not reads inside the block, restoring the previous state after.

    Examples
    --------
    >>> with read_only():
    ...     read_only_enabled()
    True
    """
    was = read_only_enabled()
    enable_read_only()
    try:
        yield
    finally:
        if not was:
            disable_read_only()
