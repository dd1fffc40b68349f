FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ks_landsting.settings.production \
    KS_VAR_DIR=/app/var

# WeasyPrint needs Pango; gettext compiles the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . \
    && useradd --system --home /app landsting \
    && mkdir -p var/media var/static \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py compilemessages --ignore '*/site-packages/*' \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
    && chown -R landsting var

USER landsting
EXPOSE 8000
# No access log: request paths may hold the secret of a personal link (Django logs errors with paths masked).
CMD ["gunicorn", "ks_landsting.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
