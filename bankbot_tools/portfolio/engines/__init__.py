"""Batch engines: the pure Arrow core (core.py), the input plan (plan.py), and the
optional Spark (spark.py) and Dask (dask.py) runners around it."""
