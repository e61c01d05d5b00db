#!/bin/sh
# Runs a command with a private D-Bus session bus and an unlocked GNOME Keyring on it (a real
# Secret Service), so keychain tests never touch the developer's own keyring. Both daemons are
# stopped when the command ends, whatever its outcome.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-keyring-XXXXXX")
bus_pid= keyring_pid=
cleanup() {
    [ -n "$keyring_pid" ] && kill "$keyring_pid" 2>/dev/null
    [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -m 700 "$tmp/run"
export HOME="$tmp" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"

dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 \
    3>"$tmp/address" 4>"$tmp/bus.pid" </dev/null >/dev/null 2>&1 || { echo "with-keyring: dbus-daemon failed" >&2; exit 1; }
bus_pid=$(cat "$tmp/bus.pid")
DBUS_SESSION_BUS_ADDRESS=$(head -n 1 "$tmp/address")
export DBUS_SESSION_BUS_ADDRESS

printf lifeboat-test >"$tmp/pw"
gnome-keyring-daemon --foreground --unlock --components=secrets <"$tmp/pw" >/dev/null 2>&1 &
keyring_pid=$!
# Wait until the Secret Service answers on the bus.
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
        string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "with-keyring: gnome-keyring-daemon did not start" >&2; exit 1; }
    sleep 0.1
done

"$@"
