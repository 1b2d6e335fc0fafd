# Hirewise production image: gunicorn serves the app; the same image runs the Celery worker and beat
# (docker-compose.yml overrides the command for those). The worker runs candidates' code under bubblewrap,
# which needs the container settings in README, "The Docker image"; scripts/check-image.sh proves it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=hirewise \
    HIREWISE_ENV=production \
    HIREWISE_INSTANCE_PATH=/app/instance \
    HIREWISE_SANDBOX_PYTHON=/usr/bin/python3.11 \
    PORT=8000

# The code sandbox: bubblewrap, and Debian's Python as the interpreter candidates' code runs with. It is a
# tree of its own under /usr, apart from the app's Python in /usr/local: the sandbox binds its standard library
# read-only and nothing of the app's installation, not even as an empty folder. Tesseract reads scanned
# résumés (English), in a child process under the résumé reader's limits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends bubblewrap python3.11 tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

RUN groupadd --system hirewise \
    && useradd --system --gid hirewise --home-dir /app --no-create-home --shell /usr/sbin/nologin hirewise

# Exactly the locked versions, each checked against its hash, the build backend among them; then the app
# itself, built with that backend (nothing fetched unchecked) and adding no dependency.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps --no-build-isolation . && rm -rf /app/src /app/build

COPY gunicorn.conf.py ./
RUN mkdir -p /app/instance && chown hirewise:hirewise /app/instance

USER hirewise
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4)"

# The web container brings the schema up to date, then serves. Workers override this command.
CMD ["sh", "-c", "flask db upgrade && exec gunicorn --config /app/gunicorn.conf.py"]
