"""The embedded default: SQLite files and local-disk media under var/, every process on loopback."""

from gjj.settings.base import *  # noqa: F403

# One-off commands (gjj evaluate) start the simulator process for their duration when `make run`
# is not up: see gjj.core.embedded_sims.
GJJ_AUTOSTART_SIMULATORS = True

# Serve static files straight from the apps, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True

# Demo staff accounts with published TOTP secrets, and `gjj staff-otp-code`.
GJJ_DEMO_TOOLS = True
