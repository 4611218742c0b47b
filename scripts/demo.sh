#!/usr/bin/env bash
# Odoo with the add-on on http://127.0.0.1:8069 until Ctrl-C, stopping what it started.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_all
DEMO_DB=${SMC_DEMO_DB:-smc_demo}
if ! db_exists "$DEMO_DB"; then
    copy_db "$TEMPLATE_DB" "$DEMO_DB"
    log "Installing $MODULE into $DEMO_DB"
    odoo_bin -d "$DEMO_DB" -i "$MODULE" --stop-after-init
else
    log "Updating $MODULE in $DEMO_DB"
    odoo_bin -d "$DEMO_DB" -u "$MODULE" --stop-after-init
fi

port=${SMC_HTTP_PORT:-8069}
log "Odoo serves $DEMO_DB on http://127.0.0.1:$port  (login: admin, password: admin). Ctrl-C stops it."
odoo_bin -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" --log-level=info &
odoo_pid=$!
stop() {
    kill "$odoo_pid" 2>/dev/null || true
    wait "$odoo_pid" 2>/dev/null || true
    log "Stopped."
    exit 0
}
trap stop INT TERM
wait "$odoo_pid"
