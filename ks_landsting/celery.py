import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ks_landsting.settings")

app = Celery("ks_landsting")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
