#!/usr/bin/env bash
# Lint and every test (browser tours included) on fresh databases; ends with pytest's summary.
# Extra arguments go to pytest, e.g. scripts/test.sh -k otto -x, or scripts/test.sh tests/test_ui_tours.py
# The add-on's tests run on a database with the add-on alone; the tests of the queue_job bridge
# (bridges/sale_marketplace_connector_queue_job/tests, run first) on one with OCA queue_job and
# the bridge. Test paths choose: tests/... the add-on's, bridges/... the bridge's; none: both.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_all chromium
ensure_test_template_db
DB=smc_test_$$
BRIDGE_DB=smc_test_bridge_$$
trap 'drop_db "$DB"; drop_db "$BRIDGE_DB"' EXIT

# test paths given as tests/... (and bridges/...) go through the add-on's link, so that they import
# as the add-on (pytest imports the package of the folder above them)
targets=() bridge_targets=() args=()
for arg in "$@"; do
    case $arg in
        tests/*|./tests/*) targets+=("$MODULE_DIR/${arg#./}") ;;
        bridges/*|./bridges/*) bridge_targets+=("$MODULE_DIR/${arg#./}") ;;
        *) args+=("$arg") ;;
    esac
done
if [ ${#targets[@]} -eq 0 ] && [ ${#bridge_targets[@]} -eq 0 ]; then
    targets=("$MODULE_DIR/tests")
    bridge_targets=("$MODULE_DIR/bridges/$BRIDGE_MODULE/tests")
fi

if [ ${#targets[@]} -gt 0 ]; then
    copy_db "$TEST_TEMPLATE_DB" "$DB"
    log "Installing $MODULE into $DB"
    odoo_bin -d "$DB" -i "$MODULE" --stop-after-init
fi
if [ ${#bridge_targets[@]} -gt 0 ]; then
    ensure_bridge_test_template_db
    copy_db "$BRIDGE_TEST_TEMPLATE_DB" "$BRIDGE_DB"
    log "Installing $MODULE and $BRIDGE_MODULE into $BRIDGE_DB (with OCA queue_job)"
    odoo_bin -d "$BRIDGE_DB" -i "$MODULE,$BRIDGE_MODULE" --stop-after-init
fi

status=0
log "Lint: ruff, ruff format --check, pylint-odoo (mandatory checks)"
"$REPO_DIR/scripts/lint.sh" || { status=1; log "Lint failed (see above); running the tests anyway"; }

cd "$MODULE_DIR"
bridge_status=0
if [ ${#bridge_targets[@]} -gt 0 ]; then
    log "Tests of $BRIDGE_MODULE (pytest-odoo, with OCA queue_job)"
    "$VENV/bin/python" -m pytest --odoo-database="$BRIDGE_DB" --odoo-config="$ODOO_CONF" \
        -p no:cacheprovider "${bridge_targets[@]}" ${args[@]+"${args[@]}"} || bridge_status=$?
    # pytest's 5: nothing collected (a -k that only picks the add-on's tests)
    [ $bridge_status -eq 5 ] && [ ${#targets[@]} -gt 0 ] && bridge_status=0
fi
if [ ${#targets[@]} -gt 0 ]; then
    log "Tests (pytest-odoo, with the HTTP server for the browser tours)"
    "$VENV/bin/python" -m pytest --odoo-database="$DB" --odoo-config="$ODOO_CONF" --odoo-http \
        -p no:cacheprovider "${targets[@]}" ${args[@]+"${args[@]}"} || status=$?
    # nothing collected here, while the bridge's tests ran
    [ $status -eq 5 ] && [ ${#bridge_targets[@]} -gt 0 ] && status=0
fi
if [ $bridge_status -ne 0 ]; then
    [ $status -ne 0 ] || status=$bridge_status
    [ ${#targets[@]} -eq 0 ] || log "The tests of $BRIDGE_MODULE failed (see above)"
fi
exit $status
