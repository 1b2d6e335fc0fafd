"""Entry point for the Celery worker: ``celery -A hirewise.worker worker``."""

from hirewise import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
