"""Operator commands: ``flask --app hirewise <command>``."""

from __future__ import annotations

import secrets
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from hirewise.auth import services as auth_services
from hirewise.errors import DomainError


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Full name shown in the UI.")
@click.option("--password", default=None, help="Leave out to be prompted; '-' generates one.")
def create_admin_command(email: str, name: str, password: str | None) -> None:
    """Create an admin account (first set-up, scripts)."""
    generated = False
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    elif password == "-":  # noqa: S105 - "-" asks for a generated password
        password, generated = secrets.token_urlsafe(12), True
    try:
        user = auth_services.create_admin(email, password, name)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created admin {user.email}")
    if generated:
        click.echo(f"Generated password: {password}")


@click.command("create-token")
@click.argument("email")
@click.option("--scope", "scopes", default="read", show_default=True, help="Comma-separated: read,write")
@click.option("--name", default="cli", show_default=True, help="Label shown on the account page.")
def create_token_command(email: str, scopes: str, name: str) -> None:
    """Print a new personal API token for EMAIL (stored hashed; shown only now)."""
    user = auth_services.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    try:
        _, raw = auth_services.create_api_token(user, name, scopes)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(raw)


def register_cli(app: Flask) -> None:
    from hirewise.demo import demo_data_command, seed_command
    from hirewise.kits.cli import kit_cli

    for command in (create_admin_command, create_token_command, seed_command, demo_data_command, kit_cli):
        app.cli.add_command(command)


def main() -> None:
    """``hirewise`` console script: the Flask CLI bound to this app."""
    from hirewise import create_app

    cli = FlaskGroup(create_app=create_app)
    sys.exit(cli.main())
