FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ks_landsting.settings.production \
    KS_VAR_DIR=/app/var \
    MPLCONFIGDIR=/app/var/matplotlib

# WeasyPrint needs Pango; gettext compiles the translations. matplotlib (the survey's charts) keeps its font cache in
# MPLCONFIGDIR, built here once rather than by each worker's first chart.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . \
    && useradd --system --home /app landsting \
    && mkdir -p var/media var/static var/matplotlib \
    && python -c "import matplotlib.font_manager" \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py compilemessages --ignore '*/site-packages/*' \
    && SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input \
    && chown -R landsting var

USER landsting
EXPOSE 8000
# No access log: request paths may hold the secret of a personal link (Django logs errors with paths masked).
# --timeout 120: the longest request is the participant import's preview or confirm step, at most 10,000 rows (the
# import's limit). Each step of a 5,000-row import takes 9-14 s on 2 busy shared cores (bench/participant_import.py),
# so 120 s leaves room for the limit on a loaded machine, and a hung worker is still replaced within two minutes.
# The same value is in docker-compose.yml.
CMD ["gunicorn", "ks_landsting.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
