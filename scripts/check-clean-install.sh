#!/usr/bin/env bash
# `pip install` of the project into a new, empty venv, then `flask db upgrade` from an empty folder: the
# migrations must come from the installed package, not from a checkout. Installs what the image installs
# (requirements.lock with its hashes, then the app without dependencies) from a copy of the sources that is
# deleted before the upgrade runs. Passes when every table of the models exists afterwards.
#
# A script rather than a test: a clean venv downloads and installs every dependency (about 100 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
started=$SECONDS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/source" "$work/empty"
cp -r pyproject.toml README.md src "$work/source/"
find "$work/source" -name '__pycache__' -prune -exec rm -rf {} + -o -name '*.egg-info' -prune -exec rm -rf {} +

"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --require-hashes -r requirements.lock
"$work/venv/bin/pip" install --quiet --no-deps --no-build-isolation "$work/source"
rm -rf "$work/source"
echo "check-clean-install: installed in $((SECONDS - started)) s"

cd "$work/empty"
export FLASK_APP=hirewise HIREWISE_INSTANCE_PATH="$work/instance" DATABASE_URL="sqlite:///$work/upgraded.sqlite"
unset HIREWISE_MIGRATIONS_DIR REDIS_URL CELERY_BROKER_URL
"$work/venv/bin/flask" db upgrade 2>&1 | tail -1
"$work/venv/bin/python" - <<'PY'
import sqlalchemy as sa

from hirewise import create_app
from hirewise.extensions import db

app = create_app()
with app.app_context():
    migrations = app.extensions["migrate"].directory
    tables = set(sa.inspect(db.engine).get_table_names())
    missing = sorted(set(db.metadata.tables) - tables)
    print(f"check-clean-install: {len(tables)} tables from the migrations in {migrations}")
    if missing:
        raise SystemExit(f"check-clean-install: FAILED, tables missing after the upgrade: {missing}")
    if "site-packages" not in migrations:
        raise SystemExit("check-clean-install: FAILED, the migrations did not come from the installed package")
PY
echo "check-clean-install: passed in $((SECONDS - started)) s"
