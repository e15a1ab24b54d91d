"""WSGI entry point of govsso: ``gunicorn govsso.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

# Assigned, not defaulted: a launcher that starts every process with the hall's environment
# (DJANGO_SETTINGS_MODULE=gjj.settings...) must still get govsso's own settings here.
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("GOVSSO_SETTINGS_MODULE", "govsso.settings")
application = get_wsgi_application()
