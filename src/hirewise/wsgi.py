"""Entry point for gunicorn: ``gunicorn 'hirewise.wsgi:app'``."""

from hirewise import create_app

app = create_app()
