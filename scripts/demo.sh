#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds Lifeboat, creates a demo Supabase stack under
# ./demo (a throwaway PostgreSQL 15 cluster plus a project folder, from the tests' fixture)
# and opens Lifeboat on it.
#   scripts/demo.sh            demo stack + the window (needs a display)
#   scripts/demo.sh --no-gui   demo stack only; prints how to reach it and leaves it running
#   scripts/demo.sh --stop     stops the demo stack's PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
DEMO=$PWD/demo

stop_demo() {
    [ -f "$DEMO/stack.env" ] || return 0
    # shellcheck disable=SC1091
    (source "$DEMO/stack.env"
     [ -f "$LIFEBOAT_DEMO_PGDATA/postmaster.pid" ] || exit 0
     if [ "$(id -u)" -eq 0 ]; then
         runuser -u postgres -- "$LIFEBOAT_DEMO_PGBIN/pg_ctl" -D "$LIFEBOAT_DEMO_PGDATA" -m fast -w stop
     else
         "$LIFEBOAT_DEMO_PGBIN/pg_ctl" -D "$LIFEBOAT_DEMO_PGDATA" -m fast -w stop
     fi) >/dev/null && log "Demo stack stopped"
}

mode=gui
case "${1:-}" in
    --stop) stop_demo; exit 0 ;;
    --no-gui) mode=cli ;;
    "") ;;
    *) echo "usage: scripts/demo.sh [--no-gui | --stop]" >&2; exit 2 ;;
esac

install_deps
build build

stop_demo
if [ -f "$DEMO/stack.env" ]; then
    old_data=$(sed -n 's/^LIFEBOAT_DEMO_PGDATA=//p' "$DEMO/stack.env")
    rm -rf "$(dirname "$old_data")"
fi
rm -rf "$DEMO"
log "Creating the demo stack in $DEMO"
build/tests/lifeboat-demo-stack create "$DEMO"
set -a
# shellcheck disable=SC1091
source "$DEMO/stack.env"
set +a
# The demo keeps its own settings, so it never edits your real Lifeboat configuration.
export XDG_CONFIG_HOME="$DEMO/config" XDG_DATA_HOME="$DEMO/data"
# Tell the demo stack's backup sheet where the storage files are (a real stack keeps them in
# its storage container's volume).
mkdir -p "$XDG_CONFIG_HOME/Lifeboat"
printf '[stacks]\nlifeboat-demo\\backup\\storageDir=%s\n' "$LIFEBOAT_DEMO_STORAGE" >"$XDG_CONFIG_HOME/Lifeboat/lifeboat.conf"

if [ "$mode" = gui ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    log "No display here: showing the stack with lifeboat-cli instead (the cluster keeps running)"
    mode=cli
fi
if [ "$mode" = cli ]; then
    build/app/lifeboat-cli stacks --scan "$LIFEBOAT_DEMO_PROJECT"
    cat <<MSG

The demo stack keeps running. Use it with:
  set -a; source $DEMO/stack.env; set +a
  psql                                   # the demo database
  build/app/lifeboat-cli stacks --scan $LIFEBOAT_DEMO_PROJECT
  build/app/lifeboat --scan $LIFEBOAT_DEMO_PROJECT    # under a display
Stop it with: scripts/demo.sh --stop
MSG
    exit 0
fi
log "Starting Lifeboat"
build/app/lifeboat --scan "$LIFEBOAT_DEMO_PROJECT"
stop_demo
