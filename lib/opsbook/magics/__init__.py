"""IPython magics for analysts: ``%%athena``, ``%%insights``, ``%metric`` and ``%opsbook``.

Load with ``%load_ext opsbook``. Every magic runs on the session's settings: resolved from the
project (arguments, ``OPSBOOK_*``, ``opsbook.toml``, defaults) the first time they are needed, then
changed for the rest of the session by ``%opsbook backend local|aws`` or ``%opsbook use VAR``.

Examples
--------
>>> from opsbook.magics import session_settings
>>> session_settings().backend in ("local", "aws")
True
"""

from __future__ import annotations

from typing import Any

from opsbook.settings import Settings, resolve

__all__ = ["load_ipython_extension", "reset_session", "session_settings", "use_settings"]

# The session override: None until a magic needs settings or %opsbook changes them.
_session: Settings | None = None


def session_settings() -> Settings:
    """Return the settings every magic of this session passes as ``settings=``.

    Examples
    --------
    >>> session_settings() is session_settings()
    True
    """
    global _session
    if _session is None:
        _session = resolve()
    return _session


def use_settings(settings: Settings) -> Settings:
    """Make ``settings`` the session's settings (what ``%opsbook use`` and ``backend`` do).

    Examples
    --------
    >>> use_settings(session_settings().replace(backend="local")).backend
    'local'
    """
    global _session
    if not isinstance(settings, Settings):
        from opsbook.errors import ConfigurationError

        raise ConfigurationError(
            f"expected opsbook Settings, got {type(settings).__name__}: build one with "
            "opsbook.settings.resolve(...)"
        )
    _session = settings
    return settings


def reset_session() -> None:
    """Forget the session's settings: the next magic resolves them afresh from the project.

    Examples
    --------
    >>> reset_session()
    """
    global _session
    _session = None


def load_ipython_extension(ipython: Any) -> None:
    """Register the opsbook magics with ``ipython`` (called by ``%load_ext opsbook``).

    Examples
    --------
    >>> from IPython.testing.globalipapp import start_ipython  # doctest: +SKIP
    >>> load_ipython_extension(start_ipython())  # doctest: +SKIP
    """
    from opsbook.magics.commands import OpsbookMagics

    ipython.register_magics(OpsbookMagics)
