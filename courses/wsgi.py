import os

from django.core.wsgi import get_wsgi_application

# A deployment runs production settings unless told otherwise (manage.py defaults to dev).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courses.settings.production")

application = get_wsgi_application()
