"""Notifications through Amazon SNS: the transport of ``notify_sns_topic_arn``.

Reached through the backend selector's :data:`~opsbook.backends.AWS_ONLY` part, so the report
runner that publishes never imports the aws backend itself.

Examples
--------
>>> from opsbook.settings import resolve
>>> publish(resolve(backend="aws"), "arn:aws:sns:us-east-1:123456789012:reports",
...         "opsbook daily", "2 findings")  # doctest: +SKIP
"""

from __future__ import annotations

from opsbook.backends.aws import aws_errors, client
from opsbook.backends.contract import Notify, contract_functions
from opsbook.settings import Settings

__all__ = contract_functions(Notify)

_SUBJECT = 100  # characters an SNS subject takes at most


def publish(settings: Settings, topic_arn: str, subject: str, text: str) -> None:
    """Publish ``text`` to the SNS topic, with ``subject`` cut to what SNS accepts.

    Raises
    ------
    AccessDeniedError, QueryFailedError, ConfigurationError
        When SNS refuses (naming ``sns:Publish``) or the credentials do not work.
    """
    with aws_errors("sns:Publish"):
        client(settings, "sns").publish(
            TopicArn=topic_arn, Subject=subject[:_SUBJECT], Message=text
        )
