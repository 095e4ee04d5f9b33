"""``python -m bankbot_tools`` runs the ``bankbot`` CLI."""

from bankbot_tools.cli import main

main()
