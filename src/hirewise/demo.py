import click

seed_command = click.Command("seed-kit", help="Load the built-in Flask Developer kit.")
demo_data_command = click.Command("demo-data", help="Load demo data.")
