"""Operator commands: ``flask --app hirewise <command>``."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
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


@click.command("rotate-secret")
@click.option(
    "--revoke-api-tokens",
    is_flag=True,
    help="Also revoke every personal API token (they do not use the key).",
)
def rotate_secret_command(revoke_api_tokens: bool) -> None:
    """Replace the secret key after a leak, and end every session at once: everyone signs in again.
    Form tokens made with the old key are refused once the processes restart with the new one."""
    from hirewise.audit.services import record
    from hirewise.auth.session_services import end_every_session
    from hirewise.extensions import db
    from hirewise.secret_key import replace_key_file

    # Sessions live in the database, not in cookies signed with the key: end them here, now.
    ended = end_every_session(None)
    click.echo(f"Ended {ended} session{'' if ended == 1 else 's'}: everyone signs in again.")
    key_file = current_app.config.get("SECRET_KEY_FILE")
    if key_file:
        replace_key_file(Path(key_file))
        record(None, "update", "secret_key", None, "rotated the secret key (flask rotate-secret)")
        db.session.commit()
        click.echo(f"Wrote a new secret key to {key_file}.")
        click.echo(
            "Restart every web, worker and beat process now: from then on every form token "
            "signed with the old key is refused."
        )
    else:
        from hirewise.secret_key import new_key

        click.echo("SECRET_KEY comes from the environment, which this command cannot change.")
        click.echo("Set SECRET_KEY to this new value wherever it is configured, then restart every web,")
        click.echo("worker and beat process; everything signed with the old key is refused from then on:")
        click.echo(new_key())
    if revoke_api_tokens:
        revoked = auth_services.revoke_all_api_tokens(None)
        click.echo(f"Revoked {revoked} API tokens: their owners create new ones on their account page.")


@click.command("revoke-api-tokens")
@click.option("--user", "email", default=None, help="Only this user's tokens (default: everyone's).")
def revoke_api_tokens_command(email: str | None) -> None:
    """Revoke every active personal API token at once (or one user's)."""
    user = None
    if email is not None:
        user = auth_services.find_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No user with the email {email}.")
    revoked = auth_services.revoke_all_api_tokens(None, user=user)
    click.echo(f"Revoked {revoked} API tokens.")


def register_cli(app: Flask) -> None:
    from hirewise.demo import demo_data_command, seed_command
    from hirewise.kits.cli import kit_cli

    for command in (
        create_admin_command,
        create_token_command,
        rotate_secret_command,
        revoke_api_tokens_command,
        seed_command,
        demo_data_command,
        kit_cli,
    ):
        app.cli.add_command(command)


def main() -> None:
    """``hirewise`` console script: the Flask CLI bound to this app."""
    from hirewise import create_app

    cli = FlaskGroup(create_app=create_app)
    sys.exit(cli.main())
