# Hirewise production image: gunicorn serves the app; the same image runs the Celery worker and beat
# (docker-compose.yml overrides the command for those).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=hirewise \
    HIREWISE_ENV=production \
    HIREWISE_INSTANCE_PATH=/app/instance \
    PORT=8000

WORKDIR /app

RUN groupadd --system hirewise \
    && useradd --system --gid hirewise --home-dir /app --no-create-home --shell /usr/sbin/nologin hirewise

COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /app/src /app/build

COPY gunicorn.conf.py ./
RUN mkdir -p /app/instance && chown hirewise:hirewise /app/instance

USER hirewise
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"

# The web container brings the schema up to date, then serves. Workers override this command.
CMD ["sh", "-c", "flask db upgrade && exec gunicorn --config /app/gunicorn.conf.py"]
