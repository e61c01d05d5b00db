# Shared by scripts/test.sh and scripts/demo.sh: install what is missing, then build.
# Sourced, not run.

LIFEBOAT_PACKAGES=(
    cmake ninja-build g++ pkg-config
    qt6-base-dev libqt6sql6-sqlite qtkeychain-qt6-dev libtomlplusplus-dev
    libpq-dev libssl-dev postgresql-15 postgresql-client-15 libgtest-dev
    dbus-daemon dbus-bin gnome-keyring libsecret-1-0
    xvfb xauth trayer
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_deps() {
    local missing=()
    for pkg in "${LIFEBOAT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "Installing ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build [BUILD_DIR]: configure once, then build with two jobs (the machines have two cores).
build() {
    local dir=${1:-build}
    local werror=OFF
    [ -n "${CI:-}" ] && werror=ON
    if [ ! -f "$dir/build.ninja" ]; then
        log "Configuring in $dir"
        cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIFEBOAT_WERROR=$werror >/dev/null
    fi
    log "Building"
    cmake --build "$dir" -j 2
}

# Stops clusters a killed run may have left (tests' watchdogs normally do this).
stop_stray_clusters() {
    local pgctl
    for data in /tmp/lifeboat-pg-*/data; do
        [ -f "$data/postmaster.pid" ] || continue
        pgctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
        if [ "$(id -u)" -eq 0 ]; then
            runuser -u postgres -- "$pgctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
        else
            "$pgctl" -D "$data" stop -m immediate >/dev/null 2>&1 || true
        fi
    done
}
