#!/usr/bin/env bash
# The soak: a long bad day of the three simulated shops while Odoo's scheduled actions import and
# send, and a count at the end of what was lost or doubled (README, "Soak"). Exits non-zero when
# anything was lost or doubled.
#
#   scripts/soak.sh [--short] [--orders N] [--seconds S] [--fault-rate 0.07] [--seed 2026] ...
#
# Options go to scripts/soak.py (--help). SMC_SOAK_PORT: Odoo's HTTP port (default: a free one,
# as the shops take theirs). SMC_SOAK_KEEP=1 keeps the database (smc_soak_<pid>) and the logs
# for a look afterwards.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SOAK_PORT=${SMC_SOAK_PORT:-0}
SOAK_DB=smc_soak_$$
SOAK_DIR=$SMC_HOME/soak/$SOAK_DB

setup_all
ensure_demo_template_db
cleanup() {
    if [ "${SMC_SOAK_KEEP:-0}" = 1 ]; then
        log "Kept the database $SOAK_DB and the logs in $SOAK_DIR"
    else
        drop_db "$SOAK_DB"
        rm -rf "$SOAK_DIR"
    fi
}
trap cleanup EXIT
mkdir -p "$SOAK_DIR"
copy_db "$DEMO_TEMPLATE_DB" "$SOAK_DB"
log "Installing $MODULE into $SOAK_DB"
odoo_bin -d "$SOAK_DB" -i "$MODULE" --stop-after-init --log-level=warn
cd "$ADDONS_LINK_DIR"
"$VENV/bin/python" "$MODULE_DIR/scripts/soak.py" --conf "$ODOO_CONF" --db "$SOAK_DB" \
    --odoo-bin "$ODOO_SRC/odoo-bin" --port "$SOAK_PORT" --log-dir "$SOAK_DIR" "$@"
