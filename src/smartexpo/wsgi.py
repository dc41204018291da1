"""WSGI entry point used by `smartexpo serve` (gunicorn) and by any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")

application = get_wsgi_application()
