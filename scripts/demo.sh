#!/usr/bin/env bash
# The README's first command: Odoo with the add-on and three simulated shops (OTTO Market,
# PrestaShop, CS-Cart) whose orders it imports, on http://127.0.0.1:8069 (admin / admin) until
# Ctrl-C, which stops everything it started.
#
# SMC_HTTP_PORT (8069) and SMC_DEMO_DB (smc_demo) choose Odoo's port and database; the shops listen
# on SMC_HTTP_PORT + 632, + 633, + 634 (8701-8703), or SMC_OTTO_PORT, SMC_PRESTASHOP_PORT,
# SMC_CSCART_PORT. SMC_DEMO_LIVE_SECONDS (60): how often the shops get new orders and changes.
# SMC_CRON_THREADS (1), SMC_LOG_LEVEL (warn): Odoo's. A second start reuses the database and the
# shops' data (kept under $SMC_HOME/demo/<database>): nothing is imported twice.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HTTP_PORT=${SMC_HTTP_PORT:-8069}
DEMO_DB=${SMC_DEMO_DB:-smc_demo}
OTTO_PORT=${SMC_OTTO_PORT:-$((HTTP_PORT + 632))}
PRESTASHOP_PORT=${SMC_PRESTASHOP_PORT:-$((HTTP_PORT + 633))}
CSCART_PORT=${SMC_CSCART_PORT:-$((HTTP_PORT + 634))}
LIVE_SECONDS=${SMC_DEMO_LIVE_SECONDS:-60}
DEMO_DIR=$SMC_HOME/demo/$DEMO_DB
# the simulated shops' credentials (the shops accept nothing else)
OTTO_LOGIN=demo-otto-partner OTTO_SECRET=demo-otto-client-secret-2026
PRESTASHOP_KEY=DEMOPRESTASHOPWEBSERVICEKEY2026X
CSCART_LOGIN=admin@boutique-exemple.fr CSCART_KEY=demo-cscart-api-key-2026

port_free() {
    "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: a port
    try:                                                      # just closed is free
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}

# --- everything started here is stopped here ------------------------------------------------------
pids=()
stopped=
stop_all() {
    [ -n "$stopped" ] && return
    stopped=1
    [ ${#pids[@]} -gt 0 ] || return 0
    log "Stopping Odoo and the simulated shops"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    local waited=0
    while [ $waited -lt 40 ]; do
        local alive=0 pid
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive = 0 ] && break
        sleep 0.5
        waited=$((waited + 1))
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    log "Stopped."
}
# Each process started below gets a process group of its own (job control): Ctrl-C reaches this
# script alone, which stops them once, in order; a second signal to Odoo would cut its work short.
set -m
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap stop_all EXIT

start_shop() {  # start_shop <backend> <port> <random orders> [options...]
    local backend=$1 port=$2 orders=$3
    shift 3
    (cd "$REPO_DIR" && exec "$VENV/bin/python" -u -m simulators "$backend" --port "$port" \
        --seed 7 --orders "$orders" --showcase --live "$LIVE_SECONDS" \
        --state "$DEMO_DIR/$backend.state" "$@") &
    pids+=($!)
}

# --- set-up ------------------------------------------------------------------------------------------
setup_all
for port in "$HTTP_PORT" "$OTTO_PORT" "$PRESTASHOP_PORT" "$CSCART_PORT"; do
    port_free "$port" || die "port $port is in use (another demo? choose SMC_HTTP_PORT, or the \
shops' SMC_OTTO_PORT, SMC_PRESTASHOP_PORT, SMC_CSCART_PORT)"
done
ensure_demo_template_db
if ! db_exists "$DEMO_DB"; then
    rm -rf "$DEMO_DIR"  # shops of an older database of that name: not these orders
    copy_db "$DEMO_TEMPLATE_DB" "$DEMO_DB"
    log "Installing $MODULE into $DEMO_DB"
    odoo_bin -d "$DEMO_DB" -i "$MODULE" --stop-after-init --log-level=warn
else
    log "Updating $MODULE in $DEMO_DB"
    odoo_bin -d "$DEMO_DB" -u "$MODULE" --stop-after-init --log-level=warn
fi
mkdir -p "$DEMO_DIR"

log "Starting the simulated shops on ports $OTTO_PORT, $PRESTASHOP_PORT, $CSCART_PORT"
start_shop otto "$OTTO_PORT" 30 --login "$OTTO_LOGIN" --secret "$OTTO_SECRET"
start_shop prestashop "$PRESTASHOP_PORT" 25 --secret "$PRESTASHOP_KEY"
start_shop cscart "$CSCART_PORT" 25 --login "$CSCART_LOGIN" --secret "$CSCART_KEY"

log "Setting up the demo (carriers, products, accounts) and importing the shops' orders"
"$VENV/bin/python" "$REPO_DIR/scripts/demo_setup.py" --conf "$ODOO_CONF" --db "$DEMO_DB" \
    --otto "http://127.0.0.1:$OTTO_PORT" "$OTTO_LOGIN" "$OTTO_SECRET" \
    --prestashop "http://127.0.0.1:$PRESTASHOP_PORT" "$PRESTASHOP_KEY" \
    --cscart "http://127.0.0.1:$CSCART_PORT" "$CSCART_LOGIN" "$CSCART_KEY"

# the scheduled actions run in Odoo's cron thread (import every 2 minutes in the demo); Odoo
# restarts itself as `python odoo-bin` when a thread passes its time limit: the virtualenv's python
# comes first on the PATH
PATH="$VENV/bin:$PATH" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" -d "$DEMO_DB" --db-filter="^$DEMO_DB\$" \
    --http-port="$HTTP_PORT" --max-cron-threads="${SMC_CRON_THREADS:-1}" \
    --log-level="${SMC_LOG_LEVEL:-warn}" &
pids+=($!)
odoo_ready() {
    "$VENV/bin/python" -c 'import sys, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/web/health", timeout=2)
except OSError:
    sys.exit(1)' "$HTTP_PORT"
}
until odoo_ready; do
    kill -0 "${pids[-1]}" 2>/dev/null || die "Odoo did not start (see above)"
    sleep 0.5
done
cat <<BANNER

  Odoo:  http://127.0.0.1:$HTTP_PORT   login admin, password admin   (database $DEMO_DB)
  Shops: OTTO Market http://127.0.0.1:$OTTO_PORT, PrestaShop http://127.0.0.1:$PRESTASHOP_PORT,
         CS-Cart http://127.0.0.1:$CSCART_PORT
  Open Sales > Marketplace > Overview. Every ${LIVE_SECONDS}s the shops get new orders and status
  changes, which the scheduled import brings in every 2 minutes; what the shops receive from Odoo
  is printed below. Ctrl-C stops everything.

BANNER
status=0
wait -n "${pids[@]}" || status=$?
log "A process of the demo ended (status $status): stopping the others"
exit "$status"
