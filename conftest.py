"""pytest's entry point, for any path it is given: the shared setup is :mod:`support.session`.

It lives here, at the root, so a run of only ``notebooks/`` or ``runbooks/`` reads the pinned
sample at the pinned time, as the whole suite does (a conftest file in ``tests/`` reaches only
the tests below it).
"""

pytest_plugins = ["support.session"]
