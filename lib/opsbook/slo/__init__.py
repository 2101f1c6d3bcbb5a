"""Service level objectives: OpenSLO specs, error budgets and multiwindow burn-rate alerts.

:mod:`~opsbook.slo.spec` reads the specs, :mod:`~opsbook.slo.maths` holds the arithmetic on plain
pandas, :mod:`~opsbook.slo.evaluate` fetches the SLIs through :mod:`opsbook.metrics` and
:mod:`opsbook.logs`, :mod:`~opsbook.slo.alerts` writes CloudWatch alarms as CloudFormation and
:mod:`~opsbook.slo.appsignals` reads Application Signals budget reports.
"""
