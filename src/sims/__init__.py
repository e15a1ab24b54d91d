"""Simulators of the outside systems the fund centre talks to over HTTP.

One Django project, one process (port 8002 by default), one small app per outside system:
``sims.registry`` (housing registry), ``sims.bank`` (bank gateway), ``sims.sms`` (SMS gateway),
and ``sims.control`` (fault injection, dataset loading, health) which only the simulator has.
The apps speak the same JSON protocol as the real systems behind the hall's clients
(``gjj.clients``), so pointing the hall at a real system is configuration, not code.
"""

SETTINGS_MODULE = "sims.settings"
