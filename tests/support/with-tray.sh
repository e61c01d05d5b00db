#!/bin/sh
# Runs a command on a private X display (Xvfb) with a system tray (trayer, an XEmbed tray),
# so QSystemTrayIcon is available as on a desktop. Both are stopped afterwards.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lifeboat-tray-XXXXXX")
xvfb_pid= tray_pid=
cleanup() {
    [ -n "$tray_pid" ] && kill "$tray_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -displayfd picks a free display number and tells us which.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$tmp/display" >/dev/null 2>&1 &
xvfb_pid=$!
i=0
while [ ! -s "$tmp/display" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && { echo "with-tray: Xvfb did not start" >&2; exit 1; }
    sleep 0.1
done
DISPLAY=:$(cat "$tmp/display")
export DISPLAY
unset WAYLAND_DISPLAY
trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 &
tray_pid=$!
sleep 1
export QT_QPA_PLATFORM=xcb
"$@"
