"""The ``bankbot`` CLI: ``app`` (the Typer app) and ``main`` (the console script), one
module per command group. Commands import the core when they run, so start-up is quick."""

from bankbot_tools.cli.app import app, main

__all__ = ["app", "main"]
