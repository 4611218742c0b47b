#!/usr/bin/env bash
# Run the README's test command N times (default 10), each time from a fresh clone of the current
# commit, as CI does; print each run's result and the pass count. Non-zero unless every run passed.
#   scripts/repeat-test.sh [N]
# The logs stay in $SMC_HOME/repeat-test/<timestamp>/ (run-1.log, ...).
set -uo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${1:-10}
SMC_HOME=${SMC_HOME:-$HOME/.cache/sale_marketplace_connector}
OUT=$SMC_HOME/repeat-test/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
COMMIT=$(git -C "$REPO_DIR" rev-parse HEAD)
passed=0
for i in $(seq 1 "$RUNS"); do
    clone=$(mktemp -d /tmp/smc-repeat-XXXXXX)
    git clone -q "$REPO_DIR" "$clone/sale_marketplace_connector"
    git -C "$clone/sale_marketplace_connector" checkout -q "$COMMIT"
    start=$(date +%s)
    if (cd "$clone/sale_marketplace_connector" && ./.ci/run) >"$OUT/run-$i.log" 2>&1; then
        result=PASS
        passed=$((passed + 1))
    else
        result=FAIL
    fi
    summary=$(grep -E '^=+ .*(passed|failed|error).* =+$' "$OUT/run-$i.log" | tail -n 1)
    printf 'run %2d/%d  %s  %4ss  %s\n' "$i" "$RUNS" "$result" "$(($(date +%s) - start))" "$summary"
    [ $result = FAIL ] && grep -E '^(FAILED|ERROR) ' "$OUT/run-$i.log" | sed 's/^/          /'
    key=$(printf '%s' "$clone/sale_marketplace_connector" | sha1sum | cut -c1-12)
    rm -rf "$clone" "$SMC_HOME/addons/$key" "$SMC_HOME/odoo-$key.conf"
done
echo "passed $passed of $RUNS runs of commit ${COMMIT:0:12} (logs: $OUT)"
[ "$passed" = "$RUNS" ]
