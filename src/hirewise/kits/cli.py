import click

kit_cli = click.Group("kit", help="Import and export hiring kits.")
