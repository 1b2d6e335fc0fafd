"""``flask kit list | import | export``: kits from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from hirewise.errors import DomainError
from hirewise.kits import services
from hirewise.kits.validation import MAX_KIT_BYTES

kit_cli = AppGroup("kit", help="List, import and export hiring kits.")


@kit_cli.command("list")
def list_command() -> None:
    """Show every kit with its numbers of skills and questions."""
    kits = services.list_kits()
    if not kits:
        click.echo("No kits yet. Load the built-in one with: flask seed-kit")
        return
    for kit in kits:
        marker = " (built-in)" if kit.is_builtin else ""
        click.echo(
            f"{kit.id:>4}  {kit.slug:<30} {kit.name}{marker}  "
            f"[{len(kit.skills)} skills, {len(kit.questions)} questions, version {kit.version}]"
        )


@kit_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace the kit with the same slug if it exists.")
def import_command(file: Path, replace: bool) -> None:
    """Import a kit FILE (YAML or JSON). Prints every problem and exits 1 if it is invalid."""
    with file.open("rb") as handle:
        content = handle.read(MAX_KIT_BYTES + 1)
    try:
        kit = services.import_kit(None, content, file.name, replace=replace)
    except DomainError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        details = exc.details if isinstance(exc.details, dict) else {}
        for problem in details.get("errors", []):
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1) from exc
    verb = "Imported" if kit.version == 1 else f"Replaced (now version {kit.version})"
    click.echo(f"{verb} kit {kit.slug}: {len(kit.skills)} skills, {len(kit.questions)} questions.")


@kit_cli.command("export")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(services.EXPORT_FORMATS), default="yaml", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None)
def export_command(slug: str, fmt: str, output: Path | None) -> None:
    """Write the kit SLUG as a kit file to stdout, or to OUTPUT."""
    try:
        text = services.dump_kit(services.get_kit_by_slug(slug), fmt)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}", err=True)
