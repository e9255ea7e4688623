# syntax=docker/dockerfile:1
# verbund: one image for the web server (gunicorn), the Celery worker and beat,
# and the one-shot migrate job. See docker-compose.yml and .env.example.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.13 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=verbund.settings \
    VAR_DIR=/data/var \
    MEDIA_ROOT=/data/media

# WeasyPrint (PDF export) needs Pango, HarfBuzz's subsetter and at least one font;
# the backup service pg_dump/pg_restore/psql (Debian trixie's client is 17, like the postgres:17 server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN pip install "uv>=0.13.8,<0.14"

WORKDIR /app

# Dependencies first, so that code changes do not invalidate this layer.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

# Only what the running portal needs: no .env, .venv, var/ or .git from the
# build context end up in the image.
COPY manage.py gunicorn.conf.py ./
COPY verbund ./verbund
COPY members ./members
COPY events ./events
COPY qualification ./qualification
COPY newsletters ./newsletters
COPY cooperation ./cooperation
COPY health ./health
COPY composition ./composition
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY ops ./ops

# Static files are collected at build time (served by WhiteNoise). The values
# here exist only so that the settings load; they never reach a container.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret \
    DEBUG=false \
    ALLOWED_HOSTS=localhost \
    VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var

# Unprivileged user; /data/media, /data/var and /data/backups are the named volumes' mount
# points and are created here so that new volumes inherit this ownership.
RUN groupadd --system --gid 1000 verbund \
    && useradd --system --uid 1000 --gid verbund --home-dir /app --no-create-home --shell /usr/sbin/nologin verbund \
    && mkdir -p /data/media /data/var /data/backups \
    && chown -R verbund:verbund /data

USER verbund:verbund

EXPOSE 8000

CMD ["gunicorn", "verbund.wsgi:application", "-c", "gunicorn.conf.py"]
