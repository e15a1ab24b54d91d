"""WSGI entry point of the simulator process: ``gunicorn sims.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

from sims import SETTINGS_MODULE

# Assigned, not defaulted: a launcher that starts every process with the hall's environment
# (DJANGO_SETTINGS_MODULE=gjj.settings...) must still get the simulator's own settings here.
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("SIMS_SETTINGS_MODULE", SETTINGS_MODULE)
application = get_wsgi_application()
