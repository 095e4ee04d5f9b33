"""Portfolio batch runs: read CSV/Parquet in chunks, validate with the rule table, amortize
with the kernel, and write summaries, schedules, rejects and a manifest atomically."""
