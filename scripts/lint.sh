#!/usr/bin/env bash
# ruff, ruff format --check and pylint-odoo's mandatory checks; non-zero when any of them fails.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ -x "$VENV/bin/ruff" ] || die "no virtualenv yet: run make test once"
ensure_addons_link
status=0
cd "$REPO_DIR"
"$VENV/bin/ruff" check . || status=1
"$VENV/bin/ruff" format --check . || status=1
(cd "$ADDONS_LINK_DIR" && "$VENV/bin/pylint" --rcfile="$REPO_DIR/.pylintrc-mandatory" "$MODULE") || status=1
# the bridges are modules of their own (a folder the add-on's package does not import)
(cd "$BRIDGES_DIR" && "$VENV/bin/pylint" --rcfile="$REPO_DIR/.pylintrc-mandatory" "$BRIDGE_MODULE") \
    || status=1
exit $status
