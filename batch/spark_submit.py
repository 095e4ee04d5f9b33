"""``spark-submit`` entry point: ``bankbot batch run ARGS --engine spark`` on the cluster.

    spark-submit --master spark://host:7077 batch/spark_submit.py INPUT --out DATASET

The master comes from spark-submit (no ``--master`` needed). See README, "Batch engines".
"""

from __future__ import annotations

import sys

from bankbot_tools.cli import main

if __name__ == "__main__":
    sys.argv = ["bankbot", "batch", "run", *sys.argv[1:], "--engine", "spark"]
    main()
