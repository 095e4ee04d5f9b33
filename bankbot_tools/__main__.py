"""``python -m bankbot_tools`` runs the ``bankbot`` CLI."""

from bankbot_tools.cli import main

if __name__ == "__main__":  # not when a worker process (Dask, multiprocessing) re-imports it
    main()
