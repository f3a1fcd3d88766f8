import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.config.settings")
# A body over SAFERPLACES_MAX_REQUEST_MEGABYTES is refused before Django
# (or gunicorn, for Django) reads any of it.
from saferplaces.lib.limits import limit_request_body

application = limit_request_body(get_wsgi_application())

# Load every view module now, not on the first request of each worker.
get_resolver().url_patterns  # noqa: B018
# What is loaded at start-up stays for the life of the process: keep the
# garbage collector from walking it again and again (the analytics libraries
# make a large heap), which showed as latency spikes under load.
gc.freeze()
