import os

from django.core.wsgi import get_wsgi_application

# A deployment runs production settings unless told otherwise (manage.py defaults to dev).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courses.settings.production")

application = get_wsgi_application()

# Import every view now rather than on the first request: gunicorn preloads this module, so
# workers forked at a reload answer at once instead of importing the URL conf first.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
