#!/usr/bin/env bash
# Nightly portfolio batch job, as a scheduler (cron, Kubernetes CronJob) runs it.
#
#   batch/nightly.sh [INPUT [EXTRA `bankbot batch run` OPTIONS...]]
#
# Writes one folder per run date (UTC) under the output root:
#   OUT_ROOT/YYYY-MM-DD/summary.parquet    per-loan results
#   OUT_ROOT/YYYY-MM-DD/rejects.csv        rows that failed validation, with the reason
#   OUT_ROOT/YYYY-MM-DD/manifest.json      inputs, counts, versions, checksums
#   OUT_ROOT/YYYY-MM-DD/schedules.parquet  only with BANKBOT_SCHEDULES=1
#
# The job writes into a hidden work folder and renames it into place only when
# `bankbot` exits 0, so a dated folder is always a complete run. A failed run is
# kept as YYYY-MM-DD.failed-HHMMSSZ (its rejects explain why); a successful
# re-run for the same date moves the earlier folder to YYYY-MM-DD.replaced-HHMMSSZ.
#
# The exit code is bankbot's: 0 ok, 1 job failed or too many rejects,
# 2 bad input or usage. Schedulers retry or alert on it.
#
# Settings (environment):
#   BANKBOT_INPUT        input CSV/Parquet      (default: the bundled sample portfolio)
#   BANKBOT_OUT_ROOT     output root            (default: ./out; /data/out in the image)
#   BANKBOT_RUN_DATE     folder name            (default: today in UTC, YYYY-MM-DD)
#   BANKBOT_SCHEDULES    1 to also write full amortization schedules
#   BANKBOT_MAX_REJECTS  passed as --max-rejects when set
#   BANKBOT_CHUNK_SIZE   passed as --chunk-size when set
#   BANKBOT              the command to run     (default: bankbot)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
input=${1:-${BANKBOT_INPUT:-$here/sample_portfolio.csv}}
if [[ $# -gt 0 ]]; then shift; fi
out_root=${BANKBOT_OUT_ROOT:-$PWD/out}
run_date=${BANKBOT_RUN_DATE:-$(date -u +%F)}
bankbot=${BANKBOT:-bankbot}

if [[ ! $run_date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    echo "nightly: BANKBOT_RUN_DATE must be YYYY-MM-DD, got '$run_date'" >&2
    exit 2
fi

mkdir -p "$out_root"
final=$out_root/$run_date
stamp=$(date -u +%H%M%SZ)
work=$out_root/.$run_date.partial-$stamp-$$
mkdir "$work"

args=(batch run "$input"
      --out "$work/summary.parquet"
      --rejects "$work/rejects.csv"
      --manifest "$work/manifest.json")
if [[ ${BANKBOT_SCHEDULES:-0} == 1 ]]; then args+=(--schedules "$work/schedules.parquet"); fi
if [[ -n ${BANKBOT_MAX_REJECTS:-} ]]; then args+=(--max-rejects "$BANKBOT_MAX_REJECTS"); fi
if [[ -n ${BANKBOT_CHUNK_SIZE:-} ]]; then args+=(--chunk-size "$BANKBOT_CHUNK_SIZE"); fi

echo "nightly: $bankbot ${args[*]} $*" >&2
rc=0
"$bankbot" "${args[@]}" "$@" || rc=$?

if [[ $rc -eq 0 ]]; then
    if [[ -e $final ]]; then mv "$final" "$final.replaced-$stamp"; fi
    mv "$work" "$final"
    echo "nightly: ok, outputs in $final" >&2
elif [[ -n $(ls -A "$work") ]]; then
    mv "$work" "$final.failed-$stamp"
    echo "nightly: exit $rc, partial outputs kept in $final.failed-$stamp" >&2
else
    rmdir "$work"
    echo "nightly: exit $rc, no outputs" >&2
fi
exit "$rc"
