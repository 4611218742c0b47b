#!/usr/bin/env bash
# Benchmark: import N OTTO orders from the simulator vs. the bare ORM creating the same documents.
#   scripts/bench.sh [--orders 1000] [--memory-orders 5000]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_all
BENCH_TEMPLATE=smc_bench_template_$$
trap 'drop_db "$BENCH_TEMPLATE"' EXIT
copy_db "$TEMPLATE_DB" "$BENCH_TEMPLATE"
log "Installing $MODULE into the benchmark template"
odoo_bin -d "$BENCH_TEMPLATE" -i "$MODULE" --stop-after-init
export SMC_DB_HOST=$DB_HOST SMC_DB_PORT=$DB_PORT SMC_DB_USER=$DB_USER SMC_DB_PASSWORD=$DB_PASSWORD
cd "$ADDONS_LINK_DIR"
"$VENV/bin/python" "$MODULE_DIR/scripts/bench.py" --conf "$ODOO_CONF" --template "$BENCH_TEMPLATE" \
    --data-dir "$SMC_HOME/data" "$@"
