# Settings and set-up steps shared by the project's scripts. Sourced, never run on its own.
# Every step is idempotent and cached: a second run only checks what is already there.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=sale_marketplace_connector
BASE_MODULES=sale_management,sale_stock,stock_delivery,account,base_vat,l10n_de

# Everything the scripts build lives here, outside the repository (override with SMC_HOME).
SMC_HOME=${SMC_HOME:-$HOME/.cache/sale_marketplace_connector}
ODOO_SRC=${ODOO_SRC:-$SMC_HOME/odoo-18.0}
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
VENV=${SMC_VENV:-$SMC_HOME/venv}
# The server runs as the postgres user, who cannot enter root's home: as root the cluster lives in /var/lib.
if [ "$(id -u)" = 0 ]; then PG_DIR=${SMC_PG_DIR:-/var/lib/sale_marketplace_connector/postgres}
else PG_DIR=${SMC_PG_DIR:-$SMC_HOME/postgres}; fi
SMC_PG_PORT=${SMC_PG_PORT:-54329}
ODOO_DB_USER=odoo
ODOO_DB_PASSWORD=odoo

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages (only when run as root with apt; otherwise say what is missing) ----------
_missing_debs=()
_need_deb() { dpkg -s "$1" >/dev/null 2>&1 || _missing_debs+=("$1"); }
ensure_debs() {
    _missing_debs=()
    [ -n "${PGHOST:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || _need_deb postgresql
    _need_deb libldap2-dev
    _need_deb libsasl2-dev
    for pkg in "$@"; do _need_deb "$pkg"; done
    [ ${#_missing_debs[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "Installing Debian packages: ${_missing_debs[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends "${_missing_debs[@]}" >/dev/null 2>&1 || {
            apt-get update -q >/dev/null
            apt-get install -y -q --no-install-recommends "${_missing_debs[@]}" >/dev/null
        }
    else
        die "missing Debian packages: ${_missing_debs[*]} (install them, or run this as root)"
    fi
}

# --- Odoo source --------------------------------------------------------------------------------
ensure_odoo_src() {
    if [ ! -f "$ODOO_SRC/odoo-bin" ] || [ ! -d "$ODOO_SRC/odoo/addons/sale_stock" ]; then
        log "No Odoo 18.0 source at $ODOO_SRC: trying to clone it from $ODOO_GIT_URL"
        if ! timeout 900 git clone -q --depth 1 --branch 18.0 "$ODOO_GIT_URL" "$ODOO_SRC" 2>/dev/null; then
            rm -rf "$ODOO_SRC"
            die "Odoo 18.0 Community source not found at $ODOO_SRC and it could not be cloned.
Provide it there (a tree with odoo-bin, requirements.txt, setup.py and odoo/addons/), e.g.
    git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git $ODOO_SRC
or point ODOO_SRC to an existing 18.0 tree."
        fi
    fi
    grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" || die "$ODOO_SRC is not Odoo 18.0"
}

# --- Python virtualenv ---------------------------------------------------------------------------
_pick_python() {
    for py in "${SMC_PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        [ -n "$py" ] && command -v "$py" >/dev/null || continue
        "$py" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' && { echo "$py"; return; }
    done
    die "Odoo 18 needs Python 3.10, 3.11 or 3.12"
}
ensure_venv() {
    local stamp_want
    stamp_want=$( (cat "$ODOO_SRC/requirements.txt" "$REPO_DIR/requirements.txt"; _dev_requirements) \
        | sha1sum | cut -c1-16)
    if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.smc-stamp" 2>/dev/null)" = "$stamp_want" ]; then
        ensure_no_deps_packages
        return 0
    fi
    log "Building the virtualenv $VENV (Odoo's requirements and ours)"
    [ -x "$VENV/bin/python" ] || "$(_pick_python)" -m venv "$VENV"
    local constraints="$SMC_HOME/pip-constraints.txt"
    echo 'setuptools<81' >"$constraints"  # cbor2 does not build with setuptools 81+
    # newer pip keeps build-time constraints apart: give the cap to both
    export PIP_CONSTRAINT=$constraints PIP_BUILD_CONSTRAINT=$constraints
    "$VENV/bin/pip" install -q --upgrade pip 'setuptools<81' wheel
    "$VENV/bin/pip" install -q -r "$ODOO_SRC/requirements.txt" \
        -r "$REPO_DIR/requirements.txt" -r <(_dev_requirements) 2>&1 | grep -v 'is ignored: it is neither' >&2 || true
    "$VENV/bin/python" -c 'import importlib.util as u, sys; sys.exit(any(u.find_spec(m) is None for m in
        ("psycopg2", "lxml", "pytest_odoo", "phonenumbers", "dateutil", "websocket", "pylint_odoo")))' \
        || die "virtualenv $VENV is incomplete: see pip's messages above"
    echo "$stamp_want" >"$VENV/.smc-stamp"
    ensure_no_deps_packages
}
# requirements-dev.txt but the lines marked "no-deps" (installed apart, with pip --no-deps)
_dev_requirements() { grep -v -- 'no-deps' "$REPO_DIR/requirements-dev.txt"; }
# The Odoo add-ons of requirements-dev.txt (lines marked "no-deps"): they require the "odoo"
# distribution, which the source tree is not; pip puts them in site-packages/odoo/addons.
ensure_no_deps_packages() {
    local specs=() stamp_want
    mapfile -t specs < <(grep -- '# no-deps' "$REPO_DIR/requirements-dev.txt" | grep -v '^ *#' \
        | sed 's/ *#.*//')
    [ ${#specs[@]} -gt 0 ] || return 0
    stamp_want=$(printf '%s\n' "${specs[@]}" | sha1sum | cut -c1-16)
    [ "$(cat "$VENV/.smc-stamp-no-deps" 2>/dev/null)" = "$stamp_want" ] && return 0
    log "Installing Odoo add-ons from PyPI without their dependencies: ${specs[*]}"
    "$VENV/bin/pip" install -q --no-deps "${specs[@]}"
    echo "$stamp_want" >"$VENV/.smc-stamp-no-deps"
}
ensure_odoo_importable() {
    # pytest-odoo imports odoo at plugin load: put the source on the venv's path (no copy, no build)
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_SRC" >"$site/odoo-src.pth"
}

# --- PostgreSQL ----------------------------------------------------------------------------------
# Without PGHOST a private cluster under $PG_DIR, owned by the postgres user, on $SMC_PG_PORT.
ensure_postgres() {
    if [ -n "${PGHOST:-}" ]; then
        DB_HOST=$PGHOST DB_PORT=${PGPORT:-5432}
        DB_USER=${PGUSER:-$ODOO_DB_USER} DB_PASSWORD=${PGPASSWORD:-}
        return 0
    fi
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    local run=()
    [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        log "Creating a private PostgreSQL cluster in $PG_DIR/data"
        "${run[@]}" "$bindir/initdb" -A trust -E UTF8 --locale=C.UTF-8 -U postgres -D "$PG_DIR/data" >/dev/null
    fi
    if ! "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        log "Starting PostgreSQL on 127.0.0.1:$SMC_PG_PORT"
        "${run[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
            "-k $PG_DIR -p $SMC_PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
    fi
    DB_HOST=127.0.0.1 DB_PORT=$SMC_PG_PORT DB_USER=$ODOO_DB_USER DB_PASSWORD=$ODOO_DB_PASSWORD
    if ! PGPASSWORD=$DB_PASSWORD psql -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
        psql -h "$DB_HOST" -p "$DB_PORT" -U postgres -d postgres -qc \
            "CREATE ROLE $ODOO_DB_USER LOGIN SUPERUSER PASSWORD '$ODOO_DB_PASSWORD'" >/dev/null
    fi
}
pg() { PGPASSWORD=$DB_PASSWORD "$@" -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER"; }
db_exists() { [ "$(pg psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]; }

# --- Odoo configuration and databases --------------------------------------------------------------
# The repository root is the add-on, whatever the clone's folder is called: Odoo finds it through a
# folder holding one link named after the module.
ensure_addons_link() {
    local key
    key=$(printf '%s' "$REPO_DIR" | sha1sum | cut -c1-12)
    ADDONS_LINK_DIR=$SMC_HOME/addons/$key
    mkdir -p "$ADDONS_LINK_DIR"
    ln -sfn "$REPO_DIR" "$ADDONS_LINK_DIR/$MODULE"
    MODULE_DIR=$ADDONS_LINK_DIR/$MODULE
    ODOO_CONF=$SMC_HOME/odoo-$key.conf
}
# The bridges to other Odoo add-ons (folders of modules of their own, in the repository) and
# the add-ons pip installed (OCA queue_job): on the addons path, installed only where asked.
BRIDGES_DIR=$REPO_DIR/bridges
BRIDGE_MODULE=sale_marketplace_connector_queue_job
addons_path() {
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    local paths=("$ODOO_SRC/odoo/addons" "$ADDONS_LINK_DIR" "$BRIDGES_DIR")
    [ -d "$site/odoo/addons" ] && paths+=("$site/odoo/addons")
    (IFS=,; echo "${paths[*]}")
}
write_odoo_conf() {
    ensure_addons_link
    cat >"$ODOO_CONF" <<CONF
[options]
addons_path = $(addons_path)
data_dir = $SMC_HOME/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
admin_passwd = admin
list_db = False
without_demo = all
http_interface = 127.0.0.1
http_port = ${SMC_HTTP_PORT:-8069}
gevent_port = ${SMC_GEVENT_PORT:-8072}
max_cron_threads = ${SMC_CRON_THREADS:-0}
log_level = ${SMC_LOG_LEVEL:-warn}
CONF
}
odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF" "$@"; }

# Rename the database $1, built under that name, to the template $2, with its filestore.
publish_template() {
    pg psql -d postgres -qc "ALTER DATABASE $1 RENAME TO $2"
    if [ -d "$SMC_HOME/data/filestore/$1" ]; then
        rm -rf "$SMC_HOME/data/filestore/$2"
        mv "$SMC_HOME/data/filestore/$1" "$SMC_HOME/data/filestore/$2"
    fi
}
# Build the template $1, once, from the template $2 and the Odoo modules $3.
ensure_derived_template() {
    exec 9>"$SMC_HOME/template.lock"
    flock 9
    if ! db_exists "$1"; then
        log "Building the template $1 (+ $3), once"
        local building=${1}_building
        drop_db "$building"
        copy_db "$2" "$building"
        odoo_bin -d "$building" -i "$3" --stop-after-init --log-level=warn
        publish_template "$building" "$1"
    fi
    flock -u 9
}

# A template database with Odoo's modules this add-on depends on; copying it costs a fraction of a
# second, installing it about a minute. Its name changes with the Odoo source and the module list.
ensure_template_db() {
    local key
    key=$( (cat "$ODOO_SRC/odoo/release.py"; echo "$BASE_MODULES") | sha1sum | cut -c1-10)
    TEMPLATE_DB=smc_template_$key
    exec 9>"$SMC_HOME/template.lock"
    flock 9
    if ! db_exists "$TEMPLATE_DB"; then
        log "Building the template database $TEMPLATE_DB ($BASE_MODULES), about a minute"
        local building=${TEMPLATE_DB}_building
        db_exists "$building" && pg dropdb "$building"
        rm -rf "$SMC_HOME/data/filestore/$building"
        odoo_bin -d "$building" -i "$BASE_MODULES" --stop-after-init --log-level=warn
        publish_template "$building" "$TEMPLATE_DB"
    fi
    flock -u 9
}
# The tests also need Odoo modules the add-on works with but does not depend on: mrp, for kits
# (phantom bills of materials). A second template, built once from the first (about 10 seconds);
# the demo and the benchmark keep the first.
TEST_EXTRA_MODULES=mrp
ensure_test_template_db() {
    local key
    key=$( (cat "$ODOO_SRC/odoo/release.py"; echo "$BASE_MODULES $TEST_EXTRA_MODULES") \
        | sha1sum | cut -c1-10)
    TEST_TEMPLATE_DB=smc_test_template_$key
    ensure_derived_template "$TEST_TEMPLATE_DB" "$TEMPLATE_DB" "$TEST_EXTRA_MODULES"
}
# The template of the bridge's tests: the test template and OCA queue_job (about 10 seconds,
# once); the connector and its bridge are installed into each copy.
BRIDGE_TEST_EXTRA_MODULES=queue_job
ensure_bridge_test_template_db() {
    ensure_test_template_db
    local key queue_job
    queue_job=$(module_dir queue_job) || die "OCA queue_job is not on the addons path: pip install \
--no-deps 'odoo-addon-queue-job>=18.0,<18.1' into $VENV (requirements-dev.txt)"
    key=$( (cat "$ODOO_SRC/odoo/release.py"; echo "$BASE_MODULES $TEST_EXTRA_MODULES";
            echo "$BRIDGE_TEST_EXTRA_MODULES"; cat "$queue_job/__manifest__.py") \
        | sha1sum | cut -c1-10)
    BRIDGE_TEST_TEMPLATE_DB=smc_bridge_test_template_$key
    ensure_derived_template "$BRIDGE_TEST_TEMPLATE_DB" "$TEST_TEMPLATE_DB" \
        "$BRIDGE_TEST_EXTRA_MODULES"
}
# the folder of module $1 on the addons path (fails when none has it)
module_dir() {
    local path
    for path in $(addons_path | tr , ' '); do
        [ -f "$path/$1/__manifest__.py" ] && { echo "$path/$1"; return 0; }
    done
    return 1
}
DEMO_MODULES=l10n_de
# The template of the demo and the soak: the German company (l10n_de, SKR03, EUR, German
# installed), built once and copied for each new database; its name changes with the Odoo source,
# the modules and the company script.
ensure_demo_template_db() {
    local key
    key=$( (cat "$ODOO_SRC/odoo/release.py"; echo "$BASE_MODULES $DEMO_MODULES";
            cat "$REPO_DIR/scripts/demo_company.py") | sha1sum | cut -c1-10)
    DEMO_TEMPLATE_DB=smc_demo_template_$key
    exec 8>"$SMC_HOME/demo-template.lock"
    flock 8
    if ! db_exists "$DEMO_TEMPLATE_DB"; then
        log "Building the demo template $DEMO_TEMPLATE_DB (German company and chart of accounts), once"
        local building=${DEMO_TEMPLATE_DB}_building
        copy_db "$TEMPLATE_DB" "$building"
        odoo_bin -d "$building" -i "$DEMO_MODULES" --stop-after-init --log-level=warn
        "$VENV/bin/python" "$REPO_DIR/scripts/demo_company.py" --conf "$ODOO_CONF" --db "$building"
        publish_template "$building" "$DEMO_TEMPLATE_DB"
    fi
    flock -u 8
}

copy_db() {  # copy_db <template> <new>
    db_exists "$2" && drop_db "$2"
    pg createdb -T "$1" "$2"
    mkdir -p "$SMC_HOME/data/filestore"
    if [ -d "$SMC_HOME/data/filestore/$1" ]; then
        cp -a "$SMC_HOME/data/filestore/$1" "$SMC_HOME/data/filestore/$2"
    fi
}
drop_db() {
    pg dropdb --if-exists "$1" >/dev/null 2>&1 || true
    rm -rf "$SMC_HOME/data/filestore/$1"
}

# All of the above, in order.
setup_all() {
    mkdir -p "$SMC_HOME"
    ensure_debs "$@"
    ensure_odoo_src
    ensure_venv
    ensure_odoo_importable
    ensure_postgres
    write_odoo_conf
    ensure_template_db
}
