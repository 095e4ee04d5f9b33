#!/usr/bin/env bash
# Smoke-test a built bankbot image, with whatever runs containers:
#
#   bash ci/image-smoke.sh IMAGE
#   CONTAINER_RUN="docker run --rm --user 1001:1001" bash ci/image-smoke.sh bankbot:ci
#
# CONTAINER_RUN is split on spaces (default: "docker run --rm"); ci/ship-checks.sh
# passes podman with its temporary storage, .github/workflows/image.yml passes docker.
# Checks: `bankbot --version`; the default CMD (the sample batch job) with a mounted
# /data writes summary, rejects and manifest and exits 0; bad input exits 2;
# batch/nightly.sh in the image writes a dated folder; `bankbot serve` answers an MCP client
# over stdio (`docker run -i`) with the tools.
set -euo pipefail

image=${1:?usage: image-smoke.sh IMAGE}
read -r -a run <<<"${CONTAINER_RUN:-docker run --rm}"
data=$(mktemp -d "${TMPDIR:-/tmp}/bankbot-smoke.XXXXXX")
trap 'rm -rf "$data" 2>/dev/null || true' EXIT
chmod 0777 "$data"   # writable by the image's own user (10001) as well as by --user

# shellcheck source=ci/checks-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks-lib.sh"

expect_exit 0 "${run[@]}" "$image" --version
# The default CMD: the bundled sample portfolio, outputs to the mounted /data.
expect_exit 0 "${run[@]}" -v "$data:/data" "$image"
need_file "$data/out/summary.parquet" "$data/out/rejects.csv" "$data/out/manifest.json"
expect_exit 2 "${run[@]}" -v "$data:/data" "$image" \
    batch run /data/no-such-portfolio.csv --out /data/out/never.parquet
[[ ! -e $data/out/never.parquet ]] || fail "bad input still wrote an output"
# The scheduler's entry point, as batch/k8s-cronjob.yaml runs it.
expect_exit 0 "${run[@]}" -v "$data:/data" -e BANKBOT_RUN_DATE=2026-01-31 \
    --entrypoint /opt/bankbot/batch/nightly.sh "$image"
need_file "$data/out/2026-01-31/summary.parquet" "$data/out/2026-01-31/rejects.csv" \
    "$data/out/2026-01-31/manifest.json"
# The MCP server over stdio, as an MCP client starts it: initialize, then list the tools.
mcp_session() {
    printf '%s\n' \
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}' \
        '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
        '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
}
# stdin stays open until the tools/list answer is out (at most 60 s): the server stops at EOF.
answer="$data/mcp-answer.jsonl"
: >"$answer"
# shellcheck disable=SC2094  # reading the answer file while the server appends to it is the point
{
    mcp_session
    for _ in $(seq 120); do
        grep -q '"id":2' "$answer" && break
        sleep 0.5
    done
} | "${run[@]}" -i "$image" serve >"$answer" || fail "serve exited non-zero"
for tool in calculate_payment generate_plan get_prompt call_window; do
    grep -q "\"$tool\"" "$answer" || fail "serve in the image does not list $tool"
done
echo "ok: serve lists the tools over stdio"
echo "image smoke test: passed ($image)"
