import os

from django.core.asgi import get_asgi_application

# A deployment runs production settings unless told otherwise (manage.py defaults to dev).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courses.settings.production")

application = get_asgi_application()
