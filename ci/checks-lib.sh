# shellcheck shell=bash
# Shell helpers shared by ci/ship-checks.sh and ci/image-smoke.sh (sourced, not run).

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit WANT CMD...: run CMD, fail unless it exits with WANT.
expect_exit() {
    local want=$1 rc=0
    shift
    "$@" || rc=$?
    [[ $rc -eq $want ]] || fail "expected exit $want, got $rc: $*"
    echo "ok (exit $rc): $*"
}

# need_file FILE...: fail unless every FILE exists and is not empty.
need_file() {
    local f
    for f in "$@"; do
        [[ -s $f ]] || fail "missing or empty output: $f"
        echo "ok: $f ($(wc -c <"$f") bytes)"
    done
}
