#!/usr/bin/env bash
# Benchmark: the imports from the simulators vs. the bare ORM creating the same documents, an import
# from shops answering in 150 ms, and many accounts on a real Odoo server with 1 and 4 workers.
#   scripts/bench.sh [--orders N] [--memory-orders 5000] [--rows import,payments,latency,scaleout]
#       [--extra-addons DIR]   (README "Benchmark"; the scale-out server listens on SMC_HTTP_PORT
#                               and the next port)
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
    --data-dir "$SMC_HOME/data" --odoo-bin "$ODOO_SRC/odoo-bin" --http-port "${SMC_HTTP_PORT:-8069}" "$@"
