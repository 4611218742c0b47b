#!/usr/bin/env bash
# Regenerate i18n/sale_marketplace_connector.pot from the code (Odoo's own export, on a fresh
# database) and merge it into de.po and fr.po; then list what is left to translate. Translating
# is a person's job: tests/test_translations.py fails while a term is untranslated.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_all
DB=smc_i18n_$$
trap 'drop_db "$DB"' EXIT
copy_db "$TEMPLATE_DB" "$DB"
log "Installing $MODULE into $DB and exporting its terms"
odoo_bin -d "$DB" -i "$MODULE" --stop-after-init
POT=$REPO_DIR/i18n/$MODULE.pot
odoo_bin -d "$DB" --modules="$MODULE" --i18n-export="$POT" --stop-after-init
# the bridges' terms go to their own i18n/ (scripts/i18n_split.py)
POTS=("$POT" $("$VENV/bin/python" "$REPO_DIR/scripts/i18n_split.py" "$POT" "$REPO_DIR/bridges"))
for pot in "${POTS[@]}"; do
    dir=$(dirname "$pot")
    for lang in de fr; do
        po=$dir/$lang.po
        [ -f "$po" ] || msginit --no-translator --locale="$lang" --input="$pot" --output-file="$po"
        msgmerge --quiet --no-fuzzy-matching --update --backup=none "$po" "$pot"
        # terms gone from the code do not stay behind as obsolete entries
        msgattrib --no-obsolete --output-file="$po" "$po"
        left=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
        log "${po#"$REPO_DIR"/}: $((left > 0 ? left - 1 : 0)) terms to translate"
    done
done
