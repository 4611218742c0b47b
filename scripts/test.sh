#!/usr/bin/env bash
# Lint and every test (browser tours included) on a fresh database; ends with pytest's summary.
# Extra arguments go to pytest, e.g. scripts/test.sh -k otto -x, or scripts/test.sh tests/test_ui_tours.py
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_all chromium
ensure_test_template_db
DB=smc_test_$$
trap 'drop_db "$DB"' EXIT
copy_db "$TEST_TEMPLATE_DB" "$DB"
log "Installing $MODULE into $DB"
odoo_bin -d "$DB" -i "$MODULE" --stop-after-init

status=0
log "Lint: ruff, ruff format --check, pylint-odoo (mandatory checks)"
"$REPO_DIR/scripts/lint.sh" || { status=1; log "Lint failed (see above); running the tests anyway"; }

log "Tests (pytest-odoo, with the HTTP server for the browser tours)"
cd "$MODULE_DIR"
# test paths given as tests/... go through the add-on's link, so that they import as the add-on
targets=() args=()
for arg in "$@"; do
    case $arg in tests/*|./tests/*) targets+=("$MODULE_DIR/${arg#./}") ;; *) args+=("$arg") ;; esac
done
[ ${#targets[@]} -gt 0 ] || targets=("$MODULE_DIR/tests")
"$VENV/bin/python" -m pytest --odoo-database="$DB" --odoo-config="$ODOO_CONF" --odoo-http \
    -p no:cacheprovider "${targets[@]}" ${args[@]+"${args[@]}"} || status=$?
exit $status
