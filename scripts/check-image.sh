#!/usr/bin/env bash
# Builds the Docker image and proves that its worker scores code in the sandbox.
#
# A worker container (the image as docker-compose.yml runs it: its own user, docker/seccomp-bwrap.json, no
# other privilege) consumes tasks from this machine's Redis; a second container of the same image upgrades a
# database of its own on this machine's PostgreSQL with the migrations shipped in the package, then takes an
# assessment as a candidate would and submits one right and one wrong code answer
# (scripts/image_check_driver.py). The check passes when the worker scored both from code it ran in
# bubblewrap: full points and none, never "sandbox unavailable". Then a web container must answer /healthz.
#
# Needs a Docker engine, PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379.
# Where python:3.11-slim cannot be pulled (no registry reachable), a stand-in is built from Debian's
# packages with mmdebstrap: Debian 12's Python 3.11 as a venv at /usr/local, where the official image
# has its Python. Settings: IMAGE, CHECK_DATABASE, CHECK_REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-hirewise:image-check}
BASE_IMAGE=python:3.11-slim
CHECK_DATABASE=${CHECK_DATABASE:-hw_image_check}
CHECK_REDIS_URL=${CHECK_REDIS_URL:-redis://127.0.0.1:6379/11}
DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/${CHECK_DATABASE}"
WORKER=hirewise-image-check-worker
WEB=hirewise-image-check-web
started=$SECONDS

say() { echo "check-image: $*"; }

cleanup() {
  docker rm -f "$WORKER" "$WEB" >/dev/null 2>&1 || true
}
trap cleanup EXIT

build_stand_in_base() {
  # Only for machines without a registry: the Dockerfile itself always names the official image.
  say "$BASE_IMAGE cannot be pulled here; building a stand-in from Debian packages"
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap) >/dev/null
  fi
  local folder
  folder=$(mktemp -d)
  mmdebstrap --quiet --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$folder/bookworm.tar"
  docker import "$folder/bookworm.tar" local/bookworm-python:3.11 >/dev/null
  cp /etc/ssl/certs/ca-certificates.crt "$folder/"
  cat > "$folder/Dockerfile" <<'DOCKERFILE'
FROM local/bookworm-python:3.11
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN python3 -m venv /usr/local
ENV PATH=/usr/local/bin:$PATH PIP_CERT=/etc/ssl/certs/ca-certificates.crt
DOCKERFILE
  docker build --quiet --tag "$BASE_IMAGE" "$folder" >/dev/null
  rm -rf "$folder"
}

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  docker pull --quiet "$BASE_IMAGE" >/dev/null 2>&1 || build_stand_in_base
fi

say "building $IMAGE"
build_started=$SECONDS
docker build --quiet --tag "$IMAGE" . >/dev/null
say "built in $((SECONDS - build_started)) s; size $(docker image inspect "$IMAGE" --format '{{.Size}}' \
  | awk '{printf "%.0f MB", $1 / 1000000}')"

psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_admin -c "DROP DATABASE IF EXISTS ${CHECK_DATABASE} WITH (FORCE)"
psql_admin -c "CREATE DATABASE ${CHECK_DATABASE}"
redis-cli -u "$CHECK_REDIS_URL" FLUSHDB >/dev/null

environment=(
  -e SECRET_KEY=image-check-not-a-secret
  -e "DATABASE_URL=$DATABASE_URL"
  -e "REDIS_URL=$CHECK_REDIS_URL"
  -e MAIL_SERVER=
  -e SESSION_COOKIE_SECURE=false
)

cleanup  # containers left by an interrupted run
# The worker's container settings of docker-compose.yml (README, "The Docker image").
say "starting a worker container with docker/seccomp-bwrap.json"
docker run --detach --name "$WORKER" --network host \
  --security-opt seccomp=docker/seccomp-bwrap.json --security-opt systempaths=unconfined \
  --security-opt no-new-privileges --cap-drop ALL \
  "${environment[@]}" "$IMAGE" \
  celery -A hirewise.worker worker --loglevel INFO --concurrency 1 >/dev/null

say "migrating ${CHECK_DATABASE} and submitting two code answers from a second container"
status=0
docker run --rm --network host "${environment[@]}" \
  --volume "$PWD/scripts/image_check_driver.py:/check/driver.py:ro" \
  "$IMAGE" sh -c 'cd /tmp && flask db upgrade && python /check/driver.py' || status=$?

if [ "$status" = 0 ]; then
  # The web container as the image starts it (migrations, then gunicorn), on a free port of this machine.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  docker run --detach --name "$WEB" --network host "${environment[@]}" -e HOST=127.0.0.1 -e "PORT=$port" \
    -e WEB_CONCURRENCY=1 "$IMAGE" >/dev/null
  health=""
  for _ in $(seq 1 60); do
    health=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null) && break
    sleep 1
  done
  if [ -n "$health" ]; then
    say "the web container answers /healthz: $health"
  else
    say "FAILED: the web container did not answer /healthz within 60 s; its log:"
    docker logs --tail 40 "$WEB" 2>&1 || true
    status=1
  fi
else
  say "FAILED; the worker's log:"
  docker logs --tail 80 "$WORKER" 2>&1 || true
fi
if [ "$status" = 0 ]; then
  say "passed in $((SECONDS - started)) s"
fi
psql_admin -c "DROP DATABASE IF EXISTS ${CHECK_DATABASE} WITH (FORCE)" || true
exit "$status"
